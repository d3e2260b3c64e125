import type { SimSection } from '../harness/result/sim-result.js';
import { simLines } from './sim.js';
import type { CellResult, RunResult } from '../harness/result/result.js';
import { escapeHtml as esc, faultsFired, serviceLines, strategyName, unfiredFaults, validLabel } from './format.js';
import { STATUS_COLOURS, cellStatus, charts, hadFaults, isSweep, tradeOffCharts, type Status } from './html-charts.js';
import { adviceLines, answerLines, evidenceCaption, evidenceRows, paretoRows, seedRows } from './recommend.js';
import { chartCells, sweepNote, sweepRows, type Rows } from './sweep.js';

/**
 * One self-contained HTML page: inline CSS and SVG only, and a Content-Security-Policy that forbids
 * every fetch, so the file can be opened from an artifact store or mail without reaching any network.
 */
export function renderHtml(result: RunResult): string {
  const title = `parquet-chaos · run ${result.runId}`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title>
<style>${CSS}</style>
</head>
<body>
<main>
<header><h1>parquet-chaos report</h1><p class="sub">${esc(`run ${result.runId} · parquet-chaos ${result.tool.version}`)}${result.interrupted ? ' · <strong class="warn">interrupted: partial result</strong>' : ''}</p></header>
${result.recommendation ? recommendPage(result) : `<section id="provenance"><h2>Provenance</h2>${provenance(result)}</section>
${result.sim ? simSection(result.sim) : `<section id="verdicts"><h2>Verdicts</h2>${matrix(result)}${legend()}</section>
${servicesSection(result)}${sweepSection(result)}
${measurements(result)}
${problems(result)}`}`}
<footer>${esc(`result: ${result.runDir}/result.json`)}</footer>
</main>
</body>
</html>
`;
}

function dataTable({ head, rows }: Rows): string {
  const th = head.map((h) => `<th>${esc(h)}</th>`).join('');
  // Sentences (the seed table's "recommended use", long measures) wrap; numbers and names stay on one line.
  const cell = (v: string) => (v.length > 24 && /\s/.test(v) && !/^[-–\d.,\s[\]%]+$/.test(v) ? `<td class="text">${esc(v)}</td>` : `<td>${esc(v)}</td>`);
  const trs = rows.map((r) => `<tr>${r.map(cell).join('')}</tr>`).join('');
  return `<div class="scroll"><table class="data"><thead><tr>${th}</tr></thead><tbody>${trs}</tbody></table></div>`;
}

function servicesSection(result: RunResult): string {
  const lines = serviceLines(result);
  if (lines.length === 0) return '';
  return `<section id="services"><h2>Backends, durability and network faults</h2><ul>${lines.map((l) => `<li>${esc(l)}</li>`).join('')}</ul></section>\n`;
}

function sweepSection(result: RunResult): string {
  if (!result.sweep) return '';
  return `<section id="sweep"><h2>Sweep</h2>${dataTable(sweepRows(result.sweep))}<p class="sub">${esc(sweepNote(result.sweep))}</p></section>`;
}

function measurements(result: RunResult): string {
  return `<section id="charts"><h2>Measurements</h2>${result.sweep ? '<p class="sub">A sweep: each chart point is the median of its repeats.</p>' : ''}${charts({ ...result, cells: chartCells(result) }).join('\n')}</section>`;
}

/**
 * `recommend`'s page: the answer and the trade-off it was chosen from first, then the evidence, the
 * original analysis's table and advice, the sweep and its charts; the per-cell verdict cards last, folded.
 */
function recommendPage(result: RunResult): string {
  const rec = result.recommendation!;
  const [first = '', ...rest] = answerLines(rec, result.sweep?.repeat);
  return `<section id="answer"><h2>Recommendation</h2><p class="answer">${esc(first)}</p>${rest.map((l) => `<p>${esc(l)}</p>`).join('')}` +
    `${tradeOffCharts(rec).join('\n')}</section>
<section id="recommendation"><h2>Evidence</h2><h3>Every candidate point</h3>${dataTable(evidenceRows(rec))}<p class="sub">${esc(evidenceCaption(rec))}</p><h3>Pareto front</h3>${dataTable(paretoRows(rec))}` +
    `<h3>Real-time vs batch saving, measured</h3>${dataTable(seedRows(rec))}` +
    `<h3>The original analysis’s advice on this machine</h3><ul>${adviceLines(rec).map((l) => `<li>${esc(l)}</li>`).join('')}</ul></section>
<section id="provenance"><h2>Provenance</h2>${provenance(result)}</section>
${servicesSection(result)}${sweepSection(result)}
${measurements(result)}
${problems(result)}
<details id="verdicts"><summary>Verdicts of every cell (${result.cells.length})</summary>${matrix(result)}${legend()}</details>`;
}

function provenance(result: RunResult): string {
  const m = result.machine;
  const c = result.config;
  const k = result.calibration;
  const rows: [string, string][] = [
    ['command', result.command],
    ['machine', `${m.cpus} × ${m.cpuModel}, ${m.memoryGiB} GiB, ${m.platform}/${m.arch}, Node ${m.node}, ${m.fileSystem}`],
    // `faults` is absent from results written before the nemesis existed.
    ['configuration', `codec ${c.codec} · seed ${c.seed} · ${c.workers} workers × ${c.recordsPerWorker} records · payload ${c.payloadBytes} B · faults ${c.faults ?? 'none'} · restart ${c.restart}`],
    ...(k ? [['calibration', `${k.opsPerSec} fsync'd 4 KiB appends/s (${k.ops} in ${k.durationMs} ms)`] as [string, string]] : []),
    ['time', `${result.startedAt} → ${result.finishedAt}`],
  ];
  const items = rows.map(([key, value]) => `<dt>${esc(key)}</dt><dd>${key === 'command' ? `<code>${esc(value)}</code>` : esc(value)}</dd>`);
  return `<dl class="facts">${items.join('')}</dl>`;
}

