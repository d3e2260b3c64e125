/** `recommend`, the running part: which cells to measure, then the pure recommendation over them. */
import { strategyNames } from '../../strategies/index.js';
import { loadStrategy } from './load-strategy.js';
import { BATCH, BUILTIN_PAIR, beyondWorkers, referenceWorkers, type Constraints, type Rank, type SeedPair } from '../analyze/recommend.js';
import type { RunResult } from '../result/result.js';
import { gridPoints, runSweep, type SweepOptions, type SweepPoint } from './sweep.js';

export const RECOMMEND_SCENARIO = 'buffer-crash';
export const RECOMMEND_INTERVALS = [1, 5, 10, 20];
/** Measured at the reference worker count only, for the seed table's conflict-risk row. */
export const RECOMMEND_REFERENCES = ['realtime:lock=none', `${BATCH}:buffer=shared`];

/** A set of strategies recommend chooses among: the seed's pair (batch and real-time), the others, the unprotected references. */
export interface RecommendFamily extends SeedPair {
  summary: string;
  /** Candidates besides the batch writer's intervals (with default options). */
  others(): string[];
  references: string[];
}

/** What `recommend --family` chooses among. */
export const recommendFamilies = {
  builtin: {
    ...BUILTIN_PAIR,
    summary: 'the built-in (TypeScript) strategies',
    others: () => strategyNames.filter((n) => n !== BATCH),
    references: RECOMMEND_REFERENCES,
  },
  pandas: {
    batch: 'pandas-checkpoint',
    realtime: 'pandas-realtime',
    summary: 'the seed\'s own pandas writers (strategies/python; docs/python.md)',
    others: () => ['pandas-realtime', 'pandas-incremental', 'pandas-queue', 'pandas-smart-append'],
    references: ['pandas-realtime:lock=none'],
  },
} satisfies Record<string, RecommendFamily>;

export type RecommendFamilyName = keyof typeof recommendFamilies;

/** The family's batch writer at each interval, then its other strategies with default options: those that claim no lost acks. */
export async function recommendCandidates(family: RecommendFamily = recommendFamilies.builtin): Promise<string[]> {
  const labels = [...RECOMMEND_INTERVALS.map((i) => `${family.batch}:interval=${i}`), ...family.others()];
  // A setting that may lose acked records is no answer, whatever its speed.
  const claims = await Promise.all(labels.map(async (label) => (await loadStrategy(label)).guarantees.noLostAcked));
  return labels.filter((_, i) => claims[i]);
}

export interface RecommendOptions extends Omit<SweepOptions, 'points' | 'scenarios' | 'strategies'> {
  workerCounts: number[];
  constraints: Constraints;
  rank: Rank;
  /** Default: the built-ins. */
  family?: RecommendFamily;
}

/** The grid recommend measures for the worker counts asked: candidates at each, references at the reference count, one point beyond when needed. */
export function recommendPoints(candidates: readonly string[], workerCounts: readonly number[], family: RecommendFamily = recommendFamilies.builtin): SweepPoint[] {
  return [
    ...gridPoints(candidates, [RECOMMEND_SCENARIO], workerCounts),
    ...gridPoints(family.references, [RECOMMEND_SCENARIO], [referenceWorkers(workerCounts)]),
    ...gridPoints([`${family.batch}:interval=5`], [RECOMMEND_SCENARIO], beyondWorkers(workerCounts)),
  ];
}

export async function runRecommend(options: RecommendOptions): Promise<RunResult> {
  const { workerCounts, constraints, rank, family = recommendFamilies.builtin, ...run } = options;
  const candidates = await recommendCandidates(family);
  const points = recommendPoints(candidates, workerCounts, family);
  return runSweep({
    ...run, strategies: [...candidates, ...family.references], scenarios: [RECOMMEND_SCENARIO], points,
    recommend: { workerCounts, candidates, references: family.references, constraints, rank, pair: { batch: family.batch, realtime: family.realtime } },
  });
}
