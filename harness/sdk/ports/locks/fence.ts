import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import Database from 'better-sqlite3';
import { ChaosError } from '../../errors.js';

export type FencedOutcome<T> = { refused: false; value: T } | { refused: true; current: number };

/**
 * What one write transaction of the record costs in fsyncs: SQLite's rollback journal under
 * synchronous=FULL syncs the journal twice (its content, then its header), the folder once (the new
 * journal's name), and the database once. Measured with strace on Linux (test/fence-record.test.ts
 * keeps it equal to what SQLite does); a check that changes nothing writes nothing and costs none.
 */
export const FENCE_FSYNCS_PER_WRITE = 4;

/** How long a statement may find the record busy (another connection mid-step) before it is an error, ms. */
export const FENCE_BUSY_LIMIT_MS = 10_000;

export interface FenceRecordOptions {
  /** Called with the fsyncs each write transaction made (the cell's I/O cost counts them). */
  countFsyncs?(n: number): void;
  busyLimitMs?: number;
}

const isBusy = (error: unknown) => (error as { code?: string }).code === 'SQLITE_BUSY';

/**
 * The destination's side of fencing: per lock name, the highest token any grant has announced, kept
 * durably beside the data (state/locks/<name>.fence.sqlite, synchronous=FULL). A plain file system has
 * no conditional rename, so the check and the commit are made atomic with respect to every other
 * holder by holding the record's write lock (SQLite `BEGIN IMMEDIATE`, a kernel lock: held while its
 * holder is paused, freed when it dies) from the check until the commit step is done.
 *
 * Why announce at grant time and not only compare at commit: a read-modify-write reads before it
 * commits. If tokens were compared only at commit, a paused holder (token 5) could commit after its
 * successor (token 6) had read main but before the successor committed; 5 would pass, and 6 would then
 * publish a main without 5's rows. Announcing 6 before the successor reads makes 5's late commit fail.
 */
export function fenceRecord(dir: string, options: FenceRecordOptions = {}) {
  const busyLimitMs = options.busyLimitMs ?? FENCE_BUSY_LIMIT_MS;
  const databases = new Map<string, Promise<Database.Database>>();

  /**
   * Runs `step`, again while SQLite says busy: a contender's `BEGIN IMMEDIATE` holds a shared lock for
   * an instant, and a COMMIT (which needs the exclusive one) or a schema read meeting it fails with
   * SQLITE_BUSY though nothing is wrong. Retried for `limitMs`, then a clear error.
   */
  async function whileBusy<T>(name: string, what: string, step: () => T, limitMs = busyLimitMs): Promise<T> {
    const started = Date.now();
    for (let pollMs = 1; ; pollMs = Math.min(pollMs * 2, 25)) {
      try {
        return step();
      } catch (error) {
        if (!isBusy(error)) throw error;
        if (Date.now() - started >= limitMs) {
          throw new ChaosError('E_LOCK_TIMEOUT', `fence record '${name}': SQLite stayed busy at ${what} for ${limitMs} ms`, {
            option: 'fence record', value: join(dir, `${name}.fence.sqlite`), expected: `SQLite free within ${limitMs} ms`, cause: error,
          });
        }
        await sleep(pollMs * (0.5 + Math.random()));
      }
    }
  }

  /**
   * Runs `body` holding the record's write lock. Taking it has no time limit: the holder is another
   * process's short check-and-commit, which ends, or dies (freeing the lock), or is paused and resumes.
   * `body` says whether it wrote (a write transaction costs FENCE_FSYNCS_PER_WRITE fsyncs).
   */
  async function locked<T>(name: string, body: (db: Database.Database, highest: number) => Promise<{ result: T; wrote: boolean }>): Promise<T> {
    const db = await open(name);
    return inTransaction(name, db, async () => {
      const row = db.prepare('SELECT token FROM fence WHERE id = 1').get() as { token: number } | undefined;
      return body(db, row?.token ?? 0);
    });
  }

  /** Runs `body` in a write transaction (BEGIN IMMEDIATE … COMMIT) and counts its fsyncs when it wrote. */
  async function inTransaction<T>(name: string, db: Database.Database, body: () => Promise<{ result: T; wrote: boolean }>): Promise<T> {
    await whileBusy(name, 'BEGIN IMMEDIATE', () => db.exec('BEGIN IMMEDIATE'), Infinity);
    let outcome: { result: T; wrote: boolean };
    try {
      outcome = await body();
      // A COMMIT that finds the record busy leaves the transaction open: it can be tried again.
      await whileBusy(name, 'COMMIT', () => db.exec('COMMIT'));
    } catch (error) {
      if (db.inTransaction) db.exec('ROLLBACK');
      throw error;
    }
    if (outcome.wrote) options.countFsyncs?.(FENCE_FSYNCS_PER_WRITE);
    return outcome.result;
  }

  function open(name: string): Promise<Database.Database> {
    let db = databases.get(name);
    if (!db) {
      db = create(name);
      databases.set(name, db);
    }
    return db;
  }

  async function create(name: string): Promise<Database.Database> {
    // timeout 0: never busy-wait inside SQLite (it would block this process's event loop); we poll.
    const opened = new Database(join(dir, `${name}.fence.sqlite`), { timeout: 0 });
    opened.pragma('synchronous = FULL');
    // One row, the highest token announced: a check reads one row, not every grant so far. Made under
    // the write lock, so that only the process that creates it counts its fsyncs.
    await inTransaction(name, opened, async () => {
      if (opened.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'fence'").get()) return { result: undefined, wrote: false };
      opened.exec('CREATE TABLE fence (id INTEGER PRIMARY KEY CHECK (id = 1), token INTEGER NOT NULL)');
      return { result: undefined, wrote: true };
    });
    return opened;
  }

  return {
    /** Records `token` as the latest grant (durably), unless a later one was announced already. */
    announce: (name: string, token: number) => locked(name, async (db, highest) => {
      if (token <= highest) return { result: undefined, wrote: false };
      db.prepare('INSERT INTO fence (id, token) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET token = excluded.token').run(token);
      return { result: undefined, wrote: true };
    }),
    /** Runs `commit` only if no grant later than `token` has been announced, atomically with respect to other holders. */
    commitIfCurrent: <T>(name: string, token: number, commit: () => Promise<T>): Promise<FencedOutcome<T>> =>
      locked(name, async (_db, highest): Promise<{ result: FencedOutcome<T>; wrote: boolean }> => ({
        result: highest > token ? { refused: true, current: highest } : { refused: false, value: await commit() },
        wrote: false,
      })),
  };
}
