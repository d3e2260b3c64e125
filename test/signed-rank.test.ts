import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { exactTCounts, pairedShift, signedRank, smallestPairedP } from '../harness/analyze/signed-rank.js';
import { lookSchedule, pairNoise, pairsForEquivalence, pairsForPower, sizeCell } from '../harness/analyze/sizing.js';

describe('the Wilcoxon signed-rank test', () => {
  it('gives scipy\'s exact one-sided p-values (scipy 1.17 wilcoxon(d, alternative=…, method="exact"))', () => {
    const d = [0.3, -0.1, 0.5, 0.7, 0.2, -0.4, 0.9, 1.1];
    expect(signedRank(d)).toMatchObject({ tPlus: 31, n: 8, method: 'exact' });
    expect(signedRank(d).pGreater).toBeCloseTo(0.0390625, 12);
    expect(signedRank(d).pLess).toBeCloseTo(0.97265625, 12);
  });

  it('counts the sign patterns given the midranks when |d| ties (7 of 64 patterns reach T+ = 17)', () => {
    // |d| = 1, 2, 2, 3, 4, 5: midranks 1, 2.5, 2.5, 4, 5, 6; scipy gives 0.109375 too.
    expect(signedRank([1, 2, 2, -3, 4, 5])).toMatchObject({ tPlus: 17, pGreater: 7 / 64 });
  });

  it('leaves zeros out, and says nothing of no differences', () => {
    expect(signedRank([0, 0, 1, 2])).toMatchObject({ n: 2, pGreater: 0.25 });
    expect(signedRank([0, 0])).toMatchObject({ n: 0, p: 1, pLess: 1, pGreater: 1 });
  });

  it('has 2^n patterns in all, the smallest one-sided p being 1/2^n', () => {
    for (const n of [1, 5, 12, 30]) expect(exactTCounts(n).reduce((a, b) => a + b, 0)).toBe(2 ** n);
    expect(signedRank([1, 2, 3, 4, 5, 6, 7, 8]).pGreater).toBe(smallestPairedP(8));
    expect(smallestPairedP(8)).toBe(1 / 256);
  });

  it('approximates beyond 50 pairs with the normal, close to the exact count at 50', () => {
    const d = Array.from({ length: 51 }, (_, i) => (i % 3 === 0 ? -1 : 1) * (i + 1));
    const exact = signedRank(d.slice(0, 50));
    const normal = signedRank(d);
    expect(normal.method).toBe('normal');
    expect(Math.abs(normal.pGreater - exact.pGreater)).toBeLessThan(0.02);
  });
});

describe('the Hodges–Lehmann change of the pairs and its interval', () => {
  /** The Walsh averages, counted out: every (d_i + d_j) / 2 with i ≤ j, sorted. */
  const walsh = (d: number[]) => d.flatMap((x, i) => d.slice(i).map((y) => (x + y) / 2)).sort((a, b) => a - b);

  it('is [w(k), w(N − k + 1)], k the largest with P(T+ ≤ k − 1) ≤ the tail: 8 pairs at 90% → k = 6 (P(T+ ≤ 5) = 10/256)', () => {
    const d = [0.3, -0.1, 0.5, 0.7, 0.2, -0.4, 0.9, 1.1];
    const w = walsh(d);
    const s = pairedShift(d, 0.9);
    expect([s.lo, s.hi]).toEqual([w[5], w[30]]);
    expect(s.estimate).toBeCloseTo((w[17]! + w[18]!) / 2, 12);
    expect(s.confidence).toBeCloseTo(1 - 20 / 256, 4);
  });

  it('stays unbounded when the pairs are too few for the confidence (3 pairs at 90%: P(T+ = 0) = 1/8 > 5%)', () => {
    expect(pairedShift([1, 2, 3], 0.9)).toMatchObject({ lo: -Infinity, hi: Infinity });
  });

  it('covers the true centre at least as often as it says (property: symmetric noise around a shift)', () => {
    fc.assert(fc.property(fc.array(fc.double({ min: -1, max: 1, noNaN: true }), { minLength: 8, maxLength: 20 }), fc.double({ min: -2, max: 2, noNaN: true }), (noise, shift) => {
      // The interval is equivariant: shifting every difference shifts the interval by as much.
      const a = pairedShift(noise, 0.9);
      const b = pairedShift(noise.map((x) => x + shift), 0.9);
      return Math.abs(b.lo - a.lo - shift) < 1e-9 && Math.abs(b.hi - a.hi - shift) < 1e-9 && a.lo <= a.estimate && a.estimate <= a.hi;
    }));
  });
});

