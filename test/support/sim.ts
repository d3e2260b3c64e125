import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { afterAll } from 'vitest';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RoleKind, StrategyContext } from '../../harness/sdk/strategy.js';
import { codecs } from '../../harness/sdk/codec/index.js';
import type { CodecName } from '../../harness/sdk/codec/codec.js';
import { realClock } from '../../harness/sdk/ports/clock.js';
import { createIoPort, noopHook, type IoHook, type IoOp } from '../../harness/sdk/ports/io.js';
import { createLockPort } from '../../harness/sdk/ports/lock.js';
import { Random } from '../../harness/sdk/random.js';
import { cellPaths } from '../../harness/orchestrate/roles/config.js';
import type { ServiceEndpoints } from '../../harness/sdk/services.js';

const created: string[] = [];

// Cell folders made by a test file are removed when it ends.
afterAll(() => {
  for (const dir of created.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A fresh cell folder with data/, ledger/, metrics/, state/, logs/. */
export function tempCell(): string {
  const dir = mkdtempSync(join(tmpdir(), 'parquet-chaos-sim-'));
  for (const [key, d] of Object.entries(cellPaths(dir))) if (key !== 'faults') mkdirSync(d, { recursive: true });
  created.push(dir);
  return dir;
}

/** A strategy context in this process on real files: for crash enumeration without spawning. */
export function makeContext(cellDir: string, options: { role?: RoleKind; index?: number; hook?: IoHook; codec?: CodecName; lockStaleMs?: number; services?: ServiceEndpoints } = {}): StrategyContext {
  const paths = cellPaths(cellDir);
  const role = options.role ?? 'writer';
  const index = options.index ?? 0;
  return {
    io: createIoPort(options.hook ?? noopHook),
    lock: createLockPort({ dir: join(paths.state, 'locks'), staleMs: options.lockStaleMs ?? 5000, defaultTimeoutMs: 10_000, services: options.services ?? {} }, realClock),
    clock: realClock,
    codec: codecs[options.codec ?? 'hyparquet'],
    dataDir: paths.data,
    stateDir: paths.state,
    // Distinct fake pids per role/index, so temp names do not collide between simulated processes.
    role: { kind: role, index, pid: 100_000 + index * 10 + ['writer', 'merger', 'consumer', 'finalize'].indexOf(role), processId: `sim_${role}_${index}` },
    services: options.services ?? {},
    random: new Random(index + 1),
    count: () => {},
    log: () => {},
  };
}

/** Thrown by a crash hook: the simulated process "dies" here; the test abandons its instance. */
export class SimulatedCrash extends Error {
  constructor(readonly at: string) {
    super(`simulated crash at ${at}`);
  }
}

/**
 * A hook that crashes at the Nth I/O operation or named point (1-based, counting both), and counts
 * them, so a test can first count a sequence's steps and then crash at each one in turn.
 */
export function crashAt(n: number): IoHook & { steps: string[] } {
  const steps: string[] = [];
  const step = (label: string) => {
    steps.push(label);
    if (steps.length === n) throw new SimulatedCrash(label);
  };
  return {
    steps,
    before: (op: IoOp, path: string) => step(`${op} ${path.replace(/^.*\/(data|state)\//, '$1/')}`),
    point: (name: string) => step(`point ${name}`),
  };
}
