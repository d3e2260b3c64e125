import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkCell } from '../../harness/oracle/checker.js';
import type { IoHook } from '../../harness/sdk/ports/io.js';
import type { StrategyContext } from '../../harness/sdk/strategy.js';
import { logCommit } from '../../strategies/log-commit.js';
import { commitNext, type CommitEntry } from '../../strategies/shared/commit-log.js';
import { runSmall } from '../support/cell.js';
import { LedgeredWriter, retryPlan, testRecord } from '../support/ledgered-writer.js';
import { expectRecountAgrees } from '../support/recount.js';
import { crashAt, makeContext, SimulatedCrash, tempCell } from '../support/sim.js';

const claims = logCommit.guarantees({ every: 1 });

/** The committed log entries of a cell, read with plain fs (torn entries skipped). */
function logEntries(cellDir: string): CommitEntry[] {
  const dir = join(cellDir, 'state', '_log');
  return readdirSync(dir).sort().flatMap((name) => {
    try {
      return [JSON.parse(readFileSync(join(dir, name), 'utf8')) as CommitEntry];
    } catch {
      return [];
    }
  });
}

const dataFiles = (cellDir: string) => readdirSync(join(cellDir, 'data')).sort();
const listedFiles = (cellDir: string) => logEntries(cellDir).flatMap((e) => e.files).sort();

/** A context whose log lines are kept, to see the commit conflicts it reports. */
function loggingContext(cellDir: string, options: Parameters<typeof makeContext>[1]): { ctx: StrategyContext; messages: string[] } {
  const messages: string[] = [];
  return { ctx: { ...makeContext(cellDir, options), log: (m) => messages.push(m) }, messages };
}

/** A writer of `ctx`'s index driven as the harness does, keeping its ledger. */
const ledgeredWriter = (cellDir: string, ctx: StrategyContext, every = 1) => new LedgeredWriter(cellDir, ctx.role.index, logCommit.writer(ctx, { every }));

async function finalize(cellDir: string): Promise<void> {
  await logCommit.finalize!(makeContext(cellDir, { role: 'finalize' }), { every: 1 });
}

/** Holds the first creation of a log entry until released: the writer has chosen its version and pauses. */
function pauseBeforeFirstCommit(): { hook: IoHook; reached: Promise<string>; release: () => void } {
  let reach!: (path: string) => void;
  let release!: () => void;
  const reached = new Promise<string>((resolve) => (reach = resolve));
  const released = new Promise<void>((resolve) => (release = resolve));
  let paused = false;
  const hook: IoHook = {
    async before(op, path) {
      if (op !== 'open' || !path.includes('/_log/') || paused) return;
      paused = true;
      reach(path.slice(path.lastIndexOf('/') + 1));
      await released;
    },
    point() {},
  };
  return { hook, reached, release };
}

describe('log-commit in real processes', () => {
  it('8 writers lose and duplicate nothing, with one log entry per committed batch', async () => {
    // Arrange
    const overrides = { strategies: ['log-commit,log-commit:every=4'], scenarios: ['main-file-contention'], workers: 8, recordsPerWorker: 15 };

    // Act
    const result = await runSmall(overrides);

    // Assert: every=1 commits 15 batches per writer, every=4 commits 4 (4+4+4+3).
    const batchesPerWriter = [15, 4];
    for (const [i, cell] of result.cells.entries()) {
      expect(cell.verdict).toMatchObject({ acked: 120, lost: 0, duplicates: 0, corruptFiles: 0, corruptRecords: 0, valid: true });
      expect(cell.locks.acquisitions).toBe(0);
      await expectRecountAgrees(cell);
      const entries = logEntries(cell.dir);
      expect(entries).toHaveLength(8 * batchesPerWriter[i]!);
      expect(entries.map((e) => e.version)).toEqual(entries.map((_, v) => v));
      expect(new Set(entries.flatMap((e) => e.ids)).size).toBe(120);
      expect(new Set(listedFiles(cell.dir)).size).toBe(entries.length);
      expect(dataFiles(cell.dir)).toEqual(listedFiles(cell.dir));
    }
  });

  it('stays correct with writers SIGSTOPped for longer than a lease lock\'s stale time', async () => {
    // Arrange: writers are paused for 2.5 s right after their 3rd ack (each holds there until paused); a
    // lease lock would be stale after 2 s.
    const overrides = {
      strategies: ['log-commit'], scenarios: ['main-file-contention'], workers: 8, recordsPerWorker: 8,
      lockStaleMs: 2000, faults: 'pause:target=writers,afterAcks=3,duration=2500',
    };

    // Act
    const [cell] = (await runSmall(overrides)).cells;

    // Assert (whole outcomes, so that a failure shows why a pause did not fire)
    expect(cell!.faults.outcomes).toMatchObject(Array.from({ length: 8 }, () => ({ kind: 'pause', fired: true })));
    expect(cell!.faults.pauses).toBe(8);
    expect(cell!.verdict).toMatchObject({ acked: 64, lost: 0, duplicates: 0, corruptFiles: 0, valid: true });
    expect(logEntries(cell!.dir)).toHaveLength(64);
  });
});

