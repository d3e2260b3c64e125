/**
 * One comparison method for `gate` and `recommend`: per metric, the median and its confidence interval
 * on each side, the test of the difference (the signed-rank test of each pair's change when the sides
 * ran in pairs, else Mann–Whitney), the Hodges–Lehmann change relative to the base with its interval, a
 * minimum effect, and Holm's correction across the family.
 */
import { holm } from './holm.js';
import { mannWhitney, shiftInterval } from './mann-whitney.js';
import { pairedShift, signedRank } from './signed-rank.js';
import { medianInterval, type MedianEstimate } from './stats.js';

/**
 * - `regressed`: the head is worse, the one-sided test says so after Holm's correction, and the estimate reaches the minimum effect;
 * - `below minimum effect`: the head is worse beyond the noise (the whole interval on the bad side), but by less than the minimum effect, which is ruled out;
 * - `improved`: the head is better, the one-sided test says so after Holm's correction;
 * - `no change`: a change as large as the minimum effect in the bad direction is ruled out (one-sided, at 1 − α), and no worsening is shown;
 * - `inconclusive`: neither: more repeats are needed to tell.
 */
export type Answer = 'regressed' | 'below minimum effect' | 'improved' | 'no change' | 'inconclusive';

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
  /**
   * `paired`: the Wilcoxon signed-rank test and Hodges–Lehmann estimate of the within-pair changes
   * (each pair's head against its own base, run back to back); `rank-sum`: Mann–Whitney of the two
   * sides as independent samples (a saved baseline, measured at another time).
   */
  test: 'paired' | 'rank-sum';
  /** Mann–Whitney U of head against base (rank-sum), or T+ of the within-pair changes (paired). */
  u: number;
  /** Two-sided p (as `recommend` reports it). */
  p: number;
  /** One-sided p of "the head is worse" (the test behind `regressed`), and Holm-adjusted across the family. */
  pWorse: number;
  pAdjusted: number;
  /** One-sided p of "the head is better", and Holm-adjusted across the family (the test behind `improved`). */
  pBetter: number;
  pBetterAdjusted: number;
  method: 'exact' | 'normal';
  /**
   * `ratio`: every value was positive, so the Hodges–Lehmann estimate and interval are of log(head / base),
   * reported as a ratio − 1 (timings vary multiplicatively); `difference`: some value was 0 or less, so
   * the shift of the values is divided by the base median.
   */
  scale: 'ratio' | 'difference';
  /** The change of head over base (−0.2 = 20% lower) and its interval. */
  change: number;
  changeLo: number;
  changeHi: number;
  /** Coverage of [changeLo, changeHi] (two-sided 1 − 2α: each end is a one-sided 1 − α bound). */
  changeConfidence: number;
  minEffect: number;
  answer: Answer;
}

/** Relative to the base median; a zero base median makes any shift infinite in its direction. */
function relative(shift: number, baseMedian: number): number {
  if (baseMedian !== 0) return shift / Math.abs(baseMedian);
  return shift === 0 ? 0 : shift > 0 ? Infinity : -Infinity;
}

export type MeasuredMetric = Omit<MetricComparison, 'pAdjusted' | 'pBetterAdjusted' | 'answer'>;

/** One pair's values of a metric: its base and its head, measured back to back with one seed. */
export interface MetricPair {
  base: number;
  head: number;
}

/**
 * The unadjusted part of one metric's comparison from pairs: each pair's change of head over its own
 * base (log(head ÷ base) when every value is positive, else head − base), the signed-rank test of those
 * changes and their Hodges–Lehmann estimate and interval. A slow phase of the machine that hits both
 * halves of a pair cancels in its change, where the rank-sum test counts it as noise.
 */
export function measurePaired(metric: string, better: 'higher' | 'lower', pairs: readonly MetricPair[], settings: ComparisonSettings): MeasuredMetric {
  const base = pairs.map((p) => p.base);
  const head = pairs.map((p) => p.head);
  const baseEstimate = medianInterval(base)!;
  const scale = [...base, ...head].every((v) => v > 0) ? 'ratio' : 'difference';
  const changes = pairs.map((p) => (scale === 'ratio' ? Math.log(p.head / p.base) : p.head - p.base));
  const test = signedRank(changes);
  const shift = pairedShift(changes, 1 - 2 * settings.alpha);
  const change = [shift.estimate, shift.lo, shift.hi].map((x) => (scale === 'ratio' ? Math.exp(x) - 1 : relative(x, baseEstimate.median))) as [number, number, number];
  return {
    metric, better, base: baseEstimate, head: medianInterval(head)!, test: 'paired', u: test.tPlus, method: test.method,
    p: test.p,
    pWorse: better === 'higher' ? test.pLess : test.pGreater,
    pBetter: better === 'higher' ? test.pGreater : test.pLess,
    scale, change: change[0], changeLo: change[1], changeHi: change[2], changeConfidence: shift.confidence,
    minEffect: settings.minEffect,
  };
}

