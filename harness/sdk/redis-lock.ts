/**
 * A lease lock on Redis with a fencing token per grant (the "Redis lock" of DESIGN §5: a lease expires
 * under a paused holder). `SET key token NX PX lease` grants the lease; in the same Lua script an
 * `INCR` hands out the token, so tokens increase in the order leases are granted, even when a
 * holder's lease expired while it was paused. A destination that accepts a commit only with a token at
 * least as high as any it has seen turns the paused holder's late write away (fencing); the lease
 * alone does not. Release deletes the lease only if it is still this grant's (compare-and-delete).
 */
import { ChaosError } from './errors.js';
import { emptyLockStats, lockPort, type AcquireOptions, type LockPort, type Release } from './ports/lock.js';
import type { ClockPort } from './ports/clock.js';
import type { RedisConnection } from './redis.js';

const GRANT = `if redis.call('EXISTS', KEYS[1]) == 0 then
  local token = redis.call('INCR', KEYS[2])
  redis.call('SET', KEYS[1], token, 'PX', ARGV[1])
  return token
end
return false`;

const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

export interface FencedGrant {
  /** Higher than every token granted before it for this lock name. */
  token: number;
  release: Release;
}

export interface RedisLockPort extends LockPort {
  /** Like `acquire`, with the grant's fencing token for a destination that checks it. */
  acquireFenced(name: string, options?: AcquireOptions): Promise<FencedGrant>;
}

export interface RedisLockConfig {
  /** How long a grant lasts without renewal: a holder paused longer loses it. */
  leaseMs: number;
  defaultTimeoutMs: number;
}

export function createRedisLockPort(redis: RedisConnection, config: RedisLockConfig, clock: ClockPort): RedisLockPort {
  const stats = emptyLockStats();

  async function acquireFenced(name: string, options: AcquireOptions = {}): Promise<FencedGrant> {
    const lease = redis.key(`lock:${name}`);
    const fence = redis.key(`fence:${name}`);
    const timeoutMs = options.timeoutMs ?? config.defaultTimeoutMs;
    const started = clock.now();
    let pollMs = 1;
    for (;;) {
      const granted = await redis.call('grant', (c) => c.eval(GRANT, { keys: [lease, fence], arguments: [String(config.leaseMs)] }));
      const waited = clock.now() - started;
      if (typeof granted === 'number') {
        stats.acquisitions++;
        stats.waitsMs.push(waited);
        const token = granted;
        return {
          token,
          release: async () => {
            const deleted = await redis.call('release', (c) => c.eval(RELEASE, { keys: [lease], arguments: [String(token)] }));
            // Our lease had expired (and maybe been granted again): the holder learns it was not exclusive.
            if (deleted !== 1) stats.compromised++;
          },
        };
      }
      if (waited >= timeoutMs) {
        stats.timeouts++;
        stats.waitsMs.push(waited);
        throw new ChaosError('E_LOCK_TIMEOUT', `redis lock '${name}' not granted within ${timeoutMs} ms`, {
          option: 'lock timeout', value: timeoutMs, expected: 'the lease to be free within the timeout',
        });
      }
      await clock.sleep(pollMs * (0.5 + Math.random()));
      pollMs = Math.min(pollMs * 2, 25);
    }
  }

  return {
    ...lockPort({
      stats,
      acquire: async (name, options) => (await acquireFenced(name, options)).release,
      observeWait(ms, outcome) {
        stats.waitsMs.push(ms);
        if (outcome === 'acquired') stats.acquisitions++;
        else stats.timeouts++;
      },
    }),
    acquireFenced,
  };
}