describe('sizing a cell from its first look\'s noise', () => {
  it('reads the noise from the sizes of the changes only, never their signs', () => {
    expect(pairNoise([0.1, -0.2, 0.3])).toBeCloseTo(1.4826 * 0.2, 12);
    expect(pairNoise([-0.1, 0.2, -0.3])).toBe(pairNoise([0.1, -0.2, 0.3]));
    expect(pairNoise([])).toBeNull();
  });

  it('asks for ((z_α + z_0.8) σ / |log(1 − 20%)|)² × π/3 pairs to catch a 20% drop', () => {
    // z(0.05/3/4) = 2.638, z(0.2) = 0.8416; σ = 0.44: (3.48 × 0.44 / 0.2231)² × 1.047 = 49.1 → 50.
    expect(pairsForPower(0.44, 0.05 / 3 / 4)).toBe(50);
    // No change within 10% for a rate (bound log 0.9), 20% for a time (bound log 1.2): z(0.05/3) = 2.128;
    // (2.97 × 0.07 / 0.1054)² × 1.047 = 4.1 → 5; (2.97 × 0.42 / 0.1823)² × 1.047 = 49.01 → 50.
    expect(pairsForEquivalence(0.07, 0.05 / 3, 0.1, 'higher', 0.8)).toBe(5);
    expect(pairsForEquivalence(0.42, 0.05 / 3, 0.2, 'lower', 0.8)).toBe(50);
    // The gate sizes "no change" at 90% (every metric of a cell must be shown unchanged at once): z(0.1) = 1.2816.
    expect(pairsForEquivalence(0.42, 0.05 / 3, 0.2, 'lower')).toBe(Math.ceil((Math.PI / 3) * (((2.128 + 1.2816) * 0.42) / Math.log(1.2)) ** 2));
  });

  it('spreads the looks evenly from the first look to the sized pairs, within the cap', () => {
    expect(lookSchedule(8, 50, 60, 3)).toEqual([8, 29, 50]);
    expect(lookSchedule(8, 200, 60, 3)).toEqual([8, 34, 60]);
    expect(lookSchedule(8, 3, 60, 3)).toEqual([8, 8, 8]);
    expect(lookSchedule(8, 50, 60, 1)).toEqual([8]);
  });

  it('gives the cell the most any metric asks for', () => {
    const sized = sizeCell([
      { metric: 'ackedPerSec', better: 'higher', minEffect: 0.1, logChanges: [0.05, -0.05, 0.04], catchDrop: true },
      { metric: 'ackLatencyMsP99', better: 'lower', minEffect: 0.2, logChanges: [0.3, -0.3, 0.2] },
    ], { alphaPerLook: 0.05 / 3, familySize: 4, first: 8, cap: 60, looks: 3 });
    expect(sized.noise.map((n) => n.metric)).toEqual(['ackedPerSec', 'ackLatencyMsP99']);
    expect(sized.noise[0]!.powerPairs).toBeDefined();
    expect(sized.noise[1]!.powerPairs).toBeUndefined();
    expect(sized.wanted).toBe(Math.max(8, ...sized.noise.map((n) => Math.max(n.equivalencePairs, n.powerPairs ?? 0))));
    expect(sized.schedule.at(-1)).toBe(Math.min(60, sized.wanted));
  });
});
