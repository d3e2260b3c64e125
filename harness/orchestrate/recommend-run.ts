/** `recommend`, the running part: which cells to measure, then the pure recommendation over them. */
import { strategyNames } from '../../strategies/index.js';
import { loadStrategy } from './load-strategy.js';
import { BATCH, beyondWorkers, referenceWorkers, type Constraints, type Rank } from '../analyze/recommend.js';
import type { RunResult } from '../result/result.js';
import { gridPoints, runSweep, type SweepOptions, type SweepPoint } from './sweep.js';

export const RECOMMEND_SCENARIO = 'buffer-crash';
export const RECOMMEND_INTERVALS = [1, 5, 10, 20];
/** Measured at the reference worker count only, for the seed table's conflict-risk row. */
export const RECOMMEND_REFERENCES = ['realtime:lock=none', `${BATCH}:buffer=shared`];

/** checkpoint-batch at each interval, then every other built-in strategy with default options. */
export async function recommendCandidates(): Promise<string[]> {
  const labels = [...RECOMMEND_INTERVALS.map((i) => `${BATCH}:interval=${i}`), ...strategyNames.filter((n) => n !== BATCH)];
  // A setting that may lose acked records is no answer, whatever its speed.
  const claims = await Promise.all(labels.map(async (label) => (await loadStrategy(label)).guarantees.noLostAcked));
  return labels.filter((_, i) => claims[i]);
}

export interface RecommendOptions extends Omit<SweepOptions, 'points' | 'scenarios' | 'strategies'> {
  workerCounts: number[];
  constraints: Constraints;
  rank: Rank;
}

/** The grid recommend measures for the worker counts asked: candidates at each, references at the reference count, one point beyond when needed. */
export function recommendPoints(candidates: readonly string[], workerCounts: readonly number[]): SweepPoint[] {
  return [
    ...gridPoints(candidates, [RECOMMEND_SCENARIO], workerCounts),
    ...gridPoints(RECOMMEND_REFERENCES, [RECOMMEND_SCENARIO], [referenceWorkers(workerCounts)]),
    ...gridPoints([`${BATCH}:interval=5`], [RECOMMEND_SCENARIO], beyondWorkers(workerCounts)),
  ];
}

export async function runRecommend(options: RecommendOptions): Promise<RunResult> {
  const { workerCounts, constraints, rank, ...run } = options;
  const candidates = await recommendCandidates();
  const points = recommendPoints(candidates, workerCounts);
  return runSweep({
    ...run, strategies: [...candidates, ...RECOMMEND_REFERENCES], scenarios: [RECOMMEND_SCENARIO], points,
    recommend: { workerCounts, candidates, references: RECOMMEND_REFERENCES, constraints, rank },
  });
}
