import { describe, expect, it } from 'vitest';
import { loadStrategy } from '../../harness/orchestrate/load-strategy.js';
import { hyparquetCodec } from '../../harness/sdk/codec/hyparquet.js';
import { persistenceModels } from '../../harness/sim/models/index.js';
import { mutationScore } from '../../harness/sim/mutation-score.js';
import { whyRedundant } from '../../harness/sim/mutation-targets.js';

/**
 * Mutation testing of durability, a reduced set (`npm run mutate` runs every built-in): each fsync
 * site realtime reaches, skipped and made late, must be found by `sim`'s search under posix, with a
 * counterexample of at most a crash and a power loss, while the unmutated strategy passes the same
 * budget. A survivor must be a listed redundancy.
 */
describe('mutation testing of durability (posix)', () => {
  it('realtime: every mutant of its fsyncs is killed or a listed redundancy; unmutated it passes', async () => {
    // Arrange
    const setup = {
      strategy: await loadStrategy('realtime'), workers: 2, records: 1, payloadBytes: 32, thinkMs: 0, seed: 1, codec: hyparquetCodec,
      model: persistenceModels.posix, lock: { kind: 'lease' as const, staleMs: 5000, defaultTimeoutMs: 60_000 }, maxSteps: 20_000,
    };

    // Act
    const score = await mutationScore(setup, { runs: 40, seed: 1, faults: ['crash', 'power-loss', 'io-error'], probes: 20 });

    // Assert: the publish's two fsyncs and the retry's two (reached by the probes' crashes) are all mutated.
    expect(Object.keys(score.sites)).toHaveLength(4);
    expect(score.mutants).toHaveLength(8);
    expect(score.unmutated.counterexample).toBeUndefined();
    const survivors = score.mutants.filter((m) => !m.killed);
    expect(survivors.filter((m) => !whyRedundant('realtime', m.site, m.kind)).map((m) => `${m.site} ${m.kind}`)).toEqual([]);
    for (const m of score.mutants.filter((x) => x.killed)) {
      // A claimed guarantee broken: an acked record lost, or (a rename kept without its data) a corrupt main.
      expect(m.counterexample!.broken.length).toBeGreaterThan(0);
      expect(m.counterexample!.broken.every((g) => g === 'noLostAcked' || g === 'noCorruption')).toBe(true);
      expect(m.counterexample!.faults.length).toBeLessThanOrEqual(2);
    }
    expect(score.mutants.filter((m) => m.killed)).toHaveLength(6);
  }, 900_000);
});