/** Strategy × scenario grid; a sweep puts several cells (one per worker count) in one slot. */
function matrix(result: RunResult): string {
  const strategies = [...new Set(result.cells.map((c) => c.strategy))];
  const scenarios = [...new Set(result.cells.map((c) => c.scenario))];
  const sweep = isSweep(result);
  const head = `<tr><th>strategy</th>${scenarios.map((s) => `<th>${esc(s)}</th>`).join('')}</tr>`;
  const rows = strategies.map((strategy) => {
    const slots = scenarios.map((scenario) => {
      const cells = result.cells.filter((c) => c.strategy === strategy && c.scenario === scenario);
      return cells.length ? `<td>${cells.map((c) => verdictCard(c, sweep)).join('')}</td>` : '<td class="empty">not run</td>';
    });
    return `<tr><th scope="row">${esc(strategy)}</th>${slots.join('')}</tr>`;
  });
  // Wide enough for every card; more scenarios than the page holds scroll sideways.
  return `<div class="scroll"><table class="matrix" style="min-width:${200 + 230 * scenarios.length}px">${head}${rows.join('')}</table></div>`;
}

/** Marks from common text fonts: emoji may have no glyph where the page is viewed (or screenshotted). */
const MARKS: Record<Status, string> = { valid: '✓', anomalies: '!', failed: '✗', unknown: '?' };

function verdictCard(cell: CellResult, sweep: boolean): string {
  const v = cell.verdict;
  const status = cellStatus(cell);
  // Anomalies take the verdict's colour when non-zero; acked and unacked counts are costs, not faults.
  const counts: [string, number | string, boolean][] = [
    ['acked', `${v.acked}/${v.attempted}`, false],
    ['lost', v.lost, true],
    ['duplicates', v.duplicates, true],
    ['corrupt', v.corruptFiles + v.corruptRecords, true],
    ['unacked lost', v.unackedLost, false],
    ['at crash', v.unackedAtCrash, false],
    ['faults fired/planned', faultsFired(cell), false],
  ];
  const list = counts.map(([name, n, anomaly]) => `<span${anomaly && n !== 0 ? ' class="nz"' : ''}><b>${esc(String(n))}</b> ${esc(name)}</span>`);
  return (
    `<div class="card ${status}" style="--status:${STATUS_COLOURS[status]}">` +
    `<div class="verdict"><span>${MARKS[status]} ${esc(validLabel(cell))}</span>${sweep ? `<small>${cell.workers} workers${cell.repeat === undefined ? '' : ` · repeat ${cell.repeat}`}</small>` : ''}</div>` +
    `<div class="counts">${list.join('')}</div>${notes(cell)}</div>`
  );
}

