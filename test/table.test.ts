import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { main, type Io } from '../harness/cli/cli.js';
import { ansiPalette, plainPalette } from '../reports/format.js';
import { fitGrid, wrapText } from '../reports/fit.js';
import { renderMarkdown } from '../reports/markdown.js';
import { COMPACT_COLUMNS, renderTable, TABLE_COLUMNS, tableColumns } from '../reports/table.js';
import { fixtureResult, recommendFixtureResult } from './support/result-fixture.js';

/** The characters a line takes on a terminal (colour codes take none). */
const visible = (line: string) => line.replace(/\u001b\[[\d;]*m/g, '').length;
const widest = (text: string) => Math.max(...text.split('\n').map(visible));

const recommendResult = recommendFixtureResult;

describe('terminal table fits the terminal', () => {
  it.each([
    ['a run', fixtureResult],
    ['a sweep with a recommendation', recommendResult],
  ])('%s rendered for 80 columns has no line longer than 80, in colour too', (_name, make) => {
    // Arrange
    const result = make();

    // Act
    const text = renderTable(result, ansiPalette, { width: 80 });

    // Assert
    expect(widest(text)).toBeLessThanOrEqual(80);
    expect(text).toContain('Recommendation'.repeat(result.recommendation ? 1 : 0));
  });

  it('fits any width from 30 to 260 columns, with --wide too', () => {
    const results = [fixtureResult(), recommendResult()];
    fc.assert(fc.property(fc.integer({ min: 30, max: 260 }), fc.boolean(), fc.integer({ min: 0, max: 1 }), (width, wide, which) => {
      const text = renderTable(results[which]!, plainPalette, { width, columns: tableColumns(undefined, wide) });
      expect(widest(text)).toBeLessThanOrEqual(width);
    }), { numRuns: 30 });
  });

  it('keeps every strategy name readable: narrowed cells wrap inside their column instead of being cut', () => {
    const text = renderTable(fixtureResult(), plainPalette, { width: 80 });
    expect(text).toMatch(/^checkpoint-\s+FAIL\s+30\/40\s+3\s+0\s+9\s+48.2\s+210.7 ms\s+12.5 ms\nbatch:\s+\(noLostAcked\)\ninterval=10\n/m);
    expect(text).not.toContain('…');
  });

  it('names the columns it had to leave out when even narrowed ones do not fit', () => {
    const text = renderTable(fixtureResult(), plainPalette, { width: 40, columns: Object.keys(TABLE_COLUMNS) });
    expect(text).toMatch(/\(left out to fit 40 columns: .*files-in-data|files in data/);
    expect(widest(text)).toBeLessThanOrEqual(40);
  });
});

describe('table columns', () => {
  const heads = (text: string) => text.split('\n').find((l) => l.startsWith('strategy'))!.split(/\s{2,}/).map((h) => h.trim()).filter(Boolean);

  it('shows the compact set by default, every column with --wide, the named ones with --columns', () => {
    expect(heads(renderTable(fixtureResult()))).toEqual(COMPACT_COLUMNS.map((n) => TABLE_COLUMNS[n]!.head));
    expect(heads(renderTable(fixtureResult(), plainPalette, { columns: tableColumns(undefined, true) }))).toEqual(Object.values(TABLE_COLUMNS).map((c) => c.head));
    expect(heads(renderTable(fixtureResult(), plainPalette, { columns: tableColumns('strategy,verdict,fsyncs', false) }))).toEqual(['strategy', 'verdict', 'fsyncs']);
  });

  it('refuses an unknown column, naming the valid ones', () => {
    expect(() => tableColumns('strategy,speed', false)).toThrow("--columns: got 'speed', expected a comma list of: strategy, scenario, verdict");
  });

  it('leaves Markdown complete whatever the terminal', () => {
    expect(renderMarkdown(fixtureResult())).toContain('| fsyncs | bytes written | files in data |');
  });
});

describe('wrapText and fitGrid', () => {
  it('wrap at word and punctuation boundaries and never exceed the width', () => {
    fc.assert(fc.property(fc.string({ maxLength: 300 }), fc.integer({ min: 1, max: 120 }), (text, width) => {
      const lines = wrapText(text, width);
      expect(lines.every((l) => l.length <= width)).toBe(true);
      expect(lines.join('').replace(/\s/g, '')).toBe(text.replace(/\s/g, ''));
    }));
    expect(wrapText('lock-upgrade-with-fallback × main-file-contention', 20)).toEqual(['lock-upgrade-with-', 'fallback × main-', 'file-contention']);
  });

  it('a grid narrower than its content keeps every character of every cell', () => {
    const grid = fitGrid(['strategy', 'n'], [['lock-upgrade-with-fallback:attempts=3', '12']], 24);
    expect(widest(grid.lines.join('\n'))).toBeLessThanOrEqual(24);
    const rows = grid.lines.slice(grid.lines.findIndex((l) => l.startsWith('─')) + 1);
    expect(rows[0]).toMatch(/ 12$/);
    expect([rows[0]!.replace(/ 12$/, ''), ...rows.slice(1)].join('').replace(/\s/g, '')).toBe('lock-upgrade-with-fallback:attempts=3');
    expect(grid.dropped).toEqual([]);
  });
});

describe('a run on an 80-column terminal (real processes)', () => {
  it('prints a table and a progress line that fit, and the progress line never stacks', async () => {
    // Arrange: stdout and stderr are 80- and 60-column terminals.
    const out: string[] = [];
    const err: string[] = [];
    const io: Io = { out: (t) => void out.push(t), err: (t) => void err.push(t), isTTY: true, errIsTTY: true, columns: 80, errColumns: () => 60, env: {} };

    // Act
    const code = await main(['run', '--strategy', 'lock-upgrade-with-fallback,realtime:lock=none', '--scenario', 'main-file-contention', '--workers', '2', '--records', '3',
      '--faults', 'none', '--out', mkdtempSync(join(tmpdir(), 'parquet-chaos-fit-'))], io);

    // Assert
    expect(code).toBe(0);
    expect(widest(out.join(''))).toBeLessThanOrEqual(80);
    const plain = out.join('').replace(/\u001b\[[\d;]*m/g, '');
    // Each row starts with the strategy (wrapped inside its column if need be: how narrow depends on the
    // widths of the figures beside it, which a loaded machine makes longer), its verdict and 6/6 acked.
    expect(plain).toMatch(/^lock-\S*\s+ok\s+6\/6\s/m);
    expect(plain).toMatch(/^realtime\S*\s+(ok|lost)\b.*\s6\/6\s/m);
    const redraws = err.filter((t) => t.startsWith('\r\u001b[2K')).map((t) => t.slice('\r\u001b[2K'.length));
    expect(redraws.length).toBeGreaterThan(0);
    expect(Math.max(...redraws.map(visible))).toBeLessThan(60);
  }, 60_000);
});
