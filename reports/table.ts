import Table from 'cli-table3';
import type { CellResult, RunResult } from '../harness/result/result.js';
import { COST_HEADS, costFigures, plainPalette, provenance, serviceLines, unclaimedAnomalies, validLabel, type Palette } from './format.js';
import { adviceLines, answer, evidenceRows, paretoCaption, paretoRows, seedRows } from './recommend.js';
import { sweepNote, sweepRows, type Rows } from './sweep.js';

function countCell(n: number, claimed: boolean, palette: Palette): string {
  if (n === 0) return '0';
  return claimed ? palette.bad(String(n)) : palette.warn(String(n));
}

/** Kills (nemesis and crash points) / pauses / restarts, or – for a cell without faults. */
function faultSummary(cell: CellResult): string {
  const f = cell.faults;
  return f.kills + f.crashPoints + f.pauses + f.restarts === 0 ? '–' : `${f.kills + f.crashPoints}/${f.pauses}/${f.restarts}`;
}

function row(cell: CellResult, palette: Palette): string[] {
  const v = cell.verdict;
  const g = cell.guarantees;
  const status = validLabel(cell);
  return [
    v.valid === true ? cell.strategy : palette.bold(cell.strategy),
    cell.scenario,
    v.valid !== true ? palette.bad(status) : unclaimedAnomalies(cell).length ? palette.warn(status) : palette.good(status),
    `${v.acked}/${v.attempted}`,
    countCell(v.lost, g.noLostAcked, palette),
    countCell(v.duplicates, g.noDuplicates, palette),
    countCell(v.corruptFiles + v.corruptRecords, g.noCorruption, palette),
    String(v.unackedLost),
    String(v.unackedAtCrash),
    faultSummary(cell),
    ...costFigures(cell),
  ];
}

/** The terminal table: one row per cell, failing cells stand out, then each cell's errors. */
export function renderTable(result: RunResult, palette: Palette = plainPalette): string {
  const table = new Table({
    head: ['strategy', 'scenario', 'valid', 'acked/att', 'lost', 'dup', 'corrupt', 'unacked lost', 'at risk', 'kill/pause/restart', ...COST_HEADS],
    style: { head: [], border: [] },
  });
  for (const cell of result.cells) table.push(row(cell, palette));
  const lines = provenance(result).map(palette.dim);
  // A sweep's cells are summarised per grid point; only the cells that went wrong are listed one by one.
  if (result.sweep) {
    lines.push(palette.bold('Sweep'), grid(sweepRows(result.sweep)), palette.dim(sweepNote(result.sweep)));
    for (const cell of result.cells.filter((c) => c.verdict.valid !== true)) {
      lines.push(palette.bad(`✗ ${cell.strategy} × ${cell.scenario} · ${cell.workers} workers · repeat ${cell.repeat ?? 1}: ${validLabel(cell)} (${cell.dir})`));
    }
  } else {
    lines.push(table.toString());
    for (const cell of result.cells) {
      const counters = Object.entries(cell.counters ?? {}).map(([name, n]) => `${name}=${n}`);
      if (counters.length) lines.push(palette.dim(`· ${cell.strategy} × ${cell.scenario}: ${counters.join(', ')}`));
    }
  }
  lines.push(...serviceLines(result).map((line) => palette.dim(`· ${line}`)));
  for (const cell of result.cells) {
    for (const e of cell.errors) lines.push(palette.warn(`! ${cell.strategy} × ${cell.scenario}: ${e.source}: ${e.message}`));
  }
  const rec = result.recommendation;
  if (rec) {
    lines.push('', palette.bold('Recommendation'), palette.good(answer(rec)), '', 'Evidence (every candidate point):', grid(evidenceRows(rec)));
    lines.push(`Pareto front (${paretoCaption(rec)}):`, grid(paretoRows(rec)));
    lines.push('The seed\'s table "real-time vs batch saving", measured:', grid(seedRows(rec)), 'The seed\'s advice on this machine:');
    lines.push(...adviceLines(rec).map((line) => `- ${line}`), '');
  }
  lines.push(palette.dim(`result: ${result.runDir}/result.json`));
  return `${lines.join('\n')}\n`;
}

function grid({ head, rows }: Rows): string {
  const table = new Table({ head, style: { head: [], border: [] } });
  for (const r of rows) table.push(r);
  return table.toString();
}
