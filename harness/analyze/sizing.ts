/**
 * How many pairs a gate cell needs, from the noise its first look measured: enough that a given
 * slowdown of acked/s (20%) would be caught with 80% power by the signed-rank test at α per look over
 * the Holm family, capped at what the gate may spend. The noise is read from the sizes of the
 * within-pair changes only (the median |log(head ÷ base)|), never from their signs: under "no change"
 * a pair's sign is a fair coin independent of its size, so choosing n this way leaves every later
 * look's test exact, and the false-alarm rate at α.
 */
import { normalQuantileUpper } from './mann-whitney.js';

/** The design the sizing aims at: a drop of `change` in acked/s caught with probability `power`. */
export interface SizingTarget {
  change: number;
  power: number;
}

export const DEFAULT_SIZING_TARGET: SizingTarget = { change: 0.2, power: 0.8 };

/**
 * The probability an unchanged metric is sized to be shown "no change": 90%, above the 80% of the
 * drop to catch, because a pass needs every metric of the cell shown unchanged at once, and the noise
 * is estimated from few pairs.
 */
export const EQUIVALENCE_POWER = 0.9;

/**
 * The spread of the within-pair log changes, as a normal standard deviation: 1.4826 × the median of
 * |d| (the median absolute deviation about 0, the centre under "no change"). Robust to a few cells
 * that a loaded machine slowed tenfold. Null with no pair.
 */
export function pairNoise(logChanges: readonly number[]): number | null {
  if (logChanges.length === 0) return null;
  const sizes = logChanges.map(Math.abs).sort((a, b) => a - b);
  const mid = sizes.length >> 1;
  const median = sizes.length % 2 ? sizes[mid]! : (sizes[mid - 1]! + sizes[mid]!) / 2;
  return 1.4826 * median;
}

/**
 * Pairs for which the one-sided signed-rank test at level `alpha` (α per look ÷ the Holm family: its
 * first step, the strictest) finds a true change of log(1 − change) with the target power, under
 * normal noise of `sigma` per pair: ((z_α + z_power) σ / |log(1 − change)|)², × π/3 for the
 * signed-rank test's efficiency against the t-test (3/π under normal noise).
 */
export function pairsForPower(sigma: number, alpha: number, target: SizingTarget = DEFAULT_SIZING_TARGET): number {
  const effect = Math.abs(Math.log(1 - target.change));
  const z = normalQuantileUpper(alpha) + normalQuantileUpper(1 - target.power);
  return Math.ceil((Math.PI / 3) * ((z * sigma) / effect) ** 2);
}

/**
 * The pairs a cell has at each look: `first` at look 1, then evenly up to the sized total (at least
 * `first`, at most `cap`). The number of looks is fixed before anything runs (α is divided by it).
 */
export function lookSchedule(first: number, sized: number, cap: number, looks: number): number[] {
  const last = Math.max(first, Math.min(cap, sized));
  return Array.from({ length: looks }, (_, i) => (looks === 1 ? first : Math.round(first + ((last - first) * i) / (looks - 1))));
}

/**
 * Pairs for which an unchanged metric is shown "no change" (its one-sided bound at `alpha` within the
 * minimum effect) with probability `power`: ((z_α + z_power) σ / |log(1 ∓ minEffect)|)², × π/3. The
 * bound is on the bad side: a rate's 1 − minEffect, a time's 1 + minEffect.
 */
export function pairsForEquivalence(sigma: number, alpha: number, minEffect: number, better: 'higher' | 'lower', power = EQUIVALENCE_POWER): number {
  const bound = Math.abs(Math.log(better === 'higher' ? 1 - Math.min(minEffect, 0.99) : 1 + minEffect));
  const z = normalQuantileUpper(alpha) + normalQuantileUpper(1 - power);
  return Math.ceil((Math.PI / 3) * ((z * sigma) / bound) ** 2);
}

/** One metric's measured noise and the pairs it asks for. */
export interface MetricNoise {
  metric: string;
  /** 1.4826 × median |log(head ÷ base)| over the first look's pairs (pairNoise). */
  sigma: number;
  /** Pairs to show it unchanged (within its minimum effect) with 80% power. */
  equivalencePairs: number;
  /** The metric the target names (acked/s): pairs to catch its drop (20%) with 80% power at α per look ÷ the Holm family. */
  powerPairs?: number;
}

/** What a cell's first look measured, and the pairs it will have at each look. */
export interface CellSizing {
  noise: MetricNoise[];
  /** The most pairs any metric asks for (before the cap). */
  wanted: number;
  /** Pairs at each look: the first look's, then evenly up to min(wanted, cap). */
  schedule: number[];
}

export interface SizingSettings {
  /** α per look, and the Holm family (every cell × timing metric of the gate). */
  alphaPerLook: number;
  familySize: number;
  first: number;
  cap: number;
  looks: number;
  target?: SizingTarget;
}

/**
 * Sizes a cell from its first look: per timing metric (its within-pair log changes, positive values
 * only), the pairs to show it unchanged within its minimum effect, and for the one marked `catchDrop`
 * (acked/s) also the pairs to catch the target drop; the cell gets the most any metric asks for, within the cap.
 */
export function sizeCell(metrics: readonly { metric: string; better: 'higher' | 'lower'; minEffect: number; logChanges: readonly number[]; catchDrop?: boolean }[], s: SizingSettings): CellSizing {
  const noise = metrics.flatMap((m): MetricNoise[] => {
    const sigma = pairNoise(m.logChanges);
    if (sigma === null) return [];
    const equivalencePairs = pairsForEquivalence(sigma, s.alphaPerLook, m.minEffect, m.better);
    return [{ metric: m.metric, sigma, equivalencePairs, ...(m.catchDrop ? { powerPairs: pairsForPower(sigma, s.alphaPerLook / s.familySize, s.target) } : {}) }];
  });
  const wanted = Math.max(s.first, ...noise.map((n) => Math.max(n.equivalencePairs, n.powerPairs ?? 0)));
  return { noise, wanted, schedule: lookSchedule(s.first, wanted, s.cap, s.looks) };
}
