/** The sweep summary as rows (median [lo, hi] per grid point), shared by the table, Markdown and HTML reports. */
import type { CellResult, RunResult } from '../harness/result/result.js';
import type { MedianEstimate } from '../harness/analyze/stats.js';
import type { SweepMetric, SweepPointSummary, SweepSummary } from '../harness/analyze/sweep-summary.js';
import { bytes } from './format.js';

export interface Rows {
  head: string[];
  rows: string[][];
}

/** A number short enough for a table: whole above 100, one decimal above 10, else two. */
export function num(n: number): string {
  return String(Number(n.toFixed(Math.abs(n) >= 100 ? 0 : Math.abs(n) >= 10 ? 1 : 2)));
}

export function estimate(e: MedianEstimate | null, f: (n: number) => string = num): string {
  if (!e) return '–';
  return e.lo === e.hi ? f(e.median) : `${f(e.median)} [${f(e.lo)}, ${f(e.hi)}]`;
}

const COLUMNS: [string, SweepMetric, ((n: number) => string)?][] = [
  ['acked/s', 'ackedPerSec'],
  ['parquet/s', 'parquetPerSec'],
  ['ack p99 ms', 'ackLatencyMsP99'],
  ['lock p99 ms', 'lockWaitMsP99'],
  ['at risk/crash', 'unackedAtCrashPerCrash'],
  ['unacked lost', 'unackedLost'],
  ['lost', 'lost'],
  ['dup', 'duplicates'],
  ['fsyncs', 'fsyncs'],
  ['written', 'bytesWritten', (n) => bytes(Math.round(n))],
  ['files', 'filesInData'],
];

export function sweepRows(summary: SweepSummary): Rows {
  const scenarios = summary.scenarios.length > 1;
  return {
    head: ['strategy', ...(scenarios ? ['scenario'] : []), 'workers', 'valid', ...COLUMNS.map(([h]) => h), 'max at risk'],
    rows: summary.points.map((p) => [
      p.strategy, ...(scenarios ? [p.scenario] : []), String(p.workers), `${p.valid}/${p.runs}`,
      ...COLUMNS.map(([, metric, f]) => estimate(p.metrics[metric], f)),
      p.atRiskMax === null ? '–' : num(p.atRiskMax),
    ]),
  };
}

/** What the brackets mean, with the confidence each sample size gives. */
export function sweepNote(summary: SweepSummary): string {
  const byN = new Map<number, number>();
  for (const p of summary.points) {
    const e = p.metrics.ackedPerSec;
    if (e) byN.set(e.n, e.confidence);
  }
  const levels = [...byN].sort(([a], [b]) => a - b).map(([n, c]) => `${(c * 100).toFixed(2).replace(/\.?0+$/, '')}% for n = ${n}`).join(', ');
  return `median [confidence interval] over ${summary.repeat} repeat${summary.repeat > 1 ? 's' : ''} per point (${levels || 'no samples'}); ` +
    `at risk = unacked records per crashed process; max at risk = the worst repeat; – = not measured. Method: ${summary.method}.`;
}

/**
 * Cells for the HTML charts of a sweep: one per grid point, carrying the medians of its repeats
 * (and the worst verdict), so that lines against workers or interval do not zigzag through repeats.
 */
export function chartCells(result: RunResult): CellResult[] {
  if (!result.sweep) return result.cells;
  return result.sweep.points.flatMap((p) => {
    const cells = result.cells.filter((c) => c.strategy === p.strategy && c.scenario === p.scenario && c.workers === p.workers);
    const worst = cells.find((c) => c.verdict.valid !== true) ?? cells[0];
    return worst ? [withMedians(worst, p)] : [];
  });
}

function withMedians(cell: CellResult, p: SweepPointSummary): CellResult {
  const m = (metric: SweepMetric) => p.metrics[metric]?.median ?? null;
  const m0 = (metric: SweepMetric) => m(metric) ?? 0;
  return {
    ...cell,
    verdict: { ...cell.verdict, unackedAtCrash: m0('unackedAtCrash'), unackedLost: m0('unackedLost') },
    io: { ...cell.io, bytesWritten: Math.round(m0('bytesWritten')), filesInData: m0('filesInData') },
    locks: { ...cell.locks, waitMsP99: m('lockWaitMsP99') },
    throughput: { ...cell.throughput, ackedPerSec: m('ackedPerSec') ?? 0, parquetPerSec: m('parquetPerSec') ?? 0, ackLatencyMsP99: m('ackLatencyMsP99') },
  };
}
