import { ChaosError } from '../sdk/errors.js';
import { emptyLockStats, lockPort, type LockPort, type Release } from '../sdk/ports/lock.js';
import type { SimProcess, SimWorld } from './world.js';

/**
 * What survives a paused or killed holder decides a lock's kind (DESIGN §5):
 * - `lease` (the real port: proper-lockfile with a guarded stale takeover): the holder keeps it fresh
 *   while it runs; a holder paused or dead for `staleMs` loses it to the next waiter, and a paused one
 *   that resumes carries on as if it still held it (its release then finds the lock taken: compromised);
 * - `kernel` (fcntl/flock): held while the holder is paused, freed the moment it dies.
 */
export type SimLockKind = 'lease' | 'kernel';

export interface SimLockConfig {
  /** The kind of an acquisition that names no backend; `backend: 'file'` is a lease, `'fcntl'` a kernel lock. */
  kind: SimLockKind;
  staleMs: number;
  defaultTimeoutMs: number;
}

interface Holding {
  holder: SimProcess;
  token: number;
  kind: SimLockKind;
}

/** The named locks of one simulated machine. */
export class SimLocks {
  readonly held = new Map<string, Holding>();
  private nextToken = 1;

  constructor(readonly world: SimWorld, readonly config: SimLockConfig) {}

  token(): number {
    return this.nextToken++;
  }

  /** When a holding can be taken from its holder (undefined: not while things stay as they are). */
  takeableAt(h: Holding): number | undefined {
    const { holder } = h;
    if (holder.status !== 'alive') return h.kind === 'kernel' ? this.world.now : (holder.diedAt ?? this.world.now) + this.config.staleMs;
    if (h.kind === 'lease' && holder.pausedUntil !== undefined && holder.pausedUntil > this.world.now) {
      return (holder.pausedAt ?? this.world.now) + this.config.staleMs;
    }
    return undefined;
  }

  /** A holder died, paused or released: waiters look again. */
  changed(name?: string): void {
    for (const n of name === undefined ? [...this.held.keys()] : [name]) this.world.notify(`lock:${n}`);
  }

  /** A power loss: every lock is gone (a reboot outlasts any lease, and kernel locks die with the kernel). */
  clear(): void {
    this.held.clear();
  }
}

/** The lock port of one simulated process: acquisition attempts and releases are scheduled steps. */
export function createSimLockPort(locks: SimLocks, proc: SimProcess): LockPort {
  const stats = emptyLockStats();
  const { world, config } = locks;
  return lockPort({
    stats,
    async acquire(name, options = {}) {
      const timeoutMs = options.timeoutMs ?? config.defaultTimeoutMs;
      // The real port's backends by what survives a paused or dead holder (harness/sdk/ports/locks/).
      const kind: SimLockKind = options.backend === 'fcntl' ? 'kernel' : options.backend === 'file' ? 'lease' : config.kind;
      const started = world.now;
      for (;;) {
        await world.step(proc, 'lock', name);
        const h = locks.held.get(name);
        const takeableAt = h && locks.takeableAt(h);
        if (!h || (takeableAt !== undefined && takeableAt <= world.now)) {
          if (h && h.kind === 'lease') stats.staleTakeovers++;
          const mine: Holding = { holder: proc, token: locks.token(), kind };
          locks.held.set(name, mine);
          stats.acquisitions++;
          stats.waitsMs.push(world.now - started);
          const release: Release = async () => {
            await world.step(proc, 'unlock', name);
            if (locks.held.get(name) !== mine) {
              // Taken over while this holder was paused: it wrote without holding the lock.
              stats.compromised++;
              return;
            }
            locks.held.delete(name);
            locks.changed(name);
          };
          return release;
        }
        const waited = world.now - started;
        if (waited >= timeoutMs) {
          stats.timeouts++;
          stats.waitsMs.push(waited);
          throw new ChaosError('E_LOCK_TIMEOUT', `lock '${name}' not acquired within ${timeoutMs} ms`, {
            option: 'lock timeout', value: timeoutMs, expected: 'the lock to be free within the timeout',
          });
        }
        await world.waitUntil(proc, Math.min(started + timeoutMs, takeableAt ?? Infinity), `lock:${name}`);
      }
    },
    observeWait(ms, outcome) {
      stats.waitsMs.push(ms);
      if (outcome === 'acquired') stats.acquisitions++;
      else stats.timeouts++;
    },
  });
}