describe('log-commit in process', () => {
  it('two writers racing for one version: the first create wins, the loser commits the next version', async () => {
    // Arrange: both open an empty log, so both will try version 0.
    const cell = tempCell();
    const pauseA = pauseBeforeFirstCommit();
    const pauseB = pauseBeforeFirstCommit();
    const a = loggingContext(cell, { index: 0, hook: pauseA.hook });
    const b = loggingContext(cell, { index: 1, hook: pauseB.hook });
    const writerA = logCommit.writer(a.ctx, { every: 1 });
    const writerB = logCommit.writer(b.ctx, { every: 1 });
    await writerA.open!();
    await writerB.open!();
    const ackA = writerA.write(testRecord(0, 0));
    const ackB = writerB.write(testRecord(1, 0));
    expect([await pauseA.reached, await pauseB.reached]).toEqual(['00000000000000000000.json', '00000000000000000000.json']);

    // Act: A creates version 0 first, then B tries it.
    pauseA.release();
    const ackedA = await ackA;
    pauseB.release();
    const ackedB = await ackB;

    // Assert
    expect([ackedA, ackedB]).toEqual([['w0-0'], ['w1-0']]);
    expect(logEntries(cell).map((e) => [e.version, e.writer, e.ids])).toEqual([[0, 0, ['w0-0']], [1, 1, ['w1-0']]]);
    expect(a.messages).toEqual([]);
    expect(b.messages).toEqual([expect.stringMatching(/^commit conflicts=1 .*version=1$/)]);
  });

  it('a writer paused after choosing its version commits at a fresh version when it resumes, losing nothing', async () => {
    // Arrange: A chooses version 0 and pauses (as under SIGSTOP, for as long as it takes).
    const cell = tempCell();
    const pauseA = pauseBeforeFirstCommit();
    const a = loggingContext(cell, { index: 0, hook: pauseA.hook });
    const writerA = ledgeredWriter(cell, a.ctx);
    const writerB = ledgeredWriter(cell, makeContext(cell, { index: 1 }));
    await writerA.open();
    const writtenA = writerA.write(0);
    expect(await pauseA.reached).toBe('00000000000000000000.json');

    // Act: B commits versions 0 and 1 meanwhile; then A resumes.
    await writerB.open();
    await writerB.write(0);
    await writerB.write(1);
    await writerB.close();
    pauseA.release();
    await writtenA;
    await writerA.close();
    await finalize(cell);

    // Assert
    expect(a.messages).toEqual([expect.stringMatching(/^commit conflicts=2 .*version=2$/)]);
    expect(logEntries(cell).map((e) => [e.version, e.ids])).toEqual([[0, ['w1-0']], [1, ['w1-1']], [2, ['w0-0']]]);
    expect(await checkCell(cell, claims)).toMatchObject({ acked: 3, present: 3, lost: 0, duplicates: 0, valid: true });
  });

  it('a writer far behind the log finds the first free version in a few checks, not one create per taken version', async () => {
    // Arrange: 500 versions committed by others while this writer knew none (64 writers leave it ~60 behind).
    const cell = tempCell();
    const dir = join(cell, 'state', '_log');
    mkdirSync(dir, { recursive: true });
    for (let version = 0; version < 500; version++) {
      const entry: CommitEntry = { version, writer: 1, processId: 'other', files: [`f${version}.parquet`], ids: [`w1-${version}`] };
      writeFileSync(join(dir, `${String(version).padStart(20, '0')}.json`), JSON.stringify(entry));
    }
    const ops = { open: 0, stat: 0 };
    const hook: IoHook = { before: (op, path) => { if (path.includes('/_log/') && (op === 'open' || op === 'stat')) ops[op]++; }, point() {} };

    // Act
    const outcome = await commitNext(makeContext(cell, { hook }), -1, { writer: 0, processId: 'me', files: ['mine.parquet'], ids: ['w0-0'] });

    // Assert: committed right after the last taken version, counted as 500 conflicts, in O(log n) checks.
    expect(outcome).toMatchObject({ version: 500, conflicts: 500 });
    expect(ops.open).toBe(2);
    expect(ops.stat).toBeLessThanOrEqual(2 * Math.ceil(Math.log2(500)) + 2);
    expect(logEntries(cell).at(-1)).toMatchObject({ version: 500, ids: ['w0-0'] });
  });

  it('acks a retried id its dead predecessor committed without saving a second copy', async () => {
    // Arrange: the first process commits w0-0 and dies before its ack is logged.
    const cell = tempCell();
    const diesAfterCommit: IoHook = {
      before() {},
      point(name) {
        if (name === 'commit:entry-written') throw new SimulatedCrash(name);
      },
    };
    const first = ledgeredWriter(cell, makeContext(cell, { index: 0, hook: diesAfterCommit }));
    await first.open();
    await expect(first.write(0)).rejects.toBeInstanceOf(SimulatedCrash);
    first.abandon();
    const resumedCtx = makeContext(cell, { index: 0 });
    const resumed = ledgeredWriter(cell, resumedCtx);
    await resumed.open();

    // Act: the resumed writer (same processId here, as with a reused pid) retries w0-0, then goes on.
    const filesBefore = resumedCtx.io.counters.filesCreated;
    await resumed.write(0);
    const filesCreatedByRetry = resumedCtx.io.counters.filesCreated - filesBefore;
    await resumed.write(1);
    await resumed.close();
    await finalize(cell);

    // Assert
    expect(filesCreatedByRetry).toBe(0);
    expect(logEntries(cell).map((e) => e.ids)).toEqual([['w0-0'], ['w0-1']]);
    expect(dataFiles(cell)).toEqual(['commit-sim_writer_0-0.parquet', 'commit-sim_writer_0-1.parquet']);
    expect(await checkCell(cell, claims)).toMatchObject({ acked: 2, present: 2, retried: 1, lost: 0, duplicates: 0, valid: true });
  });

  describe.each([1, 2])('a crash at every I/O step (every=%i)', (every) => {
    const run = async (cell: string, ctx: StrategyContext, seqs: readonly number[]) => {
      const writer = ledgeredWriter(cell, ctx, every);
      try {
        await writer.open();
        for (const seq of seqs) await writer.write(seq);
        await writer.close();
      } catch (error) {
        writer.abandon();
        throw error;
      }
    };

    it('loses no acked record, duplicates none, leaves no orphan, and a resumed writer completes the rest', async () => {
      // Arrange: count the steps of one uninterrupted open + 3 writes + close.
      const counting = crashAt(0);
      const countingCell = tempCell();
      await run(countingCell, makeContext(countingCell, { hook: counting }), [0, 1, 2]);
      expect(counting.steps.length).toBeGreaterThan(20);

      for (let n = 1; n <= counting.steps.length; n++) {
        const cell = tempCell();
        // Act: crash at step n, recover; then a resumed writer retries what was not acked, and recover again.
        await expect(run(cell, makeContext(cell, { hook: crashAt(n) }), [0, 1, 2]), `step ${n}`).rejects.toBeInstanceOf(SimulatedCrash);
        await finalize(cell);
        const afterCrash = await checkCell(cell, claims);
        const afterCrashFiles = { data: dataFiles(cell), listed: listedFiles(cell) };
        await run(cell, makeContext(cell), retryPlan(cell, 0, 3));
        await finalize(cell);

        // Assert
        const at = `crash at step ${n}: ${counting.steps[n - 1]}`;
        // A crash before the first ack leaves nothing claimed to check (unknown); no claim may be broken.
        expect(afterCrash, at).toMatchObject({ lost: 0, duplicates: 0, corruptFiles: 0, broken: [] });
        expect(afterCrashFiles.data, at).toEqual(afterCrashFiles.listed);
        expect(await checkCell(cell, claims), at).toMatchObject({ acked: 3, present: 3, lost: 0, duplicates: 0, valid: true });
        expect(dataFiles(cell), at).toEqual(listedFiles(cell));
      }
    });
  });
});
