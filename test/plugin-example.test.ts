import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runSmall } from './support/cell.js';
import type { CellResult } from '../harness/result/result.js';
import { expectRecountAgrees } from './support/recount.js';

/** The outcomes of the faults that must fire (an optional one, e.g. a hold at a point this plugin never marks, may not). */
const requiredOutcomes = (cell: CellResult) => (cell.faults.outcomes ?? []).filter((_, i) => !cell.faults.planned[i]!.optional);

describe('the README plugin example (real processes)', () => {
  it('loads a user module by path, with options, and keeps its claims under writer kills', async () => {
    // Arrange
    const plugin = `${resolve(import.meta.dirname, 'fixtures/per-writer-file.js')}:every=2`;

    // buffer-crash kills two writers and pauses a third, each held at a seeded attempt (here 2, 3 and 3 of 8).
    // Act
    const result = await runSmall({ strategies: [plugin], scenarios: ['buffer-crash'], workers: 4, recordsPerWorker: 8 });

    // Assert
    const cell = result.cells[0]!;
    expect(cell.strategy).toMatch(/per-writer-file\.js:every=2$/);
    // (Whole outcomes, so that a failure shows why a fault did not fire.)
    expect(requiredOutcomes(cell)).toMatchObject(requiredOutcomes(cell).map((outcome) => ({ kind: outcome.kind, fired: true })));
    expect(cell.faults.kills).toBeGreaterThan(0);
    expect(cell.verdict).toMatchObject({ acked: 32, lost: 0, duplicates: 0, corruptFiles: 0, valid: true });
    await expectRecountAgrees(cell);
  });

  it('runs the README\'s 20-line plugin, copied from the README, from a folder of its own', async () => {
    // Arrange: the first js block of the README's plugin section, saved as a user would save it.
    const readme = readFileSync(resolve(import.meta.dirname, '../README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('## A strategy of your own'));
    const source = /```js\n([\s\S]*?)```/.exec(section)![1]!;
    expect(source.split('\n').filter((line) => line.trim() && !line.trim().startsWith('//')).length).toBeLessThanOrEqual(24);
    // Inside the project, whose package.json (type module, named parquet-chaos) the file then finds, as a
    // plugin in the user's own repository finds theirs and the installed package (plugin-anywhere.test.ts
    // covers a folder with no package at all, through the CLI).
    mkdirSync(resolve(import.meta.dirname, '../runs'), { recursive: true });
    const dir = mkdtempSync(resolve(import.meta.dirname, '../runs/readme-plugin-'));
    writeFileSync(join(dir, 'one-file-per-record.js'), source);

    try {
      // Act
      const result = await runSmall({ strategies: [join(dir, 'one-file-per-record.js')], scenarios: ['buffer-crash'], workers: 4, recordsPerWorker: 8 });

      // Assert
      const cell = result.cells[0]!;
      expect(cell.errors).toEqual([]);
      expect(requiredOutcomes(cell)).toMatchObject(requiredOutcomes(cell).map((outcome) => ({ kind: outcome.kind, fired: true })));
      expect(cell.verdict).toMatchObject({ acked: 32, lost: 0, duplicates: 0, corruptFiles: 0, valid: true });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
