import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { exactUCounts, mannWhitney, normalUpperTail, shiftInterval } from '../harness/analyze/mann-whitney.js';
import { holm } from '../harness/analyze/holm.js';
import { compareMetrics, decide, overallAnswer } from '../harness/analyze/compare.js';

describe('Mann–Whitney U', () => {
  it('gives scipy\'s documented exact p-value for its males/females example', () => {
    // scipy.stats.mannwhitneyu docs: males vs females, U = 17, exact two-sided p = 0.1111 (= 14/126).
    const r = mannWhitney([19, 22, 16, 29, 24], [20, 11, 17, 12]);
    expect(r).toEqual({ u: 17, p: expect.closeTo(1 / 9, 12), pLess: expect.closeTo(1 - 4 / 126, 12), pGreater: expect.closeTo(7 / 126, 12), method: 'exact' });
  });

  it('matches Mann & Whitney\'s (1947) table for n1 = n2 = 4: P(U ≤ u) = .014, .029, .057, .100', () => {
    const counts = exactUCounts(4, 4);
    const total = counts.reduce((a, b) => a + b, 0);
    expect(total).toBe(70);
    const cdf = [0, 1, 2, 3].map((u) => counts.slice(0, u + 1).reduce((a, b) => a + b, 0) / total);
    expect(cdf.map((p) => Number(p.toFixed(3)))).toEqual([0.014, 0.029, 0.057, 0.1]);
    // Complete separation of 4 and 4: two-sided p = 2/70.
    expect(mannWhitney([1, 2, 3, 4], [5, 6, 7, 8]).p).toBeCloseTo(2 / 70, 12);
  });

  it('uses the normal approximation with tie and continuity corrections beyond 50 values', () => {
    // scipy.stats.mannwhitneyu(a, b, method="asymptotic") on these 30 + 30 tied values: U = 325, p = 0.06103888380755854.
    const a = Array.from({ length: 30 }, (_, i) => i % 7);
    const b = Array.from({ length: 30 }, (_, i) => ((i * 3) % 9) + 1);
    const r = mannWhitney(a, b);
    expect(r.method).toBe('normal');
    expect(r.u).toBe(325);
    expect(r.p).toBeCloseTo(0.06103888380755854, 6);
  });

  it('with ties and few values, gives the exact permutation p-value (checked by enumerating every split)', () => {
    fc.assert(fc.property(fc.array(fc.integer({ min: 0, max: 4 }), { minLength: 1, maxLength: 6 }), fc.array(fc.integer({ min: 0, max: 4 }), { minLength: 1, maxLength: 6 }), (a, b) => {
      // Brute force: every way to split the pooled values into groups of |a| and |b|.
      const pooled = [...a, ...b];
      const uOf = (x: number[], y: number[]) => x.reduce((s, v) => s + y.reduce((t, w) => t + (v > w ? 1 : v === w ? 0.5 : 0), 0), 0);
      const observed = uOf(a, b);
      let below = 0;
      let above = 0;
      let total = 0;
      const pick = (start: number, chosen: number[]) => {
        if (chosen.length === a.length) {
          const x = chosen.map((i) => pooled[i]!);
          const y = pooled.filter((_, i) => !chosen.includes(i));
          const u = uOf(x, y);
          total++;
          if (u <= observed + 1e-9) below++;
          if (u >= observed - 1e-9) above++;
          return;
        }
        for (let i = start; i < pooled.length; i++) pick(i + 1, [...chosen, i]);
      };
      pick(0, []);
      const r = mannWhitney(a, b);
      expect(r.method).toBe('exact');
      expect(r.u).toBe(observed);
      expect(r.p).toBeCloseTo(Math.min(1, (2 * Math.min(below, above)) / total), 10);
    }), { numRuns: 60 });
  });

  it('has a normal tail accurate to the published table (Φ(1.96) = 0.975)', () => {
    expect(normalUpperTail(1.959964)).toBeCloseTo(0.025, 6);
    expect(normalUpperTail(0)).toBeCloseTo(0.5, 7);
  });

  it('counts every ranking exactly once: the exact counts sum to C(m+n, m) and are symmetric', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 12 }), (m, n) => {
      const c = exactUCounts(m, n);
      let binom = 1;
      for (let i = 1; i <= m; i++) binom = (binom * (n + i)) / i;
      expect(c.reduce((a, b) => a + b, 0)).toBeCloseTo(binom, 6);
      expect(c).toEqual([...c].reverse());
    }));
  });

  it('is symmetric in its samples and never exceeds 1', () => {
    fc.assert(fc.property(fc.array(fc.integer({ min: 0, max: 20 }), { minLength: 1, maxLength: 15 }), fc.array(fc.integer({ min: 0, max: 20 }), { minLength: 1, maxLength: 15 }), (a, b) => {
      const ab = mannWhitney(a, b);
      const ba = mannWhitney(b, a);
      expect(ab.p).toBeCloseTo(ba.p, 10);
      expect(ab.u + ba.u).toBe(a.length * b.length);
      expect(ab.p).toBeLessThanOrEqual(1);
    }));
  });
});

