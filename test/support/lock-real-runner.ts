import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import type { LockBackendName } from '../../harness/sdk/ports/locks/index.js';
import { stepOf, type ActorStep } from './lock-actor-step.js';
import { answers, STALE_MS, type Actor, type LockSequence, type Outcome } from './lock-sequences.js';

const ACTOR = join(import.meta.dirname, 'lock-actor.ts');

/** A real actor process and the answers it has printed, read one per step. */
interface RealActor {
  child: ChildProcessWithoutNullStreams;
  next(): Promise<Record<string, unknown>>;
  exited: Promise<void>;
}

async function startActor(dir: string, redis?: { url: string; keyPrefix: string }): Promise<RealActor> {
  const child = spawn(process.execPath, ['--import', 'tsx', ACTOR, dir, String(STALE_MS), ...(redis ? [redis.url, redis.keyPrefix] : [])]);
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  const next = async () => {
    const line = await lines.next();
    if (line.done) throw new Error(`lock actor exited: ${stderr}`);
    return JSON.parse(line.value) as Record<string, unknown>;
  };
  await next(); // ready
  return { child, next, exited };
}

/**
 * Runs sequences on one real backend, one after another, each on its own lock name in one lock folder:
 * actors A and B are real processes (started again after a kill), paused with SIGSTOP, resumed with
 * SIGCONT, killed with SIGKILL. Resolves to each sequence's outcomes; no actor outlives it.
 */
export async function runOnRealBackend(sequences: readonly LockSequence[], backend: LockBackendName, redis?: { url: string; keyPrefix: string }): Promise<Outcome[][]> {
  const dir = mkdtempSync(join(tmpdir(), `parquet-chaos-lockconform-${backend}-`));
  const actors = new Map<Actor, RealActor>();
  const ask = async (a: RealActor, lock: string, step: ActorStep) => {
    a.child.stdin.write(`${JSON.stringify({ lock, backend, step })}\n`);
    const answer = await a.next();
    if (answer.error) throw new Error(`${backend}, lock ${lock}, ${step.op}: ${String(answer.error)}`);
    return answer.outcome as Outcome;
  };
  const actor = async (name: Actor) => {
    let found = actors.get(name);
    if (!found) {
      actors.set(name, (found = await startActor(dir, redis)));
      // Warmed up on a lock of its own: a first take also connects to Redis, which is no part of its wait.
      await ask(found, `warm-up-${name}`, { op: 'take', timeoutMs: 60_000 });
      await ask(found, `warm-up-${name}`, { op: 'release' });
    }
    return found;
  };
  try {
    // Both actors run before the first op, so no process start-up falls between two timed ops.
    await Promise.all([actor('A'), actor('B')]);
    const results: Outcome[][] = [];
    for (const [index, sequence] of sequences.entries()) {
      const outcomes: Outcome[] = [];
      for (const op of sequence.ops) {
        if (op.op === 'wait') {
          await sleep(op.waitS * STALE_MS);
          continue;
        }
        const a = await actor(op.actor);
        if (op.op === 'pause') a.child.kill('SIGSTOP');
        else if (op.op === 'resume') a.child.kill('SIGCONT');
        else if (op.op === 'kill') {
          a.child.kill('SIGKILL');
          await a.exited;
          actors.delete(op.actor);
        }
        if (!answers(op)) continue;
        outcomes.push(await ask(a, `s${index}`, stepOf(op)));
      }
      // The next sequence starts with both actors running (a kill's actor is started again first).
      for (const a of actors.values()) a.child.kill('SIGCONT');
      await Promise.all([actor('A'), actor('B')]);
      results.push(outcomes);
    }
    return results;
  } finally {
    for (const a of actors.values()) {
      a.child.kill('SIGKILL');
      await a.exited;
    }
    rmSync(dir, { recursive: true, force: true });
  }
}
