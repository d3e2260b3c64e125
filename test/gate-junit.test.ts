import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { renderGateJunit } from '../reports/junit.js';
import { main, type Io } from '../harness/cli/cli.js';
import { baselineOf } from '../harness/orchestrate/gate-run.js';
import { defaultRunConfig } from '../harness/orchestrate/run-config.js';
import type { GateResult } from '../harness/result/gate-result.js';

const io = () => {
  const err: string[] = [];
  return { err, io: { out: () => undefined, err: (t: string) => void err.push(t), isTTY: false, env: {} } satisfies Io };
};

/** A one-cell gate result whose correctness failure carries `problem`. */
function gate(problem: string, extra: Partial<GateResult> = {}): GateResult {
  return {
    schemaVersion: 1, kind: 'gate', tool: { name: 'parquet-chaos', version: '0.1.0', build: 'abc' }, command: 'parquet-chaos gate --base a --head b',
    mode: 'a/b', startedAt: '2026-01-01T00:00:00Z', finishedAt: '2026-01-01T00:10:00Z', gateDir: '/runs/g', machine: {} as GateResult['machine'],
    config: {
      base: 'a', head: 'b', scenarios: ['main-file-contention'], workers: [4], repeat: 6, maxRepeat: 18, looks: 3, alpha: 0.05, alphaPerLook: 0.05 / 3,
      minEffect: { ackedPerSec: 0.1, ackLatencyMsP99: 0.2, lockWaitMsP99: 0.2, parquetPerSec: 0.1 }, tolerances: {} as GateResult['config']['tolerances'], inconclusiveOk: false,
      run: (({ strategies: _s, scenarios: _c, workers: _w, ...run }) => run)(defaultRunConfig()),
    },
    runs: [], controlsPlanned: 0, controls: [],
    cells: [{
      scenario: 'main-file-contention', workers: 4, pairs: 6, looks: 1, samples: [], metrics: [], counters: [], answer: 'failed',
      correctness: [{ side: 'head', strategy: 'b', repeat: 1, seed: 1, problems: [problem], dir: '/runs/g/c', replay: 'npx parquet-chaos run' }],
    }],
    outcome: 'correctness', exitCode: 1, reasons: [], ...extra,
  };
}

describe('the gate as JUnit XML', () => {
  it('strips the characters XML 1.0 cannot hold (a strategy\'s error message with terminal colours, a NUL, a lone surrogate)', () => {
    const xml = renderGateJunit(gate('verdict unknown (writer-1: \u001b[31mboom\u001b[0m\u0000 \ud800 tab\tkept)'));
    expect(xml).toContain('verdict unknown (writer-1: [31mboom[0m  tab\tkept)');
    // Nothing XML 1.0 forbids is left anywhere in the document.
    expect(xml).not.toMatch(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/);
  });

  it('reports a stopped gate as a failure and judges none of its metrics', () => {
    const xml = renderGateJunit(gate('none', { outcome: 'stopped', exitCode: 3, stopped: 'ENOSPC' }));
    expect(xml).toContain('<testcase classname="parquet-chaos.gate" name="the gate ran to the end">');
    expect(xml).toContain('<failure type="stopped" message="stopped, not judged">ENOSPC</failure>');
  });
});

describe('baselines', () => {
  it('are refused from a gate that regressed, failed correctness, missed a control, stopped or was interrupted', () => {
    for (const outcome of ['regressed', 'correctness', 'control missed', 'stopped', 'interrupted'] as const) expect(baselineOf(gate('x', { outcome }))).toBeNull();
    expect(baselineOf(gate('x', { outcome: 'pass', cells: [] }))).toMatchObject({ kind: 'gate-baseline', tool: { build: 'abc' } });
  });

  const dir = mkdtempSync(join(tmpdir(), 'gate-baseline-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('are refused before anything runs when their metrics were defined otherwise (exit 2, naming the metric)', async () => {
    const saved = { ...baselineOf(gate('x', { outcome: 'pass', cells: [] }))!, repeat: 6 };
    const file = join(dir, 'old.json');
    writeFileSync(file, JSON.stringify({ ...saved, definitions: { ...saved.definitions, ackedPerSec: 'acked records ÷ wall time; higher is better' } }));
    const run = io();
    expect(await main(['gate', '--baseline', file], run.io)).toBe(2);
    expect(run.err.join('')).toMatch(/--baseline: .*ackedPerSec: saved "acked records ÷ wall time; higher is better", now "acked records ÷ wall time from the writers' go/);
  });
});

describe('merge of gate shards', () => {
  it('writes the merged gate as JUnit too', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gate-merge-'));
    try {
      const shard = (index: number) => ({ ...gate('x', { outcome: 'pass', exitCode: 0, cells: [] }), shard: { index, count: 2, plannedCells: 1 }, controlsPlanned: 0 });
      for (const i of [1, 2]) writeFileSync(join(dir, `g${i}.json`), JSON.stringify(shard(i)));
      const run = io();
      const code = await main(['merge', join(dir, 'g1.json'), join(dir, 'g2.json'), '--json', join(dir, 'all.json'), '--junit', join(dir, 'all.xml')], run.io);
      expect(code).toBe(0);
      expect(readFileSync(join(dir, 'all.xml'), 'utf8')).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?>\n<testsuites name="parquet-chaos gate" tests="0" failures="0"/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
