import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runSmall } from '../support/cell.js';
import { pythonMissing } from '../support/python.js';
import { expectRecountAgrees } from '../support/recount.js';

/**
 * A user's own Python writer, written from docs/python.md alone: the page's `my_writer.py` and
 * `my-writer.json` blocks, copied as they are into a folder outside the project, run under all three
 * scenarios with their default faults.
 */
const missing = pythonMissing('pandas, pyarrow');

/** The fenced block of `language` that follows the line naming `file` in the page. */
export function blockAfter(page: string, file: string, language: string): string {
  const at = page.indexOf(`\`${file}\``);
  const block = new RegExp(`\`\`\`${language}\\n([\\s\\S]*?)\`\`\``).exec(page.slice(at));
  if (at < 0 || !block) throw new Error(`docs/python.md has no ${language} block after \`${file}\``);
  return block[1]!;
}

const folder = mkdtempSync(join(tmpdir(), 'my-python-writer-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

describe.skipIf(missing)('a Python writer written from docs/python.md alone (real processes)', () => {
  it('runs from a folder outside the project under main-file-contention, merge-race and buffer-crash, and passes', async () => {
    // Arrange
    const page = readFileSync(resolve(import.meta.dirname, '../../docs/python.md'), 'utf8');
    writeFileSync(join(folder, 'my_writer.py'), blockAfter(page, 'my_writer.py', 'python'));
    writeFileSync(join(folder, 'my-writer.json'), blockAfter(page, 'my-writer.json', 'json'));

    // Act
    const result = await runSmall({
      strategies: [join(folder, 'my-writer.json')], scenarios: ['main-file-contention', 'merge-race', 'buffer-crash'], workers: 4, recordsPerWorker: 12, thinkMs: 40,
    });

    // Assert: every cell passes, and buffer-crash's kills and pause did happen
    expect(result.cells.map((c) => [c.scenario, c.verdict.valid, c.verdict.lost, c.verdict.unknownReasons])).toEqual([
      ['main-file-contention', true, 0, []], ['merge-race', true, 0, []], ['buffer-crash', true, 0, []],
    ]);
    expect(result.cells[0]!.verdict).toMatchObject({ acked: 48, present: 48 });
    // Tables show the manifest's name; the result keeps the path it was given by.
    expect(result.cells.map((c) => [c.strategy, c.label])).toEqual(Array(3).fill([join(folder, 'my-writer.json'), 'my-writer']));
    expect(result.cells[2]!.faults).toMatchObject({ kills: 2, pauses: 1 });
    for (const cell of result.cells) await expectRecountAgrees(cell);
  });
});
