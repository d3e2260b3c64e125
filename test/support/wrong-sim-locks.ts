import { SimLocks } from '../../harness/sim/lock-port.js';
import type { SimLocksFactory } from './lock-sim-runner.js';

/**
 * Deliberately wrong simulated locks, each a plausible slip in re-implementing a lock: the conformance
 * comparison must catch each one, in exactly the sequences that expose it.
 */
export type WrongSimLock = 'takeover before the stale time' | 'kernel lock kept after its holder died' | 'fence record that forgets announcements';

export const WRONG_SIM_LOCKS: Record<WrongSimLock, SimLocksFactory> = {
  /** A paused lease holder loses its lock after half the stale time. */
  'takeover before the stale time': (world, config) => new (class extends SimLocks {
    override takeableAt(h: Parameters<SimLocks['takeableAt']>[0]) {
      const at = super.takeableAt(h);
      return at !== undefined && h.kind === 'lease' && h.holder.status === 'alive' ? at - config.staleMs / 2 : at;
    }
  })(world, config),
  /** A dead holder's kernel lock waits out the stale time, as a lease would. */
  'kernel lock kept after its holder died': (world, config) => new (class extends SimLocks {
    override takeableAt(h: Parameters<SimLocks['takeableAt']>[0]) {
      return h.kind === 'kernel' && h.holder.status === 'dead' ? (h.holder.diedAt ?? world.now) + config.staleMs : super.takeableAt(h);
    }
  })(world, config),
  /** The fence record never learns of a later grant, so no commit is ever refused. */
  'fence record that forgets announcements': (world, config) => {
    const locks = new SimLocks(world, config);
    locks.fences.set = function ignore() {
      return this;
    };
    return locks;
  },
};
