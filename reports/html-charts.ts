/** The HTML report's charts: which numbers of the result go into which inline-SVG chart. */
import type { FaultEvent } from '../harness/sdk/faults.js';
import type { CellResult, RunResult } from '../harness/result/result.js';
import { parseStrategySpec } from '../harness/sdk/spec.js';
import { bytes, escapeHtml as esc, ms, percent, strategyName, unclaimedAnomalies } from './format.js';
import type { Recommendation } from '../harness/analyze/recommend.js';
import { intervalSeries } from './recommend.js';
import { SERIES_COLOURS, barChart, groupedBarChart, lineChart, timelineChart, type Category, type LineSeries } from './svg.js';

export type Status = 'valid' | 'anomalies' | 'failed' | 'unknown';

/** `anomalies`: valid, yet with losses or duplicates the strategy does not claim to prevent. */
export function cellStatus(cell: CellResult): Status {
  const v = cell.verdict;
  if (v.valid === 'unknown') return 'unknown';
  if (!v.valid) return 'failed';
  return unclaimedAnomalies(cell).length > 0 ? 'anomalies' : 'valid';
}

export const STATUS_COLOURS: Record<Status, string> = { valid: '#1f883d', anomalies: '#bf8700', failed: '#cf222e', unknown: '#8c959f' };

/** The cell's fault log; results written before faults were recorded have none. */
function faultLog(cell: CellResult): FaultEvent[] {
  return (cell.faults as CellResult['faults'] | undefined)?.log ?? [];
}

/** True when something was done to the cell's processes: the log always holds the writers' `start`. */
export function hadFaults(cell: CellResult): boolean {
  return faultLog(cell).some((e) => e.kind !== 'start');
}

/** True when the result holds the same strategy at several worker counts: then labels name the count. */
export function isSweep(result: RunResult): boolean {
  return new Set(result.cells.map((c) => c.workers)).size > 1;
}

/** Every chart the result has data for, as `<figure>` elements. */
export function charts(result: RunResult): string[] {
  return [throughput(result), latency(result), ...io(result), ...sweeps(result), ...risk(result), ...faultTimelines(result)];
}

function figure(title: string, caption: string, svg: string): string {
  return `<figure><figcaption><h3>${esc(title)}</h3><p>${esc(caption)}</p></figcaption><div class="chart">${svg}</div></figure>`;
}

function cellCategory(cell: CellResult, sweep: boolean): Category {
  return { label: strategyName(cell), sublabel: sweep ? `${cell.scenario} · ${cell.workers} workers` : cell.scenario };
}

function throughput(result: RunResult): string {
  const cells = result.cells;
  const svg = barChart({
    id: 'chart-throughput',
    chart: 'throughput',
    categories: cells.map((c) => cellCategory(c, isSweep(result))),
    series: {
      name: 'acked/s',
      colour: SERIES_COLOURS[0]!,
      values: cells.map((c) => c.throughput.ackedPerSec),
      texts: cells.map((c) => `${c.throughput.ackedPerSec}/s · ${percent(c.throughput.fractionOfLimit)} of limit`),
      colours: cells.map((c) => STATUS_COLOURS[cellStatus(c)]),
    },
    axisLabel: 'acked records per second',
  });
  const caption = `Bars are coloured by verdict.${result.calibration ? ` The machine's limit: ${result.calibration.opsPerSec} fsync'd 4 KiB appends/s.` : ''}`;
  return figure('Throughput', caption, svg);
}

function latency(result: RunResult): string {
  const cells = result.cells;
  const msText = (v: number | null) => (v === null ? '–' : `${v} ms`);
  const svg = groupedBarChart({
    id: 'chart-latency',
    chart: 'latency',
    categories: cells.map((c) => cellCategory(c, isSweep(result))),
    series: [
      { name: 'ack latency p99', colour: SERIES_COLOURS[0]!, values: cells.map((c) => c.throughput.ackLatencyMsP99), texts: cells.map((c) => msText(c.throughput.ackLatencyMsP99)) },
      { name: 'lock wait p99', colour: SERIES_COLOURS[1]!, values: cells.map((c) => c.locks.waitMsP99), texts: cells.map((c) => msText(c.locks.waitMsP99)) },
    ],
    axisLabel: 'milliseconds',
  });
  return figure('Ack latency and lock wait (p99)', 'A dash: the cell took no locks or acked nothing.', svg);
}

