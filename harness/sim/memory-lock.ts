import { emptyLockStats, lockPort, type LockPort, type Release } from '../sdk/ports/lock.js';

/** Named in-memory mutexes shared by simulated processes: FIFO, no polling, no stale takeover. */
export class MemoryLocks {
  readonly queues = new Map<string, (() => void)[]>();
  readonly held = new Set<string>();
}

/** The lock port over MemoryLocks (waits are counted, in no particular unit: simulated time does not pass). */
export function createMemoryLockPort(locks: MemoryLocks): LockPort {
  const stats = emptyLockStats();
  return lockPort({
    stats,
    async acquire(name) {
      if (locks.held.has(name)) {
        await new Promise<void>((resume) => locks.queues.set(name, [...(locks.queues.get(name) ?? []), resume]));
      }
      locks.held.add(name);
      stats.acquisitions++;
      stats.waitsMs.push(0);
      const release: Release = async () => {
        const next = locks.queues.get(name)?.shift();
        if (next) next();
        else locks.held.delete(name);
      };
      return release;
    },
    observeWait(ms, outcome) {
      stats.waitsMs.push(ms);
      if (outcome === 'acquired') stats.acquisitions++;
      else stats.timeouts++;
    },
  });
}
