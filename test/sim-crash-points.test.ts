import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadStrategy } from '../harness/orchestrate/load-strategy.js';
import { hyparquetCodec } from '../harness/sdk/codec/hyparquet.js';
import { persistenceModels } from '../harness/sim/models/index.js';
import type { DurabilityMutation } from '../harness/sim/mutation.js';
import { runSchedule, type SchedulePlan, type SimSetup } from '../harness/sim/run-schedule.js';
import { brokenFor, crashPointPlans, rotatingChoices } from '../harness/sim/search.js';

/**
 * The crash points' milder states and their second, rotating schedule (harshest-only crash points over
 * the first-ready schedule let three mutants survive `npm run mutate`): each mutant's minimal
 * counterexample, which the crash points now contain, and which the unmutated strategy survives.
 */

const FILE_QUEUE = resolve(import.meta.dirname, 'fixtures/file-queue.ts');
const FALLBACK = 'lock-upgrade-with-fallback:timeoutMs=1,retries=1';

async function setup(spec: string, mutation?: DurabilityMutation): Promise<SimSetup> {
  return {
    strategy: await loadStrategy(spec), workers: 2, records: 1, payloadBytes: 16, thinkMs: 0, seed: 1, codec: hyparquetCodec,
    model: persistenceModels.posix, lock: { kind: 'lease', staleMs: 5000, defaultTimeoutMs: 60_000 }, maxSteps: 2000,
    ...(mutation ? { durability: { mutation } } : {}),
  };
}

/** The claimed guarantees a plan breaks. */
async function broken(s: SimSetup, plan: SchedulePlan): Promise<string[]> {
  return brokenFor((await runSchedule(s, plan)).verdict, s.strategy.guarantees, 'claimed');
}

/** The first step of the fault-free schedule (picks `choices`) that does `op path`. */
async function stepOf(s: SimSetup, op: string, path: RegExp, choices: number[] = []): Promise<number> {
  const { trace } = await runSchedule(s, { choices, faults: [], crash: [] });
  const found = trace.find((t) => t.op === op && path.test(t.path));
  expect(found, `${op} ${path}`).toBeDefined();
  return found!.step;
}

const FAULTS = ['crash', 'power-loss', 'io-error'] as const;
const contains = (plans: SchedulePlan[], plan: SchedulePlan) => plans.some((p) => JSON.stringify(p) === JSON.stringify(plan));

describe('crash points: one crash group kept whole', () => {
  it('the sink\'s part fsynced after its rename (file-queue, main-file.ts:48 late): the rename kept, the data dropped', async () => {
    // Arrange: the mutant's late fsync of the part comes right after the rename.
    const mutant = await setup(FILE_QUEUE, { site: 'strategies/shared/main-file.ts:48:16 fsync-file', kind: 'late' });
    const at = await stepOf(mutant, 'fsync', /^data\/part-.*\.tmp$/);
    const { trace } = await runSchedule(mutant, { choices: [], faults: [], crash: [] });
    expect(trace[at - 2]!.op).toBe('rename');
    const keptNames: SchedulePlan = { choices: [], faults: [{ kind: 'power-loss', step: at }], crash: [-1] };

    // Act + Assert: data/'s entries kept whole (the temp and its rename), the part's data dropped.
    expect(await broken(mutant, keptNames)).toEqual(['noLostAcked', 'noCorruption']);
    expect(await broken(mutant, { ...keptNames, crash: [] })).toEqual([]);
    expect(await broken(await setup(FILE_QUEUE), keptNames)).toEqual([]);
    expect(contains(crashPointPlans(trace, FAULTS), keptNames)).toBe(true);
  });

  it('the sink\'s folder fsynced after the first queue entry is deleted (file-queue, main-file.ts:56 late): state/ kept, data/ undone', async () => {
    const mutant = await setup(FILE_QUEUE, { site: 'strategies/shared/main-file.ts:56:16 fsync-dir', kind: 'late' });
    const at = await stepOf(mutant, 'fsync', /^data$/);
    const { trace } = await runSchedule(mutant, { choices: [], faults: [], crash: [] });
    expect(`${trace[at - 2]!.op} ${trace[at - 2]!.path}`).toBe('unlink state/q-w0-0.json');
    // Groups in path order: data/'s entries (harshest: the part's rename undone), then state/'s (kept whole).
    const keptState: SchedulePlan = { choices: [], faults: [{ kind: 'power-loss', step: at }], crash: [0, -1] };

    expect(await broken(mutant, keptState)).toEqual(['noLostAcked']);
    expect(await broken(mutant, { ...keptState, crash: [] })).toEqual([]);
    expect(await broken(await setup(FILE_QUEUE), keptState)).toEqual([]);
    expect(contains(crashPointPlans(trace, FAULTS), keptState)).toBe(true);
  });
});

describe('crash points: the rotating schedule', () => {
  it('finalize\'s fsync when no fallback is left (lock-upgrade-with-fallback.ts:50 skip): only where writers met on the lock', async () => {
    // Arrange: in the rotating schedule one writer finds the lock taken and writes a fallback file, which
    // finalize folds into main and deletes; the first-ready schedule never makes one.
    const mutant = await setup(FALLBACK, { site: 'strategies/lock-upgrade-with-fallback.ts:50:41 fsync-dir', kind: 'skip' });
    const choices = rotatingChoices(200);
    const firstReady = (await runSchedule(mutant, { choices: [], faults: [], crash: [] })).trace;
    const { trace } = await runSchedule(mutant, { choices, faults: [], crash: [] });
    expect(firstReady.some((t) => t.path.startsWith('data/fallback/'))).toBe(false);
    // Finalize is killed after deleting the fallback file, before its folder's fsync.
    const sync = trace.find((t) => t.process === 'finalize' && t.op === 'fsync' && t.path === 'data/fallback')!;
    expect(`${trace[sync.step - 2]!.process} ${trace[sync.step - 2]!.op}`).toBe('finalize unlink');
    const killed: SchedulePlan = { choices, faults: [{ kind: 'crash', step: sync.step }], crash: [] };

    // Act + Assert: the restarted finalize finds no fallback file, skips the fsync, and the power loss
    // every schedule ends with brings the deleted file back beside main's copy of its rows.
    expect(await broken(mutant, killed)).toEqual(['noDuplicates']);
    expect(await broken(await setup(FALLBACK), killed)).toEqual([]);
    expect(contains(crashPointPlans(trace, FAULTS, choices, false), killed)).toBe(true);
  });
});
