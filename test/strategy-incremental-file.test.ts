import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkCell } from '../harness/oracle/checker.js';
import type { IoHook } from '../harness/sdk/ports/io.js';
import { LedgerWriter } from '../harness/oracle/ledger.js';
import { makeRecord } from '../harness/sdk/records.js';
import { planSequence } from '../harness/orchestrate/writer-loop.js';
import { resolveOptions, type StrategyContext, type WriterHandle } from '../harness/sdk/strategy.js';
import { incrementalFile } from '../strategies/incremental-file.js';
import { foldIncremental } from '../strategies/shared/incremental-merge.js';
import { runSmall } from './support/cell.js';
import { expectRecountAgrees } from './support/recount.js';
import { crashAt, makeContext, SimulatedCrash, tempCell } from './support/sim.js';

type Options = ReturnType<typeof options>;
const options = (given: Record<string, string> = {}) => resolveOptions(incrementalFile, given);

/** One simulated writer process: a strategy handle that logs attempts and acks in its ledger, as harness/roles/writer.ts does. */
class SimWriter {
  private readonly ledger: LedgerWriter;
  private readonly handle: WriterHandle;

  constructor(cell: string, private readonly worker: number, o: Options, hook?: IoHook) {
    this.ledger = new LedgerWriter(ledgerPath(cell, worker));
    this.ledger.append({ op: 'start', pid: 1, t: 0 });
    this.handle = incrementalFile.writer(makeContext(cell, { index: worker, hook }), o);
  }

  async open(): Promise<void> {
    await this.handle.open?.();
  }

  async write(seq: number): Promise<void> {
    const record = makeRecord(1, this.worker, seq, 64, 0n);
    this.ledger.append({ op: 'attempt', id: record.id, t: 0 });
    this.ack(await this.handle.write(record));
  }

  async close(): Promise<void> {
    this.ack((await this.handle.close?.()) ?? []);
    this.ledger.append({ op: 'end', t: 0 });
    this.ledger.close();
  }

  private ack(ids: readonly string[]): void {
    for (const id of ids) this.ledger.append({ op: 'ack', id, t: 0 });
  }
}

const ledgerPath = (cell: string, worker: number) => join(cell, 'ledger', `writer-${worker}.jsonl`);
const incrementalFiles = (cell: string) => readdirSync(join(cell, 'data', 'incremental'));

async function writeAll(cell: string, worker: number, seqs: readonly number[], o: Options = options()): Promise<void> {
  const writer = new SimWriter(cell, worker, o);
  await writer.open();
  for (const seq of seqs) await writer.write(seq);
  await writer.close();
}

/** Recovery in a fresh "process", then the checker's verdict. */
async function finalizeAndCheck(cell: string, o: Options) {
  await incrementalFile.finalize!(makeContext(cell, { role: 'finalize' }), o);
  return checkCell(cell, incrementalFile.guarantees(o));
}

const merger = (cell: string, hook?: IoHook): StrategyContext => makeContext(cell, { role: 'merger', hook });

/** Counts the steps (I/O ops and named points) of `run` under a hook that never crashes. */
async function countSteps(run: (hook: IoHook) => Promise<unknown>): Promise<string[]> {
  const counter = crashAt(0);
  await run(counter);
  return counter.steps;
}

describe('incremental-file: guarantees per variant', () => {
  it('claims only what each variant keeps', () => {
    expect(incrementalFile.guarantees(options())).toEqual({ noLostAcked: true, noDuplicates: true, noCorruption: true });
    expect(incrementalFile.guarantees(options({ merge: 'naive' }))).toMatchObject({ noLostAcked: false });
    expect(incrementalFile.guarantees(options({ publish: 'inplace' }))).toMatchObject({ noLostAcked: true, noCorruption: false });
  });
});

