import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { expectedCost, parseShard, shardIndices } from '../harness/orchestrate/shard.js';
import { interleave, runSweep, gridPoints } from '../harness/orchestrate/sweep.js';
import { mergeShards, unshardedCommand } from '../harness/analyze/merge.js';
import { summarizeSweep } from '../harness/analyze/sweep-summary.js';
import { defaultRunConfig } from '../harness/orchestrate/run-config.js';
import type { RunResult } from '../harness/result/result.js';
import { renderTable } from '../reports/table.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { processesMentioning } from './support/processes.js';
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