/** Faults injected and errors, when there were any. */
function notes(cell: CellResult): string {
  const f = hadFaults(cell) ? cell.faults : undefined;
  const parts = [
    ...(f ? [`${f.kills + f.crashPoints} killed · ${f.pauses} paused · ${f.restarts} restarted`] : []),
    ...(cell.errors.length ? [`${cell.errors.length} error${cell.errors.length > 1 ? 's' : ''}`] : []),
  ];
  return parts.length ? `<div class="notes">${esc(parts.join(' · '))}</div>` : '';
}

function legend(): string {
  const text: Record<Status, string> = {
    valid: 'valid',
    anomalies: 'valid, with losses or duplicates the strategy does not claim to prevent',
    failed: 'a claimed guarantee is broken',
    unknown: 'unknown: the check could not run, or the cell did not exercise what it claims (nothing acked, a fault not fired, an error)',
  };
  const items = Object.entries(text).map(([status, label]) => `<span><i style="background:${STATUS_COLOURS[status as Status]}"></i>${esc(label)}</span>`);
  return `<p class="legend">${items.join('')}</p>`;
}

/** Failing cells' evidence and every cell's errors; nothing when the run was clean. */
function problems(result: RunResult): string {
  const cells = result.cells.filter((c) => c.verdict.valid !== true || c.errors.length > 0);
  if (cells.length === 0) return '';
  const blocks = cells.map((cell) => {
    const v = cell.verdict;
    const items: string[] = [];
    if (v.broken.length) items.push(`<li>broken: ${esc(v.broken.join(', '))}</li>`);
    if (v.error !== undefined) items.push(`<li>check could not run: ${esc(v.error)}</li>`);
    if (v.valid === 'unknown') for (const reason of v.unknownReasons ?? []) items.push(`<li>unknown: ${esc(reason)}</li>`);
    for (const line of unfiredFaults(cell)) items.push(`<li>${esc(line)}</li>`);
    for (const [kind, ids] of Object.entries(v.evidence)) {
      if (ids.length) items.push(`<li>${esc(kind)}: ${ids.map((id) => `<code>${esc(id)}</code>`).join(' ')}</li>`);
    }
    for (const e of cell.errors) items.push(`<li>error in ${esc(e.source)} <code>${esc(e.code)}</code>: ${esc(e.message)}</li>`);
    const name = `${strategyName(cell)} × ${cell.scenario}${isSweep(result) ? ` · ${cell.workers} workers` : ''}`;
    return `<div class="problem ${cellStatus(cell)}"><h3>${MARKS[cellStatus(cell)]} ${esc(name)}</h3><ul>${items.join('')}</ul></div>`;
  });
  return `<section id="problems"><h2>Failures and errors</h2>${blocks.join('')}</section>`;
}