describe('Hodges–Lehmann shift interval', () => {
  it('is the median pairwise difference, with the order statistics the exact U distribution gives', () => {
    // 5 vs 5: P(U ≤ 2) = 4/252 = 0.0159 ≤ 0.025 < P(U ≤ 3) = 7/252: k = 3 → [d(3), d(23)] at 1 − 8/252 = 96.83%.
    const base = [10, 11, 12, 13, 14];
    const head = [20, 21, 22, 23, 24];
    const s = shiftInterval(base, head, 0.95);
    expect(s.estimate).toBe(10);
    expect(s).toMatchObject({ lo: 7, hi: 13, confidence: 0.9683 });
  });

  it('is unbounded when the samples are too small for the confidence (3 vs 3 cannot reach 95%)', () => {
    expect(shiftInterval([1, 2, 3], [4, 5, 6], 0.95)).toMatchObject({ lo: -Infinity, hi: Infinity });
  });

  it('contains its estimate', () => {
    fc.assert(fc.property(fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { minLength: 1, maxLength: 12 }), fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { minLength: 1, maxLength: 12 }), (a, b) => {
      const s = shiftInterval(a, b, 0.9);
      expect(s.lo).toBeLessThanOrEqual(s.estimate);
      expect(s.estimate).toBeLessThanOrEqual(s.hi);
    }));
  });
});

describe('Holm step-down', () => {
  it('reproduces the textbook example (p = .01, .04, .03, .005 at α = .05: the first and last rejected)', () => {
    // R: p.adjust(c(.01, .04, .03, .005), "holm") = 0.03 0.06 0.06 0.02
    const r = holm([0.01, 0.04, 0.03, 0.005], 0.05);
    expect(r.adjusted.map((p) => Number(p.toFixed(10)))).toEqual([0.03, 0.06, 0.06, 0.02]);
    expect(r.rejected).toEqual([true, false, false, true]);
  });

  it('never adjusts below the raw p-value nor above 1, and keeps the order of the p-values', () => {
    fc.assert(fc.property(fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 1, maxLength: 10 }), (ps) => {
      const { adjusted } = holm(ps, 0.05);
      ps.forEach((p, i) => {
        expect(adjusted[i]).toBeGreaterThanOrEqual(p);
        expect(adjusted[i]).toBeLessThanOrEqual(1);
      });
      for (let i = 0; i < ps.length; i++) for (let j = 0; j < ps.length; j++) if (ps[i]! < ps[j]!) expect(adjusted[i]).toBeLessThanOrEqual(adjusted[j]!);
    }));
  });
});

