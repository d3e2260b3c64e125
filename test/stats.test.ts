import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { max, median, medianInterval } from '../harness/analyze/stats.js';

describe('medianInterval', () => {
  it('reports [min, max] with its actual confidence when n is too small for 95%', () => {
    expect(medianInterval([5, 1, 4, 2, 3])).toEqual({ n: 5, median: 3, lo: 1, hi: 5, confidence: 0.9375 });
    expect(medianInterval([7])).toEqual({ n: 1, median: 7, lo: 7, hi: 7, confidence: 0 });
  });

  it('narrows to the order statistics benchstat uses once n allows 95%', () => {
    // n = 6: k = 1 (P(X < 1) = 1/64 ≤ 0.025) → [x1, x6] at 96.9%.
    expect(medianInterval([1, 2, 3, 4, 5, 6])).toMatchObject({ lo: 1, hi: 6, confidence: 0.9688 });
    // n = 10: k = 2 (P(X < 2) = 11/1024 ≤ 0.025, P(X < 3) = 56/1024 is not) → [x2, x9] at 97.85%.
    expect(medianInterval([10, 9, 8, 7, 6, 5, 4, 3, 2, 1])).toEqual({ n: 10, median: 5.5, lo: 2, hi: 9, confidence: 0.9785 });
  });

  it('has no estimate without samples', () => {
    expect(medianInterval([])).toBeUndefined();
  });

  it('always contains the median and lies within [min, max]', () => {
    fc.assert(fc.property(fc.array(fc.double({ noNaN: true, noDefaultInfinity: true }), { minLength: 1, maxLength: 60 }), (values) => {
      const e = medianInterval(values)!;
      expect(e.median).toBe(median(values));
      expect(e.lo).toBeLessThanOrEqual(e.median);
      expect(e.median).toBeLessThanOrEqual(e.hi);
      expect(e.lo).toBeGreaterThanOrEqual(Math.min(...values));
      expect(e.hi).toBeLessThanOrEqual(Math.max(...values));
      expect(e.confidence).toBeGreaterThanOrEqual(values.length >= 6 ? 0.95 : 0);
    }));
  });
});

describe('max', () => {
  it('takes more values than a call takes arguments (a 64-writer cell has that many lock waits)', () => {
    // Arrange: more than Math.max(...values) can spread (it overflows the stack past ~125,000).
    const values = Array.from({ length: 300_000 }, (_, i) => (i * 7919) % 300_007);
    // Act / Assert
    expect(max(values)).toBe(values.reduce((a, b) => (b > a ? b : a)));
    expect(max([])).toBeUndefined();
  });
});

describe('percentile', () => {
  it('interpolates between values whose difference overflows a double (fast-check found it)', () => {
    // The counterexample: the midpoint of these two is finite, their difference is not.
    const values = [4.9896007738367995e+292, -1.7976931348623153e+308];
    expect(median(values)).toBe(-1.7976931348623153e+308 / 2 + 4.9896007738367995e+292 / 2);
    expect(Number.isFinite(median([Number.MAX_VALUE, -Number.MAX_VALUE]))).toBe(true);
    expect(median([Number.MAX_VALUE, -Number.MAX_VALUE])).toBe(0);
  });
});
