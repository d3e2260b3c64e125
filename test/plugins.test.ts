import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runSmall } from './support/cell.js';
import { liveProcessCount } from '../harness/orchestrate/supervise.js';

const fixture = (name: string) => resolve(import.meta.dirname, 'fixtures', `${name}.ts`);

describe('user plugins that misbehave (real processes)', () => {
  it('give each broken cell a clear error while the other cells still run and report', async () => {
    // Arrange
    const specs = [
      fixture('not-a-strategy'),
      `${fixture('throwing')}:where=open`,
      `${fixture('throwing')}:where=write`,
      'realtime',
    ];

    // Act: the hanging plugin runs apart, with a short cell timeout that no healthy cell could hit.
    const result = await runSmall({ strategies: [specs.join(',')], scenarios: ['main-file-contention'], workers: 2, recordsPerWorker: 3 });
    const hanging = await runSmall({ strategies: [fixture('hanging')], scenarios: ['main-file-contention'], workers: 2, recordsPerWorker: 3, cellTimeoutMs: 4000 });

    // Assert
    const [broken, throwsOnOpen, throwsOnWrite, healthy] = result.cells;
    expect(broken!.verdict.valid).toBe('unknown');
    expect(broken!.errors[0]!.message).toMatch(/does not implement the strategy API: `name` must be a string; `writer\(ctx, options\)` must be a function/);
    expect(throwsOnOpen!.verdict.valid).toBe('unknown');
    expect(throwsOnOpen!.errors.map((e) => e.message).join()).toMatch(/writer-0 exited with code 1: .*plugin refused to open/);
    // Failed writes are never acked: nothing lost, but nothing the strategy claims was exercised either.
    expect(throwsOnWrite!.verdict).toMatchObject({ attempted: 6, acked: 0, lost: 0, valid: 'unknown' });
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
