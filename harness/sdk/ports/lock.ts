import { mkdirSync } from 'node:fs';
import { open, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import lockfile from 'proper-lockfile';
import { ChaosError } from '../errors.js';
import type { ClockPort } from './clock.js';

export interface LockStats {
  acquisitions: number;
  /** Wait per acquisition attempt (successful or timed out), in ms. */
  waitsMs: number[];
  timeouts: number;
  /** Times this process learnt that a lock it held had been taken over (proper-lockfile "compromised"). */
  compromised: number;
  /** Times this process removed a stale lock (a dead or paused holder's) before taking it. */
  staleTakeovers: number;
}

export interface AcquireOptions {
  /** Give up after this long; default: wait as long as the lock port's default timeout. */
  timeoutMs?: number;
}

export type Release = () => Promise<void>;

export interface LockPort {
  readonly stats: LockStats;
  /** Blocks until the named lock is held; throws ChaosError E_LOCK_TIMEOUT after the timeout. */
  acquire(name: string, options?: AcquireOptions): Promise<Release>;
  /** Runs `fn` holding the named lock (acquired as `acquire` does) and releases it however `fn` ends. */
  withLock<T>(name: string, fn: () => Promise<T>, options?: AcquireOptions): Promise<T>;
  /** For strategies whose waits happen elsewhere (e.g. SQLite busy waits): counted as lock waits. */
  observeWait(ms: number, outcome: 'acquired' | 'timeout'): void;
}

export interface LockConfig {
  /** Directory holding the lock files (under the cell's state/). */
  dir: string;
  /** proper-lockfile's stale time: a lock not refreshed for this long may be taken over (>= 2000). */
  staleMs: number;
  defaultTimeoutMs: number;
}

export function emptyLockStats(): LockStats {
  return { acquisitions: 0, waitsMs: [], timeouts: 0, compromised: 0, staleTakeovers: 0 };
}

/** A lock port from its primitives: every backend gets the same `withLock` around its `acquire`. */
export function lockPort(primitives: Omit<LockPort, 'withLock'>): LockPort {
  return {
    ...primitives,
    async withLock(name, fn, options) {
      const release = await primitives.acquire(name, options);
      try {
        return await fn();
      } finally {
        await release();
      }
    },
  };
}

/** Never let proper-lockfile take a stale lock over on its own: its stat → rmdir → mkdir is a race. */
const LIBRARY_STALE_MS = 2 ** 31 - 1;

/**
 * A lock port over proper-lockfile (mkdir-based, works across processes). We poll with our own short,
 * jittered interval instead of the library's exponential retries, which cap contended throughput at
 * ~200 locks/s on this machine; the wait each caller sees is what we measure.
 *
 * Stale takeover is ours, not the library's. When a holder is SIGKILLed, every waiter sees the lock go
 * stale at about the same moment; in proper-lockfile each then removes the lock directory and creates
 * it again, and a late remover deletes the lock an early one just took: two holders, lost updates (the
 * checker caught exactly that in CI). Here a takeover first creates a guard file exclusively, checks
 * staleness again under it, and only then removes the dead holder's lock.
 */
export function createLockPort(config: LockConfig, clock: ClockPort): LockPort {
  mkdirSync(config.dir, { recursive: true });
  const stats = emptyLockStats();

  async function tryLock(target: string): Promise<Release | undefined> {
    try {
      return await lockfile.lock(target, {
        realpath: false,
        lockfilePath: `${target}.lock`,
        stale: LIBRARY_STALE_MS,
        // The holder refreshes the lock's mtime this often; a lock older than staleMs is a dead holder's.
        update: config.staleMs / 2,
        retries: 0,
        // Default behaviour throws from a timer (an uncaught crash); we record it instead and let the
        // checker judge what the double holder did to the data.
        onCompromised: () => {
          stats.compromised++;
        },
      });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ELOCKED') return undefined;
      throw error;
    }
  }

  const isStale = async (path: string) => {
    try {
      return (await stat(path)).mtimeMs < Date.now() - config.staleMs;
    } catch {
      return false;
    }
  };

  /** Removes a dead holder's lock, one taker at a time; true when it did. */
  async function takeOverIfStale(target: string): Promise<boolean> {
    const lock = `${target}.lock`;
    const guard = `${target}.takeover`;
    if (!(await isStale(lock))) return false;
    let handle;
    try {
      handle = await open(guard, 'wx');
    } catch {
      // Another process is taking over; a guard left by a taker that died is itself stale after staleMs.
      if (await isStale(guard)) await rm(guard, { force: true });
      return false;
    }
    try {
      if (!(await isStale(lock))) return false;
      await rm(lock, { recursive: true, force: true });
      stats.staleTakeovers++;
      return true;
    } finally {
      await handle.close();
      await rm(guard, { force: true });
    }
  }

  return lockPort({
    stats,
    async acquire(name, options = {}) {
      const target = join(config.dir, name);
      const timeoutMs = options.timeoutMs ?? config.defaultTimeoutMs;
      const started = clock.now();
      let pollMs = 1;
      for (;;) {
        const release = (await tryLock(target)) ?? ((await takeOverIfStale(target)) ? await tryLock(target) : undefined);
        const waited = clock.now() - started;
        if (release) {
          stats.acquisitions++;
          stats.waitsMs.push(waited);
          return async () => {
            try {
              await release();
            } catch (error) {
              // Releasing a lock that was taken over fails; that is already counted as compromised.
              if ((error as NodeJS.ErrnoException).code !== 'ERELEASED' && (error as NodeJS.ErrnoException).code !== 'ENOTACQUIRED') throw error;
            }
          };
        }
        if (waited >= timeoutMs) {
          stats.timeouts++;
          stats.waitsMs.push(waited);
          throw new ChaosError('E_LOCK_TIMEOUT', `lock '${name}' not acquired within ${timeoutMs} ms`, {
            option: 'lock timeout', value: timeoutMs, expected: 'the lock to be free within the timeout',
          });
        }
        await clock.sleep(pollMs * (0.5 + Math.random()));
        pollMs = Math.min(pollMs * 2, 25);
      }
    },
    observeWait(ms, outcome) {
      stats.waitsMs.push(ms);
      if (outcome === 'acquired') stats.acquisitions++;
      else stats.timeouts++;
    },
  });
}
