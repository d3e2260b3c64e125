import type { ScenarioDefinition } from '../harness/sdk/scenario.js';
import { bufferCrash } from './buffer-crash.js';
import { mainFileContention } from './main-file-contention.js';
import { mergeRace } from './merge-race.js';

export const scenarios = {
  'main-file-contention': mainFileContention,
  'merge-race': mergeRace,
  'buffer-crash': bufferCrash,
} satisfies Record<string, ScenarioDefinition>;

export type ScenarioName = keyof typeof scenarios;

export const scenarioNames = Object.keys(scenarios) as ScenarioName[];
