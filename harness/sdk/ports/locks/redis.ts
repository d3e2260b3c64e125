import { ChaosError } from '../../errors.js';
import { connectRedis, type RedisConnection } from '../../redis.js';
import type { Grant, LockBackendEnv, LockBackendFactory } from '../lock.js';
import { fenceRecord } from './fence.js';

/**
 * Grants the lease (`SET PX` only when free) and, in the same script, the grant's fencing token
 * (`INCR`), so tokens rise in the order leases are granted, even when a holder's lease expired while
 * it was paused. The lease holds the token, so renewal and release can tell their grant from a successor's.
 */
const GRANT = `if redis.call('EXISTS', KEYS[1]) == 0 then
  local token = redis.call('INCR', KEYS[2])
  redis.call('SET', KEYS[1], token, 'PX', ARGV[1])
  return token
end
return false`;

/** Compare-and-extend: the lease runs a full lease time again, only if it is still this grant's. */
const RENEW = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0`;

/** Compare-and-delete: a holder whose lease expired never removes its successor's. */
const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

/** Longest wait for Redis's reply to a grant, renewal or release, ms. */
const REPLY_TIMEOUT_MS = 2_000;

/** A live holder renews this many times per lease: two renewals may fail (a slow reply) before it expires. */
const RENEWALS_PER_LEASE = 3;

interface TokenGrant {
  token: number;
  /** Compare-and-extend now: true while the lease is this grant's (and then runs a full lease again). */
  renew(): Promise<boolean>;
  release(): Promise<void>;
}

/**
 * One try at the lease of `name` on the cell's Redis. A granted lease is renewed in the background
 * (compare-and-extend by token, every third of the lease) until it is released, so a live holder
 * slower than the lease (slow I/O, a starved CPU) keeps it; only a holder stalled past the lease (a
 * pause, a blocked event loop) loses it. A renewal that finds the token gone marks the grant lost.
 */
function leaseOf(env: LockBackendEnv): (name: string) => Promise<TokenGrant | undefined> {
  let connection: Promise<RedisConnection> | undefined;
  return async (name) => {
    const redis = await (connection ??= connectRedis(env, { timeoutMs: REPLY_TIMEOUT_MS }));
    const lease = redis.key(`lock:${name}`);
    const granted = await redis.call('lock grant', (c) => c.eval(GRANT, { keys: [lease, redis.key(`fence:${name}`)], arguments: [String(env.staleMs)] }));
    if (typeof granted !== 'number') return undefined;
    let lost = false;
    let released = false;
    // Counted once per grant, whether a renewal or the release notices first.
    const noticeLoss = () => {
      if (!lost) {
        env.stats.compromised++;
        env.log(`lock '${name}': the lease of token ${granted} was gone (expired under its holder)`);
      }
      lost = true;
    };
    const renew = async () => {
      if (lost) return false;
      const extended = await redis.call('lock renew', (c) => c.eval(RENEW, { keys: [lease], arguments: [String(granted), String(env.staleMs)] }));
      if (extended !== 1) noticeLoss();
      return !lost;
    };
    let timer: NodeJS.Timeout | undefined;
    const schedule = () => {
      timer = setTimeout(() => {
        renew().then((held) => {
          env.count('leaseRenewals');
          if (held && !released) schedule();
        }, (error: Error) => {
          // No reply (Redis paused or restarting): try again; the lease may still be ours.
          env.log(`lock '${name}': renewal failed: ${error.message}`);
          if (!released) schedule();
        });
      }, env.staleMs / RENEWALS_PER_LEASE);
      // A renewal never keeps a process alive by itself.
      timer.unref();
    };
    schedule();
    return {
      token: granted,
      renew,
      release: async () => {
        released = true;
        clearTimeout(timer);
        if (lost) return;
        const deleted = await redis.call('lock release', (c) => c.eval(RELEASE, { keys: [lease], arguments: [String(granted)] }));
        // The lease had expired (and maybe been granted again): the holder learns it was not exclusive.
        if (deleted !== 1) noticeLoss();
      },
    };
  };
}

/**
 * `lock=redis`: the lease, renewed while held, and checked at commit: the commit first renews the
 * lease by its token and runs only if it is still this grant's; otherwise it is refused
 * (E_LEASE_LOST) and the holder redoes its work under a new grant. The check and the commit are two
 * steps, not one: a holder stalled past the lease between them still publishes what it read before
 * (the claim's stated assumption, "no holder stalls past the lease"); `redis-fenced` closes that gap.
 */
export const redisLease: LockBackendFactory = (env) => {
  const tryLease = leaseOf(env);
  return {
    async tryLock(name): Promise<Grant | undefined> {
      const granted = await tryLease(name);
      if (!granted) return undefined;
      return {
        release: granted.release,
        async commit(publish) {
          if (!(await granted.renew())) {
            env.count('leaseLostRefusals');
            throw new ChaosError('E_LEASE_LOST', `commit under lock '${name}' refused: the lease of token ${granted.token} was gone (it expired under its holder)`, {
              option: 'lease token', value: granted.token, expected: 'the lease still held by this grant at commit',
            });
          }
          return publish();
        },
      };
    },
  };
};

/**
 * `lock=redis-fenced`: the lease (renewed while held), plus a destination that checks its token. Each
 * grant announces its token to the lock's fence record before its holder reads anything, and the
 * commit runs only while no later grant has been announced. So a holder stalled past its lease,
 * resuming after a successor was granted, has its commit refused (E_FENCED) instead of overwriting
 * what the successor published.
 */
export const redisFencedLease: LockBackendFactory = (env) => {
  const tryLease = leaseOf(env);
  const fence = fenceRecord(env.dir, { countFsyncs: env.countFsyncs });
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
