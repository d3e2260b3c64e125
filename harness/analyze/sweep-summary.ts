/** A sweep's statistics: per grid point and metric, the median over the repeats and its confidence interval. */
import type { CellResult } from '../result/result.js';
import { medianInterval, type MedianEstimate } from './stats.js';

const perAcked = (n: number, c: CellResult) => (c.verdict.acked > 0 ? n / c.verdict.acked : null);

/** Each summarised metric: how it is read from a cell (null: not measured in that cell). */
export const SWEEP_METRICS = {
  ackedPerSec: (c: CellResult) => c.throughput.ackedPerSec,
  /** End to end: acked records in Parquet after drain and finalize, per second (older results: not measured). */
  parquetPerSec: (c: CellResult) => c.throughput.parquetPerSec ?? null,
  ackLatencyMsP99: (c: CellResult) => c.throughput.ackLatencyMsP99,
  lockWaitMsP99: (c: CellResult) => c.locks.waitMsP99,
  bytesWritten: (c: CellResult) => c.io.bytesWritten,
  fsyncs: (c: CellResult) => c.io.fsyncs,
  filesInData: (c: CellResult) => c.io.filesInData,
  unackedAtCrash: (c: CellResult) => c.verdict.unackedAtCrash,
  /** Records attempted but not acked by each process that died: the seed's "data at risk". */
  unackedAtCrashPerCrash: (c: CellResult) => (c.verdict.crashedProcesses > 0 ? c.verdict.unackedAtCrash / c.verdict.crashedProcesses : null),
  unackedLost: (c: CellResult) => c.verdict.unackedLost,
  lost: (c: CellResult) => c.verdict.lost,
  duplicates: (c: CellResult) => c.verdict.duplicates,
  lostFraction: (c: CellResult) => perAcked(c.verdict.lost, c),
  bytesPerAcked: (c: CellResult) => perAcked(c.io.bytesWritten, c),
  fsyncsPerAcked: (c: CellResult) => perAcked(c.io.fsyncs, c),
  lockAcquisitionsPerRecord: (c: CellResult) => (c.verdict.attempted > 0 ? c.locks.acquisitions / c.verdict.attempted : null),
} satisfies Record<string, (c: CellResult) => number | null>;

export type SweepMetric = keyof typeof SWEEP_METRICS;
export const sweepMetricNames = Object.keys(SWEEP_METRICS) as SweepMetric[];

export interface SweepPointSummary {
  strategy: string;
  scenario: string;
  workers: number;
  /** Cells measured at this point (one per repeat that ran). */
  runs: number;
  /** Cells whose verdict was valid (true). */
  valid: number;
  /** Max over repeats of unacked-at-crash per crashed process; null when no process died in any repeat. */
  atRiskMax: number | null;
  /** Null when no cell measured the metric (e.g. lock wait for a strategy that takes no lock). */
  metrics: Record<SweepMetric, MedianEstimate | null>;
}

export interface SweepSummary {
  strategies: string[];
  scenarios: string[];
  workers: number[];
  repeat: number;
  /** How cells were ordered and seeded, so a reader knows what the intervals mean. */
  method: string;
  points: SweepPointSummary[];
}

export const pointKey = (p: { strategy: string; scenario: string; workers: number }) => `${p.strategy}\u0000${p.scenario}\u0000${p.workers}`;

export function summarizePoint(cells: readonly CellResult[]): Omit<SweepPointSummary, 'strategy' | 'scenario' | 'workers'> {
  const metrics = Object.fromEntries(sweepMetricNames.map((name) => {
    const values = cells.map(SWEEP_METRICS[name]).filter((v): v is number => v !== null);
    return [name, medianInterval(values) ?? null];
  })) as Record<SweepMetric, MedianEstimate | null>;
  const atRisk = cells.map(SWEEP_METRICS.unackedAtCrashPerCrash).filter((v): v is number => v !== null);
  return { runs: cells.length, valid: cells.filter((c) => c.verdict.valid === true).length, atRiskMax: atRisk.length ? Math.max(...atRisk) : null, metrics };
}

/** Groups the cells by grid point (in first-seen order of `points`) and summarises each. */
export function summarizeSweep(points: readonly { strategy: string; scenario: string; workers: number }[], cells: readonly CellResult[], repeat: number): SweepSummary {
  const byPoint = new Map<string, CellResult[]>();
  for (const cell of cells) byPoint.set(pointKey(cell), [...(byPoint.get(pointKey(cell)) ?? []), cell]);
  return {
    strategies: [...new Set(points.map((p) => p.strategy))],
    scenarios: [...new Set(points.map((p) => p.scenario))],
    workers: [...new Set(points.map((p) => p.workers))].sort((a, b) => a - b),
    repeat,
    method: 'repeats interleaved (every point once per repeat, in a seeded shuffled order); repeat r runs with seed + r − 1; median with a distribution-free order-statistics confidence interval',
    points: points.map((p) => ({ ...p, ...summarizePoint(byPoint.get(pointKey(p)) ?? []) })),
  };
}
