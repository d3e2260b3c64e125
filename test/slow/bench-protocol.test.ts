import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main, type Io } from '../../harness/cli/cli.js';
import type { BenchResult } from '../../harness/result/bench.js';
import { pythonMissing } from '../support/python.js';

const outDir = mkdtempSync(join(tmpdir(), 'parquet-chaos-bench-protocol-'));
afterAll(() => rmSync(outDir, { recursive: true, force: true }));

const noPython = pythonMissing();
const noPandas = pythonMissing('pandas, pyarrow');

describe('bench --parts protocol (real processes, tiny sizes)', () => {
  it('measures the no-op writer in-process and foreign, the pieces of a round trip, and a Python reference writer against the limit', async () => {
    // Arrange
    const json = join(outDir, 'bench.json');
    const out: string[] = [];
    const io: Io = { out: (t) => void out.push(t), err: () => {}, isTTY: false, env: {} };
    const argv = ['bench', '--parts', 'protocol', '--workers', '1', '--records', '10', '--protocol-records', '2', '--python-writers', 'pandas-checkpoint:interval=2', '--out', outDir, '--json', json];

    // Act
    const code = await main(argv, io);

    // Assert
    expect(code).toBe(0);
    const p = JSON.parse(readFileSync(json, 'utf8')).protocol as NonNullable<BenchResult['protocol']>;
    const kinds = noPython ? ['in-process', 'foreign-js'] : ['in-process', 'foreign-js', 'foreign-python'];
    expect(p.noop.map((n) => n.kind)).toEqual(kinds);
    for (const { kind, cell } of p.noop) {
      // 1 writer × 10 records, every one acked; they save nothing and claim nothing, so no verdict (unknown).
      expect(cell, kind).toMatchObject({ acked: 10, valid: 'unknown' });
      expect(cell.ackedPerSec, kind).toBeGreaterThan(0);
      expect(cell.cpuUsPerAck!.writer, kind).toBeGreaterThan(0);
    }
    expect(p.direct.map((d) => d.kind)).toEqual(kinds.slice(1));
    for (const d of p.direct) {
      expect(d.startMs, d.kind).toBeGreaterThan(0);
      expect(d.roundTripUs, d.kind).toBeGreaterThan(0);
      expect(d).toMatchObject({ roundTrips: 1000, starts: 3 });
    }
    expect(p.jsonUsPerRecord).toBeGreaterThan(0);
    expect(p.startMs.node).toBeGreaterThan(0);
    const text = out.join('');
    expect(text).toContain('## Writer protocol 1\'s cost: one no-op writer (acks at once, saves nothing), 1 writer');
    expect(text).toMatch(/foreign: plain Node: start to `init_ok` \d+ ms once per process \(a node that does nothing \d+ ms\); `write` → `ok` round trip [\d.]+ µs a record/);
    if (noPython) {
      expect(p.skipped).toEqual([expect.stringMatching(/^foreign-python no-op writer: needs /), expect.stringMatching(/^pandas-checkpoint:interval=2: needs /)]);
      return;
    }
    expect(p.startMs.python).toBeGreaterThan(0);
    expect(p.startMs.pythonKitImport).toBeGreaterThan(0);
    if (noPandas) {
      expect(p.skipped).toEqual([expect.stringMatching(/^pandas-checkpoint:interval=2: needs .*pandas/)]);
      expect(text).toContain('Skipped here: pandas-checkpoint:interval=2: needs');
      return;
    }
    expect(p.skipped).toEqual([]);
    const [pandas] = p.python;
    expect(pandas).toMatchObject({ strategy: 'pandas-checkpoint:interval=2', acked: 2, valid: true });
    const limit = (pandas!.limitBefore.opsPerSec + pandas!.limitAfter.opsPerSec) / 2;
    expect(pandas!.fractionOfLimit).toBeCloseTo(pandas!.ackedPerSec / limit, 3);
    expect(p.startMs.pythonPandasImport).toBeGreaterThan(0);
    expect(text).toMatch(/\| pandas-checkpoint:interval=2 \| true \| [\d.]+ \| [\d,]+ \| [\d.]+% \|/);
  }, 600_000);
});
