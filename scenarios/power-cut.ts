import { defineScenario } from '../harness/sdk/scenario.js';
import { DEFAULT_POWER_MODEL } from '../harness/sdk/faults.js';

/**
 * The machine loses power mid-run. The cell's data/ and state/ are mounted through crashfs, which
 * knows what was never made durable; at the cut every process is SIGKILLed at once, each folder keeps
 * one state the persistence model allows (chosen from the seed, logged), and the cell goes on as
 * after a reboot. A missing fsync, a rename whose folder is never synced, an ack before the fsync:
 * invisible to a SIGKILL (the page cache survives it), caught here. Needs FUSE; runs only when named.
 */
export const powerCut = defineScenario({
  name: 'power-cut',
  summary: 'The machine loses power mid-run: every process dies at once and what was not fsynced may be lost (needs FUSE).',
  risk: 'high',
  // The cut comes from outside once a writer's ledger shows the acks: the writers must still be
  // writing then, on a loaded machine too (20 ms between records).
  thinkMs: 20,
  backgroundRoles: ['merger', 'consumer'],
  faultsSummary: `one power loss (model ${DEFAULT_POWER_MODEL}, post-crash state chosen from the seed) once a seeded writer has 2 .. records/2+1 acks; processes restart per --restart`,
  inDefaultRun: false,
  defaultFaults: ({ random, workers, recordsPerWorker }) => [
    { kind: 'power-loss', target: 'cell', of: `writer-${random.int(workers)}`, afterAcks: 2 + random.int(Math.max(1, Math.floor(recordsPerWorker / 2))), model: DEFAULT_POWER_MODEL, state: 'seeded' },
  ],
});
