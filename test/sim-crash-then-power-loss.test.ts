import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadStrategy } from '../harness/orchestrate/load-strategy.js';
import { hyparquetCodec } from '../harness/sdk/codec/hyparquet.js';
import { persistenceModels } from '../harness/sim/models/index.js';
import { runSchedule, type SimSetup } from '../harness/sim/run-schedule.js';

/**
 * Issue 21 item 6: an ack with nothing made durable. A process killed between its rename and its
 * folder fsync leaves the rename in the page cache only; a retry that finds its record already there
 * must make it durable before it acks, or a power loss a few steps later undoes the rename under an
 * acked record. Each test runs a crash before every fsync of the fault-free schedule, followed within
 * `window` steps by a power loss (the harshest crash state: nothing un-synced kept), on the posix model.
 */


async function setup(spec: string, workers: number, records: number, thinkMs = 0): Promise<SimSetup> {
  return {
    strategy: await loadStrategy(spec), workers, records, payloadBytes: 32, thinkMs, seed: 1, codec: hyparquetCodec,
    model: persistenceModels.posix, lock: { kind: 'lease', staleMs: 5000, defaultTimeoutMs: 60_000 }, maxSteps: 20_000,
  };
}

/** Every (crash before an fsync at step c, power loss at c + 1 … c + window) pair: the failures. */
async function crashThenPowerLoss(s: SimSetup, window: number): Promise<{ pairs: number; failures: string[] }> {
  const choices: number[] = [];
  // A crash that leaves something un-synced behind comes before an fsync: those steps are the crash points.
  const crashes = (await runSchedule(s, { choices, faults: [], crash: [] })).trace.filter((t) => t.op === 'fsync').map((t) => t.step);
  const failures: string[] = [];
  let pairs = 0;
  for (const crash of crashes) {
    for (let power = crash + 1; power <= crash + window; power++) {
      pairs++;
      const run = await runSchedule(s, { choices, faults: [{ kind: 'crash', step: crash }, { kind: 'power-loss', step: power }], crash: [] });
      if (run.verdict.valid !== true) failures.push(`crash@${crash} power-loss@${power}: ${run.verdict.broken.join(', ')} ${run.verdict.evidence.lost.join(' ')}${run.errors.join('; ')}`);
    }
  }
  return { pairs, failures };
}

describe('a crash, then a power loss a few steps later (posix)', () => {
  it('realtime, the shrunk counterexample sim found (1 writer × 3 records: crash before `fsync data`, the retry acks w0-0, the power loss undoes the rename): nothing lost', async () => {
    const run = await runSchedule(await setup('realtime', 1, 3), { choices: [], faults: [{ kind: 'crash', step: 7 }, { kind: 'power-loss', step: 12 }], crash: [] });
    expect(run.fired.map((f) => `${f.kind}@${f.step} ${f.op} ${f.path}`).slice(0, 2)).toEqual(['crash@7 fsync data', expect.stringMatching(/^power-loss@12 /)]);
    expect(run.verdict).toMatchObject({ acked: 3, lost: 0, valid: true });
  });

  it.each(['realtime', 'checkpoint-batch:interval=1'])('%s (1 writer × 2 records): every pair', async (spec) => {
    const { pairs, failures } = await crashThenPowerLoss(await setup(spec, 1, 2), 6);
    expect(pairs).toBeGreaterThan(20);
    expect(failures).toEqual([]);
  });

  it('the queue\'s sink (its consumer over a file queue, 1 writer × 2 records): every pair; a part a killed consumer renamed but never synced is made durable before its queue entries go', async () => {
    // The writer thinks 30 ms between records, so the consumer (polling every 10 ms) consumes while it
    // writes; a restarted consumer takes 7 steps from its first readdir to its queue folder's fsync.
    const { pairs, failures } = await crashThenPowerLoss(await setup(resolve(import.meta.dirname, 'fixtures/file-queue.ts'), 1, 2, 30), 8);
    expect(pairs).toBeGreaterThan(20);
    expect(failures).toEqual([]);
  });
});

describe('a finalize killed between its deletions and their folder fsync (posix)', () => {
  it('incremental-file, the counterexample the mutation run found unmutated (2 writers × 1 record): the inputs a power loss brings back are not left beside main', async () => {
    // Arrange: finalize folds both inputs into main, unlinks them, and is killed before the folder's
    // fsync (crash@44); its restart finds nothing to fold. (crash@22 and the power loss at 28 are how the
    // search got there: they shift finalize's steps but change nothing else.)
    const plan = { choices: [], faults: [{ kind: 'crash' as const, step: 22 }, { kind: 'power-loss' as const, step: 28 }, { kind: 'crash' as const, step: 44 }], crash: [] };

    // Act
    const run = await runSchedule(await setup('incremental-file', 2, 1), plan);

    // Assert: the end's power loss keeps no unlink it may drop, and nothing is there twice.
    expect(run.fired.map((f) => `${f.kind}@${f.step} ${f.op} ${f.path}`).slice(0, 3)).toEqual(['crash@22 readdir data/incremental', 'power-loss@28 readdir data/incremental', 'crash@44 fsync data/incremental']);
    expect(run.verdict).toMatchObject({ acked: 2, lost: 0, duplicates: 0, valid: true });
  });
});

describe('log-commit: a restarted writer trusts its predecessor\'s commit entry only once durable (posix)', () => {
  it('the counterexample the mutation run found unmutated (2 writers × 1 record: writer-1 killed before its entry\'s fsync, its restart acks w1-0, a power loss): nothing lost', async () => {
    const plan = { choices: [], faults: [{ kind: 'crash' as const, step: 26 }, { kind: 'power-loss' as const, step: 32 }], crash: [] };

    const run = await runSchedule(await setup('log-commit', 2, 1), plan);

    expect(run.fired.map((f) => `${f.kind}@${f.step} ${f.process} ${f.op}`).slice(0, 2)).toEqual(['crash@26 writer-1 fsync', expect.stringMatching(/^power-loss@32 /)]);
    expect(run.fired[0]!.path).toMatch(/^state\/_log\/0+1\.json$/);
    expect(run.verdict).toMatchObject({ acked: 2, lost: 0, valid: true });
  });
});

describe('append-log: a restarted compactor trusts the parts it finds only once their names are durable (posix)', () => {
  it('the counterexample the mutation run found unmutated (2 writers × 1 record: the merger killed between a part\'s rename and the folder fsync, its restart removes the segments, a power loss): nothing lost', async () => {
    const plan = { choices: [], faults: [{ kind: 'crash' as const, step: 27 }, { kind: 'power-loss' as const, step: 37 }], crash: [] };

    const run = await runSchedule(await setup('append-log', 2, 1), plan);

    expect(run.fired.map((f) => `${f.kind}@${f.step} ${f.process} ${f.op} ${f.path}`)[0]).toBe('crash@27 merger fsync data');
    expect(run.verdict).toMatchObject({ acked: 2, lost: 0, valid: true });
  });
});
