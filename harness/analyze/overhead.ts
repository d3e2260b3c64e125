/**
 * The harness's own cost from `bench`'s interleaved cells: the same strategy through the instrumented
 * I/O port and through the raw pass-through one. Cell throughput on a shared machine moves by tens of
 * percent from cell to cell, so one difference of medians says nothing about a 5% goal: this uses the
 * comparison `gate` uses (analyze/compare.ts: Hodges–Lehmann change with its interval, Mann–Whitney)
 * and says which of three things the cells show.
 */
import { decide, measure } from './compare.js';

export interface OverheadEstimate {
  /** 1 − instrumented ÷ raw, from the Hodges–Lehmann shift of acked/s (positive: the port costs). */
  overhead: number;
  /** The interval of `overhead` (coverage `confidence`; its upper end is a one-sided 1 − α bound). */
  lo: number;
  hi: number;
  confidence: number;
  /** Mann–Whitney one-sided p of "the instrumented cells are slower" (the test behind `above the goal`). */
  p: number;
  /**
   * - `above the goal`: the overhead is at least the goal and the test says so;
   * - `below the goal`: an overhead as large as the goal is ruled out (one-sided, 1 − α);
   * - `within the noise`: neither; more cells are needed to tell;
   * - `instrumented faster`: the test says the raw cells were slower, which the port cannot cause (drift).
   */
  answer: 'above the goal' | 'below the goal' | 'within the noise' | 'instrumented faster';
}

export function estimateOverhead(instrumented: readonly number[], raw: readonly number[], goal = 0.05, alpha = 0.05): OverheadEstimate | undefined {
  if (instrumented.length === 0 || raw.length === 0) return undefined;
  const m = measure('acked/s', 'higher', raw, instrumented, { alpha, minEffect: goal });
  const answer = decide({ ...m, pAdjusted: m.pWorse, pBetterAdjusted: m.pBetter }, alpha);
  return {
    overhead: -m.change, lo: -m.changeHi, hi: -m.changeLo, confidence: m.changeConfidence, p: m.pWorse,
    answer: answer === 'regressed' ? 'above the goal' : answer === 'no change' || answer === 'below minimum effect' ? 'below the goal' : answer === 'improved' ? 'instrumented faster' : 'within the noise',
  };
}
