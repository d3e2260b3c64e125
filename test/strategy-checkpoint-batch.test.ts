import { describe, expect, it } from 'vitest';
import { checkCell } from '../harness/oracle/checker.js';
import type { IoHook } from '../harness/sdk/ports/io.js';
import { checkpointBatch } from '../strategies/checkpoint-batch.js';
import { runSmall } from './support/cell.js';
import { LedgeredWriter, retryPlan } from './support/ledgered-writer.js';
import { expectRecountAgrees } from './support/recount.js';
import { crashAt, makeContext, SimulatedCrash, tempCell } from './support/sim.js';

type Options = Parameters<typeof checkpointBatch.writer>[1];

const INTERVAL = 3;
const RECORDS = 7;


function writerOf(cellDir: string, worker: number, options: Options, hook?: IoHook): LedgeredWriter {
  return new LedgeredWriter(cellDir, worker, checkpointBatch.writer(makeContext(cellDir, { index: worker, hook }), options));
}

async function finalize(cellDir: string, options: Options): Promise<void> {
  await checkpointBatch.finalize?.(makeContext(cellDir, { role: 'finalize' }), options);
}

/** Writer 0 writes `seqs` and closes, or dies where the hook crashes it. Returns whether it died. */
async function runWriter(cellDir: string, options: Options, seqs: readonly number[], hook?: IoHook): Promise<boolean> {
  const writer = writerOf(cellDir, 0, options, hook);
  try {
    for (const seq of seqs) await writer.write(seq);
    await writer.close();
    return false;
  } catch (error) {
    if (!(error instanceof SimulatedCrash)) throw error;
    writer.abandon();
    return true;
  }
}

const allSeqs = Array.from({ length: RECORDS }, (_, seq) => seq);

describe('checkpoint-batch under main-file contention (real processes)', () => {
  it('loses and duplicates nothing; the checker agrees with DuckDB', async () => {
    // Arrange
    const overrides = { strategies: ['checkpoint-batch'], scenarios: ['main-file-contention'], workers: 8, recordsPerWorker: 15 };

    // Act
    const result = await runSmall(overrides);

    // Assert
    const cell = result.cells[0]!;
    expect(cell.verdict).toMatchObject({ attempted: 120, acked: 120, lost: 0, duplicates: 0, corruptFiles: 0, valid: true });
    await expectRecountAgrees(cell);
  });
});

describe('checkpoint-batch crash enumeration (in process)', () => {
  it.each(['memory', 'shared'] as const)('buffer=%s: a writer dying at any step of a commit loses no acked record, and its retry duplicates none', async (buffer) => {
    const options: Options = { interval: INTERVAL, buffer, lock: 'file' };
    const guarantees = checkpointBatch.guarantees(options);
    const counter = crashAt(Number.POSITIVE_INFINITY);
    await runWriter(tempCell(), options, allSeqs, counter);
    expect(counter.steps.length).toBeGreaterThan(10);

    for (let n = 1; n <= counter.steps.length; n++) {
      // Arrange: the writer dies at step n
      const dir = tempCell();
      expect(await runWriter(dir, options, allSeqs, crashAt(n))).toBe(true);

      // Act: recovery, then the writer restarts and retries what it never saw acked
      await finalize(dir, options);
      const afterCrash = await checkCell(dir, guarantees);
      await runWriter(dir, options, retryPlan(dir, 0, RECORDS));
      await finalize(dir, options);
      const afterRetry = await checkCell(dir, guarantees);

      // Assert
      const at = `crash at step ${n} (${counter.steps[n - 1]})`;
      // A crash before the first ack leaves nothing claimed to check (unknown); no claim may be broken.
      expect(afterCrash, at).toMatchObject({ lost: 0, duplicates: 0, corruptFiles: 0, broken: [] });
      expect(afterCrash.unackedAtCrash, at).toBeLessThanOrEqual(INTERVAL);
      expect(afterCrash.unackedLost, at).toBeLessThanOrEqual(INTERVAL);
      expect(afterRetry, at).toMatchObject({ present: RECORDS, lost: 0, duplicates: 0, unackedLost: 0, valid: true });
    }
  });

  it('buffer=memory: the unflushed part of a batch is the data at risk, unacked and lost, never acked', async () => {
    // Arrange
    const dir = tempCell();
    const options: Options = { interval: INTERVAL, buffer: 'memory', lock: 'file' };
    const writer = writerOf(dir, 0, options);

    // Act: one batch committed, one record still buffered when the process dies
    for (const seq of [0, 1, 2, 3]) await writer.write(seq);
    writer.abandon();
    await finalize(dir, options);

    // Assert
    expect(await checkCell(dir, checkpointBatch.guarantees(options)))
      .toMatchObject({ acked: 3, present: 3, lost: 0, unackedAtCrash: 1, unackedLost: 1, valid: true });
  });
});

describe('checkpoint-batch shared-buffer race (in process)', () => {
  it('a record appended between a drain\'s read and its truncate is acked and then lost', async () => {
    // Arrange: writer 1's append is slipped in while writer 0 drains, right after the drain read the buffer
    const dir = tempCell();
    const options: Options = { interval: 2, buffer: 'shared', lock: 'file' };
    let appended!: () => void;
    const writer1Appended = new Promise<void>((resolve) => (appended = resolve));
    // Writer 1's first read of the buffer is its size check, which follows its fsynced append.
    const writer1 = writerOf(dir, 1, options, { before: (op) => (op === 'read' ? appended() : undefined), point() {} });
    let writer1Write: Promise<void> | undefined;
    const writer0 = writerOf(dir, 0, options, {
      before() {},
      async point(name) {
        if (name !== 'shared-buffer:read' || writer1Write) return;
        writer1Write = writer1.write(0);
        await writer1Appended;
      },
    });

    // Act
    await writer0.write(0);
    await writer0.write(1);
    await writer1Write;
    await writer0.close();
    await writer1.close();
    await finalize(dir, options);

    // Assert: acked, then wiped by the truncate; honestly not claimed, so the cell stays valid
    const verdict = await checkCell(dir, checkpointBatch.guarantees(options));
    expect(verdict).toMatchObject({ acked: 3, present: 2, lost: 1, duplicates: 0, valid: true });
    expect(verdict.evidence.lost).toEqual(['w1-0']);
  });
});
