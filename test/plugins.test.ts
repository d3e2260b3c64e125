import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { main, type Io } from '../harness/cli/cli.js';
import { describe, expect, it } from 'vitest';
import { runSmall } from './support/cell.js';
import { liveProcessCount } from '../harness/orchestrate/supervise.js';

const fixture = (name: string) => resolve(import.meta.dirname, 'fixtures', `${name}.ts`);

describe('user plugins that cannot be loaded', () => {
  it.each([
    [fixture('not-a-strategy'), /does not implement the strategy API: `name` must be a string; `writer\(ctx, options\)` must be a function/],
    [resolve(import.meta.dirname, 'fixtures', 'no-such-plugin.js'), /no-such-plugin\.js/],
  ])('%s is refused before calibration, naming it: bad usage (exit 2), no run folder', async (spec, message) => {
    // Arrange
    const out: string[] = [];
    const err: string[] = [];
    const outDir = mkdtempSync(join(tmpdir(), 'parquet-chaos-plugin-'));
    const io: Io = { out: (t) => void out.push(t), err: (t) => void err.push(t), isTTY: false, env: {} };

    try {
      // Act
      const code = await main(['run', '--strategy', spec, '--scenario', 'main-file-contention', '--out', outDir], io);

      // Assert: nothing ran (no run folder: calibration makes one first).
      expect(code).toBe(2);
      expect(err.join('')).toMatch(message);
      expect(readdirSync(outDir)).toEqual([]);
    } finally {
      rmSync(outDir, { recursive: true, force: true });
    }
  });
});

describe('user plugins that misbehave (real processes)', () => {
  it('give each broken cell a clear error while the other cells still run and report', async () => {
    // Arrange
    const specs = [
      `${fixture('throwing')}:where=open`,
      `${fixture('throwing')}:where=write`,
      'realtime',
    ];

    // Act: the hanging plugin runs apart, with a short cell timeout that no healthy cell could hit.
    const result = await runSmall({ strategies: [specs.join(',')], scenarios: ['main-file-contention'], workers: 2, recordsPerWorker: 3 });
    const hanging = await runSmall({ strategies: [fixture('hanging')], scenarios: ['main-file-contention'], workers: 2, recordsPerWorker: 3, cellTimeoutMs: 4000 });

    // Assert
    const [throwsOnOpen, throwsOnWrite, healthy] = result.cells;
    expect(throwsOnOpen!.verdict.valid).toBe('unknown');
    expect(throwsOnOpen!.errors.map((e) => e.message).join()).toMatch(/writer-0 exited with code 1: .*plugin refused to open/);
    // Failed writes are never acked: nothing lost, but nothing the strategy claims was exercised either;
    // what the strategy threw is among the cell's errors, with how often.
    expect(throwsOnWrite!.verdict).toMatchObject({ attempted: 6, acked: 0, lost: 0, valid: 'unknown' });
    expect(throwsOnWrite!.errors).toEqual(['writer-0', 'writer-1'].map((source) => ({ source, code: 'E_WRITE_FAILED', message: 'write() threw on 3 records: disk says no' })));
    expect(healthy!.verdict).toMatchObject({ acked: 6, lost: 0, valid: true });
    const hangs = hanging.cells[0]!;
    expect(hangs.verdict.valid).toBe('unknown');
    // One line for every process still running, with the rule and the flag that raises it.
    const timeouts = hangs.errors.filter((e) => e.code === 'E_CELL_TIMEOUT');
    expect(timeouts).toHaveLength(1);
    expect(timeouts[0]!.message).toMatch(/^writer-0, writer-1 still running at the cell timeout \(4 s \+ 20 ms × 2 workers × 3 records = 4\.12 s\); killed with SIGKILL\. Raise it with --timeout SECONDS$/);
    expect(liveProcessCount()).toBe(0);
  });
});
