/**
 * Every unsafe built-in variant loses acked records under its scenario on every seed: each scenario
 * holds the variant's race window open at a point inside it (scenarios/*.ts, windowPauseMs), so the
 * hazard does not depend on a lucky interleaving. One run of 20 seeds per variant, small sizes.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { defaultRunConfig, UNSAFE_VARIANTS } from '../../harness/orchestrate/run-config.js';
import { runCells } from '../../harness/orchestrate/run.js';

/** Each unsafe variant's scenario: the seed's scenario whose hazard it reproduces. */
const SCENARIO_OF: Record<string, string> = {
  'realtime:lock=none': 'main-file-contention',
  'checkpoint-batch:buffer=shared': 'buffer-crash',
  'incremental-file:merge=naive': 'merge-race',
};
/**
 * Records per writer: the writers must still be saving when the stopped process reaches its window.
 * The merger's first fold comes after its 200 ms period and merge-race's seeded 150 ms pause of it
 * (at 100–300 ms); 12 records at merge-race's 20 ms think time end in ~300 ms, so it gets 30.
 */
const RECORDS_OF: Record<string, number> = { 'incremental-file:merge=naive': 30 };
const SEEDS = Array.from({ length: 20 }, (_, i) => i + 1);

const outDirs: string[] = [];
afterAll(() => {
  for (const dir of outDirs) rmSync(dir, { recursive: true, force: true });
});

describe('unsafe built-in variants under their scenarios (real processes)', () => {
  it('name a scenario for every unsafe variant', () => {
    expect(Object.keys(SCENARIO_OF).sort()).toEqual([...UNSAFE_VARIANTS].sort());
  });

  it.each(UNSAFE_VARIANTS)('%s loses acked records on 20 of 20 seeds', async (variant) => {
    // Arrange: seeds 1..20 (each its own fault plan: victims and times), 3 writers × 12 records (or RECORDS_OF).
    const scenario = SCENARIO_OF[variant]!;
    const records = RECORDS_OF[variant] ?? 12;
    const outDir = mkdtempSync(join(tmpdir(), 'parquet-chaos-unsafe-'));
    outDirs.push(outDir);
    const config = { ...defaultRunConfig(), strategies: [variant], scenarios: [scenario], workers: 3, recordsPerWorker: records, payloadBytes: 64, cellTimeoutMs: 120_000 };

    // Act
    const result = await runCells({ ...config, outDir, command: 'test' }, SEEDS.map((seed) => ({ strategy: variant, scenario, workers: 3, seed, repeat: seed })));

    // Assert: a loss on every seed; a failure shows each seed's loss and whether the window was held open.
    const perSeed = result.cells.map((cell) => ({
      seed: cell.seed, lost: cell.verdict.lost, acked: cell.verdict.acked,
      windowHeld: cell.faults.outcomes!.some((o) => o.kind === 'pause' && 'optional' in o && o.optional === true && o.fired),
      // How each window stop ended: after the others' progress, or at its cap without it.
      stops: cell.faults.log.filter((e) => e.action === 'SIGCONT' && e.kind === 'pause' && e.detail?.includes(':')).map((e) => e.detail),
    }));
    const stops = perSeed.flatMap((s) => s.stops);
    const byProgress = stops.filter((d) => d?.startsWith('pause ended: after')).length;
    console.log(`${variant} × ${scenario}: lost on ${perSeed.filter((s) => s.lost > 0).length}/${SEEDS.length} seeds; stops ended by progress ${byProgress}, by their cap ${stops.length - byProgress}`,
      JSON.stringify(perSeed.map((s) => [s.seed, s.lost, s.stops])));
    expect(perSeed.filter((s) => s.lost === 0), 'seeds that lost nothing').toEqual([]);
    // The trigger, not luck: on every seed a stop in the window ended because the hazard's other half happened.
    expect(perSeed.filter((s) => !s.stops.some((d) => d?.startsWith('pause ended: after'))), 'seeds whose every stop ended at its cap').toEqual([]);
    expect(perSeed.map((s) => s.seed)).toEqual(SEEDS);
  }, 1_800_000);
});
