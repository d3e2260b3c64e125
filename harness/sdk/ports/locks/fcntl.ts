import { join } from 'node:path';
import Database from 'better-sqlite3';
import { unfenced, type LockBackendFactory } from '../lock.js';

/**
 * A kernel lock: `BEGIN EXCLUSIVE` on an (empty) SQLite database per lock name takes a POSIX fcntl
 * write lock on its file. The kernel keeps it while the holder is stopped and drops it when the holder
 * dies, so there is no lease to expire and no stale time to wait out. SQLite also keeps two
 * connections of one process apart (fcntl locks alone are per process). Chosen over fs-ext (flock)
 * and os-lock (fcntl) by measurement (README, "Lock backends"): as fast for our use, and no extra
 * native module, since better-sqlite3 is already the queue's.
 */
export const fcntlLock: LockBackendFactory = ({ dir }) => {
  const databases = new Map<string, Database.Database>();
  const open = (name: string) => {
    let db = databases.get(name);
    if (!db) {
      // timeout 0: never wait inside SQLite (a synchronous busy wait); the lock port polls instead.
      db = new Database(join(dir, `${name}.fcntl.sqlite`), { timeout: 0 });
      databases.set(name, db);
    }
    return db;
  };
  return {
    async tryLock(name) {
      const db = open(name);
      if (db.inTransaction) return undefined; // held by this very port
      try {
        db.exec('BEGIN EXCLUSIVE');
      } catch (error) {
        if ((error as { code?: string }).code === 'SQLITE_BUSY') return undefined;
        throw error;
      }
      return {
        release: async () => {
          db.exec('COMMIT');
        },
        commit: unfenced,
      };
    },
  };
};
