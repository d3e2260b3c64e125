import type { ClockPort } from '../../harness/sdk/ports/clock.js';
import type { Grant, LockPort } from '../../harness/sdk/ports/lock.js';
import type { LockBackendName } from '../../harness/sdk/ports/locks/index.js';
import { STALE_MS, waitClass, type LockOp, type Outcome } from './lock-sequences.js';

/** A step an actor takes itself (the pauses, kills and waits are done to it, not by it). */
export type ActorStep = { op: 'take'; timeoutMs: number } | { op: 'release' } | { op: 'commit' };

/** The step an answering op of the table asks its actor for. */
export const stepOf = (op: Extract<LockOp, { op: 'take' | 'release' | 'commit' }>): ActorStep => (op.op === 'take' ? { op: 'take', timeoutMs: op.timeoutS * STALE_MS } : { op: op.op });

/** One actor's state: its grants, with how often it had learnt of a compromise when each was granted. */
export type Holdings = Map<string, { grant: Grant; compromisedBefore: number }>;

/**
 * Runs one actor step on a lock port, real or simulated, and says what it returned: the one definition
 * of an outcome for both sides of the conformance test.
 */
export async function actorStep(port: LockPort, clock: Pick<ClockPort, 'now'>, held: Holdings, lock: string, backend: LockBackendName, step: ActorStep): Promise<Outcome> {
  const holding = held.get(lock);
  switch (step.op) {
    case 'take': {
      const started = clock.now();
      const takeovers = port.stats.staleTakeovers;
      const compromisedBefore = port.stats.compromised;
      try {
        const grant = await port.grant(lock, { backend, timeoutMs: step.timeoutMs });
        held.set(lock, { grant, compromisedBefore });
        return { take: 'granted', waited: waitClass(clock.now() - started), takeover: port.stats.staleTakeovers > takeovers };
      } catch (error) {
        if ((error as { code?: string }).code === 'E_LOCK_TIMEOUT') return { take: 'timeout' };
        throw error;
      }
    }
    case 'release':
      if (!holding) return { release: 'not held' };
      await holding.grant.release();
      held.delete(lock);
      return { release: port.stats.compromised > holding.compromisedBefore ? 'compromised' : 'released' };
    case 'commit':
      if (!holding) return { commit: 'not held' };
      try {
        await holding.grant.commit(async () => undefined);
        return { commit: 'committed' };
      } catch (error) {
        if ((error as { code?: string }).code === 'E_FENCED') return { commit: 'fenced' };
        if ((error as { code?: string }).code === 'E_LEASE_LOST') return { commit: 'lease lost' };
        throw error;
      }
  }
}
