import { ChaosError } from '../sdk/errors.js';
import { emptyLockStats, lockPort, unfenced, type Grant, type LockPort, type LockStats, type Release } from '../sdk/ports/lock.js';
import { lockBackends, type LockKind } from '../sdk/ports/locks/index.js';
import type { SimProcess, SimWorld } from './world.js';

/**
 * What survives a paused or killed holder decides a lock's kind (DESIGN §5), read from the real lock
 * backends' registry:
 * - `lease` (proper-lockfile with a guarded stale takeover, or the Redis lease): a holder paused or dead
 *   for `staleMs` loses it to the next waiter, and a paused one that resumes carries on as if it still
 *   held it (its release then finds the lock taken: compromised);
 * - `kernel` (fcntl/flock): held while the holder is paused, freed the moment it dies.
 * A fenced backend's grants also announce their token to the lock's fence record, and their commit runs
 * only while no later grant was announced (checked under the record's own kernel lock, as for real).
 * A checked backend's commit is a step that finds whether the lease is still its grant's (refused with
 * E_LEASE_LOST if not), then the publish: a pause between the two is the gap fencing closes.
 * Live holders keep their leases (both real leases are renewed while held).
 */
export type SimLockKind = LockKind;

export interface SimLockConfig {
  /** The kind of an acquisition that names no backend; a named backend has its registry's kind. */
  kind: SimLockKind;
  staleMs: number;
  defaultTimeoutMs: number;
}

interface Holding {
  holder: SimProcess;
  token: number;
  kind: SimLockKind;
}

/** How one acquisition behaves: its lock's kind, and whether its taker sees (and counts) a stale takeover. */
interface TakeKind {
  kind: SimLockKind;
  seesTakeovers: boolean;
}

/** The named locks of one simulated machine. */
export class SimLocks {
  readonly held = new Map<string, Holding>();
  /** Per lock name, the highest token announced to its fence record: durable, so a power loss keeps it. */
  readonly fences = new Map<string, number>();
  /** Holders that found, releasing, that their lease had been taken over (every process's `compromised`). */
  leasesLost = 0;
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
  const { config, world } = locks;
  // The fence record's own lock is the destination's, not the strategy's: its waits are not lock stats.
  const fenceLock = async (name: string) => (await take(locks, proc, `${name}#fence`, { kind: 'kernel', seesTakeovers: false }, config.defaultTimeoutMs, emptyLockStats())).release;

  async function fencedGrant(name: string, release: Release, token: number): Promise<Grant> {
    const announced = await fenceLock(name);
    locks.fences.set(name, Math.max(locks.fences.get(name) ?? 0, token));
    await announced();
    return {
      release,
      async commit(publish) {
        const held = await fenceLock(name);
        try {
          const current = locks.fences.get(name) ?? 0;
          if (current > token) {
            throw new ChaosError('E_FENCED', `commit under lock '${name}' refused: token ${token} superseded by ${current}`, {
              option: 'fencing token', value: token, expected: `at least ${current}`,
            });
          }
          return await publish();
        } finally {
          await held();
        }
      },
    };
  }

  /** The lease checked by its token at commit, one step before the publish. */
  const checkedCommit = (name: string, holding: Holding): Grant['commit'] => async (publish) => {
    await world.step(proc, 'lease check', name);
    if (locks.held.get(name) !== holding) {
      throw new ChaosError('E_LEASE_LOST', `commit under lock '${name}' refused: the lease of token ${holding.token} was gone`, {
        option: 'lease token', value: holding.token, expected: 'the lease still held by this grant at commit',
      });
    }
    return publish();
  };

  return lockPort({
    stats,
    async grant(name, options = {}) {
      const timeoutMs = options.timeoutMs ?? config.defaultTimeoutMs;
      const backend = options.backend && lockBackends[options.backend];
      // No backend named: the default lease is the file lease, which sees its takeovers.
      const how = backend ?? { kind: config.kind, seesTakeovers: config.kind === 'lease' };
      const { release, holding } = await take(locks, proc, name, how, timeoutMs, stats);
      if (backend?.fenced) return fencedGrant(name, release, locks.token());
      return { release, commit: backend?.checked ? checkedCommit(name, holding) : unfenced };
    },
    observeWait(ms, outcome) {
      stats.waitsMs.push(ms);
      if (outcome === 'acquired') stats.acquisitions++;
      else stats.timeouts++;
    },
  });
}

/** Waits (in scheduled steps) until `proc` holds `name`, taking a lease over from a paused or dead holder. */
async function take(locks: SimLocks, proc: SimProcess, name: string, { kind, seesTakeovers }: TakeKind, timeoutMs: number, stats: LockStats): Promise<{ release: Release; holding: Holding }> {
  const { world } = locks;
  const started = world.now;
  for (;;) {
    await world.step(proc, 'lock', name);
    const h = locks.held.get(name);
    const takeableAt = h && locks.takeableAt(h);
    if (!h || (takeableAt !== undefined && takeableAt <= world.now)) {
      // A Redis lease expires unseen: its taker cannot tell it from a released one (test/slow/lock-conformance).
      if (h && h.kind === 'lease' && seesTakeovers) stats.staleTakeovers++;
      const mine: Holding = { holder: proc, token: locks.token(), kind };
      locks.held.set(name, mine);
      stats.acquisitions++;
      stats.waitsMs.push(world.now - started);
      const release = async () => {
        await world.step(proc, 'unlock', name);
        if (locks.held.get(name) !== mine) {
          // Taken over while this holder was paused: it wrote without holding the lock.
          stats.compromised++;
          locks.leasesLost++;
          return;
        }
        locks.held.delete(name);
        locks.changed(name);
      };
      return { release, holding: mine };
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
}
