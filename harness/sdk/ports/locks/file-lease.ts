import { open, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import lockfile from 'proper-lockfile';
import { unfenced, type LockBackendFactory, type LockStats } from '../lock.js';

/** Never let proper-lockfile take a stale lock over on its own: its stat → rmdir → mkdir is a race. */
const LIBRARY_STALE_MS = 2 ** 31 - 1;

/** Which lock directory this is: a directory made again after a takeover differs in inode or birth time. */
async function identity(path: string): Promise<string | undefined> {
  try {
    const s = await stat(path, { bigint: true });
    return `${s.ino}/${s.birthtimeNs}`;
  } catch {
    return undefined;
  }
}

/**
 * A lease over proper-lockfile (mkdir-based, refreshed by the holder, works across processes).
 *
 * Stale takeover is ours, not the library's. When a holder is SIGKILLed, every waiter sees the lock go
 * stale at about the same moment; in proper-lockfile each then removes the lock directory and creates
 * it again, and a late remover deletes the lock an early one just took: two holders, lost updates (the
 * checker caught exactly that in CI). Here a takeover first creates a guard file exclusively, checks
 * staleness again under it, and only then removes the dead holder's lock.
 *
 * Release is guarded too: a holder paused past the stale time has lost its lock to a successor, and
 * proper-lockfile's unlock is an unconditional rmdir that would remove the successor's lock. Under the
 * same guard, release removes the lock directory only if it is still the one this holder made.
 */
export const fileLease: LockBackendFactory = ({ dir, staleMs, stats }) => {
  const isStale = async (path: string) => {
    try {
      return (await stat(path)).mtimeMs < Date.now() - staleMs;
    } catch {
      return false;
    }
  };

  /** Runs `body` holding `target.takeover` (created exclusively); undefined when another process holds it. */
  async function underGuard<T>(target: string, body: () => Promise<T>): Promise<T | undefined> {
    const guard = `${target}.takeover`;
    let handle;
    try {
      handle = await open(guard, 'wx');
    } catch {
      // A guard left by a taker that died is itself stale after staleMs.
      if (await isStale(guard)) await rm(guard, { force: true });
      return undefined;
    }
    try {
      return await body();
    } finally {
      await handle.close();
      await rm(guard, { force: true });
    }
  }

  /** Removes a dead (or paused) holder's lock, one taker at a time; true when it did. */
  async function takeOverIfStale(target: string): Promise<boolean> {
    if (!(await isStale(`${target}.lock`))) return false;
    return (await underGuard(target, async () => {
      if (!(await isStale(`${target}.lock`))) return false;
      await rm(`${target}.lock`, { recursive: true, force: true });
      stats.staleTakeovers++;
      return true;
    })) ?? false;
  }

  async function tryLock(target: string) {
    // Counted once per held lock, whether the library's refresh or our release notices first.
    let compromised = false;
    const noticeCompromise = (s: LockStats) => {
      if (!compromised) s.compromised++;
      compromised = true;
    };
    try {
      const release = await lockfile.lock(target, {
        realpath: false,
        lockfilePath: `${target}.lock`,
        stale: LIBRARY_STALE_MS,
        // The holder refreshes the lock's mtime this often; a lock older than staleMs is a dead holder's.
        update: staleMs / 2,
        retries: 0,
        // Default behaviour throws from a timer (an uncaught crash); we record it instead and let the
        // checker judge what the double holder did to the data.
        onCompromised: () => noticeCompromise(stats),
      });
      return { release, compromised: () => compromised, noticeCompromise: () => noticeCompromise(stats) };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ELOCKED') return undefined;
      throw error;
    }
  }

  return {
    async tryLock(name) {
      const target = join(dir, name);
      const held = (await tryLock(target)) ?? ((await takeOverIfStale(target)) ? await tryLock(target) : undefined);
      if (!held) return undefined;
      const mine = await identity(`${target}.lock`);
      const release = async () => {
        for (;;) {
          const done = await underGuard(target, async () => {
            if (!held.compromised() && (await identity(`${target}.lock`)) !== mine) held.noticeCompromise();
            if (held.compromised()) return true; // a successor's lock: leave it
            try {
              await held.release();
            } catch (error) {
              // The library noticed the takeover first: nothing of ours to remove.
              if ((error as NodeJS.ErrnoException).code !== 'ERELEASED' && (error as NodeJS.ErrnoException).code !== 'ENOTACQUIRED') throw error;
            }
            return true;
          });
          if (done) return;
          await new Promise((resume) => setTimeout(resume, 1));
        }
      };
      return { release, commit: unfenced };
    },
  };
};
