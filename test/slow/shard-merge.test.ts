import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { expectedCost, parseShard, shardIndices } from '../../harness/orchestrate/shard.js';
import { interleave, runSweep, gridPoints } from '../../harness/orchestrate/sweep.js';
import { mergeShards, unshardedCommand } from '../../harness/analyze/merge.js';
import { mergeGateShards } from '../../harness/analyze/merge-gate.js';
import { gateGrid, gateShardGrid } from '../../harness/orchestrate/gate-run.js';
import type { GateResult } from '../../harness/result/gate-result.js';
import type { GateSample } from '../../harness/analyze/gate.js';
import { summarizeSweep } from '../../harness/analyze/sweep-summary.js';
import { defaultRunConfig } from '../../harness/orchestrate/run-config.js';
import type { RunResult } from '../../harness/result/result.js';
import { renderTable } from '../../reports/table.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { processesMentioning } from '../support/processes.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

describe('--shard i/n', () => {
  it('splits any plan into disjoint shards that cover it, the same way every time, balanced within one cell\'s cost', () => {
    fc.assert(fc.property(fc.array(fc.integer({ min: 1, max: 500 }), { maxLength: 60 }), fc.integer({ min: 1, max: 8 }), (costs, count) => {
      // Act
      const shards = Array.from({ length: count }, (_, i) => shardIndices(costs, { index: i + 1, count }));

      // Assert
      expect(shards.flat().sort((a, b) => a - b)).toEqual(costs.map((_, i) => i));
      expect(shardIndices(costs, { index: 1, count })).toEqual(shards[0]);
      const loads = shards.map((s) => s.reduce((sum, i) => sum + costs[i]!, 0));
      expect(Math.max(...loads) - Math.min(...loads)).toBeLessThanOrEqual(Math.max(0, ...costs));
    }));
  });

  it('costs more for more writers and records, and refuses a malformed shard naming the flag', () => {
    expect(expectedCost({ workers: 20 }, 12)).toBeGreaterThan(expectedCost({ workers: 5 }, 12));
    expect(parseShard('2/4')).toEqual({ index: 2, count: 4 });
    for (const bad of ['0/4', '5/4', '2', 'a/b', '1/0']) expect(() => parseShard(bad)).toThrow(/--shard: got '.*', expected i\/n with 1 <= i <= n/);
    expect(unshardedCommand('parquet-chaos sweep --strategy x --shard 2/4 --json s2.json --out runs --repeat 3')).toBe('parquet-chaos sweep --strategy x --repeat 3');
  });
});

