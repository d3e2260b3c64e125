import type { StrategyDefinition } from '../harness/sdk/strategy.js';
import { appendLog } from './append-log.js';
import { checkpointBatch } from './checkpoint-batch.js';
import { groupCommit } from './group-commit.js';
import { incrementalFile } from './incremental-file.js';
import { lockUpgradeWithFallback } from './lock-upgrade-with-fallback.js';
import { logCommit } from './log-commit.js';
import { queue } from './queue.js';
import { realtime } from './realtime.js';

/** Every built-in strategy, by the name used in specs (each entry has its own option type). */
export const strategies = {
  realtime,
  'checkpoint-batch': checkpointBatch,
  'incremental-file': incrementalFile,
  queue,
  'lock-upgrade-with-fallback': lockUpgradeWithFallback,
  'log-commit': logCommit,
  'append-log': appendLog,
  'group-commit': groupCommit,
} satisfies Record<string, StrategyDefinition<any>>;

export type StrategyName = keyof typeof strategies;

export const strategyNames = Object.keys(strategies) as StrategyName[];
