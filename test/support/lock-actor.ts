/**
 * One actor of the lock conformance test, a real process: `node --import tsx lock-actor.ts DIR STALE_MS [REDIS_URL KEY_PREFIX]`.
 * Reads one step a line (`{"lock","backend","step"}`, lock-actor-step.ts) from stdin, runs it on the real
 * lock port, and prints its outcome as one JSON line (`{"outcome"}` or `{"error"}`). Prints `ready` first.
 * The test pauses (SIGSTOP), resumes (SIGCONT) and kills (SIGKILL) it.
 */
import { createInterface } from 'node:readline';
import { realClock } from '../../harness/sdk/ports/clock.js';
import { createLockPort } from '../../harness/sdk/ports/lock.js';
import type { LockBackendName } from '../../harness/sdk/ports/locks/index.js';
import { actorStep, type ActorStep, type Holdings } from './lock-actor-step.js';

const [dir, staleMs, redisUrl, keyPrefix] = process.argv.slice(2);
const services = redisUrl ? { redis: { url: redisUrl, keyPrefix: keyPrefix!, durability: 'always' as const } } : {};
const port = createLockPort({ dir: dir!, staleMs: Number(staleMs), defaultTimeoutMs: 60_000, services }, realClock);
const held: Holdings = new Map();

const reply = (line: object) => process.stdout.write(`${JSON.stringify(line)}\n`);
reply({ ready: true });
// One step at a time, in order: the test waits for each answer before it sends the next.
for await (const line of createInterface({ input: process.stdin })) {
  const { lock, backend, step } = JSON.parse(line) as { lock: string; backend: LockBackendName; step: ActorStep };
  try {
    reply({ outcome: await actorStep(port, realClock, held, lock, backend, step) });
  } catch (error) {
    reply({ error: String((error as Error).stack ?? error) });
  }
}
process.exit(0);
