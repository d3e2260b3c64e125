import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { defaultRunConfig } from '../../harness/orchestrate/run-config.js';
import { runGate, type GateOptions } from '../../harness/orchestrate/gate-run.js';
import { GATE_COUNTERS, gateCounterNames, type GateCounter, type GateMetric, type Tolerance } from '../../harness/analyze/gate.js';
import { makeRecord } from '../../harness/sdk/records.js';
import { renderGateJunit } from '../../reports/junit.js';
import { renderGateMarkdown } from '../../reports/gate.js';
import { processesMentioning } from '../support/processes.js';
import { main } from '../../harness/cli/cli.js';
import type { GateBaseline, GateResult } from '../../harness/result/gate-result.js';

const outDir = mkdtempSync(join(tmpdir(), 'parquet-chaos-gate-'));
const fixture = (name: string) => resolve(import.meta.dirname, '..', 'fixtures', `${name}.ts`);

afterAll(() => {
  expect(processesMentioning(outDir)).toEqual([]);
  rmSync(outDir, { recursive: true, force: true });
});

/**
 * A small gate: one writer, 5 records, one look at 5 pairs (so α is not split across looks). Minimum
 * effects sized to this test's noise on a shared 2-core machine (load averages of 25–50 while seven
 * engineers test): 5 pairs bound an A/A throughput change to about ±20%, so 25% for the rates; the p99
 * ack latency of 5 acks is the slowest ack of a cell and swings ±100%, so 100% for the latencies. The
 * slowdown below doubles a sleep-dominated write (throughput halves), well beyond either.
 */
const EFFECTS = { ackedPerSec: 0.25, parquetPerSec: 0.25, ackLatencyMsP99: 1, lockWaitMsP99: 1 } satisfies Record<GateMetric, number>;
/**
 * For the slowdown: writes twice as long halve the throughput (a 50% slowdown), so a 10% minimum effect on
 * the rates leaves a wide margin over the noise. Its p-value is the catch: 7 pairs reach the Holm-adjusted
 * α only when every pair's head is slower than its own base (1/2^7 × 4 metrics = 0.031), so the sleeps
 * must dwarf what load adds to a save. At 100 → 200 ms, base cells whose 5 saves each took ~100 ms more
 * than a head cell's (a loaded machine) overlap it; at 300 → 600 ms that takes ~300 ms more a save.
 */
const SLOW_BASE = 300;
const SLOWDOWN_EFFECTS = { ...EFFECTS, ackedPerSec: 0.1, parquetPerSec: 0.1 } satisfies Record<GateMetric, number>;

function gate(base: string, head: string, overrides: Partial<GateOptions> = {}): Promise<Awaited<ReturnType<typeof runGate>>> {
  const { strategies: _s, scenarios: _sc, workers: _w, ...run } = { ...defaultRunConfig(), recordsPerWorker: 5, payloadBytes: 32, cellTimeoutMs: 60_000 };
  return runGate({
    base, head, scenarios: ['main-file-contention'], workers: [1], repeat: 5, maxRepeat: 5, looks: 1, alpha: 0.05,
    minEffect: EFFECTS,
    tolerances: Object.fromEntries(gateCounterNames.map((k) => [k, GATE_COUNTERS[k].tolerance])) as Record<GateCounter, Tolerance>,
    inconclusiveOk: false, run, outDir, command: 'test', ...overrides,
  });
}

