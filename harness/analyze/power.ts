/**
 * Calibrating the gate on a machine from A/A data: how often would it flag a change of a given size
 * (power), and how often does an unchanged setting come out "no change", at n pairs? Estimated by
 * resampling measured A/A values (bootstrap), not from a distributional assumption.
 */
import { Random } from '../sdk/random.js';
import { decide, measure } from './compare.js';
import { median } from './stats.js';

/** Each value divided by the median of its group (one gate cell): the noise around a level, pooled across cells whose level drifted. */
export function relativePool(groups: readonly (readonly number[])[]): number[] {
  return groups.flatMap((g) => {
    const m = median(g);
    return m && m > 0 ? g.map((v) => v / m) : [];
  });
}

export interface PowerSettings {
  pairs: number;
  /** True relative change applied to the head draws, in the bad direction (0.25 = 25% worse). */
  change: number;
  minEffect: number;
  /** α of one look. */
  alpha: number;
  /** Metrics in the Holm family: the p-value is multiplied by this (Holm's first step, the worst case for one metric). */
  family: number;
  better: 'higher' | 'lower';
  simulations: number;
  seed: number;
}

/** How the simulated comparisons were answered, as fractions. */
export interface PowerEstimate {
  regressed: number;
  noChange: number;
  inconclusive: number;
}

/** Draws `pairs` base and `pairs` head values from the pool (with replacement), worsens the head by `change`, and decides as the gate does. */
export function resampledAnswers(pool: readonly number[], s: PowerSettings): PowerEstimate {
  if (pool.length === 0) throw new RangeError('resampledAnswers needs a non-empty pool');
  const random = new Random(s.seed);
  const factor = s.better === 'higher' ? 1 - s.change : 1 + s.change;
  const counts = { regressed: 0, noChange: 0, inconclusive: 0 };
  for (let i = 0; i < s.simulations; i++) {
    const base = Array.from({ length: s.pairs }, () => pool[random.int(pool.length)]!);
    const head = Array.from({ length: s.pairs }, () => pool[random.int(pool.length)]! * factor);
    const m = measure('metric', s.better, base, head, { alpha: s.alpha, minEffect: s.minEffect });
    const answer = decide({ ...m, pAdjusted: Math.min(1, m.p * s.family) }, s.alpha);
    if (answer === 'regressed') counts.regressed++;
    else if (answer === 'no change' || answer === 'improved') counts.noChange++;
    else counts.inconclusive++;
  }
  return { regressed: counts.regressed / s.simulations, noChange: counts.noChange / s.simulations, inconclusive: counts.inconclusive / s.simulations };
}

/** The one-sided 95% upper bound on a rate with `k` events in `n` trials (Clopper–Pearson; for k = 0 it is 1 − 0.05^(1/n)). */
export function rateUpperBound(k: number, n: number): number {
  if (n === 0) return 1;
  if (k >= n) return 1;
  // Bisection on the binomial tail P(X ≤ k | p) = 0.05.
  const tail = (p: number) => {
    let term = (1 - p) ** n;
    let sum = term;
    for (let i = 1; i <= k; i++) {
      term *= ((n - i + 1) / i) * (p / (1 - p));
      sum += term;
    }
    return sum;
  };
  let lo = k / n;
  let hi = 1;
  for (let i = 0; i < 60; i++) {
    const mid = (lo + hi) / 2;
    if (tail(mid) > 0.05) lo = mid;
    else hi = mid;
  }
  return hi;
}
