import Database from 'better-sqlite3';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it, vi } from 'vitest';
import { checkCell, readDataset } from '../harness/oracle/checker.js';
import { LedgerWriter } from '../harness/oracle/ledger.js';
import { realClock } from '../harness/sdk/ports/clock.js';
import type { IoHook } from '../harness/sdk/ports/io.js';
import { makeRecord, type TestRecord } from '../harness/sdk/records.js';
import { cellPaths } from '../harness/orchestrate/roles/config.js';
import { resolveOptions } from '../harness/sdk/strategy.js';
import { queue } from '../strategies/queue.js';
import { QUEUE_DB } from '../strategies/shared/sqlite-queue.js';
import { runSmall } from './support/cell.js';
import { expectRecountAgrees } from './support/recount.js';
import { crashAt, makeContext, SimulatedCrash, tempCell } from './support/sim.js';

const defaults = resolveOptions(queue, {});
const guarantees = queue.guarantees(defaults);
const record = (seq: number): TestRecord => makeRecord(1, 0, seq, 32, realClock.nowMicros());

/** One writer process that enqueues records 0..count-1 and logs every ack in its ledger. */
async function writeAcked(cellDir: string, count: number): Promise<void> {
  const ledger = new LedgerWriter(join(cellPaths(cellDir).ledger, 'writer-0.jsonl'));
  ledger.append({ op: 'start', pid: 1, t: 0 });
  const writer = queue.writer(makeContext(cellDir), defaults);
  for (let seq = 0; seq < count; seq++) {
    const r = record(seq);
    ledger.append({ op: 'attempt', id: r.id, t: 0 });
    for (const id of await writer.write(r)) ledger.append({ op: 'ack', id, t: 0 });
  }
  await writer.close?.();
  ledger.append({ op: 'end', t: 0 });
  ledger.close();
}

const finalize = (cellDir: string) => queue.finalize!(makeContext(cellDir, { role: 'finalize' }), defaults);

/** Three batches of at most 3 for 7 records; a consumer that polls often. */
const smallBatches = resolveOptions(queue, { batch: '3', pollMs: '1' });
const records = 7;
const batches = Math.ceil(records / smallBatches.batch);

/** Runs the consumer role until it has consumed every batch (stopping it like SIGTERM would). */
async function consumeAll(cellDir: string, hook: IoHook): Promise<void> {
  const stop = new AbortController();
  let done = 0;
  const stopWhenDrained: IoHook = {
    before: (op, path) => hook.before(op, path),
    point: async (name) => {
      await hook.point(name);
      if (name === 'consume:batch-done' && ++done === batches) stop.abort();
    },
  };
  await queue.roles!.consumer!(makeContext(cellDir, { role: 'consumer', hook: stopWhenDrained }), smallBatches).run(stop.signal);
}

describe('queue strategy under main-file contention (real processes)', () => {
  it('keeps every acked record exactly once with the consumer running; the checker agrees with DuckDB', async () => {
    // Arrange
    const overrides = { strategies: ['queue'], scenarios: ['main-file-contention'], workers: 8, recordsPerWorker: 15 };

    // Act
    const result = await runSmall(overrides);

    // Assert
    const cell = result.cells[0]!;
    expect(cell.verdict).toMatchObject({ acked: 120, lost: 0, duplicates: 0, corruptFiles: 0, corruptRecords: 0, valid: true });
    await expectRecountAgrees(cell);
    const dataFiles = readdirSync(join(cell.dir, 'data'));
    expect(dataFiles.length).toBeGreaterThanOrEqual(1);
    expect(dataFiles.every((name) => /^part-\d+\.parquet$/.test(name))).toBe(true);
    // The end-to-end rate counts every acked record present, over the span to the last Parquet write.
    expect(cell.throughput.parquetMs).toBeGreaterThan(0);
    expect(cell.throughput.parquetPerSec).toBeCloseTo((120 / cell.throughput.parquetMs!) * 1000, 0);
  });
});

