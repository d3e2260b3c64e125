import { simLines } from './sim.js';
import type { CellResult, RunResult } from '../harness/result/result.js';
import { assumptionLines, COST_HEADS, costFigures, faultsFired, provenance, serviceLines, strategyName, unclaimedAnomalies, unfiredFaults, validLabel } from './format.js';
import { adviceLines, answerLines, evidenceCaption, evidenceRows, paretoCaption, paretoRows, seedRows } from './recommend.js';
import { sweepNote, sweepRows, type Rows } from './sweep.js';

/**
 * GitHub-flavoured Markdown, for a PR comment or $GITHUB_STEP_SUMMARY. GitHub renders inline HTML and
 * Markdown emphasis, so every user-supplied string (strategy labels, messages) goes through `md`.
 */
export function renderMarkdown(result: RunResult): string {
  const [title = '', ...facts] = provenance(result);
  if (result.sim) return simMarkdown(result, title, facts);
  const sweep = new Set(result.cells.map((c) => c.workers)).size > 1;
  const head = ['strategy', 'scenario', ...(sweep ? ['workers'] : []), 'valid', 'acked/attempted', 'lost', 'duplicates', 'corrupt', 'unacked lost', 'unacked at crash', 'faults fired/planned', ...COST_HEADS];
  const textColumns = new Set(['strategy', 'scenario', 'valid']);
  const lines = [
    `## ${md(title)}`,
    '',
    ...facts.map((line) => `- ${md(line)}`),
    '',
    ...summaries(result),
    // A sweep's cells follow its summary, folded away.
    ...(result.sweep ? ['<details><summary>Every cell</summary>', ''] : []),
    tableRow(head),
    tableRow(head.map((h) => (textColumns.has(h) ? '---' : '---:'))),
    ...result.cells.map((cell) => tableRow(row(cell, sweep))),
    '',
    ...(result.sweep ? ['</details>', ''] : []),
  ];
  const services = serviceLines(result);
  if (services.length > 0) lines.push('### Backends, durability and network faults', '', ...services.map((line) => `- ${md(line)}`), '');
  const assumed = assumptionLines(result);
  if (assumed.length > 0) lines.push(`<sub>${assumed.map(md).join('<br>')}</sub>`, '');
  const noteworthy = result.cells.filter((c) => c.verdict.valid !== true || c.errors.length > 0);
  if (noteworthy.length > 0) {
    lines.push('### Failures and errors', '');
    for (const cell of noteworthy) lines.push(...problems(cell, sweep), '');
  }
  lines.push(`<sub>result: ${md(`${result.runDir}/result.json`)}</sub>`);
  return `${lines.join('\n')}\n`;
}

/** The sweep summary and the recommendation, when the result has them. */
function summaries(result: RunResult): string[] {
  const lines: string[] = [];
  if (result.sweep) lines.push('### Sweep', '', ...mdTable(sweepRows(result.sweep)), '', `<sub>${md(sweepNote(result.sweep))}</sub>`, '');
  const rec = result.recommendation;
  if (rec) {
    const [first = '', ...rest] = answerLines(rec, result.sweep?.repeat);
    lines.push('### Recommendation', '', `**${md(first)}** ${md(rest.join(' '))}`, '');
    lines.push('#### Evidence', '', ...mdTable(evidenceRows(rec)), '', `<sub>${md(evidenceCaption(rec))}</sub>`, '');
    lines.push('#### Pareto front', '', `Points ${paretoCaption(rec)} by any other valid point.`, '', ...mdTable(paretoRows(rec)), '');
    lines.push('#### Real-time vs batch saving, measured', '', ...mdTable(seedRows(rec)), '');
    lines.push('#### The original analysis\'s advice on this machine', '', ...adviceLines(rec).map((line) => `- ${md(line)}`), '');
  }
  return lines;
}

function mdTable({ head, rows }: Rows): string[] {
  return [tableRow(head.map(md)), tableRow(head.map((_, i) => (i === 0 ? '---' : '---:'))), ...rows.map((r) => tableRow(r.map(md)))];
}

function row(cell: CellResult, sweep: boolean): string[] {
  const v = cell.verdict;
  return [
    md(strategyName(cell)),
    md(cell.scenario),
    ...(sweep ? [String(cell.workers)] : []),
    `${verdictIcon(cell)} ${md(validLabel(cell))}`,
    `${v.acked}/${v.attempted}`,
    String(v.lost),
    String(v.duplicates),
    String(v.corruptFiles + v.corruptRecords),
    String(v.unackedLost),
    String(v.unackedAtCrash),
    faultsFired(cell),
    ...costFigures(cell),
  ];
}

/** A failing or erroring cell: what broke, the minimal evidence, and every error. */
function problems(cell: CellResult, sweep: boolean): string[] {
  const v = cell.verdict;
  const name = `${md(strategyName(cell))} × ${md(cell.scenario)}${sweep ? ` (${cell.workers} workers)` : ''}`;
  const lines = [`#### ${verdictIcon(cell)} ${name}`, ''];
  if (v.broken.length > 0) lines.push(`- broken: ${v.broken.map(md).join(', ')}`);
  if (v.error !== undefined) lines.push(`- check could not run: ${md(v.error)}`);
  if (v.valid === 'unknown') for (const reason of v.unknownReasons ?? []) lines.push(`- unknown: ${md(reason)}`);
  for (const line of unfiredFaults(cell)) lines.push(`- ${md(line)}`);
  for (const [kind, items] of Object.entries(v.evidence)) {
    if (items.length > 0) lines.push(`- ${kind}: ${items.map(code).join(', ')}`);
  }
  for (const e of cell.errors) lines.push(`- error in ${md(e.source)} ${code(e.code)}: ${md(e.message)}`);
  return lines;
}

/** ✅ valid, ❌ a claimed guarantee broken, ❔ the check could not run. */
export function verdictIcon(cell: CellResult): string {
  const v = cell.verdict.valid;
  if (v === 'unknown') return '❔';
  if (!v) return '❌';
  return unclaimedAnomalies(cell).length ? '⚠️' : '✅';
}

function tableRow(cells: string[]): string {
  return `| ${cells.join(' | ')} |`;
}

/** Text safe in a table cell: no HTML, no emphasis or links, no line breaks, pipes escaped. */
function md(text: string): string {
  return text
    .replace(/[\\`*_[\]|~#]/g, '\\$&')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/\s*\n\s*/g, ' ');
}

/** A code span for ids and file names, fenced by more backticks than any run inside it. */
function code(text: string): string {
  const fence = '`'.repeat(Math.max(0, ...(text.match(/`+/g) ?? []).map((run) => run.length)) + 1);
  const pad = text.startsWith('`') || text.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${text.replace(/\s*\n\s*/g, ' ')}${pad}${fence}`;
}

/** A `sim` result: the search, the verdict, and a counterexample's schedule as a table. */
function simMarkdown(result: RunResult, title: string, facts: string[]): string {
  const sim = result.sim!;
  const table = (head: string[], rows: string[][]) => [tableRow(head), tableRow(head.map(() => '---')), ...rows.map((r) => tableRow(r.map(md)))].join('\n');
  const lines = [`## ${md(title)}`, '', ...facts.map((line) => `- ${md(line)}`), ''];
  for (const line of simLines(sim, table)) lines.push(line.startsWith('|') ? `\n${line}\n` : `${md(line)}  `);
  lines.push('', `<sub>result: ${md(`${result.runDir}/result.json`)}</sub>`);
  return `${lines.join('\n')}\n`;
}