describe('incremental-file: in-process crash enumeration', () => {
  /** Main already holds writer 0's first records; six more files wait in incremental/. */
  async function arrangeMergeInput(): Promise<string> {
    const cell = tempCell();
    await writeAll(cell, 0, [0, 1, 2]);
    await foldIncremental(merger(cell), 'safe');
    await writeAll(cell, 1, [0, 1, 2, 3, 4, 5]);
    return cell;
  }

  it('a merger dying at any step of a fold loses and duplicates nothing after finalize', async () => {
    // Arrange
    const o = options();
    const steps = await countSteps(async (hook) => foldIncremental(merger(await arrangeMergeInput(), hook), 'safe'));
    expect(steps).toContain('point merge:main-published');

    let duplicatedBeforeRecovery = 0;
    for (let n = 1; n <= steps.length; n++) {
      const cell = await arrangeMergeInput();

      // Act: crash the fold at step n, abandon it, recover in a fresh context
      await expect(foldIncremental(merger(cell, crashAt(n)), 'safe')).rejects.toBeInstanceOf(SimulatedCrash);
      if ((await checkCell(cell, incrementalFile.guarantees(o))).duplicates > 0) duplicatedBeforeRecovery++;
      const verdict = await finalizeAndCheck(cell, o);

      // Assert
      expect({ step: steps[n - 1], ...verdict }).toMatchObject({ step: steps[n - 1], acked: 9, present: 9, lost: 0, duplicates: 0, corruptFiles: 0, valid: true });
      expect(incrementalFiles(cell)).toEqual([]);
    }
    // Crashes between publishing main and deleting the inputs did leave duplicates that recovery removed.
    expect(duplicatedBeforeRecovery).toBeGreaterThan(0);
  });

  it('a writer dying at any step, then resumed with retries, leaves each id exactly once', async () => {
    // Arrange: two records per file, so a crash can also drop a buffered, unacked record
    const o = options({ every: '2' });
    const seqs = [0, 1, 2, 3, 4];
    const run = async (cell: string, hook: IoHook) => {
      const writer = new SimWriter(cell, 0, o, hook);
      await writer.open();
      for (const seq of seqs) await writer.write(seq);
      await writer.close();
    };
    const steps = await countSteps((hook) => run(tempCell(), hook));

    for (let n = 1; n <= steps.length; n++) {
      const cell = tempCell();

      // Act: crash at step n; a restarted writer retries what it never saw acked, as the harness's does
      await expect(run(cell, crashAt(n))).rejects.toBeInstanceOf(SimulatedCrash);
      const resumed = new SimWriter(cell, 0, o);
      const plan = planSequence(readFileSync(ledgerPath(cell, 0), 'utf8'), seqs.length, 0, 'retry');
      await resumed.open();
      for (const seq of plan) await resumed.write(seq);
      await resumed.close();
      const verdict = await finalizeAndCheck(cell, o);

      // Assert
      expect({ step: steps[n - 1], ...verdict }).toMatchObject({ step: steps[n - 1], acked: 5, present: 5, lost: 0, duplicates: 0, corruptFiles: 0, valid: true });
    }
  });
});

describe('incremental-file: unsafe variants (deterministic interleavings)', () => {
  /** A merger whose fold lets writer 1 publish a record right after main is published, before the clean-up. */
  function mergerLettingAWriterIn(cell: string, writer: SimWriter): StrategyContext {
    return merger(cell, {
      before() {},
      async point(name) {
        if (name === 'merge:main-published') await writer.write(0);
      },
    });
  }

  it.each([
    ['naive', 1],
    ['safe', 0],
  ] as const)('merge=%s: a file published between listing and clean-up is lost %i time(s)', async (merge, lost) => {
    // Arrange
    const o = options({ merge });
    const cell = tempCell();
    await writeAll(cell, 0, [0, 1], o);
    const late = new SimWriter(cell, 1, o);
    await late.open();

    // Act
    await foldIncremental(mergerLettingAWriterIn(cell, late), merge);
    await late.close();
    const verdict = await finalizeAndCheck(cell, o);

    // Assert: the late record was acked before the naive merger deleted it unmerged
    expect(verdict).toMatchObject({ acked: 3, lost, duplicates: 0, valid: true });
    if (lost > 0) expect(verdict.evidence.lost).toEqual(['w1-0']);
  });

  it.each([
    ['inplace', 1],
    ['rename', 0],
  ] as const)('publish=%s: a writer dying before its first byte leaves %i corrupt .parquet file(s)', async (publish, corruptFiles) => {
    // Arrange: find the step that writes the file's bytes (the final name inplace, the temp with rename)
    const o = options({ publish });
    const run = async (cell: string, hook: IoHook) => {
      const writer = new SimWriter(cell, 0, o, hook);
      await writer.open();
      await writer.write(0);
    };
    const steps = await countSteps((hook) => run(tempCell(), hook));
    const firstWrite = steps.findIndex((s) => s.startsWith('write data/incremental/'));
    const cell = tempCell();

    // Act
    await expect(run(cell, crashAt(firstWrite + 1))).rejects.toBeInstanceOf(SimulatedCrash);
    const verdict = await finalizeAndCheck(cell, o);

    // Assert: nothing was acked; inplace left an empty file under its final name that no reader can decode
    expect(verdict).toMatchObject({ acked: 0, lost: 0, corruptFiles, broken: [], valid: 'unknown' });
    if (corruptFiles > 0) expect(verdict.evidence.corruptFiles[0]).toMatch(/^incremental\/sim_writer_0_\d{8}_\d{6}_w0-0_0\.parquet$/);
  });
});

describe('incremental-file under main-file contention (real processes, merger running)', () => {
  it('8 writers lose and duplicate nothing; finalize leaves only main.parquet; the checker agrees with DuckDB', async () => {
    // Arrange
    const overrides = { strategies: ['incremental-file'], scenarios: ['main-file-contention'], workers: 8, recordsPerWorker: 15 };

    // Act
    const result = await runSmall(overrides);

    // Assert
    const cell = result.cells[0]!;
    expect(cell.errors).toEqual([]);
    expect(cell.processes).toMatchObject({ spawned: 8 + 2, failed: 0 }); // writers, merger, finalize
    expect(cell.verdict).toMatchObject({ attempted: 120, acked: 120, present: 120, lost: 0, duplicates: 0, corruptFiles: 0, valid: true });
    expect(cell.io.filesInData).toBe(1);
    await expectRecountAgrees(cell);
  });
});
