import { defineScenario } from './api.js';

/**
 * Seed scenario 2: writers produce files while a merger (or consumer) lists, reads, merges and
 * cleans up on a short period. Default faults: slow writes (so files are caught half-written),
 * the merger killed in the middle of a merge, and the merger paused.
 */
export const mergeRace = defineScenario({
  name: 'merge-race',
  summary: 'Writers and a merger/consumer run concurrently on a short period (seed scenario 2: the merge misses or half-reads a file).',
  risk: 'medium',
  thinkMs: 2,
  backgroundRoles: ['merger', 'consumer'],
  faultsSummary: 'slow writes on every writer (30% of writes +5 ms); merger and consumer crash at their 2nd merge/consume point; merger and consumer paused 300 ms at a seeded time',
  defaultFaults: ({ random }) => [
    { kind: 'slow-io', target: 'writers', op: 'write', path: '', probability: 0.3, delay: 5 },
    { kind: 'crash-point', target: 'merger', point: 'merge:*', nth: 2 },
    { kind: 'crash-point', target: 'consumer', point: 'consume:*', nth: 2 },
    { kind: 'pause', target: 'merger', at: Math.round(random.between(100, 400)), duration: 300 },
    { kind: 'pause', target: 'consumer', at: Math.round(random.between(100, 400)), duration: 300 },
  ],
});
