import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main, type Io } from '../../harness/cli/cli.js';
import { defaultRunConfig } from '../../harness/orchestrate/run-config.js';
import { median } from '../../harness/analyze/stats.js';
import { gridPoints, runSweep } from '../../harness/orchestrate/sweep.js';
import { processesMentioning } from '../support/processes.js';

const outDir = mkdtempSync(join(tmpdir(), 'parquet-chaos-sweep-'));

afterAll(() => {
  expect(processesMentioning(outDir)).toEqual([]);
});

describe('sweep (real processes)', () => {
  it('runs every point once per repeat, summarises the cells by their medians, and re-renders from the JSON', async () => {
    // Arrange: 2 worker counts × 2 intervals × 2 repeats, 3 records a writer. No faults: what is
    // claimed here is the sweep's bookkeeping, and restarting killed writers only made it slower.
    const strategies = ['checkpoint-batch:interval=1', 'checkpoint-batch:interval=2'];
    const points = gridPoints(strategies, ['main-file-contention'], [1, 2]);

    // Act
    const result = await runSweep({
      ...defaultRunConfig(), strategies, scenarios: ['main-file-contention'], recordsPerWorker: 3, payloadBytes: 32, cellTimeoutMs: 60_000,
      points, repeat: 2, outDir, command: 'test',
    });

    // Assert
    expect(result.cells).toHaveLength(8);
    expect(result.cells.map((c) => c.repeat)).toEqual([1, 1, 1, 1, 2, 2, 2, 2]);
    expect(result.sweep!.points).toHaveLength(4);
    for (const p of result.sweep!.points) {
      const cells = result.cells.filter((c) => c.strategy === p.strategy && c.workers === p.workers);
      expect(cells.map((c) => c.repeat).sort()).toEqual([1, 2]);
      expect(p.metrics.ackedPerSec!.median).toBe(median(cells.map((c) => c.throughput.ackedPerSec)));
      expect(p.metrics.fsyncs!.median).toBe(median(cells.map((c) => c.io.fsyncs)));
      expect(p.metrics.ackedPerSec!.confidence).toBe(0.5);
    }
    const out: string[] = [];
    const io: Io = { out: (t) => void out.push(t), err: () => undefined, isTTY: false, env: {} };
    expect(await main(['report', join(result.runDir, 'result.json'), '--format', 'md'], io)).toBe(0);
    expect(out.join('')).toContain('### Sweep');
    expect(out.join('')).toContain('| strategy | workers | valid | acked/s |');
    expect(out.join('')).toMatch(/^\| checkpoint-batch:interval=2 \| 2 \| \d\/2 \|/m);
  }, 180_000);
});
