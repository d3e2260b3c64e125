import { describe, expect, it } from 'vitest';
import { shiftInterval } from '../harness/analyze/mann-whitney.js';

describe('the shift interval at the edge of what n allows', () => {
  it('3 vs 3 at 90% is [d(1), d(9)]: P(U ≤ 0) = 1/20 is exactly the 5% tail, though (1 − 0.9) / 2 evaluates to 0.0499…', () => {
    expect((1 - 0.9) / 2).toBeLessThan(0.05);
    expect(shiftInterval([10, 11, 12], [13, 14, 15], 0.9)).toEqual({ estimate: 3, lo: 1, hi: 5, confidence: 0.9 });
  });

  it('4 vs 4 at 1 − 2/70 reaches k = 1 exactly (tail 1/70, computed, not typed)', () => {
    const s = shiftInterval([1, 2, 3, 4], [11, 12, 13, 14], 1 - 2 / 70);
    expect([s.lo, s.hi]).toEqual([7, 13]);
  });

  it('stays unbounded when the tail is really too small (3 vs 3 at 95%)', () => {
    expect(shiftInterval([10, 11, 12], [13, 14, 15], 0.95)).toMatchObject({ lo: -Infinity, hi: Infinity });
  });
});
