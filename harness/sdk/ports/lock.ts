import { mkdirSync } from 'node:fs';
import { badValue, ChaosError } from '../errors.js';
import type { ClockPort } from './clock.js';
import type { IoCounters } from './io.js';
import type { ServiceEndpoints } from '../services.js';
import { lockBackendNames, lockBackends, type LockBackendName } from './locks/index.js';

export interface LockStats {
  acquisitions: number;
  /** Wait per acquisition attempt (successful or timed out), in ms. */
  waitsMs: number[];
  timeouts: number;
  /** Times this process learnt that a lock it held had been taken over (a lease that expired under it). */
  compromised: number;
  /** Times this process removed a stale lock (a dead or paused holder's) before taking it. */
  staleTakeovers: number;
}

export interface AcquireOptions {
  /** Give up after this long; default: wait as long as the lock port's default timeout. */
  timeoutMs?: number;
  /** Which lock backend (default `file`, the lease); see locks/index.ts. */
  backend?: LockBackendName;
}

export type Release = () => Promise<void>;

/** One holding of a named lock. */
export interface Grant {
  release: Release;
  /**
   * Runs the destination's commit step (e.g. the rename that publishes main). For a fenced backend it
   * runs only if no later grant of this lock has been announced to the destination, checked and run
   * atomically with respect to every other holder; otherwise it throws ChaosError `E_FENCED` and `publish`
   * never runs. A checked lease (`redis`) first renews its lease by token and throws `E_LEASE_LOST` when
   * it is gone (not atomic with `publish`). For any other backend it simply runs `publish`.
   */
  commit<T>(publish: () => Promise<T>): Promise<T>;
}

/**
 * A commit a lock refused (E_FENCED: a later grant reached the destination; E_LEASE_LOST: the lease was
 * gone at commit): nothing was published, and the holder may redo its work under a new grant.
 */
export function isRefusedCommit(error: unknown): boolean {
  const code = (error as { code?: unknown } | undefined)?.code;
  return code === 'E_FENCED' || code === 'E_LEASE_LOST';
}

/** A grant's commit for backends the destination cannot check: the commit just runs. */
export const unfenced = <T>(publish: () => Promise<T>): Promise<T> => publish();

/** The point marked when a lock is acquired (a harness point, not a strategy's): a fault there hits a holder. */
export const LOCK_ACQUIRED = 'lock:acquired';

export interface LockPort {
  readonly stats: LockStats;
  /** Blocks until the named lock is held; throws ChaosError E_LOCK_TIMEOUT after the timeout. */
  acquire(name: string, options?: AcquireOptions): Promise<Release>;
  /** Like `acquire`, with the grant's commit step for a destination that checks fencing tokens. */
  grant(name: string, options?: AcquireOptions): Promise<Grant>;
  /** Runs `fn` holding the named lock (acquired as `grant` does) and releases it however `fn` ends. */
  withLock<T>(name: string, fn: (grant: Grant) => Promise<T>, options?: AcquireOptions): Promise<T>;
  /** For strategies whose waits happen elsewhere (e.g. SQLite busy waits): counted as lock waits. */
  observeWait(ms: number, outcome: 'acquired' | 'timeout'): void;
}

export interface LockConfig {
  /** Directory holding the lock files (under the cell's state/). */
  dir: string;
  /** A lease's stale time: a lock not refreshed for this long may be taken over (>= 2000). */
  staleMs: number;
  defaultTimeoutMs: number;
  /** Called with the lock held, before acquire() returns (the `lock:acquired` point of fault injection). */
  onAcquired?(name: string): Promise<void> | void;
  /** The cell's services (a Redis backend needs the cell's Redis); none for file and kernel locks. */
  services?: ServiceEndpoints;
  log?(message: string): void;
  count?(name: string, n?: number): void;
  /** The process's I/O counters: a backend's own durable writes (the fence record's fsyncs) are added to them. */
  ioCounters?: IoCounters;
}

/**
 * What a lock backend gets: where its files go, the lease time, the stats to count takeovers in, the
 * cell's services, and the process's log and counters.
 */
export interface LockBackendEnv {
  dir: string;
  staleMs: number;
  stats: LockStats;
  services: ServiceEndpoints;
  log(message: string): void;
  count(name: string, n?: number): void;
  /** Adds fsyncs the backend made itself, outside the I/O port, to the process's I/O cost. */
  countFsyncs(n: number): void;
}

/** A way of holding a named lock across processes. The port polls `tryLock` and measures the waits. */
export interface LockBackend {
  /** One try, without waiting: the grant when the lock was taken, undefined when it is held elsewhere. */
  tryLock(name: string): Promise<Grant | undefined>;
}

export type LockBackendFactory = (env: LockBackendEnv) => LockBackend;

export function emptyLockStats(): LockStats {
  return { acquisitions: 0, waitsMs: [], timeouts: 0, compromised: 0, staleTakeovers: 0 };
}

/** A lock port from its primitives: every backend gets the same `acquire` and `withLock` around its `grant`. */
export function lockPort(primitives: Omit<LockPort, 'withLock' | 'acquire'>): LockPort {
  return {
    ...primitives,
    acquire: async (name, options) => (await primitives.grant(name, options)).release,
    async withLock(name, fn, options) {
      const grant = await primitives.grant(name, options);
      try {
        return await fn(grant);
      } finally {
        await grant.release();
      }
    },
  };
}

/**
 * The lock port: named locks over a registered backend (a lease by default, a kernel lock on request),
 * polled with a short, jittered interval (the libraries' own exponential retries cap contended
 * throughput at ~200 locks/s on this machine); the wait each caller sees is what we measure.
 */
export function createLockPort(config: LockConfig, clock: ClockPort): LockPort {
  mkdirSync(config.dir, { recursive: true });
  const stats = emptyLockStats();
  const opened = new Map<LockBackendName, LockBackend>();
  const backend = (name: LockBackendName): LockBackend => {
    let found = opened.get(name);
    if (!found) {
      const factory = (lockBackends as Record<string, { open: LockBackendFactory }>)[name]?.open;
      if (!factory) throw badValue('E_BAD_OPTION', 'lock backend', name, `one of: ${lockBackendNames.join(', ')}`);
      found = factory({
        dir: config.dir, staleMs: config.staleMs, stats, services: config.services ?? {},
        log: config.log ?? (() => {}), count: config.count ?? (() => {}),
        countFsyncs: (n) => {
          if (config.ioCounters) config.ioCounters.fsyncs += n;
        },
      });
      opened.set(name, found);
    }
    return found;
  };

  return lockPort({
    stats,
    async grant(name, options = {}) {
      const locks = backend(options.backend ?? 'file');
      const timeoutMs = options.timeoutMs ?? config.defaultTimeoutMs;
      const started = clock.now();
      let pollMs = 1;
      for (;;) {
        const grant = await locks.tryLock(name);
        const waited = clock.now() - started;
        if (grant) {
          stats.acquisitions++;
          stats.waitsMs.push(waited);
          await config.onAcquired?.(name);
          return grant;
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
