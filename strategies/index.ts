import type { StrategyDefinition } from './api.js';
import { realtime } from './realtime.js';

/** Every built-in strategy, by the name used in specs. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each entry has its own option type
export const strategies = {
  realtime,
} satisfies Record<string, StrategyDefinition<any>>;

export type StrategyName = keyof typeof strategies;

export const strategyNames = Object.keys(strategies) as StrategyName[];
