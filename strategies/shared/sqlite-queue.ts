import Database from 'better-sqlite3';
import { join } from 'node:path';
import { ChaosError } from '../../harness/sdk/errors.js';
import type { TestRecord } from '../../harness/sdk/records.js';
import type { StrategyContext } from '../../harness/sdk/strategy.js';
import type { QueueBackend, QueueBackendOptions, QueueBatch } from './queue-backend.js';
import { recordFromJson, recordToJson } from './record-json.js';

export const QUEUE_DB = 'queue.db';

/*
 * A row is waiting (batch_no NULL), claimed (batch_no set, record kept) or consumed (record NULL).
 * Consumed rows stay as tombstones: their id keeps a retried record from being queued again.
 * Batches are never deleted, so batch numbers (and part file names) are never reused.
 */
const SCHEMA = `
  CREATE TABLE IF NOT EXISTS queue (
    id TEXT PRIMARY KEY,
    record TEXT,
    batch_no INTEGER
  );
  CREATE INDEX IF NOT EXISTS queue_by_batch ON queue (batch_no);
  CREATE TABLE IF NOT EXISTS batches (
    batch_no INTEGER PRIMARY KEY AUTOINCREMENT,
    done INTEGER NOT NULL DEFAULT 0
  );
`;

const isBusy = (error: unknown) => /^SQLITE_(BUSY|LOCKED)/.test(String((error as { code?: unknown })?.code ?? ''));

/**
 * The queue in state/queue.db: WAL, synchronous=FULL (a commit is fsynced before `enqueue` resolves).
 * SQLite does its own file I/O, outside ctx.io; the harness still counts its bytes from /proc/<pid>/io.
 */
export async function openSqliteQueue(ctx: StrategyContext, options: QueueBackendOptions): Promise<QueueBackend> {
  // While setting up, SQLite's own busy handler waits out other processes creating the same file.
  const db = new Database(join(ctx.stateDir, QUEUE_DB), { timeout: options.busyTimeoutMs });
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.exec(SCHEMA);

  const insert = db.prepare('INSERT OR IGNORE INTO queue (id, record) VALUES (?, ?)');
  const openBatch = db.prepare('SELECT batch_no FROM batches WHERE done = 0 ORDER BY batch_no LIMIT 1').pluck();
  const batchRecords = db.prepare('SELECT record FROM queue WHERE batch_no = ? ORDER BY rowid').pluck();
  const waiting = db.prepare('SELECT rowid FROM queue WHERE batch_no IS NULL ORDER BY rowid LIMIT ?').pluck();
  const hasWork = db.prepare(`SELECT EXISTS (SELECT 1 FROM queue WHERE batch_no IS NULL)
    OR EXISTS (SELECT 1 FROM batches WHERE done = 0)`).pluck();
  const newBatch = db.prepare('INSERT INTO batches DEFAULT VALUES');
  const assign = db.prepare('UPDATE queue SET batch_no = ? WHERE rowid = ?');
  const retireRows = db.prepare('UPDATE queue SET record = NULL WHERE batch_no = ?');
  const retireBatch = db.prepare('UPDATE batches SET done = 1 WHERE batch_no = ?');
  // From here on we wait for the write lock ourselves (see writeTransaction). Only now: preparing reads
  // the schema, which right after a power loss can wait for another process's WAL recovery.
  db.pragma('busy_timeout = 0');

  /**
   * Runs `body` in a BEGIN IMMEDIATE transaction. Waiting for another process's write transaction is
   * a lock wait: we poll with a short jittered interval (never blocking the event loop, unlike
   * SQLite's busy handler) and report every wait, zero or not, to the lock port.
   */
  async function writeTransaction<T>(body: () => T): Promise<T> {
    const started = ctx.clock.now();
    let pollMs = 1;
    for (;;) {
      try {
        db.exec('BEGIN IMMEDIATE');
        break;
      } catch (error) {
        if (!isBusy(error)) throw error;
      }
      const waited = ctx.clock.now() - started;
      if (waited >= options.busyTimeoutMs) {
        ctx.lock.observeWait(waited, 'timeout');
        throw new ChaosError('E_LOCK_TIMEOUT', `queue database busy for ${Math.round(waited)} ms`, {
          option: 'busyTimeoutMs', value: options.busyTimeoutMs, expected: 'the queue\'s write lock to be free within the timeout',
        });
      }
      await ctx.clock.sleep(pollMs * (0.5 + ctx.random.next()));
      pollMs = Math.min(pollMs * 2, 25);
    }
    ctx.lock.observeWait(ctx.clock.now() - started, 'acquired');
    try {
      const result = body();
      await commitWhenFree();
      return result;
    } catch (error) {
      if (db.inTransaction) db.exec('ROLLBACK');
      throw error;
    }
  }

  /**
   * COMMIT, retried while SQLite says busy: the transaction stays open after a busy COMMIT and may be
   * committed again. With busy_timeout 0 a COMMIT can meet a passing lock on the WAL index (seen on
   * crashfs's FUSE mount: "database is locked" at COMMIT), which is a wait, not a failure.
   */
  async function commitWhenFree(): Promise<void> {
    const started = ctx.clock.now();
    for (;;) {
      try {
        db.exec('COMMIT');
        return;
      } catch (error) {
        if (!isBusy(error) || ctx.clock.now() - started >= options.busyTimeoutMs) throw error;
      }
      await ctx.clock.sleep(1 + 4 * ctx.random.next());
    }
  }

  const recordsOf = (batchNo: number): TestRecord[] => (batchRecords.all(batchNo) as string[]).map(recordFromJson);

  const keyOf = (batchNo: number) => String(batchNo).padStart(6, '0');

  return {
    dedupsIds: true,
    async enqueue(record) {
      await writeTransaction(() => insert.run(record.id, recordToJson(record)));
    },
    async claimBatch(max) {
      // An idle consumer polls; a WAL read needs no lock, so an empty poll does not contend with writers.
      if (!hasWork.get()) return undefined;
      return writeTransaction((): QueueBatch | undefined => {
        const unfinished = openBatch.get() as number | undefined;
        if (unfinished !== undefined) return { key: keyOf(unfinished), records: recordsOf(unfinished) };
        const rowids = waiting.all(max) as number[];
        if (rowids.length === 0) return undefined;
        const batchNo = Number(newBatch.run().lastInsertRowid);
        for (const rowid of rowids) assign.run(batchNo, rowid);
        return { key: keyOf(batchNo), records: recordsOf(batchNo) };
      });
    },
    async markConsumed(batch) {
      const batchNo = Number(batch.key);
      await writeTransaction(() => {
        retireRows.run(batchNo);
        retireBatch.run(batchNo);
      });
    },
    async close() {
      db.close();
    },
  };
}
