import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import Database from 'better-sqlite3';

export type FencedOutcome<T> = { refused: false; value: T } | { refused: true; current: number };

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
export function fenceRecord(dir: string) {
  const databases = new Map<string, Database.Database>();
  const open = (name: string) => {
    let db = databases.get(name);
    if (!db) {
      // timeout 0: never busy-wait inside SQLite (it would block this process's event loop); we poll.
      db = new Database(join(dir, `${name}.fence.sqlite`), { timeout: 0 });
      db.pragma('synchronous = FULL');
      // One row, the highest token announced: a check reads one row, not every grant so far.
      db.exec('CREATE TABLE IF NOT EXISTS fence (id INTEGER PRIMARY KEY CHECK (id = 1), token INTEGER NOT NULL)');
      databases.set(name, db);
    }
    return db;
  };

  /**
   * Runs `body` holding the record's write lock. No timeout: the holder is another process's short
   * check-and-commit, which ends, or dies (freeing the lock), or is paused and resumes.
   */
  async function locked<T>(name: string, body: (highest: number) => Promise<T>): Promise<T> {
    const db = open(name);
    for (let pollMs = 1; ; pollMs = Math.min(pollMs * 2, 25)) {
      try {
        db.exec('BEGIN IMMEDIATE');
        break;
      } catch (error) {
        if ((error as { code?: string }).code !== 'SQLITE_BUSY') throw error;
        await sleep(pollMs * (0.5 + Math.random()));
      }
    }
    try {
      const row = db.prepare('SELECT token FROM fence WHERE id = 1').get() as { token: number } | undefined;
      const result = await body(row?.token ?? 0);
      db.exec('COMMIT');
      return result;
    } catch (error) {
      db.exec('ROLLBACK');
      throw error;
    }
  }

  return {
    /** Records `token` as the latest grant (durably), unless a later one was announced already. */
    announce: (name: string, token: number) => locked(name, async (highest) => {
      if (token > highest) open(name).prepare('INSERT INTO fence (id, token) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET token = excluded.token').run(token);
    }),
    /** Runs `commit` only if no grant later than `token` has been announced, atomically with respect to other holders. */
    commitIfCurrent: <T>(name: string, token: number, commit: () => Promise<T>): Promise<FencedOutcome<T>> =>
      locked(name, async (highest) => (highest > token ? { refused: true, current: highest } : { refused: false, value: await commit() })),
  };
}
