import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main, type Io } from '../harness/cli/cli.js';
import type { RunResult } from '../harness/result/result.js';
import { renderTable } from '../reports/table.js';
import { fixtureResult } from './support/result-fixture.js';

const HAD_ENDED = 'target not running (it had just ended)';

/** The fixture with one optional fault that had nothing to hit, in the clean first cell. */
function withOptionalMiss(): RunResult {
  const result = fixtureResult();
  const cell = result.cells[0]!;
  cell.faults = {
    ...cell.faults,
    planned: [{ id: 7, kind: 'pause', target: 'writer-3', afterAttempts: 4, duration: 100 }],
    outcomes: [{ id: 7, kind: 'pause', target: 'writer-3', fired: false, events: 0, reason: HAD_ENDED, blocking: false }],
  };
  return result;
}

describe('optional faults that had nothing to hit', () => {
  it('are counted in one line by default and listed with verbose', () => {
    // Arrange
    const result = withOptionalMiss();

    // Act
    const quiet = renderTable(result);
    const verbose = renderTable(result, undefined, { verbose: true });

    // Assert: the reason only with verbose; a fault that decides a verdict (the failing cell's io-error) always.
    expect(quiet).not.toContain(HAD_ENDED);
    expect(quiet).toContain('· 1 optional fault had nothing to hit (not part of any verdict); --verbose lists them');
    expect(verbose).toContain(`· realtime × main-file-contention: fault #7 pause writer-3 not fired (optional): ${HAD_ENDED}`);
    expect(verbose).not.toContain('optional fault had nothing to hit');
    for (const text of [quiet, verbose]) expect(text).toContain('fault #3 io-error writer-3 not fired: writer-3 performed no rename');
  });

  it('leave no line at all when every optional fault fired', () => {
    expect(renderTable(fixtureResult())).not.toContain('had nothing to hit');
  });

  describe('--verbose on the command line (report FILE)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'parquet-chaos-verbose-'));
    const file = join(dir, 'result.json');
    writeFileSync(file, JSON.stringify(withOptionalMiss()));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it.each([[[], false], [['--verbose'], true]] as const)('report %j lists the optional miss: %s', async (flags, listed) => {
      // Arrange
      const out: string[] = [];
      const io: Io = { out: (t) => void out.push(t), err: () => undefined, isTTY: false, env: {} };

      // Act
      const code = await main(['report', file, ...flags], io);

      // Assert
      expect(code).toBe(0);
      expect(out.join('').includes(HAD_ENDED)).toBe(listed);
    });
  });
});
