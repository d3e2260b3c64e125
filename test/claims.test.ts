import { describe, expect, it } from 'vitest';
import { checkCell } from '../harness/oracle/checker.js';
import { LedgerWriter } from '../harness/oracle/ledger.js';
import { WriterSession } from '../harness/orchestrate/writer-loop.js';
import { realClock } from '../harness/sdk/ports/clock.js';
import type { IoHook, IoOp } from '../harness/sdk/ports/io.js';
import type { Guarantees, StrategyDefinition } from '../harness/sdk/strategy.js';
import { resolveOptions } from '../harness/sdk/strategy.js';
import { parseStrategySpec } from '../harness/sdk/spec.js';
import { strategies } from '../strategies/index.js';
import { retryPlan, testRecord } from './support/ledgered-writer.js';
import { makeContext, SimulatedCrash, tempCell } from './support/sim.js';

/**
 * The claims table, tested both ways (in process, on real files): every guarantee a variant claims
 * holds after a crash at every I/O step and after an I/O error at every step (recovery and a retrying
 * restart included); every guarantee it does not claim is broken by at least one such step, or by
 * another writer (or finalize) acting while it is stopped at one.
 */
const VARIANTS = [
  'realtime', 'realtime:lock=fcntl', 'realtime:publish=inplace', 'realtime:lock=none', 'realtime:lock=none,publish=inplace',
  'checkpoint-batch:buffer=shared,interval=9', 'incremental-file:publish=inplace', 'incremental-file:merge=naive',
];
const RECORDS = 2;
const ALL: Guarantees = { noLostAcked: true, noDuplicates: true, noCorruption: true };
const GENERATION = { seed: 1, payloadBytes: 32 };

function variant(spec: string) {
  const { name, options } = parseStrategySpec(spec);
  const definition = (strategies as Record<string, StrategyDefinition<object>>)[name]!;
  const resolved = resolveOptions(definition, options);
  return { definition, options: resolved, claims: definition.guarantees(resolved) };
}

type Variant = ReturnType<typeof variant>;

/** A hook that counts steps and, at step `n`, does `at(label)`: throw a crash or an error, or let another actor run. */
function stepHook(n: number, at: (label: string) => Promise<void> | void): IoHook & { steps: string[] } {
  const steps: string[] = [];
  const step = async (label: string) => {
    steps.push(label);
    if (steps.length === n) await at(label);
  };
  return { steps, before: (op: IoOp, path: string) => step(`${op} ${path.replace(/^.*\/(data|state)\//, '$1/')}`), point: (name: string) => step(`point ${name}`) };
}

const injected = (error: unknown) => String((error as Error)?.message).startsWith('EIO: injected');

/** Writer `worker` writes `seqs` and closes (unless told not to); a simulated crash ends it (no `end` line), an injected error fails one write. */
async function write(dir: string, v: Variant, worker: number, seqs: readonly number[], hook?: IoHook, close = true): Promise<void> {
  const ledger = new LedgerWriter(`${dir}/ledger/writer-${worker}.jsonl`);
  const session = new WriterSession(v.definition.writer(makeContext(dir, { index: worker, hook }), v.options), ledger, {
    // Like the writer role: a failed write is logged and the writer goes on; only a crash ends it.
    clock: realClock, pid: 1000 + worker, survives: (error) => !(error instanceof SimulatedCrash),
  });
  try {
    await session.open();
    for (const seq of seqs) await session.write(testRecord(worker, seq));
    if (close) await session.close();
  } catch (error) {
    // A crash, or an error out of open() or close(): the process ends there, as a real writer would.
    if (!(error instanceof SimulatedCrash) && !injected(error) && (error as { code?: string }).code !== 'E_CODEC') throw error;
  } finally {
    ledger.close();
  }
}

const finalize = (dir: string, v: Variant, hook?: IoHook) => v.definition.finalize?.(makeContext(dir, { role: 'finalize', hook }), v.options) ?? Promise.resolve();
const seqs = Array.from({ length: RECORDS }, (_, i) => i);

/** What each kind of step does: the guarantees broken at the check after it, recovery and a retrying restart included. */
const experiments = {
  crash: async (v: Variant, n: number) => {
    const dir = tempCell();
    await write(dir, v, 0, seqs, stepHook(n, (label) => { throw new SimulatedCrash(label); }));
    await finalize(dir, v);
    const afterCrash = await checkCell(dir, ALL, GENERATION);
    await write(dir, v, 0, retryPlan(dir, 0, RECORDS));
    await finalize(dir, v);
    return [...afterCrash.broken, ...(await checkCell(dir, ALL, GENERATION)).broken];
  },
  error: async (v: Variant, n: number) => {
    const dir = tempCell();
    await write(dir, v, 0, seqs, stepHook(n, (label) => { throw Object.assign(new Error(`EIO: injected at ${label}`), { code: 'EIO' }); }));
    await finalize(dir, v);
    return (await checkCell(dir, ALL, GENERATION)).broken;
  },
  // Writer 0 (or finalize, for the merger's fold) stopped at step n while writer 1 saves a record.
  interleave: async (v: Variant, n: number) => {
    const dir = tempCell();
    // Writes without closing: a close may want the lock the stopped writer holds.
    const other = () => write(dir, v, 1, [0], undefined, false);
    if (v.definition.name === 'incremental-file') {
      await write(dir, v, 0, [0]);
      await finalize(dir, v, stepHook(n, other));
    } else await write(dir, v, 0, seqs, stepHook(n, other));
    await finalize(dir, v);
    return (await checkCell(dir, ALL, GENERATION)).broken;
  },
};

/** How many steps writer 0 (or the fold) takes when nothing goes wrong. */
async function stepCount(v: Variant, kind: keyof typeof experiments): Promise<number> {
  const counter = stepHook(Number.POSITIVE_INFINITY, () => {});
  const dir = tempCell();
  if (kind === 'interleave' && v.definition.name === 'incremental-file') {
    await write(dir, v, 0, [0]);
    await finalize(dir, v, counter);
  } else await write(dir, v, 0, seqs, counter);
  return counter.steps.length;
}

describe('claimed guarantees hold at every step; unclaimed ones are shown breakable (in process)', () => {
  it.each(VARIANTS)('%s', async (spec) => {
    const v = variant(spec);
    const claimed = (Object.keys(ALL) as (keyof Guarantees)[]).filter((g) => v.claims[g]);
    const unclaimed = (Object.keys(ALL) as (keyof Guarantees)[]).filter((g) => !v.claims[g]);
    const brokenSomewhere = new Set<string>();
    // Another writer acting while writer 0 is stopped is tried only for what crashes and errors did not
    // break (where a lock keeps it out, it would only wait for the stopped one).
    for (const kind of ['crash', 'error', 'interleave'] as const) {
      if (kind === 'interleave' && unclaimed.every((g) => brokenSomewhere.has(g))) continue;
      const steps = await stepCount(v, kind);
      for (let n = 1; n <= steps; n++) {
        const broken = await experiments[kind](v, n);
        for (const guarantee of claimed) expect(broken, `${spec}: ${kind} at step ${n} broke ${guarantee}`).not.toContain(guarantee);
        for (const b of broken) brokenSomewhere.add(b);
      }
    }
    expect(brokenSomewhere.has('noPhantoms')).toBe(false);
    for (const guarantee of unclaimed) expect([...brokenSomewhere], `${spec} does not claim ${guarantee}: some step must break it`).toContain(guarantee);
  });
});
