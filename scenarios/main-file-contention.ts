import { defineScenario } from '../harness/sdk/scenario.js';

/** Seed scenario 1: many writers, one destination, highest write rate. */
export const mainFileContention = defineScenario({
  name: 'main-file-contention',
  summary: "All writers save as fast as they can into one destination (scenario 1 of the original analysis: B overwrites A's update).",
  risk: 'high',
  thinkMs: 0,
  backgroundRoles: ['merger', 'consumer'],
  faultsSummary: 'none (add any with --faults)',
  defaultFaults: () => [],
});
