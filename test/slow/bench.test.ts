import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main, type Io } from '../../harness/cli/cli.js';
import type { BenchResult } from '../../harness/result/bench.js';

const outDir = mkdtempSync(join(tmpdir(), 'parquet-chaos-bench-'));
afterAll(() => rmSync(outDir, { recursive: true, force: true }));

function captureIo() {
  const out: string[] = [];
  const err: string[] = [];
  const io: Io = { out: (t) => void out.push(t), err: (t) => void err.push(t), isTTY: false, env: {} };
  return { io, out: () => out.join(''), err: () => err.join('') };
}

describe('parquet-chaos bench (real processes, tiny sizes)', () => {
  it('measures a strategy between two same-process-count limits, the raw port against the instrumented one, and the checker', async () => {
    // Arrange
    const json = join(outDir, 'bench.json');
    const { io, out } = captureIo();
    const argv = ['bench', '--parts', 'strategies,overhead,checker', '--strategy', 'append-log', '--workers', '2', '--records', '5', '--repeat', '1', '--overhead-repeat', '1', '--overhead-records', '5', '--checker-records', '3000', '--out', outDir, '--json', json];

    // Act
    const code = await main(argv, io);

    // Assert
    expect(code).toBe(0);
    const result = JSON.parse(readFileSync(json, 'utf8')) as BenchResult;
    expect(existsSync(join(result.runDir, 'bench.json'))).toBe(true);
    const [cell] = result.strategies;
    expect(result.strategies).toHaveLength(1);
    expect(cell).toMatchObject({ strategy: 'append-log', repeat: 1, valid: true, acked: 10 });
    for (const limit of [cell!.limitBefore, cell!.limitAfter]) {
      expect(limit.processes).toBe(2);
      expect(limit.ops).toBeGreaterThan(0);
    }
    expect(cell!.fractionOfLimit).toBeCloseTo(cell!.ackedPerSec / ((cell!.limitBefore.opsPerSec + cell!.limitAfter.opsPerSec) / 2), 3);
    expect(cell!.windowMs).toBeGreaterThan(0);
    // Writers' CPU from `go` and the compactor's, each divided by the acks.
    expect(cell!.cpuUsPerAck!.writer).toBeGreaterThan(0);
    expect(cell!.cpuUsPerAck!.merger).toBeGreaterThan(0);
    expect(result.overhead!.instrumented.map((c) => c.valid)).toEqual([true]);
    expect(result.overhead!.raw.map((c) => c.valid)).toEqual([true]);
    expect(result.checker).toMatchObject({ records: 3000, valid: true, acked: 3000, present: 3000 });
    expect(result.checker!.peakRssMiB).toBeGreaterThan(0);
    expect(result.checker!.cpuMs).toBeGreaterThan(0);
    expect(out()).toContain('## Safe strategies at 2 writers × 5 records');
    expect(out()).toContain('## CPU per acked record');
    expect(out()).toContain('## Harness overhead');
    expect(out()).toMatch(/Overhead in CPU, 1 − raw ÷ instrumented CPU a record \(Hodges–Lehmann, on acked records per CPU second\): -?\d/);
    expect(out()).toContain('## The checker on 3,000 records');
  });

  it('names the flag, the value and what is accepted for an unknown part', async () => {
    const { io, err } = captureIo();
    expect(await main(['bench', '--parts', 'speed', '--out', outDir], io)).toBe(2);
    expect(err()).toContain("--parts: got 'speed', expected a comma list of: strategies, overhead, checker, start, protocol");
  });
});
