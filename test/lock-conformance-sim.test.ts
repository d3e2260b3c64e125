import { describe, expect, it } from 'vitest';
import { lockBackendNames } from '../harness/sdk/ports/locks/index.js';
import { LOCK_SEQUENCES } from './support/lock-sequences.js';
import { describeOutcomes, expectedOf, runOnSim } from './support/lock-sim-runner.js';
import { WRONG_SIM_LOCKS } from './support/wrong-sim-locks.js';

// The simulated half of the lock conformance test (the real half, real backends in real processes
// checked against the same table and against the simulation: test/slow/lock-conformance.test.ts).

/** `backend: sequence` for every pair where the simulation (with `wrong`, if given) departs from the table. */
async function departures(wrong?: keyof typeof WRONG_SIM_LOCKS): Promise<string[]> {
  const found: string[] = [];
  for (const backend of lockBackendNames) {
    for (const sequence of LOCK_SEQUENCES) {
      const outcomes = await runOnSim(sequence, backend, wrong && WRONG_SIM_LOCKS[wrong]);
      if (JSON.stringify(outcomes) !== JSON.stringify(expectedOf(sequence, backend))) found.push(`${backend}: ${sequence.name}`);
    }
  }
  return found;
}

describe('the simulated lock port against the conformance table', () => {
  it.each(lockBackendNames)('gives the table\'s outcome for every sequence on %s', async (backend) => {
    for (const sequence of LOCK_SEQUENCES) {
      const outcomes = await runOnSim(sequence, backend);
      expect(describeOutcomes(sequence, outcomes), sequence.name).toEqual(describeOutcomes(sequence, expectedOf(sequence, backend)));
    }
  });

  it('catches a simulated lease that is taken over before the stale time: the short pause, on every lease', async () => {
    expect(await departures('takeover before the stale time')).toEqual(['file', 'redis', 'redis-fenced'].map((b) => `${b}: a pause shorter than the stale time keeps the lock`));
  });

  it('catches a simulated kernel lock that outlives its dead holder: the dead holder, on fcntl only', async () => {
    expect(await departures('kernel lock kept after its holder died')).toEqual(['fcntl: a dead holder\'s lock: freed at its death (kernel) or taken over after the stale time (lease)']);
  });

  it('catches a simulated fence that never refuses: the paused holder\'s late commit, on redis-fenced only', async () => {
    expect(await departures('fence record that forgets announcements')).toEqual(['redis-fenced: a holder paused past the stale time: taken over, its late commit (fence check) and release']);
  });

  it('the correct simulation departs nowhere', async () => {
    expect(await departures()).toEqual([]);
  });
});
