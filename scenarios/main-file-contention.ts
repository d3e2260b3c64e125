import { defineScenario, windowPauseMs } from '../harness/sdk/scenario.js';

/** Seed scenario 1: many writers, one destination, highest write rate. */
export const mainFileContention = defineScenario({
  name: 'main-file-contention',
  summary: "All writers save as fast as they can into one destination (scenario 1 of the original analysis: B overwrites A's update).",
  risk: 'high',
  thinkMs: 0,
  backgroundRoles: ['merger', 'consumer'],
  faultsSummary: "one seeded writer stopped at its 2nd `main:read` point (main read, not yet written back: an unlocked writer's race window; a locked one holds the lock) until another writer has acked 2 more records (a whole save begun after the stop), at most a third of the lock stale time (1.7 s by default); optional, for strategies without the point",
  // The race window of an unlocked read-modify-write, held open: the others save meanwhile, and the
  // stopped writer then writes back the main it read before their saves (the seed's scenario 1, on
  // every seed). Held until one other writer acks twice: its second record was read and saved wholly
  // after the stop, so the write-back drops it. Optional: strategies that never read main have no such point.
  defaultFaults: ({ lockStaleMs }) => [
    { kind: 'pause', target: 'writer', point: 'main:read', nth: 2, duration: windowPauseMs(lockStaleMs), until: { op: 'ack', count: 2 }, optional: true },
  ],
});
