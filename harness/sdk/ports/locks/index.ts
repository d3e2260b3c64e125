import type { LockBackendFactory } from '../lock.js';
import { fcntlLock } from './fcntl.js';
import { fileLease } from './file-lease.js';

/**
 * Every lock backend, by the name strategies take as their `lock=` option. A new backend joins with
 * one file and one line here. Named by what survives a paused or killed holder:
 * - `file`: a lease (proper-lockfile's mkdir lock, refreshed while held). A holder paused past the stale
 *   time loses it while it still thinks it holds it; a SIGKILLed holder blocks everyone for the stale time.
 * - `fcntl`: a kernel lock (a POSIX record lock, through SQLite's locking of a lock database). Held for
 *   as long as the holder lives, paused or not; freed by the kernel the instant the holder dies.
 */
export const lockBackends = {
  file: fileLease,
  fcntl: fcntlLock,
} satisfies Record<string, LockBackendFactory>;

export type LockBackendName = keyof typeof lockBackends;

export const lockBackendNames = Object.keys(lockBackends) as LockBackendName[];