describe('queue consumer crashes (in-process, every step)', () => {
  it('neither loses nor duplicates a record wherever the consumer dies, once finalize has run', async () => {
    // Arrange: count the consumer's steps once.
    const counting = crashAt(0);
    const countCell = tempCell();
    await writeAcked(countCell, records);
    await consumeAll(countCell, counting);
    expect(counting.steps).toContain('point consume:part-written');

    for (let n = 1; n <= counting.steps.length; n++) {
      const cellDir = tempCell();
      await writeAcked(cellDir, records);

      // Act: the consumer dies at step n; a fresh process finalizes.
      await expect(consumeAll(cellDir, crashAt(n)), `step ${n}`).rejects.toBeInstanceOf(SimulatedCrash);
      await finalize(cellDir);

      // Assert
      const verdict = await checkCell(cellDir, guarantees);
      expect({ step: counting.steps[n - 1], ...verdict }).toMatchObject({ step: counting.steps[n - 1], acked: records, present: records, lost: 0, duplicates: 0, corruptFiles: 0, valid: true });
      expect(readdirSync(cellPaths(cellDir).data).every((name) => name.endsWith('.parquet')), `temp left after step ${n}`).toBe(true);
    }
  });
});

describe('queue consumer under I/O errors (in-process)', () => {
  it('outlives a failed publish and consumes the batch again, exactly once', async () => {
    // Arrange: the first rename of a part file fails as a full disk would.
    const cellDir = tempCell();
    await writeAcked(cellDir, records);
    let renames = 0;
    const failFirstRename: IoHook = {
      before: (op) => {
        if (op === 'rename' && ++renames === 1) throw Object.assign(new Error('ENOSPC: injected'), { code: 'ENOSPC' });
      },
      point: () => {},
    };

    // Act
    await consumeAll(cellDir, failFirstRename);

    // Assert
    expect(renames).toBe(batches + 1);
    expect(await checkCell(cellDir, guarantees)).toMatchObject({ acked: records, present: records, lost: 0, duplicates: 0, valid: true });
  });
});

describe('queue retries and lock waits (in-process)', () => {
  it('does not save a retried id again after it was consumed', async () => {
    // Arrange: the record is queued and consumed into a part file.
    const cellDir = tempCell();
    await writeAcked(cellDir, 1);
    await finalize(cellDir);

    // Act: a restarted writer retries the same id, and the queue is drained again.
    const retrying = queue.writer(makeContext(cellDir), defaults);
    const acked = await retrying.write(record(0));
    await retrying.close?.();
    await finalize(cellDir);

    // Assert
    const dataset = await readDataset(cellPaths(cellDir).data);
    expect(acked).toEqual(['w0-0']);
    expect(dataset.counts.get('w0-0')).toBe(1);
  });

  /** Holds the queue's write lock from another connection for `holdMs` while `act` runs. */
  async function whileLocked<T>(cellDir: string, holdMs: number, act: () => Promise<T>): Promise<T> {
    const other = new Database(join(cellPaths(cellDir).state, QUEUE_DB));
    other.exec('BEGIN IMMEDIATE');
    const released = sleep(holdMs).then(() => {
      other.exec('COMMIT');
      other.close();
    });
    try {
      return await act();
    } finally {
      await released;
    }
  }

  it('measures the wait of an insert behind another connection\'s write transaction as a lock wait', async () => {
    // Arrange
    const cellDir = tempCell();
    const ctx = makeContext(cellDir);
    const writer = queue.writer(ctx, defaults);
    await writer.write(record(0));
    const observeWait = vi.spyOn(ctx.lock, 'observeWait');

    // Act
    const acked = await whileLocked(cellDir, 50, () => writer.write(record(1)));
    await writer.close?.();

    // Assert
    expect(acked).toEqual(['w0-1']);
    expect(observeWait).toHaveBeenCalledTimes(1);
    const [waitedMs, outcome] = observeWait.mock.calls[0]!;
    expect(outcome).toBe('acquired');
    expect(waitedMs).toBeGreaterThanOrEqual(40);
  });

  it('fails the write unacked and records a timeout when the lock stays busy past busyTimeoutMs', async () => {
    // Arrange
    const cellDir = tempCell();
    const ctx = makeContext(cellDir);
    const writer = queue.writer(ctx, resolveOptions(queue, { busyTimeoutMs: '20' }));
    await writer.write(record(0));

    // Act
    const attempt = whileLocked(cellDir, 100, () => writer.write(record(1)));

    // Assert
    await expect(attempt).rejects.toMatchObject({ code: 'E_LOCK_TIMEOUT' });
    await writer.close?.();
    expect(ctx.lock.stats.timeouts).toBe(1);
  });
});