/** Bytes and files per strategy, one bar per scenario. */
function io(result: RunResult): string[] {
  const sweep = isSweep(result);
  const strategyOf = (c: CellResult) => (sweep ? `${c.strategy} · ${c.workers} workers` : c.strategy);
  const strategies = unique(result.cells.map(strategyOf));
  const scenarios = unique(result.cells.map((c) => c.scenario));
  const find = (strategy: string, scenario: string) => result.cells.find((c) => strategyOf(c) === strategy && c.scenario === scenario);
  const series = (metric: (c: CellResult) => number, text: (c: CellResult) => string) =>
    scenarios.map((scenario, i) => {
      const cells = strategies.map((s) => find(s, scenario));
      return { name: scenario, colour: colour(i), values: cells.map((c) => c && metric(c)), texts: cells.map((c) => c && text(c)) };
    });
  // Axis ticks in whole B, KiB, MiB or GiB: bytes() would print 0.2 MiB as "204.8 KiB".
  const power = Math.min(3, Math.floor(Math.log(Math.max(1, ...result.cells.map((c) => c.io.bytesWritten))) / Math.log(1024)));
  const tickUnit = 1024 ** power;
  const tickFormat = (n: number) => `${Number((n / tickUnit).toPrecision(6))} ${['B', 'KiB', 'MiB', 'GiB'][power]}`;
  const categories = strategies.map((label) => ({ label }));
  const bytesSvg = groupedBarChart({
    id: 'chart-bytes',
    chart: 'bytes-written',
    categories,
    series: series((c) => c.io.bytesWritten, (c) => `${bytes(c.io.bytesWritten)}${c.io.writeAmplification === null ? '' : ` · ×${c.io.writeAmplification} amplification`}`),
    axisLabel: 'bytes written by the strategy’s processes',
    format: tickFormat,
    tickUnit,
  });
  const filesSvg = groupedBarChart({
    id: 'chart-files',
    chart: 'files-created',
    categories,
    series: series((c) => c.io.filesCreated, (c) => `${c.io.filesCreated} created · ${c.io.filesInData} left in data/`),
    axisLabel: 'files created',
  });
  return [
    figure('Bytes written', 'From /proc/<pid>/io of every process of the strategy, less the harness’s ledger writes; hover a bar for the exact count.', bytesSvg),
    figure('Files created', 'Files created through the I/O port, and the .parquet files left in data/ at the end.', filesSvg),
  ];
}

/** Line charts against worker count, for each strategy × scenario measured at several counts. */
function sweeps(result: RunResult): string[] {
  const groups = groupBy(result.cells, (c) => `${c.strategy} × ${c.scenario}`, (c) => c.workers);
  if (groups.length === 0) return [];
  const chart = (id: string, title: string, yLabel: string, metric: (c: CellResult) => number | null) =>
    figure(
      title,
      'One line per strategy × scenario measured at several worker counts.',
      lineChart({
        id,
        chart: id.replace(/^chart-/, ''),
        series: groups.map(([name, cells], i) => ({ name, colour: colour(i), points: cells.map((c) => ({ x: c.workers, y: metric(c) })) })),
        xLabel: 'workers',
        yLabel,
      }),
    );
  return [
    chart('chart-sweep-throughput', 'Throughput against workers', 'acked/s', (c) => c.throughput.ackedPerSec),
    chart('chart-sweep-ack-p99', 'Ack latency p99 against workers', 'ms', (c) => c.throughput.ackLatencyMsP99),
    chart('chart-sweep-lock-p99', 'Lock wait p99 against workers', 'ms', (c) => c.locks.waitMsP99),
  ];
}

/** Data at risk per cell, and against the checkpoint interval when the labels carry one. */
function risk(result: RunResult): string[] {
  const cells = result.cells;
  const perCell = groupedBarChart({
    id: 'chart-risk',
    chart: 'data-at-risk',
    categories: cells.map((c) => cellCategory(c, isSweep(result))),
    series: [
      { name: 'unacked at crash', colour: SERIES_COLOURS[1]!, values: cells.map((c) => c.verdict.unackedAtCrash) },
      { name: 'unacked and lost', colour: SERIES_COLOURS[3]!, values: cells.map((c) => c.verdict.unackedLost) },
    ],
    axisLabel: 'records',
  });
  const figures = [
    figure('Data at risk', 'Records attempted but not acked when a process died (work to redo), and those never saved at all.', perCell),
  ];
  const withInterval = cells.filter((c) => interval(c) !== undefined);
  const groups = groupBy(withInterval, (c) => `${withoutInterval(c.strategy)} × ${c.scenario}`, (c) => interval(c) ?? 0);
  if (groups.length > 0) {
    const series: LineSeries[] = groups.flatMap(([name, group], i) => [
      { name: `${name}: at crash`, colour: colour(2 * i), points: group.map((c) => ({ x: interval(c) ?? 0, y: c.verdict.unackedAtCrash })) },
      { name: `${name}: lost`, colour: colour(2 * i + 1), points: group.map((c) => ({ x: interval(c) ?? 0, y: c.verdict.unackedLost })) },
    ]);
    const svg = lineChart({ id: 'chart-risk-interval', chart: 'risk-by-interval', series, xLabel: 'checkpoint interval', yLabel: 'records' });
    figures.push(figure('Data at risk against checkpoint interval', 'Unacked records at crash and unacked records lost, by the interval option of the strategy label.', svg));
  }
  return figures;
}

/**
 * recommend's trade-off: acked/s and records at risk per crash against the checkpoint interval, one
 * line per worker count (checkpoint-batch's candidate points; none when it was not measured at two
 * intervals).
 */
