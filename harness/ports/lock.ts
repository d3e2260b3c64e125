import { mkdirSync } from 'node:fs';
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
  return { acquisitions: 0, waitsMs: [], timeouts: 0, compromised: 0 };
}

/**
 * A lock port over proper-lockfile (mkdir-based, works across processes). We poll with our own short,
 * jittered interval instead of the library's exponential retries, which cap contended throughput at
 * ~200 locks/s on this machine; the wait each caller sees is what we measure.
 */
export function createLockPort(config: LockConfig, clock: ClockPort): LockPort {
  mkdirSync(config.dir, { recursive: true });
  const stats = emptyLockStats();

  async function tryLock(target: string): Promise<Release | undefined> {
    try {
      return await lockfile.lock(target, {
        realpath: false,
        lockfilePath: `${target}.lock`,
        stale: config.staleMs,
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

  return {
    stats,
    async acquire(name, options = {}) {
      const target = join(config.dir, name);
      const timeoutMs = options.timeoutMs ?? config.defaultTimeoutMs;
      const started = clock.now();
      let pollMs = 1;
      for (;;) {
        const release = await tryLock(target);
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
  };
}
