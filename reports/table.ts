import type { CellResult, RunResult } from '../harness/result/result.js';
import { badValue } from '../harness/sdk/errors.js';
import { assumptionLines, COST_HEADS, costFigures, faultsFired, plainPalette, provenance, serviceLines, strategyName, unclaimedAnomalies, unfiredFaults, unfiredOptional, validLabel, type Palette } from './format.js';
import { fitGrid, wrapText, type GridCell, type GridRow } from './fit.js';
import { adviceLines, answerLines, evidenceLegend, evidenceRows, seedRows } from './recommend.js';
import { simLines } from './sim.js';
import { sweepNote, sweepRows, type Rows } from './sweep.js';

/** How the terminal table is laid out: the width to fit and which per-cell columns to show. */
export interface TableView {
  /** The terminal's width in characters; no limit when undefined (a pipe or a file). */
  width?: number;
  /** Per-cell columns by name (TABLE_COLUMNS); the compact set when undefined. */
  columns?: readonly string[];
  /** Lists the optional faults that had nothing to hit (else one line counts them). */
  verbose?: boolean;
}

interface Column {
  head: string;
  cell(cell: CellResult, palette: Palette): GridCell;
}

function countCell(n: number, claimed: boolean, palette: Palette): GridCell {
  if (n === 0) return { text: '0' };
  return { text: String(n), style: claimed ? palette.bad : palette.warn };
}

/** Kills (nemesis and crash points) / pauses / restarts, or – for a cell without faults. */
function faultSummary(cell: CellResult): string {
  const f = cell.faults;
  return f.kills + f.crashPoints + f.pauses + f.restarts === 0 ? '–' : `${f.kills + f.crashPoints}/${f.pauses}/${f.restarts}`;
}

/** `lock wait p99` → `lock-wait-p99`, `% of limit` → `pct-of-limit`: a column's name for --columns. */
const slug = (head: string) => head.replace('%', 'pct').replace(/\s+/g, '-');

/** Every per-cell column of the terminal table, by the name `--columns` takes. */
export const TABLE_COLUMNS: Readonly<Record<string, Column>> = {
  strategy: { head: 'strategy', cell: (c, p) => ({ text: strategyName(c), style: c.verdict.valid === true ? undefined : p.bold }) },
  scenario: { head: 'scenario', cell: (c) => ({ text: c.scenario }) },
  verdict: {
    head: 'verdict',
    cell: (c, p) => ({ text: validLabel(c), style: c.verdict.valid !== true ? p.bad : unclaimedAnomalies(c).length ? p.warn : p.good }),
  },
  acked: { head: 'acked/att', cell: (c) => ({ text: `${c.verdict.acked}/${c.verdict.attempted}` }) },
  lost: { head: 'lost', cell: (c, p) => countCell(c.verdict.lost, c.guarantees.noLostAcked, p) },
  dup: { head: 'dup', cell: (c, p) => countCell(c.verdict.duplicates, c.guarantees.noDuplicates, p) },
  corrupt: { head: 'corrupt', cell: (c, p) => countCell(c.verdict.corruptFiles + c.verdict.corruptRecords, c.guarantees.noCorruption, p) },
  'unacked-lost': { head: 'unacked lost', cell: (c) => ({ text: String(c.verdict.unackedLost) }) },
  'at-risk': { head: 'at risk', cell: (c) => ({ text: String(c.verdict.unackedAtCrash) }) },
  fired: { head: 'faults fired/planned', cell: (c) => ({ text: faultsFired(c) }) },
  faults: { head: 'kill/pause/restart', cell: (c) => ({ text: faultSummary(c) }) },
  ...Object.fromEntries(COST_HEADS.map((head, i) => [slug(head), { head, cell: (c: CellResult) => ({ text: costFigures(c)[i]! }) }])),
};

/**
 * The default: what decides whether to trust a strategy and what it costs; the rest with --wide or
 * --columns. Without a scenario column, rows are grouped under a heading per scenario.
 */
export const COMPACT_COLUMNS = ['strategy', 'verdict', 'acked', 'lost', 'dup', 'at-risk', 'acked/s', 'ack-p99', 'lock-wait-p99'];

/** `--columns a,b,c` (or `--wide`: every column) as column names, checked. */
export function tableColumns(raw: string | undefined, wide: boolean): string[] | undefined {
  if (raw === undefined) return wide ? Object.keys(TABLE_COLUMNS) : undefined;
  const names = raw.split(',').map((s) => s.trim()).filter(Boolean);
  const unknown = names.find((n) => !(n in TABLE_COLUMNS));
  if (unknown !== undefined || names.length === 0) throw badValue('E_BAD_OPTION', '--columns', unknown ?? raw, `a comma list of: ${Object.keys(TABLE_COLUMNS).join(', ')}`);
  return names;
}

