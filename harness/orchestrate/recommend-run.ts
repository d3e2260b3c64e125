/** `recommend`, the running part: which cells to measure, then the pure recommendation over them. */
import { strategyNames } from '../../strategies/index.js';
import { loadStrategy } from './load-strategy.js';
import { BATCH, beyondWorkers, referenceWorkers, type Constraints, type Rank } from '../analyze/recommend.js';
import type { RunResult } from '../result/result.js';
import { gridPoints, runSweep, type SweepOptions, type SweepPoint } from './sweep.js';
import { expectedCost } from './shard.js';
import { badValue } from '../sdk/errors.js';

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

/**
 * Seconds one unit of expectedCost took on an idle 2-vCPU machine (AMD EPYC, ext4): recommend's
 * defaults, 99 cells of cost 45,240 in all, ran in 336 s (2026-11-28, 02:01-02:07 UTC). A busy machine
 * takes several times as long (the same machine, shared by eight test suites, ran sweeps 5-12 times slower).
 */
export const IDLE_SECONDS_PER_COST = 336 / 45_240;

/** The estimated wall time of measuring `points` `repeat` times, on an idle machine like the one above. */
export function estimateSeconds(points: readonly SweepPoint[], repeat: number, recordsPerWorker: number): number {
  return repeat * points.reduce((sum, p) => sum + expectedCost(p, recordsPerWorker), 0) * IDLE_SECONDS_PER_COST;
}

/** Fewer repeats give no interval worth the name; more than this is more than a budget should buy. */
export const BUDGET_REPEATS = { min: 3, max: 20 };

/**
 * The grid `--budget MINUTES` affords: as many repeats of every asked worker count as fit (up to the
 * maximum), and when even the minimum does not fit, the largest worker counts dropped one by one.
 * Refused, naming the least budget that fits, when 3 repeats of the smallest count do not.
 */
export function fitBudget(candidates: readonly string[], workerCounts: readonly number[], recordsPerWorker: number, minutes: number): { workerCounts: number[]; repeat: number; seconds: number } {
  const ascending = [...workerCounts].sort((a, b) => a - b);
  for (let kept = ascending.length; kept >= 1; kept--) {
    const counts = workerCounts.filter((w) => ascending.slice(0, kept).includes(w));
    const perRepeat = estimateSeconds(recommendPoints(candidates, counts), 1, recordsPerWorker);
    const repeat = Math.min(BUDGET_REPEATS.max, Math.floor((minutes * 60) / perRepeat));
    if (repeat >= BUDGET_REPEATS.min) return { workerCounts: counts, repeat, seconds: perRepeat * repeat };
  }
  const least = estimateSeconds(recommendPoints(candidates, ascending.slice(0, 1)), BUDGET_REPEATS.min, recordsPerWorker) / 60;
  throw badValue('E_BAD_OPTION', '--budget', String(minutes), `at least ${Math.ceil(least * 10) / 10} minutes (${BUDGET_REPEATS.min} repeats at ${ascending[0]} workers, estimated for an idle 2-core machine)`);
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