describe('comparing two settings', () => {
  const slow = [60, 62, 58, 61, 59, 63, 57, 60];
  const fast = [100, 104, 97, 101, 99, 103, 96, 100];

  it('calls a large, significant loss of throughput a regression, with its change and interval', () => {
    const [c] = compareMetrics([{ metric: 'ackedPerSec', better: 'higher', base: fast, head: slow, minEffect: 0.1 }], 0.05);
    expect(c!.answer).toBe('regressed');
    expect(c!.change).toBeCloseTo(-0.4, 1);
    expect(c!.changeHi).toBeLessThan(-0.1);
    expect(c!.p).toBeLessThan(0.001);
  });

  it('calls the same change in a lower-is-better metric an improvement', () => {
    const [c] = compareMetrics([{ metric: 'ackLatencyMsP99', better: 'lower', base: fast, head: slow, minEffect: 0.1 }], 0.05);
    expect(c!.answer).toBe('improved');
  });

  it('says no change only when the data rule out a regression of the minimum effect', () => {
    const same = compareMetrics([{ metric: 'ackedPerSec', better: 'higher', base: fast, head: [...fast].reverse(), minEffect: 0.1 }], 0.05);
    expect(same[0]!.answer).toBe('no change');
    // Two repeats a side cannot bound anything at 1 − α (P(U ≤ 0) = 1/6): inconclusive, not "no change".
    const few = compareMetrics([{ metric: 'ackedPerSec', better: 'higher', base: [100, 101], head: [101, 100], minEffect: 0.1 }], 0.05);
    expect(few[0]!.answer).toBe('inconclusive');
  });

  it('does not call a significant change smaller than the minimum effect a regression, nor "no change": below the minimum effect', () => {
    const base = [100, 100.5, 101, 101.5, 102, 102.5, 103, 103.5];
    const head = base.map((v) => v * 0.97);
    const [c] = compareMetrics([{ metric: 'ackedPerSec', better: 'higher', base, head, minEffect: 0.1 }], 0.05);
    expect(c!.p).toBeLessThan(0.05);
    expect(c!.answer).toBe('below minimum effect');
  });

  it('adjusts p across the metrics of one comparison (Holm) before deciding', () => {
    // One-sided p just under α alone (0.032), but not after adjusting for 4 metrics.
    const base = [10, 11, 12, 13, 14, 15];
    const head = [8, 9, 10.5, 11.5, 12.5, 9.7];
    const alone = compareMetrics([{ metric: 'ackedPerSec', better: 'higher', base, head, minEffect: 0.1 }], 0.05)[0]!;
    expect(alone.pWorse).toBeLessThan(0.05);
    const family = compareMetrics(['a', 'b', 'c', 'd'].map((metric, i) => ({ metric, better: 'higher' as const, base, head: i === 0 ? head : base, minEffect: 0.1 })), 0.05);
    expect(family[0]!.pAdjusted).toBeCloseTo(Math.min(1, 4 * alone.pWorse), 10);
    expect(family[0]!.answer).not.toBe('regressed');
  });

  it('decides from the adjusted p, the estimate and the bad-direction bound', () => {
    const base = {
      metric: 'm', better: 'higher' as const, base: { n: 5, median: 1, lo: 1, hi: 1, confidence: 0.9 }, head: { n: 5, median: 1, lo: 1, hi: 1, confidence: 0.9 },
      test: 'rank-sum' as const, u: 0, p: 0, pWorse: 0, pBetter: 1, pBetterAdjusted: 1, scale: 'ratio' as const, method: 'exact' as const, changeConfidence: 0.9, minEffect: 0.1,
    };
    expect(decide({ ...base, pAdjusted: 0.01, change: -0.2, changeLo: -0.3, changeHi: -0.1 }, 0.05)).toBe('regressed');
    expect(decide({ ...base, pAdjusted: 0.2, change: -0.2, changeLo: -0.5, changeHi: 0.1 }, 0.05)).toBe('inconclusive');
    expect(decide({ ...base, pAdjusted: 0.2, change: 0.01, changeLo: -0.05, changeHi: 0.3 }, 0.05)).toBe('no change');
    // The whole interval on the bad side, the minimum effect ruled out: below the minimum effect, never "no change".
    expect(decide({ ...base, pAdjusted: 0.2, change: -0.05, changeLo: -0.08, changeHi: -0.01 }, 0.05)).toBe('below minimum effect');
    // Significant, but a minimum effect not ruled out while the estimate is below it: more pairs would tell.
    expect(decide({ ...base, pAdjusted: 0.01, change: -0.05, changeLo: -0.2, changeHi: -0.01 }, 0.05)).toBe('inconclusive');
    expect(decide({ ...base, pAdjusted: 1, pBetterAdjusted: 0.01, change: 0.3, changeLo: 0.1, changeHi: 0.5 }, 0.05)).toBe('improved');
    expect(overallAnswer(['no change', 'inconclusive', 'improved'])).toBe('inconclusive');
    expect(overallAnswer(['no change', 'regressed', 'inconclusive'])).toBe('regressed');
  });
});
