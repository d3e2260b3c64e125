import type { ScenarioDefinition } from '../harness/sdk/scenario.js';
import { bufferCrash } from './buffer-crash.js';
import { mainFileContention } from './main-file-contention.js';
import { mergeRace } from './merge-race.js';
import { leaseExpiry } from './lease-expiry.js';
import { powerCut } from './power-cut.js';

export const scenarios = {
  'main-file-contention': mainFileContention,
  'merge-race': mergeRace,
  'buffer-crash': bufferCrash,
  'lease-expiry': leaseExpiry,
  'power-cut': powerCut,
} satisfies Record<string, ScenarioDefinition>;

export type ScenarioName = keyof typeof scenarios;

export const scenarioNames = Object.keys(scenarios) as ScenarioName[];

/** The scenarios a run without --scenario runs: all but those that only run when named. */
export const defaultScenarioNames = scenarioNames.filter((name) => (scenarios[name] as ScenarioDefinition).inDefaultRun !== false);
