import { describe, expect, it } from 'vitest';
import { renderMarkdown } from '../reports/markdown.js';
import { renderTable } from '../reports/table.js';
import { fixtureResult } from './support/result-fixture.js';

/** A manifest given by path is shown by its manifest `name` (with the spec's options); the result keeps the path. */
describe('a manifest given by path, in tables', () => {
  const path = '/home/me/writers/my-writer.json:publish=inplace';
  const result = fixtureResult();
  result.cells[0] = { ...result.cells[0]!, strategy: path, label: 'my-writer:publish=inplace' };

  it('is labelled by its manifest name in the table and in Markdown, and by its path where a cell is named alone', () => {
    const table = renderTable(result);
    const rows = table.split('\n').filter((line) => line.startsWith('my-writer:publish=inplace '));
    expect(rows).toHaveLength(1);
    expect(table.split('\n').filter((line) => line.startsWith(path))).toEqual([]);
    expect(renderMarkdown(result)).toContain('| my-writer:publish=inplace |');
  });

  it('keeps the spec as given for every other cell (no name recorded: the label is the strategy)', () => {
    const table = renderTable(result);
    for (const cell of result.cells.slice(1)) expect(table).toContain(cell.strategy);
  });
});
