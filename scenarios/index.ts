import type { ScenarioDefinition } from './api.js';
import { mainFileContention } from './main-file-contention.js';

export const scenarios = {
  'main-file-contention': mainFileContention,
} satisfies Record<string, ScenarioDefinition>;

export type ScenarioName = keyof typeof scenarios;

export const scenarioNames = Object.keys(scenarios) as ScenarioName[];