describe('gate (real processes)', () => {
  it('flags a 50% throughput slowdown (writes twice as long) as a regression, with its interval and p-value, and passes the same setting against itself', async () => {
    // Act
    // 7 pairs: the paired test's smallest p, 1/2^7, × the 4 metrics of the Holm family is 0.031 ≤ α.
    const slower = await gate(`${fixture('slow-writes')}:sleepMs=${SLOW_BASE}`, `${fixture('slow-writes')}:sleepMs=${2 * SLOW_BASE}`, { minEffect: SLOWDOWN_EFFECTS, repeat: 7, maxRepeat: 7 });
    // A/A may take a second look (sized from its noise, up to 16 pairs) if the first is inconclusive: 8 pairs reach α ÷ 2 per look.
    const same = await gate(`${fixture('slow-writes')}:sleepMs=100`, `${fixture('slow-writes')}:sleepMs=100`, { repeat: 8, maxRepeat: 16, looks: 2 });

    // Assert: the slowdown.
    expect(slower.controls.map((c) => [c.name, c.caught])).toEqual([['lost (no fault)', true], ['lost under a crash', true], ['duplicates', true], ['corruption', true]]);
    const throughput = slower.cells[0]!.metrics.find((m) => m.metric === 'ackedPerSec')!;
    expect(throughput.answer).toBe('regressed');
    expect(throughput.change).toBeLessThan(-0.25);
    expect(throughput.changeHi).toBeLessThan(0);
    expect({ outcome: slower.outcome, exitCode: slower.exitCode, reasons: slower.reasons }).toMatchObject({ outcome: 'regressed', exitCode: 1 });
    expect(slower.reasons.join('\n')).toMatch(/REGRESSED: main-file-contention, 1 workers, 7 pairs: acked\/s .* \(ratio ×0\.\d+ \[×0\.\d+, ×0\.\d+\], −\d+%, one-sided p = [\d.e-]+, Holm-adjusted/);
    // Both sides ran with the same seed in each pair, in a seeded order.
    const seeds = (side: string) => slower.cells[0]!.samples.filter((s) => s.side === side).map((s) => s.seed);
    expect(seeds('base')).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(seeds('head')).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(throughput.test).toBe('paired');
    // Assert: A/A.
    expect(same.cells[0]!.metrics.map((m) => m.answer)).not.toContain('regressed');
    expect({ outcome: same.outcome, exitCode: same.exitCode, reasons: same.reasons }).toMatchObject({ outcome: 'pass', exitCode: 0 });
    // Reports are rendered from the JSON alone.
    expect(JSON.parse(readFileSync(join(slower.gateDir, 'gate.json'), 'utf8'))).toEqual(JSON.parse(JSON.stringify(slower)));
    expect(renderGateJunit(slower)).toMatch(/<testcase classname="parquet-chaos.gate.main-file-contention.w1" name="acked\/s">\s*<failure type="regressed"/);
    expect(renderGateMarkdown(same)).toContain('✅ parquet-chaos gate PASS');
  }, 420_000); // each gate runs the four controls once

  it('fails on one lost record in one repeat of three, naming the repeat and how to replay it', async () => {
    // Arrange: the latency_ms that record w0-0 gets with seed 2 (and not with seeds 1 and 3).
    const latencyOf = (seed: number) => makeRecord(seed, 0, 0, 32, 0n).latency_ms;
    expect(new Set([latencyOf(1), latencyOf(2), latencyOf(3)]).size).toBe(3);

    // Act
    const result = await gate(`${fixture('drop-one')}:latency=0`, `${fixture('drop-one')}:latency=${latencyOf(2)}`, { repeat: 3, maxRepeat: 3, looks: 1 });

    // Assert
    expect(result).toMatchObject({ outcome: 'correctness', exitCode: 1 });
    expect(result.cells[0]!.correctness).toEqual([expect.objectContaining({ side: 'head', repeat: 2, seed: 2, problems: ['1 lost'] })]);
    expect(result.reasons.join('\n')).toMatch(/CORRECTNESS: head .*drop-one.* × main-file-contention, 1 workers, repeat 2 \(seed 2\): 1 lost\. Replay: npx parquet-chaos run --strategy .*drop-one\.ts:latency=\d+ --scenario main-file-contention --workers 1 --records 5 --seed 2/);
  }, 120_000);

  it('fails with a distinct message when the checker is blind and the positive control goes uncaught', async () => {
    // Act
    const result = await gate(`${fixture('slow-writes')}`, `${fixture('slow-writes')}`, { repeat: 1, maxRepeat: 1, looks: 1, testOnlyBlindChecker: true });

    // Assert
    expect(result.controls.map((c) => [c.name, c.caught, c.found])).toEqual([['lost (no fault)', false, 0], ['lost under a crash', false, 0], ['duplicates', false, 0], ['corruption', false, 0]]);
    expect(result).toMatchObject({ outcome: 'control missed', exitCode: 3 });
    expect(result.reasons[0]).toMatch(/^POSITIVE CONTROL MISSED \(lost \(no fault\)\): realtime:lock=none × main-file-contention \(4 workers, seed 1\) must show lost and showed 0: no lost found/);
  }, 300_000); // four controls and two cells: 120 s was not enough at a load average of 35
});

describe('gate against a saved baseline (real processes)', () => {
  it('saves the head side, re-runs its configuration with the same seeds, and compares only counters and correctness with another machine', async () => {
    // Arrange: a head-only gate saved as a baseline (3 records, 5 repeats: the fewest with which a later
    // comparison could find a regression at all, so the fewest a baseline may be saved with).
    const dir = mkdtempSync(join(outDir, 'baseline-'));
    const file = join(dir, 'baseline.json');
    const spec = `${fixture('slow-writes')}:sleepMs=5`;
    const io = { out: () => undefined, err: () => undefined, isTTY: false, env: {} };
    const small = ['--workers', '1', '--records', '3', '--payload-bytes', '32', '--repeat', '5', '--out', dir];
    expect(await main(['gate', '--head', spec, ...small, '--save-baseline', file], io)).toBe(0);
    const saved = JSON.parse(readFileSync(file, 'utf8')) as GateBaseline;
    expect(saved).toMatchObject({ kind: 'gate-baseline', strategy: spec, workers: [1], repeat: 5 });
    expect(saved.samples.map((s) => s.seed)).toEqual([1, 2, 3, 4, 5]);
    // As if measured elsewhere.
    writeFileSync(file, JSON.stringify({ ...saved, machine: { ...saved.machine, cpuModel: 'another CPU' } }));

    // Act
    const json = join(dir, 'gate.json');
    const code = await main(['gate', '--baseline', file, '--out', dir, '--json', json], io);

    // Assert
    const result = JSON.parse(readFileSync(json, 'utf8')) as GateResult;
    expect(result).toMatchObject({ mode: 'baseline', baseline: { sameMachine: false }, config: { base: null, head: spec } });
    expect(result.cells[0]!.metrics).toEqual([]);
    expect(result.cells[0]!.counters.map((c) => c.answer)).toEqual(['no change', 'no change', 'no change', 'no change']);
    expect(result.cells[0]!.samples.filter((s) => s.side === 'head').map((s) => s.seed)).toEqual([1, 2, 3, 4, 5]);
    expect(code).toBe(0);
    expect(await main(['gate', '--baseline', file, '--workers', '2'], io)).toBe(2);
  }, 300_000); // two gates, each with its four controls
});
