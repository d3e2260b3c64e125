/**
 * One comparison method for `gate` and `recommend`: per metric, the median and its confidence interval
 * on each side, the Mann–Whitney test of the difference, the Hodges–Lehmann change relative to the base
 * with its interval, a minimum effect, and Holm's correction across the metrics of one comparison.
 */
import { holm } from './holm.js';
import { mannWhitney, shiftInterval } from './mann-whitney.js';
import { medianInterval, type MedianEstimate } from './stats.js';

/**
 * - `regressed`: the head is worse by at least the minimum effect and the test says so after Holm's correction;
 * - `improved`: the same, better;
 * - `no change`: a change as large as the minimum effect in the bad direction is ruled out (one-sided, at 1 − α);
 * - `inconclusive`: neither: more repeats are needed to tell.
 */
export type Answer = 'regressed' | 'improved' | 'no change' | 'inconclusive';

export interface ComparisonSettings {
  alpha: number;
  /** Minimum relative effect that counts, per metric (0.1 = 10%). */
  minEffect: number;
}

export interface MetricComparison {
  metric: string;
  /** Which way is better. */
  better: 'higher' | 'lower';
  base: MedianEstimate;
  head: MedianEstimate;
  /** Mann–Whitney U of head against base, its two-sided p and Holm-adjusted p (within the family). */
  u: number;
  p: number;
  pAdjusted: number;
  method: 'exact' | 'normal';
  /** Hodges–Lehmann change of head over base, relative to the base median (−0.2 = 20% lower), and its interval. */
  change: number;
  changeLo: number;
  changeHi: number;
  /** Coverage of [changeLo, changeHi] (two-sided 1 − 2α: its bad-direction end is a one-sided 1 − α bound). */
  changeConfidence: number;
  minEffect: number;
  answer: Answer;
}

/** Relative to the base median; a zero base median makes any shift infinite in its direction. */
function relative(shift: number, baseMedian: number): number {
  if (baseMedian !== 0) return shift / Math.abs(baseMedian);
  return shift === 0 ? 0 : shift > 0 ? Infinity : -Infinity;
}

/** The unadjusted part of one metric's comparison; `decide` finishes it once the family's p-values are adjusted. */
export function measure(metric: string, better: 'higher' | 'lower', base: readonly number[], head: readonly number[], settings: ComparisonSettings): Omit<MetricComparison, 'pAdjusted' | 'answer'> {
  const test = mannWhitney(head, base);
  const shift = shiftInterval(base, head, 1 - 2 * settings.alpha);
  const baseEstimate = medianInterval(base)!;
  return {
    metric, better, base: baseEstimate, head: medianInterval(head)!, u: test.u, p: test.p, method: test.method,
    change: relative(shift.estimate, baseEstimate.median),
    changeLo: relative(shift.lo, baseEstimate.median),
    changeHi: relative(shift.hi, baseEstimate.median),
    changeConfidence: shift.confidence,
    minEffect: settings.minEffect,
  };
}

/** The answer for one metric, given its adjusted p-value. */
export function decide(c: Omit<MetricComparison, 'answer'>, alpha: number): Answer {
  // Signed so that positive is worse, whichever way the metric is better.
  const worse = (x: number) => (c.better === 'higher' ? -x : x);
  const estimate = worse(c.change);
  const worstBound = Math.max(worse(c.changeLo), worse(c.changeHi));
  if (c.pAdjusted <= alpha && estimate >= c.minEffect) return 'regressed';
  if (c.pAdjusted <= alpha && estimate <= -c.minEffect) return 'improved';
  if (worstBound < c.minEffect) return 'no change';
  return 'inconclusive';
}

export interface MetricSamples {
  metric: string;
  better: 'higher' | 'lower';
  base: number[];
  head: number[];
  minEffect: number;
}

/**
 * Compares every metric that both sides measured, with Holm's correction across them: the chance of
 * any false "regressed" in the family stays at α. "No change" needs every metric's own one-sided bound
 * (an intersection–union test), which needs no correction.
 */
export function compareMetrics(samples: readonly MetricSamples[], alpha: number): MetricComparison[] {
  const measured = samples.filter((s) => s.base.length > 0 && s.head.length > 0)
    .map((s) => measure(s.metric, s.better, s.base, s.head, { alpha, minEffect: s.minEffect }));
  const { adjusted } = holm(measured.map((m) => m.p), alpha);
  return measured.map((m, i) => {
    const withP = { ...m, pAdjusted: adjusted[i]! };
    return { ...withP, answer: decide(withP, alpha) };
  });
}

/** The family's answer: any regression wins, then any inconclusive metric; otherwise no regression. */
export function overallAnswer(answers: readonly Answer[]): Answer {
  if (answers.includes('regressed')) return 'regressed';
  if (answers.includes('inconclusive')) return 'inconclusive';
  if (answers.includes('improved')) return 'improved';
  return 'no change';
}
