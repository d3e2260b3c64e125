import type { ServiceNeeds } from '../../services.js';
import type { LockBackendFactory } from '../lock.js';
import { fcntlLock } from './fcntl.js';
import { fileLease } from './file-lease.js';
import { redisFencedLease, redisLease } from './redis.js';

/** What a lock is, by what survives a paused or killed holder (DESIGN §5). */
export type LockKind = 'lease' | 'kernel';

export interface LockBackendSpec {
  open: LockBackendFactory;
  /** `lease`: expires under a holder paused (or dead) for its lease time; `kernel`: held while paused, freed at death. */
  kind: LockKind;
  /** Its grants carry a fencing token that the destination checks at commit (Grant.commit refuses a stale holder). */
  fenced: boolean;
  /**
   * Its taker can tell a stale holder's lock from a free one and counts the takeover (LockStats
   * staleTakeovers): the file lease removes the stale lock itself; a Redis lease just expires, unseen.
   */
  seesTakeovers: boolean;
  /**
   * Its commit first checks (and extends) the lease by the grant's token and is refused (E_LEASE_LOST)
   * when the lease is gone; unlike fencing, the check and the commit are two steps.
   */
  checked: boolean;
  /** The services the harness must provide for a cell whose strategy uses this backend. */
  services: ServiceNeeds;
  /** One line for `list` and the option's help. */
  describe: string;
}

// The Redis lock keeps its fencing counter across a Redis restart only with an fsynced AOF.
const REDIS = { redis: { durability: 'always' } } as const satisfies ServiceNeeds;

/**
 * Every lock backend, by the name strategies take as their `lock=` option. A new backend joins with
 * one file and one entry here; the simulation reads `kind`, `fenced`, `seesTakeovers` and `checked` from here too.
 */
export const lockBackends = {
  file: {
    open: fileLease, kind: 'lease', fenced: false, seesTakeovers: true, checked: false, services: {},
    describe: 'a lease (proper-lockfile), lost under a holder paused past the stale time',
  },
  fcntl: {
    open: fcntlLock, kind: 'kernel', fenced: false, seesTakeovers: false, checked: false, services: {},
    describe: 'a kernel lock, held while its holder is paused, freed when it dies',
  },
  redis: {
    open: redisLease, kind: 'lease', fenced: false, seesTakeovers: false, checked: true, services: REDIS,
    describe: 'a lease on the cell\'s redis-server, renewed while held and checked by token at commit; lost under a holder stalled past the stale time between check and commit',
  },
  'redis-fenced': {
    open: redisFencedLease, kind: 'lease', fenced: true, seesTakeovers: false, checked: false, services: REDIS,
    describe: 'the redis lease plus its token checked at commit: a paused holder\'s late commit is refused and redone',
  },
} as const satisfies Record<string, LockBackendSpec>;

export type LockBackendName = keyof typeof lockBackends;

export const lockBackendNames = Object.keys(lockBackends) as LockBackendName[];