describe('merge of shard results (real processes)', () => {
  it('gives the unsharded plan\'s cells and summary, and refuses shards that do not belong together', async () => {
    // Arrange: a 4-cell sweep in two shards.
    const outDir = mkdtempSync(join(tmpdir(), 'parquet-chaos-shard-'));
    const points = gridPoints(['log-commit'], ['main-file-contention'], [1, 2]);
    const config = { ...defaultRunConfig(), recordsPerWorker: 2, payloadBytes: 32, faults: 'none', strategies: ['log-commit'], scenarios: ['main-file-contention'] };
    const shard = (index: number) => runSweep({ ...config, shard: { index, count: 2 }, points, repeat: 2, outDir, command: `parquet-chaos sweep --shard ${index}/2` });

    // Act
    const [one, two] = [await shard(1), await shard(2)];
    const merged = mergeShards([{ file: 'two.json', result: two }, { file: 'one.json', result: one }], outDir);

    // Assert: every planned cell once, in plan order, and the same summary as over the cells directly.
    expect(one.cells.length + two.cells.length).toBe(4);
    const identity = (c: { strategy: string; scenario: string; workers: number; repeat?: number; seed?: number }) => `${c.strategy}/${c.scenario}/${c.workers}/${c.repeat}/${c.seed}`;
    expect(merged.cells.map(identity)).toEqual(interleave(points, 2, config.seed).map(identity));
    expect(merged.sweep).toEqual(summarizeSweep(points, merged.cells, 2));
    expect(merged.sweep!.points.every((p) => p.runs === 2)).toBe(true);
    expect(merged.mergedFrom!.map((s) => s.index)).toEqual([1, 2]);
    expect(renderTable(merged)).toMatch(/merged from 2 shards/);

    // Refusals, each saying why.
    const copy = (r: RunResult, change: (r: RunResult) => void): RunResult => {
      const c = structuredClone(r);
      change(c);
      return c;
    };
    const refuse = (inputs: [string, RunResult][]) => () => mergeShards(inputs.map(([file, result]) => ({ file, result })), outDir);
    expect(refuse([['one.json', one], ['two.json', copy(two, (r) => { r.config.recordsPerWorker = 50; })]])).toThrow(/ran different configurations \(recordsPerWorker: 50 vs 2\)/);
    expect(refuse([['one.json', one], ['two.json', copy(two, (r) => { r.tool.version = '9.9.9'; })]])).toThrow(/different tool versions/);
    expect(refuse([['one.json', one]])).toThrow(/shard 2\/2 missing/);
    expect(refuse([['one.json', one], ['again.json', one]])).toThrow(/both shard 1\/2/);
    expect(refuse([['one.json', one], ['merged.json', merged]])).toThrow(/merged.json is not a shard's result/);
    expect(processesMentioning(outDir)).toEqual([]);
    rmSync(outDir, { recursive: true, force: true });
  });
});

describe('gate --shard i/n', () => {
  const config = { scenarios: ['main-file-contention', 'buffer-crash'], workers: [2, 4, 8], run: { ...defaultRunConfig(), recordsPerWorker: 20 } };

  /** A sample of one side and pair with this acked/s (every other timing equal on both sides). */
  const sample = (c: { scenario: string; workers: number }, side: 'base' | 'head', repeat: number, ackedPerSec: number): GateSample => ({
    side, strategy: 'realtime', scenario: c.scenario, workers: c.workers, repeat, seed: repeat, first: side === 'base', dir: '', valid: true,
    anomalies: { lost: 0, duplicates: 0, phantoms: 0, corruptFiles: 0, corruptRecords: 0 }, errors: [],
    metrics: { ackedPerSec, ackLatencyMsP99: 100 + repeat, lockWaitMsP99: null, parquetPerSec: null }, counters: { fsyncsPerRecord: 1, bytesPerRecord: 1, lockAcquisitionsPerRecord: 1, filesLeft: 1 }, replay: '',
  });
  const minEffect = { ackedPerSec: 0.1, ackLatencyMsP99: 0.2, lockWaitMsP99: 0.2, parquetPerSec: 0.1 };
  const tolerances = { fsyncsPerRecord: { relative: 0.05, absolute: 0 }, bytesPerRecord: { relative: 0.05, absolute: 0 }, lockAcquisitionsPerRecord: { relative: 0.05, absolute: 0 }, filesLeft: { relative: 0, absolute: 0 } };

  /**
   * One shard's gate as `gate --shard i/n --json` writes it: 12 pairs a cell (the paired test's smallest
   * p, 1/2^12, × the 24 hypotheses of 6 cells × 4 metrics reaches α ÷ 3), the head's acked/s halved
   * when `answer` is regressed.
   */
  function shardGate(index: number, count: number, answer: 'no change' | 'regressed', overrides: Partial<GateResult['config']> = {}): GateResult {
    const shardConfig = { ...config, ...overrides, shard: { index, count } };
    const cells = gateShardGrid(shardConfig).map((c) => {
      const samples = Array.from({ length: 12 }, (_, i) => [sample(c, 'base', i + 1, 100 + i), sample(c, 'head', i + 1, (100 + i) * (answer === 'regressed' ? 0.5 : 1))]).flat();
      return { ...c, pairs: 12, looks: 1, samples, correctness: [], metrics: [], counters: [], answer };
    });
    return {
      schemaVersion: 1, kind: 'gate', tool: { name: 'parquet-chaos', version: '1.0.0', build: 'abc' }, command: `parquet-chaos gate --head realtime --base realtime --shard ${index}/${count} --json g${index}.json`,
      mode: 'a/b', startedAt: `2026-01-01T00:0${index}:00Z`, finishedAt: `2026-01-01T00:1${index}:00Z`, gateDir: `/runs/g${index}`, machine: {} as GateResult['machine'],
      config: { base: 'realtime', head: 'realtime', repeat: 6, maxRepeat: 18, looks: 3, alpha: 0.05, alphaPerLook: 0.05 / 3, minEffect, tolerances, inconclusiveOk: false, ...shardConfig },
      shard: { index, count, plannedCells: gateGrid(shardConfig).length },
      runs: [`/runs/g${index}/run`], controlsPlanned: index === 1 ? 1 : 0,
      controls: index === 1 ? [{ name: 'lost (no fault)', strategy: 'realtime:lock=none', scenario: 'main-file-contention', workers: 4, seed: 1, expects: ['lost'], found: 3, caught: true, dir: '', replay: '' }] : [],
      cells, outcome: answer === 'no change' ? 'pass' : 'regressed', exitCode: answer === 'no change' ? 0 : 1, reasons: [],
    };
  }

  it('runs disjoint shares of the gate\'s cells that together are the unsharded grid, and merge gives the whole gate\'s verdict', () => {
    // Act
    const shares = [1, 2, 3].map((index) => gateShardGrid({ ...config, shard: { index, count: 3 } }));
    const merged = mergeGateShards([1, 2].map((index) => ({ file: `g${index}.json`, result: shardGate(index, 2, index === 2 ? 'regressed' : 'no change') })));

    // Assert
    const key = (c: { scenario: string; workers: number }) => `${c.scenario}/${c.workers}`;
    expect(shares.flat().map(key).sort()).toEqual(gateGrid(config).map(key).sort());
    expect(new Set(shares.flat().map(key)).size).toBe(gateGrid(config).length);
    expect(merged.cells.map(key)).toEqual(gateGrid(config).map(key));
    expect(merged).toMatchObject({ outcome: 'regressed', exitCode: 1, command: 'parquet-chaos gate --head realtime --base realtime', config: { shard: null } });
    // Judged again from the samples: shard 2's cells regressed (acked/s halved), shard 1's did not.
    const shard2 = new Set(gateShardGrid({ ...config, shard: { index: 2, count: 2 } }).map(key));
    expect(merged.cells.map((c) => [key(c), c.answer])).toEqual(gateGrid(config).map((c) => [key(c), shard2.has(key(c)) ? 'regressed' : 'no change']));
    // The controls ran once, in shard 1.
    expect(merged.controls).toHaveLength(1);
    expect(merged.controlsPlanned).toBe(1);
    expect(merged.mergedFrom?.map((s) => s.index)).toEqual([1, 2]);
  });

  it('refuses gates of different configurations or tool versions, an unsharded gate, none, and a missing shard', () => {
    const one = { file: 'g1.json', result: shardGate(1, 2, 'no change') };
    const two = shardGate(2, 2, 'no change');
    expect(() => mergeGateShards([one, { file: 'g2.json', result: shardGate(2, 2, 'no change', { repeat: 3 }) }])).toThrow(/g2.json and g1.json ran different gates \(repeat\)/);
    expect(() => mergeGateShards([one, { file: 'g2.json', result: { ...two, tool: { ...two.tool, version: '9.9.9' } } }])).toThrow(/gates of different tool versions/);
    // One package.json version, two builds of the tool (two commits between releases): refused too.
    expect(() => mergeGateShards([one, { file: 'g2.json', result: { ...two, tool: { ...two.tool, build: 'def' } } }])).toThrow(/g2.json comes from parquet-chaos 1.0.0 \(build def\), g1.json from 1.0.0 \(build abc\)/);
    expect(() => mergeGateShards([one, { file: 'whole.json', result: { ...two, shard: undefined } }])).toThrow(/whole.json is not a shard's gate/);
    expect(() => mergeGateShards([])).toThrow(/no gate files given/);
    expect(() => mergeGateShards([one])).toThrow(/shard 2\/2 missing/);
  });
});
