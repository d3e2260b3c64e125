import { describe, expect, it } from 'vitest';
import { estimateOverhead } from '../harness/analyze/overhead.js';

const around = (center: number, spread: number, n = 8) => Array.from({ length: n }, (_, i) => center * (1 + spread * ((i / (n - 1)) * 2 - 1)));

describe('the harness overhead from interleaved cells', () => {
  it('shows an overhead above the goal when every instrumented cell is clearly slower', () => {
    const estimate = estimateOverhead(around(800, 0.02), around(1000, 0.02));
    expect(estimate?.answer).toBe('above the goal');
    expect(estimate!.overhead).toBeCloseTo(0.2, 1);
    expect(estimate!.lo).toBeGreaterThan(0.05);
  });

  it('rules out the goal when both sides are tight and equal', () => {
    const estimate = estimateOverhead(around(1000, 0.01), around(1000, 0.01));
    expect(estimate?.answer).toBe('below the goal');
    expect(estimate!.hi).toBeLessThan(0.05);
  });

  it('says "within the noise" when cells spread far more than the goal', () => {
    const estimate = estimateOverhead(around(1000, 0.4), around(1000, 0.4));
    expect(estimate?.answer).toBe('within the noise');
    expect(estimate!.lo).toBeLessThan(0);
    expect(estimate!.hi).toBeGreaterThan(0.05);
  });

  it('needs cells on both sides', () => {
    expect(estimateOverhead([], [1000])).toBeUndefined();
  });
});