/** The unadjusted part of one metric's comparison; `decide` finishes it once the family's p-values are adjusted. */
export function measure(metric: string, better: 'higher' | 'lower', base: readonly number[], head: readonly number[], settings: ComparisonSettings): MeasuredMetric {
  const test = mannWhitney(head, base);
  const confidence = 1 - 2 * settings.alpha;
  const baseEstimate = medianInterval(base)!;
  const scale = [...base, ...head].every((v) => v > 0) ? 'ratio' : 'difference';
  let change: [number, number, number];
  let changeConfidence: number;
  if (scale === 'ratio') {
    const shift = shiftInterval(base.map(Math.log), head.map(Math.log), confidence);
    change = [shift.estimate, shift.lo, shift.hi].map((x) => Math.exp(x) - 1) as [number, number, number];
    changeConfidence = shift.confidence;
  } else {
    const shift = shiftInterval(base, head, confidence);
    change = [shift.estimate, shift.lo, shift.hi].map((x) => relative(x, baseEstimate.median)) as [number, number, number];
    changeConfidence = shift.confidence;
  }
  return {
    metric, better, base: baseEstimate, head: medianInterval(head)!, test: 'rank-sum', u: test.u, method: test.method,
    p: test.p,
    pWorse: better === 'higher' ? test.pLess : test.pGreater,
    pBetter: better === 'higher' ? test.pGreater : test.pLess,
    scale, change: change[0], changeLo: change[1], changeHi: change[2], changeConfidence,
    minEffect: settings.minEffect,
  };
}

/** The answer for one metric, given its adjusted p-values. */
export function decide(c: Omit<MetricComparison, 'answer'>, alpha: number): Answer {
  // Signed so that positive is worse, whichever way the metric is better.
  const worse = (x: number) => (c.better === 'higher' ? -x : x);
  const estimate = worse(c.change);
  const worstBound = Math.max(worse(c.changeLo), worse(c.changeHi));
  const bestBound = Math.min(worse(c.changeLo), worse(c.changeHi));
  if (c.pAdjusted <= alpha && estimate >= c.minEffect) return 'regressed';
  if (c.pBetterAdjusted <= alpha && bestBound < 0) return 'improved';
  // Worse beyond the noise is never "no change": at most below the minimum effect, when that is ruled out.
  if ((c.pAdjusted <= alpha || bestBound > 0) && worstBound < c.minEffect) return 'below minimum effect';
  if (c.pAdjusted > alpha && bestBound <= 0 && worstBound < c.minEffect) return 'no change';
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
 * Adjusts the family's p-values (Holm, each direction its own family) and decides each metric. With
 * `familySize` larger than the metrics given, the others count as p = 1 (see holm).
 */
export function adjustAndDecide(measured: readonly MeasuredMetric[], alpha: number, familySize = measured.length): MetricComparison[] {
  const worse = holm(measured.map((m) => m.pWorse), alpha, familySize).adjusted;
  const better = holm(measured.map((m) => m.pBetter), alpha, familySize).adjusted;
  return measured.map((m, i) => {
    const withP = { ...m, pAdjusted: worse[i]!, pBetterAdjusted: better[i]! };
    return { ...withP, answer: decide(withP, alpha) };
  });
}

/**
 * Compares every metric that both sides measured, with Holm's correction across them (or across
 * `familySize` hypotheses, the others counted as p = 1): the chance of any false "regressed" in the
 * family stays at α. "No change" needs every metric's own one-sided bound
 * (an intersection–union test), which needs no correction.
 */
export function compareMetrics(samples: readonly MetricSamples[], alpha: number, familySize?: number): MetricComparison[] {
  const measured = samples.filter((s) => s.base.length > 0 && s.head.length > 0)
    .map((s) => measure(s.metric, s.better, s.base, s.head, { alpha, minEffect: s.minEffect }));
  return adjustAndDecide(measured, alpha, Math.max(measured.length, familySize ?? 0));
}

/** The family's answer: any regression wins, then any inconclusive metric, then a worsening below the minimum effect. */
export function overallAnswer(answers: readonly Answer[]): Answer {
  for (const answer of ['regressed', 'inconclusive', 'below minimum effect', 'improved'] as const) if (answers.includes(answer)) return answer;
  return 'no change';
}
