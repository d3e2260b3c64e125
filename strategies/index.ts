import type { StrategyDefinition } from './api.js';
import { realtime } from './realtime.js';
import { checkpointBatch } from './checkpoint-batch.js';
import { lockUpgradeWithFallback } from './lock-upgrade-with-fallback.js';
import { logCommit } from './log-commit.js';
import { queue } from './queue.js';
import { incrementalFile } from './incremental-file.js';

/** Every built-in strategy, by the name used in specs. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each entry has its own option type
export const strategies = {
  realtime,
  'checkpoint-batch': checkpointBatch,
  'lock-upgrade-with-fallback': lockUpgradeWithFallback,
  'log-commit': logCommit,
  queue,
  'incremental-file': incrementalFile,
} satisfies Record<string, StrategyDefinition<any>>;

export type StrategyName = keyof typeof strategies;

export const strategyNames = Object.keys(strategies) as StrategyName[];