/** The terminal table: one row per cell, failing cells stand out, then each cell's errors; every line fits `view.width`. */
export function renderTable(result: RunResult, palette: Palette = plainPalette, view: TableView = {}): string {
  const { width } = view;
  const lines: string[] = [];
  const prose = (text: string, style: (t: string) => string = (t) => t) => lines.push(...(width ? wrapText(text, width) : [text]).map(style));
  const grid = (head: readonly string[], rows: readonly GridRow[]) => {
    const fitted = fitGrid(head, rows, width);
    lines.push(...fitted.lines);
    if (fitted.dropped.length) prose(`(left out to fit ${width} columns: ${fitted.dropped.join(', ')}; see --columns)`, palette.dim);
  };
  const rowsOf = ({ head, rows }: Rows) => grid(head, rows);
  for (const line of provenance(result)) prose(line, palette.dim);
  if (result.sim) {
    const text = simLines(result.sim, (head, rows) => fitGrid(head, rows, width).lines.join('\n'));
    for (const line of text.slice(0, -1)) {
      if (line.includes('\n')) lines.push(line);
      else prose(line);
    }
    prose(text.at(-1)!, result.sim.verdict === 'pass' ? palette.good : palette.bad);
    prose(`result: ${result.runDir}/result.json`, palette.dim);
    return `${lines.join('\n')}\n`;
  }
  // A sweep's cells are summarised per grid point; only the cells that went wrong are listed one by one.
  if (result.sweep) {
    // recommend's evidence table below holds its sweep in 80 columns; every measure: --format md or html.
    if (result.recommendation) prose(`${result.sweep.points.length} points × ${result.sweep.repeat} repeats measured; every measure of every point: report FILE --format md or html`, palette.dim);
    else {
      prose('Sweep', palette.bold);
      rowsOf(sweepRows(result.sweep));
    }
    prose(sweepNote(result.sweep), palette.dim);
    for (const cell of result.cells.filter((c) => c.verdict.valid !== true)) {
      prose(`✗ ${strategyName(cell)} × ${cell.scenario} · ${cell.workers} workers · repeat ${cell.repeat ?? 1}: ${validLabel(cell)} (${cell.dir})`, palette.bad);
    }
  } else {
    const names = view.columns ?? COMPACT_COLUMNS;
    const columns = names.map((name) => TABLE_COLUMNS[name]!);
    const rowOf = (cell: CellResult) => columns.map((c) => c.cell(cell, palette));
    const grouped = !names.includes('scenario');
    const scenarios = [...new Set(result.cells.map((c) => c.scenario))];
    grid(columns.map((c) => c.head), grouped
      ? scenarios.flatMap((scenario) => [{ group: { text: `${scenario}:`, style: palette.bold } }, ...result.cells.filter((c) => c.scenario === scenario).map(rowOf)])
      : result.cells.map(rowOf));
    if (view.columns === undefined) prose('more columns: --wide, or --columns a,b,c (names in --help)', palette.dim);
    for (const cell of result.cells) {
      // Faults fired/planned always show, in the table with --wide or here.
      const fired = faultsFired(cell);
      const counters = [...(fired === '–' ? [] : [`faults fired/planned ${fired}`]), ...Object.entries(cell.counters ?? {}).map(([name, n]) => `${name}=${n}`)];
      if (counters.length) prose(`· ${strategyName(cell)} × ${cell.scenario}: ${counters.join(', ')}`, palette.dim);
    }
  }
  for (const line of serviceLines(result)) prose(`· ${line}`, palette.dim);
  for (const line of assumptionLines(result)) prose(line, palette.dim);
  for (const cell of result.cells) {
    for (const e of cell.errors) prose(`! ${strategyName(cell)} × ${cell.scenario}: ${e.source}: ${e.message}`, palette.warn);
    for (const line of unfiredFaults(cell, view.verbose === true)) prose(`· ${strategyName(cell)} × ${cell.scenario}: ${line}`, palette.dim);
    if (cell.verdict.valid === 'unknown') {
      for (const reason of cell.verdict.unknownReasons ?? []) prose(`? ${strategyName(cell)} × ${cell.scenario}: ${reason}`, palette.warn);
    }
  }
  const optional = view.verbose ? 0 : result.cells.reduce((sum, cell) => sum + unfiredOptional(cell), 0);
  if (optional > 0) prose(`· ${optional} optional fault${optional === 1 ? '' : 's'} had nothing to hit (not part of any verdict); --verbose lists them`, palette.dim);
  const rec = result.recommendation;
  if (rec) {
    // Short labels and their legend keep every table within 80 columns; the answer comes last, where
    // the eye lands when the run ends.
    lines.push('');
    prose('Evidence (every candidate point):', palette.bold);
    rowsOf(evidenceRows(rec, true));
    for (const line of evidenceLegend(rec)) prose(line, palette.dim);
    lines.push('');
    prose('The original analysis\'s table "real-time vs batch saving", measured:', palette.bold);
    rowsOf(seedRows(rec, true));
    prose('The original analysis\'s advice on this machine:', palette.bold);
    for (const line of adviceLines(rec)) prose(`- ${line}`);
    lines.push('');
    prose('Recommendation', palette.bold);
    for (const line of answerLines(rec, result.sweep?.repeat)) prose(line, palette.good);
    lines.push('');
  }
  prose(`result: ${result.runDir}/result.json`, palette.dim);
  return `${lines.join('\n')}\n`;
}
