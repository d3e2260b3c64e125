import { defineScenario } from '../harness/sdk/scenario.js';

/**
 * Kleppmann's hazard of leases, on the main-file lock: one writer is stopped while it holds the lock,
 * right after reading main, for twice the lock's stale time. A lease (the `file` backend) expires
 * under it: another writer takes the lock over and saves its records, then the resumed writer
 * publishes the main it read before, and those acked records are gone. A kernel lock (`fcntl`) stays
 * held while its holder is stopped: the others wait, nothing is lost. Runs only when named.
 */
export const leaseExpiry = defineScenario({
  name: 'lease-expiry',
  summary: 'A writer holding the main lock is paused (SIGSTOP) past the lock\'s stale time, between reading and writing main.',
  risk: 'high',
  thinkMs: 1,
  backgroundRoles: ['merger', 'consumer'],
  faultsSummary: 'one seeded writer stopped at its 2nd `main:read` point (holding the main lock, main read, not yet written) for 2 × the lock stale time',
  inDefaultRun: false,
  defaultFaults: ({ lockStaleMs }) => [
    { kind: 'pause', target: 'writer', point: 'main:read', nth: 2, duration: 2 * lockStaleMs },
  ],
});
