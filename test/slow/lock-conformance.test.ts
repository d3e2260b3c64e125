import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { findRedisServer, startRedis } from '../../harness/orchestrate/services/redis-server.js';
import type { LockBackendName } from '../../harness/sdk/ports/locks/index.js';
import { LOCK_SEQUENCES, type Outcome } from '../support/lock-sequences.js';
import { runOnRealBackend } from '../support/lock-real-runner.js';
import { describeOutcomes, expectedOf, runOnSim } from '../support/lock-sim-runner.js';
import { WRONG_SIM_LOCKS } from '../support/wrong-sim-locks.js';
import { processesMentioning } from '../support/processes.js';

/**
 * The lock conformance test: the simulation re-implements the lease, the kernel lock and fencing, so the
 * same operation sequences (take, pause past the stale time, take over, release, fence check, a dead
 * holder) run on the real backends, in real processes, and on the simulated lock port, and must give the
 * same outcomes, sequence by sequence. Each sequence costs up to ~2 stale times (4 s) of real time.
 */

/** Per sequence, the real outcomes beside the simulation's; the pairs that differ, named. */
async function compare(backend: LockBackendName, real: Outcome[][]): Promise<string[]> {
  const differing: string[] = [];
  for (const [i, sequence] of LOCK_SEQUENCES.entries()) {
    const simulated = await runOnSim(sequence, backend);
    if (JSON.stringify(real[i]) !== JSON.stringify(simulated)) differing.push(sequence.name);
  }
  return differing;
}

describe('lock conformance: real backends in real processes against the simulated lock port', () => {
  it('file (lease) and fcntl (kernel lock): the same outcomes, sequence by sequence; each wrong simulation is caught', { timeout: 120_000 }, async () => {
    const backends = ['file', 'fcntl'] as const;
    // The two backends run side by side (their actors are separate processes, their locks separate folders).
    const real = await Promise.all(backends.map((b) => runOnRealBackend(LOCK_SEQUENCES, b)));
    for (const [b, backend] of backends.entries()) {
      expect(await compare(backend, real[b]!), backend).toEqual([]);
      // The table is what both sides were written to: shown per step when the real side departs.
      for (const [i, sequence] of LOCK_SEQUENCES.entries()) {
        expect(describeOutcomes(sequence, real[b]![i]!), `${backend}: ${sequence.name}`).toEqual(describeOutcomes(sequence, expectedOf(sequence, backend)));
      }
    }
    // The comparison can fail: a lease taken over before the stale time differs from the real file lease
    // in the short pause, and a kernel lock kept past its holder's death from the real fcntl lock.
    const wrongly = async (wrong: keyof typeof WRONG_SIM_LOCKS, b: number) => {
      const differing: string[] = [];
      for (const [i, sequence] of LOCK_SEQUENCES.entries()) {
        if (JSON.stringify(await runOnSim(sequence, backends[b]!, WRONG_SIM_LOCKS[wrong])) !== JSON.stringify(real[b]![i])) differing.push(sequence.name);
      }
      return differing;
    };
    expect(await wrongly('takeover before the stale time', 0)).toEqual(['a pause shorter than the stale time keeps the lock']);
    expect(await wrongly('kernel lock kept after its holder died', 1)).toEqual(['a dead holder\'s lock: freed at its death (kernel) or taken over after the stale time (lease)']);
  });

  // Last and optional: Redis needs redis-server (the CI machine has it); without one, this is skipped, not passed.
  const redisInstalled = (() => {
    try {
      return Boolean(findRedisServer());
    } catch {
      return false;
    }
  })();
  const redisDir = mkdtempSync(join(tmpdir(), 'parquet-chaos-lockconform-redis-'));
  afterAll(() => {
    expect(processesMentioning(redisDir)).toEqual([]);
    rmSync(redisDir, { recursive: true, force: true });
  });

  it.skipIf(!redisInstalled)('redis and redis-fenced (the fence check) on a real redis-server: the same outcomes, sequence by sequence', { timeout: 120_000 }, async () => {
    const server = await startRedis(redisDir, 'always');
    try {
      const backends = ['redis', 'redis-fenced'] as const;
      const real = await Promise.all(backends.map((b) => runOnRealBackend(LOCK_SEQUENCES, b, { url: server.url, keyPrefix: `${b}:` })));
      for (const [b, backend] of backends.entries()) {
        expect(await compare(backend, real[b]!), backend).toEqual([]);
      }
      // The fence check is real: the paused holder's late commit was refused on the real fence record.
      const late = LOCK_SEQUENCES.findIndex((s) => s.name.includes('fence check'));
      expect(real[1]![late]).toContainEqual({ commit: 'fenced' });
      expect(await runOnSim(LOCK_SEQUENCES[late]!, 'redis-fenced', WRONG_SIM_LOCKS['fence record that forgets announcements'])).not.toEqual(real[1]![late]);
    } finally {
      await server.stop();
    }
  });
});
