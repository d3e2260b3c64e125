/** `recommend`, the running part: which cells to measure, then the pure recommendation over them. */
import { strategyNames } from '../../strategies/index.js';
import { loadStrategy } from './load-strategy.js';
import { BATCH, recommend, type Constraints, type Rank } from '../analyze/recommend.js';
import type { RunResult } from '../result/result.js';
import { gridPoints, runSweep, type SweepOptions } from './sweep.js';

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

export async function runRecommend(options: RecommendOptions): Promise<RunResult> {
  const { workerCounts, constraints, rank, ...run } = options;
  const candidates = await recommendCandidates();
  const referenceWorkers = workerCounts.includes(20) ? 20 : Math.max(...workerCounts);
  // The seed's "at most 20 workers" needs one setting measured beyond 20: its own, interval 5.
  const beyond = workerCounts.some((w) => w > 20) ? [] : gridPoints([`${BATCH}:interval=5`], [RECOMMEND_SCENARIO], [2 * referenceWorkers]);
  const points = [
    ...gridPoints(candidates, [RECOMMEND_SCENARIO], workerCounts),
    ...gridPoints(RECOMMEND_REFERENCES, [RECOMMEND_SCENARIO], [referenceWorkers]),
    ...beyond,
  ];
  return runSweep({ ...run, strategies: [...candidates, ...RECOMMEND_REFERENCES], scenarios: [RECOMMEND_SCENARIO], points }, (result) => {
    result.recommendation = recommend(result.sweep!, candidates, RECOMMEND_REFERENCES, constraints, rank);
  });
}