const CSS = `
:root { color-scheme: light; --fg: #24292f; --muted: #57606a; --line: #d0d7de; --bg: #f6f8fa; }
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--fg); font: 14px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
main { max-width: 1040px; margin: 0 auto; padding: 32px 24px 48px; }
h1 { font-size: 26px; margin: 0; }
h2 { font-size: 19px; margin: 36px 0 14px; padding-bottom: 6px; border-bottom: 1px solid var(--line); }
h3 { font-size: 15px; margin: 0 0 2px; }
.sub { color: var(--muted); margin: 4px 0 0; }
.warn { color: #9a6700; }
code { font: 12.5px ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; background: #eff1f3; padding: 1px 5px; border-radius: 4px; overflow-wrap: anywhere; }
.facts { display: grid; grid-template-columns: max-content 1fr; gap: 6px 18px; margin: 0; background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 14px 18px; }
.facts dt { color: var(--muted); }
.facts dd { margin: 0; }
.scroll { overflow-x: auto; }
.matrix { border-collapse: separate; border-spacing: 8px; margin: -8px; table-layout: fixed; width: calc(100% + 16px); }
.matrix th:first-child { width: 200px; }
.matrix th { text-align: left; font-weight: 600; padding: 4px 6px; vertical-align: middle; }
.matrix th[scope=row] { overflow-wrap: anywhere; }
.matrix td { vertical-align: top; }
.matrix td.empty { color: var(--muted); font-style: italic; padding: 12px; background: #fff; border: 1px dashed var(--line); border-radius: 8px; }
.card { background: #fff; border: 1px solid var(--line); border-left: 5px solid var(--status); border-radius: 8px; padding: 10px 12px; }
.card + .card { margin-top: 8px; }
.card .verdict { display: flex; justify-content: space-between; gap: 10px; font-weight: 600; color: var(--status); margin-bottom: 6px; }
.card .verdict small { color: var(--muted); font-weight: 400; white-space: nowrap; }
.counts { display: grid; grid-template-columns: auto auto; gap: 2px 16px; font-size: 13px; color: var(--muted); white-space: nowrap; }
.counts b { color: var(--fg); font-variant-numeric: tabular-nums; }
.counts .nz b { color: var(--status); }
.notes { margin-top: 6px; padding-top: 6px; border-top: 1px solid #eaeef2; font-size: 12px; color: var(--muted); }
.legend { display: flex; flex-wrap: wrap; gap: 6px 20px; color: var(--muted); font-size: 13px; margin: 14px 0 0; }
.legend i { display: inline-block; width: 12px; height: 12px; border-radius: 3px; margin-right: 6px; vertical-align: -1px; }
figure { margin: 0 0 20px; background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 16px 18px 10px; }
figcaption p { margin: 0 0 10px; color: var(--muted); font-size: 13px; }
.chart { overflow-x: auto; }
.chart svg { display: block; max-width: 100%; height: auto; }
.problem { background: #fff; border: 1px solid var(--line); border-left: 5px solid ${STATUS_COLOURS.failed}; border-radius: 8px; padding: 12px 16px; margin-bottom: 12px; }
.problem.unknown { border-left-color: ${STATUS_COLOURS.unknown}; }
.problem.valid, .problem.anomalies { border-left-color: ${STATUS_COLOURS.anomalies}; }
.problem ul { margin: 6px 0 0; padding-left: 20px; }
.problem li { margin: 3px 0; }
.data { border-collapse: collapse; background: #fff; font-size: 12.5px; font-variant-numeric: tabular-nums; }
.data th, .data td { border: 1px solid var(--line); padding: 4px 8px; text-align: right; white-space: nowrap; }
.data th:first-child, .data td:first-child { text-align: left; }
.data td.text { white-space: normal; text-align: left; min-width: 12em; max-width: 26em; }
#recommendation h3 { margin-top: 22px; }
p.answer { font-size: 19px; font-weight: 600; margin: 0 0 6px; }
details#verdicts { margin-top: 36px; }
details#verdicts > summary { font-size: 19px; font-weight: 600; cursor: pointer; padding-bottom: 6px; border-bottom: 1px solid var(--line); margin-bottom: 14px; }
footer { margin-top: 36px; color: var(--muted); font-size: 12px; overflow-wrap: anywhere; }
`;

/** A `sim` result: the search, the verdict, and a counterexample's schedule as a table. */
function simSection(sim: SimSection): string {
  const parts = simLines(sim, (head, rows) => `\u0000${dataTable({ head, rows })}`);
  const html = parts.map((line) => (line.startsWith('\u0000') ? line.slice(1) : `<p>${esc(line)}</p>`)).join('\n');
  return `<section id="sim"><h2>Simulation (${esc(sim.verdict)})</h2>${html}</section>`;
}
