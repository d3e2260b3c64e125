/**
 * What a result's summaries are computed from, kept in the result itself, so that a summary can be
 * computed again from the cells alone: after a run, and after `merge` joins the cells of shards.
 */
import type { RunResult, SummaryPlan } from '../result/result.js';
import { recommend } from './recommend.js';
import { summarizeSweep } from './sweep-summary.js';

/** The sweep summary and recommendation of `result.summaryPlan` over `result.cells` (none without a plan). */
export function summarize(result: RunResult): Pick<RunResult, 'sweep' | 'recommendation'> {
  const plan = result.summaryPlan;
  if (!plan) return {};
  const sweep = summarizeSweep(plan.points, result.cells, plan.repeat);
  const r = plan.recommend;
  return r ? { sweep, recommendation: recommend(sweep, r.workerCounts, r.candidates, r.references, r.constraints, r.rank,
    (strategy, workers) => result.cells.filter((c) => c.strategy === strategy && c.workers === workers), r.pair) } : { sweep };
}

export type { SummaryPlan };
