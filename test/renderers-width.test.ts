import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RunResultSchema } from '../harness/result/result.js';
import { parseWith } from '../harness/sdk/schema.js';
import { createProgress, formatProgress } from '../harness/cli/progress.js';
import { ansiPalette, plainPalette } from '../reports/format.js';
import { formats, formatNames } from '../reports/index.js';
import { renderGateMarkdown, renderGateTable } from '../reports/gate.js';
import { renderTable, TABLE_COLUMNS, type TableView } from '../reports/table.js';
import { cellArb, gateResultArb, recommendResultArb, runResultArb, simResultArb, text } from './support/result-arbitraries.js';

/*
 * Every terminal renderer at any width from 20 to 400 columns and for any result the schema allows:
 * it never throws, and no line is longer than the width it promises to fit (colours stripped).
 * Seeds are printed on failure; FC_SEED / FC_PATH replay one (test/support/fast-check.ts).
 */

const width = fc.integer({ min: 20, max: 400 });
const palette = fc.constantFrom(plainPalette, ansiPalette);
const view: fc.Arbitrary<Omit<TableView, 'width'>> = fc.oneof(
  fc.record({ verbose: fc.boolean() }),
  fc.record({ columns: fc.constant(Object.keys(TABLE_COLUMNS)), verbose: fc.boolean() }),
  fc.record({ columns: fc.subarray(Object.keys(TABLE_COLUMNS), { minLength: 1 }) }),
);

const ANSI = /\u001b\[[0-9;]*m/g;
/** Lines longer than `max` characters, colour codes not counted. */
const overlong = (output: string, max: number) => output.split('\n').map((line) => line.replace(ANSI, '')).filter((line) => line.length > max);

describe('renderers at any width, for any result', () => {
  it.each([
    ['a run', runResultArb],
    ['a sweep with its recommendation', recommendResultArb],
    ['a simulation', simResultArb],
  ] as const)('the table of %s fits the width and never throws', (_, results) => {
    fc.assert(fc.property(results, width, palette, view, (result, columns, colours, shown) => {
      // The arbitrary writes only what a result file may hold.
      parseWith(RunResultSchema, JSON.parse(JSON.stringify(result)), 'generated result', 'E_USAGE');
      expect(overlong(renderTable(result, colours, { ...shown, width: columns }), columns)).toEqual([]);
    }), { numRuns: 60 });
  });

  it('every report format renders any run without throwing', () => {
    fc.assert(fc.property(fc.oneof(runResultArb, recommendResultArb, simResultArb), fc.constantFrom(...formatNames), (result, format) => {
      expect(typeof formats[format](result, plainPalette, {})).toBe('string');
    }), { numRuns: 60 });
  });

  it('the gate\'s table fits the width and never throws; its Markdown never throws', () => {
    fc.assert(fc.property(gateResultArb, width, palette, (result, columns, colours) => {
      expect(overlong(renderGateTable(result, colours, columns), columns)).toEqual([]);
      expect(renderGateMarkdown(result)).toContain('gate');
    }), { numRuns: 60 });
  });

  it('the progress line stays shorter than the terminal, and reporting any cell never throws', () => {
    fc.assert(fc.property(width, text, fc.nat({ max: 10_000 }), fc.nat({ max: 10_000 }), fc.array(cellArb(), { maxLength: 3 }), fc.boolean(), (columns, label, done, total, cells, tty) => {
      const line = formatProgress({ done, total, current: label, startedAt: 0, lastDoneAt: 1000 }, 5000, columns);
      expect(line.length).toBeLessThan(columns);
      const written: string[] = [];
      const progress = createProgress((t) => void written.push(t), tty, () => columns, () => 1000);
      progress.start(0, cells.length, label);
      for (const cell of cells) progress.done(cell);
      progress.finish();
      // The redrawn line (after its erase sequence) fits as the one above.
      for (const drawn of written.filter((t) => t.startsWith('\r\u001b[2K') && !t.endsWith('\n'))) expect(drawn.slice(5).length).toBeLessThan(columns);
    }));
  });
});
