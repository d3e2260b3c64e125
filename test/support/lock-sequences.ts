/**
 * The lock conformance table: operation sequences on one named lock, run on the real lock backends in
 * real processes (lock-real-runner.ts) and on the simulated lock port (lock-sim-runner.ts), with the
 * outcome each kind of lock must give (DESIGN §5: what survives a paused or killed holder). The
 * simulation re-implements the lease, the kernel lock and fencing; this table holds it to the real ones.
 *
 * Times are in units of the stale time S, so one table serves both clocks. A holder paused right after
 * its take has its lease last refreshed at the take, so its lease expires S after the pause (a lease
 * refreshed every S/2 could otherwise expire as early as S/2 after a pause): each sequence pauses or
 * kills a holder right after its take, and every timeout ends at least 0.3 S away from that expiry.
 */

/** The stale time (lease) of every sequence, ms: the file lease's minimum (proper-lockfile refreshes at most once a second). */
export const STALE_MS = 2000;

export type Actor = 'A' | 'B';

/** One step of a sequence. Times (`timeoutS`, `waitS`) are multiples of STALE_MS. */
export type LockOp =
  | { actor: Actor; op: 'take'; timeoutS: number }
  | { actor: Actor; op: 'release' }
  | { actor: Actor; op: 'commit' }
  | { actor: Actor; op: 'pause' }
  | { actor: Actor; op: 'resume' }
  | { actor: Actor; op: 'kill' }
  | { op: 'wait'; waitS: number };

/**
 * What an actor's step returned. `granted`: held, `at once` (within S/4) or after a `wait`, and whether
 * the taker removed a stale holder's lock to get it; `compromised`: the release found the lock taken
 * over (the holder learnt it was not exclusive); `fenced`: the commit was refused (E_FENCED); `lease lost`:
 * the commit's own check of the lease by its token found it gone and refused (E_LEASE_LOST); `not held`:
 * the actor holds no grant of the lock (nothing is asked of the backend).
 */
export type Outcome =
  | { take: 'granted'; waited: 'at once' | 'wait'; takeover: boolean }
  | { take: 'timeout' }
  | { release: 'released' | 'compromised' | 'not held' }
  | { commit: 'committed' | 'fenced' | 'lease lost' | 'not held' };

/** A lock, by what the conformance can tell apart: its kind, and whether its commits are fenced or check the lease first. */
export type LockClass = 'lease' | 'kernel' | 'fenced lease' | 'checked lease';

export interface LockSequence {
  name: string;
  ops: LockOp[];
  /** The outcome of each actor step (waits, pauses, resumes and kills have none), per lock class. */
  expected: Record<LockClass, Outcome[]>;
}

const atOnce: Outcome = { take: 'granted', waited: 'at once', takeover: false };
const takenOver: Outcome = { take: 'granted', waited: 'wait', takeover: true };
const timeout: Outcome = { take: 'timeout' };
const released: Outcome = { release: 'released' };
const committed: Outcome = { commit: 'committed' };
const same = (outcomes: Outcome[]): Record<LockClass, Outcome[]> => ({ lease: outcomes, kernel: outcomes, 'fenced lease': outcomes, 'checked lease': outcomes });

export const LOCK_SEQUENCES: LockSequence[] = [
  {
    name: 'a held lock blocks a second taker until it is released',
    ops: [
      { actor: 'A', op: 'take', timeoutS: 0.25 },
      { actor: 'B', op: 'take', timeoutS: 0.25 },
      { actor: 'A', op: 'commit' },
      { actor: 'A', op: 'release' },
      { actor: 'B', op: 'take', timeoutS: 0.25 },
      { actor: 'B', op: 'release' },
    ],
    expected: same([atOnce, timeout, committed, released, atOnce, released]),
  },
  {
    name: 'a pause shorter than the stale time keeps the lock',
    ops: [
      { actor: 'A', op: 'take', timeoutS: 0.25 },
      { actor: 'A', op: 'pause' },
      { actor: 'B', op: 'take', timeoutS: 0.7 },
      { actor: 'A', op: 'resume' },
      { actor: 'A', op: 'commit' },
      { actor: 'A', op: 'release' },
    ],
    expected: same([atOnce, timeout, committed, released]),
  },
  {
    name: 'a live holder keeps the lock past the stale time',
    ops: [
      { actor: 'A', op: 'take', timeoutS: 0.25 },
      { op: 'wait', waitS: 1.3 },
      { actor: 'B', op: 'take', timeoutS: 0.25 },
      { actor: 'A', op: 'commit' },
      { actor: 'A', op: 'release' },
    ],
    expected: same([atOnce, timeout, committed, released]),
  },
  {
    name: 'a holder paused past the stale time: taken over, its late commit (fence check) and release',
    ops: [
      { actor: 'A', op: 'take', timeoutS: 0.25 },
      { actor: 'A', op: 'pause' },
      { actor: 'B', op: 'take', timeoutS: 1.3 },
      { actor: 'A', op: 'resume' },
      { actor: 'A', op: 'commit' },
      { actor: 'A', op: 'release' },
      { actor: 'A', op: 'take', timeoutS: 0.25 },
      { actor: 'B', op: 'commit' },
      { actor: 'B', op: 'release' },
    ],
    expected: {
      // A lease expires under its paused holder, which resumes as if it still held it: its commit lands.
      lease: [atOnce, takenOver, committed, { release: 'compromised' }, timeout, committed, released],
      // A kernel lock stays with its paused holder: B gives up, A carries on, then takes it again.
      kernel: [atOnce, timeout, committed, released, atOnce, { commit: 'not held' }, { release: 'not held' }],
      // A fenced lease refuses the late commit: B's grant was announced to the destination first.
      'fenced lease': [atOnce, takenOver, { commit: 'fenced' }, { release: 'compromised' }, timeout, committed, released],
      // A checked lease refuses it too: the commit first checks the lease by its token and finds it gone.
      'checked lease': [atOnce, takenOver, { commit: 'lease lost' }, { release: 'compromised' }, timeout, committed, released],
    },
  },
  {
    name: 'a dead holder\'s lock: freed at its death (kernel) or taken over after the stale time (lease)',
    ops: [
      { actor: 'A', op: 'take', timeoutS: 0.25 },
      { actor: 'A', op: 'kill' },
      { actor: 'B', op: 'take', timeoutS: 1.3 },
      { actor: 'B', op: 'commit' },
      { actor: 'B', op: 'release' },
    ],
    expected: {
      lease: [atOnce, takenOver, committed, released],
      kernel: [atOnce, atOnce, committed, released],
      'fenced lease': [atOnce, takenOver, committed, released],
      'checked lease': [atOnce, takenOver, committed, released],
    },
  },
];

/**
 * What a backend must give for a sequence: its class's outcomes, where a takeover counts only if the
 * backend sees it (a Redis lease expires unseen: its taker cannot tell a stale holder's lease from none).
 */
export function expectedOutcomes(sequence: LockSequence, lockClass: LockClass, seesTakeovers: boolean): Outcome[] {
  return sequence.expected[lockClass].map((o) => ('takeover' in o ? { ...o, takeover: o.takeover && seesTakeovers } : o));
}

/** The ops of a sequence that return an outcome (an actor's take, release or commit). */
export const answers = (op: LockOp): op is Extract<LockOp, { op: 'take' | 'release' | 'commit' }> => op.op === 'take' || op.op === 'release' || op.op === 'commit';

/** Rounds a wait to its class: within S/4 is `at once`. */
export const waitClass = (waitedMs: number): 'at once' | 'wait' => (waitedMs < STALE_MS / 4 ? 'at once' : 'wait');
