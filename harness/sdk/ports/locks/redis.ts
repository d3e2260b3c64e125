import { ChaosError } from '../../errors.js';
import { connectRedis, type RedisConnection } from '../../redis.js';
import { unfenced, type Grant, type LockBackendEnv, type LockBackendFactory } from '../lock.js';
import { fenceRecord } from './fence.js';

/**
 * Grants the lease (`SET PX` only when free) and, in the same script, the grant's fencing token
 * (`INCR`), so tokens rise in the order leases are granted, even when a holder's lease expired while
 * it was paused. The lease holds the token, so release can tell its own grant from a successor's.
 */
const GRANT = `if redis.call('EXISTS', KEYS[1]) == 0 then
  local token = redis.call('INCR', KEYS[2])
  redis.call('SET', KEYS[1], token, 'PX', ARGV[1])
  return token
end
return false`;

/** Compare-and-delete: a holder whose lease expired never removes its successor's. */
const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

/** Longest wait for Redis's reply to a grant or release, ms. */
const REPLY_TIMEOUT_MS = 2_000;

interface TokenGrant {
  token: number;
  release(): Promise<void>;
}

/**
 * One try at the lease of `name` on the cell's Redis; the lease lasts the lock's stale time and is not
 * renewed (the critical sections it guards last milliseconds), so a holder paused longer loses it.
 */
function leaseOf(env: LockBackendEnv): (name: string) => Promise<TokenGrant | undefined> {
  let connection: Promise<RedisConnection> | undefined;
  return async (name) => {
    const redis = await (connection ??= connectRedis(env, { timeoutMs: REPLY_TIMEOUT_MS }));
    const lease = redis.key(`lock:${name}`);
    const granted = await redis.call('lock grant', (c) => c.eval(GRANT, { keys: [lease, redis.key(`fence:${name}`)], arguments: [String(env.staleMs)] }));
    if (typeof granted !== 'number') return undefined;
    return {
      token: granted,
      release: async () => {
        const deleted = await redis.call('lock release', (c) => c.eval(RELEASE, { keys: [lease], arguments: [String(granted)] }));
        // The lease had expired (and maybe been granted again): the holder learns it was not exclusive.
        if (deleted !== 1) env.stats.compromised++;
      },
    };
  };
}

/** `lock=redis`: the lease alone. Its token exists but nobody checks it, so a paused holder's late commit lands. */
export const redisLease: LockBackendFactory = (env) => {
  const tryLease = leaseOf(env);
  return {
    async tryLock(name): Promise<Grant | undefined> {
      const granted = await tryLease(name);
      return granted && { release: granted.release, commit: unfenced };
    },
  };
};

/**
 * `lock=redis-fenced`: the lease, plus a destination that checks its token. Each grant announces its
 * token to the lock's fence record before its holder reads anything, and the commit runs only while no
 * later grant has been announced. So a holder paused past its lease, resuming after a successor was
 * granted, has its commit refused (E_FENCED) instead of overwriting what the successor published.
 */
export const redisFencedLease: LockBackendFactory = (env) => {
  const tryLease = leaseOf(env);
  const fence = fenceRecord(env.dir);
  return {
    async tryLock(name): Promise<Grant | undefined> {
      const granted = await tryLease(name);
      if (!granted) return undefined;
      try {
        await fence.announce(name, granted.token);
      } catch (error) {
        await granted.release();
        throw error;
      }
      return {
        release: granted.release,
        async commit(publish) {
          const done = await fence.commitIfCurrent(name, granted.token, publish);
          if (done.refused) {
            env.count('fencedRefusals');
            throw new ChaosError('E_FENCED', `commit under lock '${name}' refused: its grant (token ${granted.token}) was superseded by token ${done.current}`, {
              option: 'fencing token', value: granted.token, expected: `at least ${done.current}, the latest grant announced to the destination`,
            });
          }
          return done.value;
        },
      };
    },
  };
};
