import { createSimLockPort, SimLocks, type SimLockConfig } from '../../harness/sim/lock-port.js';
import { SimWorld, type SimProcess } from '../../harness/sim/world.js';
import { lockBackends, type LockBackendName } from '../../harness/sdk/ports/locks/index.js';
import { actorStep, stepOf, type ActorStep, type Holdings } from './lock-actor-step.js';
import { answers, expectedOutcomes, STALE_MS, type Actor, type LockClass, type LockSequence, type Outcome } from './lock-sequences.js';

/** The lock class a backend belongs to in the conformance table, from the backends' registry. */
export function lockClass(backend: LockBackendName): LockClass {
  const spec = lockBackends[backend];
  return spec.kind === 'kernel' ? 'kernel' : spec.fenced ? 'fenced lease' : spec.checked ? 'checked lease' : 'lease';
}

/** What the table says `backend` must give for `sequence`. */
export const expectedOf = (sequence: LockSequence, backend: LockBackendName): Outcome[] => expectedOutcomes(sequence, lockClass(backend), lockBackends[backend].seesTakeovers);

/** Makes the simulated machine's locks: the real SimLocks, or a deliberately wrong one the test must catch. */
export type SimLocksFactory = (world: SimWorld, config: SimLockConfig) => SimLocks;

interface SimActor {
  proc: SimProcess;
  pending: { step: ActorStep; done: (outcome: Outcome) => void }[];
}

/**
 * Runs one sequence on the simulated lock port: each actor is a simulated process that waits for its
 * steps; pauses, kills and waits act on the simulated world as the fault injection of `sim` does
 * (world.pause / world.kill, then the waiters look again). Every actor step runs to its outcome before
 * the next op, with the world's clock jumping over the waits.
 */
export async function runOnSim(sequence: LockSequence, backend: LockBackendName, makeLocks: SimLocksFactory = (w, c) => new SimLocks(w, c)): Promise<Outcome[]> {
  const world = new SimWorld();
  const locks = makeLocks(world, { kind: lockBackends[backend].kind, staleMs: STALE_MS, defaultTimeoutMs: 60_000 });
  const actors = new Map<Actor, SimActor>();
  for (const name of ['A', 'B'] as const) {
    const actor: SimActor = { proc: undefined as unknown as SimProcess, pending: [] };
    actors.set(name, actor);
    actor.proc = await world.spawn({ name, kind: 'writer', index: actors.size, incarnation: 0 }, async (proc) => {
      const port = createSimLockPort(locks, proc);
      const held: Holdings = new Map();
      for (;;) {
        const next = actor.pending.shift();
        if (!next) await world.waitUntil(proc, Infinity, `steps:${name}`);
        else next.done(await actorStep(port, world.clock(proc), held, 'main', backend, next.step));
      }
    });
  }

  const outcomes: Outcome[] = [];
  for (const op of sequence.ops) {
    if (op.op === 'wait') {
      world.now += op.waitS * STALE_MS;
      continue;
    }
    const { proc, pending } = actors.get(op.actor)!;
    if (op.op === 'pause') world.pause(proc, Infinity);
    else if (op.op === 'resume') proc.pausedUntil = world.now;
    else if (op.op === 'kill') world.kill(proc);
    if (!answers(op)) {
      locks.changed();
      continue;
    }
    let outcome: Outcome | undefined;
    pending.push({ step: stepOf(op), done: (o) => (outcome = o) });
    world.notify(`steps:${op.actor}`);
    while (!outcome) await advance(world, sequence.name);
    outcomes.push(outcome);
  }
  return outcomes;
}

/** One move of the world: wake what is due, else take the first ready step, else jump to the next wake-up. */
async function advance(world: SimWorld, sequence: string): Promise<void> {
  if (await world.wakeDue()) return;
  const [ready] = world.ready();
  if (ready) return world.take(ready);
  const next = world.nextWakeAt();
  if (next === undefined) throw new Error(`sequence '${sequence}': the simulated actors are stuck`);
  world.now = Math.max(world.now, next);
}

/** The outcomes of every answering op, shown with the op: what a mismatch names. */
export function describeOutcomes(sequence: LockSequence, outcomes: readonly Outcome[]): string[] {
  const steps = sequence.ops.filter(answers);
  return outcomes.map((o, i) => {
    const op = steps[i]!;
    return `${'actor' in op ? op.actor : ''} ${op.op}: ${JSON.stringify(o)}`;
  });
}