export function tradeOffCharts(rec: Recommendation): string[] {
  const lines = intervalSeries(rec).filter((s) => s.points.length > 1);
  if (lines.length === 0) return [];
  const chart = (id: string, title: string, caption: string, yLabel: string, y: (p: (typeof lines)[number]['points'][number]) => number | null) =>
    figure(title, caption, lineChart({
      id, chart: id.replace(/^chart-/, ''), xLabel: 'checkpoint interval', yLabel,
      series: lines.map((s, i) => ({ name: `${s.workers} workers`, colour: colour(i), points: s.points.map((p) => ({ x: p.interval, y: y(p) })) })),
    }));
  return [
    chart('chart-tradeoff-acked', 'Throughput against checkpoint interval', 'checkpoint-batch: median acked/s at each interval, one line per worker count.', 'acked/s', (p) => p.ackedPerSec),
    chart('chart-tradeoff-risk', 'Records at risk against checkpoint interval', 'checkpoint-batch: records at risk per crashed process (worst repeat), one line per worker count; no point where no process crashed.', 'records', (p) => p.atRisk),
  ];
}

/** Faults in warm colours; the lifecycle events around them (start, restart, heal) in cool ones. */
const EVENT_COLOURS: Record<string, string> = {
  kill: '#cf222e', 'crash-point': '#82071e', pause: '#bf8700', 'slow-io': '#e07b39', 'io-error': '#8e5cc4',
  start: '#8c959f', restart: '#3b6fd4', heal: '#2a9d8f',
};

function faultTimelines(result: RunResult): string[] {
  // A sweep has one fault log per repeat; each stays in its cell's faults.jsonl.
  if (result.sweep) return [];
  return result.cells.flatMap((cell, index) => {
    if (!hadFaults(cell)) return [];
    // A fault skipped because the cell has no such process (realtime has no merger) did not happen:
    // it gets no marker and no lane, only a line under the chart.
    const all = faultLog(cell);
    const log = all.filter((e) => e.action !== 'skipped');
    const skipped = all.filter((e) => e.action === 'skipped');
    // The log's clock starts before the writers are spawned; `start` marks them all running.
    const writersStart = log.find((e) => e.kind === 'start')?.at ?? 0;
    const lanes = unique(log.map((e) => e.target)).sort();
    const svg = timelineChart({
      id: `chart-faults-${index}`,
      chart: 'fault-timeline',
      lanes,
      startMs: writersStart,
      endMs: writersStart + cell.throughput.wallMs,
      markers: log.map((e) => ({
        lane: lanes.indexOf(e.target),
        at: e.at,
        label: `${e.kind} @ ${e.at}`,
        tooltip: `${e.at} ms: ${e.kind} → ${e.target}${e.pid === undefined ? '' : ` (pid ${e.pid})`}: ${e.action}${e.detail ? ` — ${e.detail}` : ''}`,
        colour: EVENT_COLOURS[e.kind] ?? SERIES_COLOURS[6]!,
        // Slowed I/O comes in hundreds: drawn as one marker per dense stretch.
        ...(e.kind === 'slow-io' ? { group: e.kind } : {}),
      })),
    });
    const f = cell.faults;
    const counts = `kills ${f.kills} · crash points ${f.crashPoints} · pauses ${f.pauses} · I/O errors ${f.ioErrors} · restarts ${f.restarts}`;
    const { label, sublabel } = cellCategory(cell, isSweep(result));
    const notRun = skipped.length ? ` Skipped, not drawn: ${skipped.map((e) => `${e.kind} → ${e.target} (${e.detail ?? e.action})`).join('; ')}.` : '';
    return [figure(`Faults: ${label} × ${sublabel}`, `${counts} · writing lasted ${ms(cell.throughput.wallMs)}. Hover a marker for what was done.${notRun}`, svg)];
  });
}

// ---- helpers --------------------------------------------------------------------------------

/** The `interval` option of a strategy label (`checkpoint-batch:interval=10`), if it has one. */
function interval(cell: CellResult): number | undefined {
  const value = spec(cell.strategy)?.options.interval;
  const n = Number(value);
  return value !== undefined && Number.isFinite(n) ? n : undefined;
}

function withoutInterval(label: string): string {
  const parsed = spec(label);
  if (!parsed) return label;
  const rest = Object.entries(parsed.options).filter(([key]) => key !== 'interval');
  return rest.length ? `${parsed.name}:${rest.map(([k, v]) => `${k}=${v}`).join(',')}` : parsed.name;
}

function spec(label: string) {
  try {
    return parseStrategySpec(label);
  } catch {
    return undefined; // a label that is not a spec has no options to chart
  }
}

/** Groups whose members differ in `x` (at least two distinct values), members sorted by `x`. */
function groupBy(cells: CellResult[], key: (c: CellResult) => string, x: (c: CellResult) => number): [string, CellResult[]][] {
  const groups = new Map<string, CellResult[]>();
  for (const cell of cells) groups.set(key(cell), [...(groups.get(key(cell)) ?? []), cell]);
  return [...groups]
    .filter(([, members]) => new Set(members.map(x)).size > 1)
    .map(([name, members]) => [name, [...members].sort((a, b) => x(a) - x(b))]);
}

const unique = <T>(items: T[]) => [...new Set(items)];
const colour = (i: number) => SERIES_COLOURS[i % SERIES_COLOURS.length]!;
