/**
 * The gate's judgement, a pure function of the measured samples: correctness with zero tolerance,
 * noise-aware performance (see compare.ts), and deterministic counters with fixed tolerances.
 */
import type { CellResult, MachineFacts } from '../result/result.js';
import { adjustAndDecide, measure, measurePaired, overallAnswer, type Answer, type MeasuredMetric, type MetricComparison, type MetricPair } from './compare.js';
import { smallestOneSidedP } from './mann-whitney.js';
import { smallestPairedP } from './signed-rank.js';
import { sizeCell, type CellSizing } from './sizing.js';
import { median } from './stats.js';

export interface GateMetricDefinition {
  label: string;
  better: 'higher' | 'lower';
  /** What is measured, in words: a baseline records it, and one whose definitions differ is refused. */
  defines: string;
  read(cell: CellResult): number | null;
}

/** Timing metrics: noisy, compared statistically. */
export const GATE_METRICS = {
  ackedPerSec: { label: 'acked/s', better: 'higher', defines: 'acked records ÷ wall time from the writers\' go to the last ledger line', read: (c) => c.throughput.ackedPerSec },
  ackLatencyMsP99: { label: 'ack p99 ms', better: 'lower', defines: '99th percentile of attempt → ack time over every acked record, ms', read: (c) => c.throughput.ackLatencyMsP99 },
  lockWaitMsP99: { label: 'lock wait p99 ms', better: 'lower', defines: '99th percentile of the wait for each lock acquisition, ms (null: no lock taken)', read: (c) => c.locks.waitMsP99 },
  /** End-to-end: acked records present in Parquet per second, drain and finalize included (null when nothing reached Parquet). */
  parquetPerSec: {
    label: 'durable in Parquet/s', better: 'higher', defines: 'acked records in the dataset ÷ time from go to the last one in its final .parquet file, drain and finalize included',
    read: (c) => (c.throughput.parquetMs === null ? null : c.throughput.parquetPerSec),
  },
} satisfies Record<string, GateMetricDefinition>;

export type GateMetric = keyof typeof GATE_METRICS;
export const gateMetricNames = Object.keys(GATE_METRICS) as GateMetric[];

export interface Tolerance {
  /** Allowed growth relative to the base median (0.05 = 5%). */
  relative: number;
  /** Allowed growth in the counter's own unit, on top. */
  absolute: number;
}

export interface GateCounterDefinition {
  label: string;
  defines: string;
  read(cell: CellResult): number | null;
  tolerance: Tolerance;
}

const perAcked = (n: number, c: CellResult) => (c.verdict.acked > 0 ? n / c.verdict.acked : null);

/**
 * Counters that do not depend on the machine's speed: compared with fixed tolerances, lower is better.
 * Bytes are those written through the instrumented port (the /proc count also holds the runtime's own
 * writes, which vary by a few percent from run to run).
 */
export const GATE_COUNTERS = {
  fsyncsPerRecord: { label: 'fsyncs/record', defines: 'fsyncs (through the I/O port, and a fenced lock\'s record\'s) ÷ acked records', read: (c) => perAcked(c.io.fsyncs, c), tolerance: { relative: 0.05, absolute: 0 } },
  bytesPerRecord: { label: 'bytes/record', defines: 'bytes written through the I/O port ÷ acked records', read: (c) => perAcked(c.io.portBytesWritten, c), tolerance: { relative: 0.05, absolute: 0 } },
  lockAcquisitionsPerRecord: {
    label: 'lock acquisitions/record', defines: 'lock acquisitions ÷ attempted records', read: (c) => (c.verdict.attempted > 0 ? c.locks.acquisitions / c.verdict.attempted : null), tolerance: { relative: 0.05, absolute: 0 },
  },
  filesLeft: { label: 'files left in data/', defines: 'files in data/ after finalize', read: (c) => c.io.filesInData, tolerance: { relative: 0, absolute: 0 } },
} satisfies Record<string, GateCounterDefinition>;

export type GateCounter = keyof typeof GATE_COUNTERS;
export const gateCounterNames = Object.keys(GATE_COUNTERS) as GateCounter[];

/** Every metric's and counter's definition (and direction), as a baseline records them. */
export function measureDefinitions(): Record<string, string> {
  return Object.fromEntries([
    ...gateMetricNames.map((m) => [m, `${GATE_METRICS[m].defines}; ${GATE_METRICS[m].better} is better`]),
    ...gateCounterNames.map((k) => [k, `${GATE_COUNTERS[k].defines}; lower is better`]),
  ]);
}

/** The anomalies that fail a gate whatever the strategy claims. */
export const ANOMALIES = ['lost', 'duplicates', 'phantoms', 'corruptFiles', 'corruptRecords'] as const;
export type Anomaly = (typeof ANOMALIES)[number];

export type Side = 'base' | 'head';

/** One measured cell of a gate, reduced to what the gate judges (the full cell stays in its run's result.json). */
export interface GateSample {
  side: Side;
  strategy: string;
  scenario: string;
  workers: number;
  repeat: number;
  seed: number;
  /** Whether this side ran first in its pair. */
  first: boolean;
  dir: string;
  valid: true | false | 'unknown';
  anomalies: Record<Anomaly, number>;
  errors: string[];
  metrics: Record<GateMetric, number | null>;
  counters: Record<GateCounter, number | null>;
  /** The command that runs this cell again (same strategy, scenario, workers, seed and settings). */
  replay: string;
}

export function sampleOf(cell: CellResult, side: Side, repeat: number, seed: number, first: boolean, replay: string): GateSample {
  return {
    side, strategy: cell.strategy, scenario: cell.scenario, workers: cell.workers, repeat, seed, first, dir: cell.dir,
    valid: cell.verdict.valid,
    anomalies: Object.fromEntries(ANOMALIES.map((a) => [a, cell.verdict[a]])) as Record<Anomaly, number>,
    errors: cell.errors.map((e) => `${e.source}: ${e.message}`),
    metrics: Object.fromEntries(gateMetricNames.map((m) => [m, GATE_METRICS[m].read(cell)])) as Record<GateMetric, number | null>,
    counters: Object.fromEntries(gateCounterNames.map((k) => [k, GATE_COUNTERS[k].read(cell)])) as Record<GateCounter, number | null>,
    replay,
  };
}

/** What is wrong with one sample, in words; empty when it is correct. */
export function correctnessProblems(s: GateSample): string[] {
  const problems = ANOMALIES.filter((a) => s.anomalies[a] > 0).map((a) => `${s.anomalies[a]} ${a}`);
  if (s.valid === 'unknown') problems.push(`verdict unknown${s.errors.length ? ` (${s.errors[0]})` : ''}`);
  else if (s.valid === false && problems.length === 0) problems.push('verdict false');
  return problems;
}

export interface CorrectnessFailure {
  side: Side;
  strategy: string;
  repeat: number;
  seed: number;
  problems: string[];
  dir: string;
  replay: string;
}

export interface CounterComparison {
  counter: GateCounter;
  base: number;
  head: number;
  /** The head may reach this before it counts as a regression: base × (1 + relative) + absolute. */
  limit: number;
  answer: Answer;
}

/** Median against median with the counter's fixed tolerance; lower is better. */
export function compareCounter(counter: GateCounter, base: readonly number[], head: readonly number[], tolerance: Tolerance): CounterComparison | null {
  if (base.length === 0 || head.length === 0) return null;
  const b = median(base)!;
  const h = median(head)!;
  const limit = b * (1 + tolerance.relative) + tolerance.absolute;
  const floor = b * (1 - tolerance.relative) - tolerance.absolute;
  return { counter, base: b, head: h, limit, answer: h > limit ? 'regressed' : h < floor ? 'improved' : 'no change' };
}

export interface GateSettings {
  /** α for one look at the data (the gate's α divided by the number of looks it may take). */
  alpha: number;
  /**
   * Hypotheses in the Holm family: every cell × timing metric of the whole gate. A shard sees only its
   * own cells; the rest count as p = 1 (holm.ts), so its answers are never bolder than the whole gate's.
   * Absent: the metrics measured in the cells judged together.
   */
  familySize?: number;
  minEffect: Record<GateMetric, number>;
  tolerances: Record<GateCounter, Tolerance>;
  /** Compare timing metrics (false for a baseline from another machine: only counters and correctness). */
  timing: boolean;
  /**
   * Compare each pair's head with its own base (signed-rank on the within-pair changes): for sides run
   * here, pair by pair. False for a saved baseline (measured at another time): the two sides are then
   * independent samples (rank-sum).
   */
  paired: boolean;
}

export type CellAnswer = Answer | 'failed';

export interface GateCellJudgement {
  correctness: CorrectnessFailure[];
  metrics: MetricComparison[];
  counters: CounterComparison[];
  answer: CellAnswer;
}

const values = (samples: readonly GateSample[], read: (s: GateSample) => number | null) =>
  samples.map(read).filter((v): v is number => v !== null && Number.isFinite(v));

/** The smallest one-sided p the gate's test can give with n pairs: 1 / 2^n paired, 1 / C(2n, n) for two independent sides. */
export const smallestGateP = (n: number, paired: boolean) => (paired ? smallestPairedP(n) : smallestOneSidedP(n, n));

/**
 * The fewest pairs with which a gate can find anything regressed at all: the smallest one-sided p the
 * exact test gives with n pairs, multiplied by the Holm family (Holm's first step), must reach α per
 * look. With fewer, every answer is "no change" or "inconclusive" whatever is measured.
 */
export function fewestDecisivePairs(familySize: number, alphaPerLook: number, paired: boolean): number {
  let n = 1;
  while (smallestGateP(n, paired) * familySize > alphaPerLook) n++;
  return n;
}

/** A metric's pairs: base and head of the same repeat, both measured. */
export function metricPairs(samples: readonly GateSample[], read: (s: GateSample) => number | null): MetricPair[] {
  const ok = (v: number | null): v is number => v !== null && Number.isFinite(v);
  const heads = new Map(samples.filter((s) => s.side === 'head' && ok(read(s))).map((s) => [s.repeat, read(s)!]));
  return samples.flatMap((s) => {
    const [b, h] = [read(s), heads.get(s.repeat)];
    return s.side === 'base' && ok(b) && h !== undefined ? [{ base: b, head: h }] : [];
  });
}

/** One metric of one cell, unadjusted: paired when the gate runs both sides, else the two sides as independent samples. */
function measureMetric(m: GateMetric, samples: readonly GateSample[], settings: GateSettings): MeasuredMetric[] {
  const comparison = { alpha: settings.alpha, minEffect: settings.minEffect[m] };
  if (settings.paired) {
    const pairs = metricPairs(samples, (s) => s.metrics[m]);
    return pairs.length > 0 ? [measurePaired(m, GATE_METRICS[m].better, pairs, comparison)] : [];
  }
  const [b, h] = (['base', 'head'] as const).map((side) => values(samples.filter((s) => s.side === side), (s) => s.metrics[m]));
  return b!.length > 0 && h!.length > 0 ? [measure(m, GATE_METRICS[m].better, b!, h!, comparison)] : [];
}

/**
 * A cell's pairs at each look, sized from its first look's noise (sizing.ts): every timing metric
 * measured positive in each pair, acked/s also for catching a 20% drop.
 */
export function sizeGateCell(samples: readonly GateSample[], settings: GateSettings & { familySize: number }, plan: { first: number; cap: number; looks: number }): CellSizing {
  const metrics = gateMetricNames.map((m) => ({
    metric: m, better: GATE_METRICS[m].better, minEffect: settings.minEffect[m], catchDrop: m === 'ackedPerSec',
    logChanges: metricPairs(samples, (s) => s.metrics[m]).filter((p) => p.base > 0 && p.head > 0).map((p) => Math.log(p.head / p.base)),
  }));
  return sizeCell(metrics, { alphaPerLook: settings.alpha, familySize: settings.familySize, ...plan });
}

/** Judges one gate cell (a scenario × worker count) alone: its metrics are the whole Holm family. */
export function judgeCell(samples: readonly GateSample[], settings: GateSettings): GateCellJudgement {
  return judgeCells([samples], settings)[0]!;
}

/**
 * Judges every cell of a gate (each a scenario × worker count, with its samples on both sides), with
 * Holm's correction across every cell × timing metric, so the chance of any false "regressed" in the
 * whole gate stays at α per look.
 */
export function judgeCells(cells: readonly (readonly GateSample[])[], settings: GateSettings): GateCellJudgement[] {
  const measured = cells.map((samples) => (settings.timing ? gateMetricNames.flatMap((m) => measureMetric(m, samples, settings)) : []));
  const flat = measured.flat();
  const decided = adjustAndDecide(flat, settings.alpha, Math.max(flat.length, settings.familySize ?? 0));
  let next = 0;
  return cells.map((samples, i) => {
    const metrics = decided.slice(next, next += measured[i]!.length);
    const correctness = samples.flatMap((s) => {
      const problems = correctnessProblems(s);
      return problems.length ? [{ side: s.side, strategy: s.strategy, repeat: s.repeat, seed: s.seed, problems, dir: s.dir, replay: s.replay }] : [];
    });
    const base = samples.filter((s) => s.side === 'base');
    const head = samples.filter((s) => s.side === 'head');
    const counters = gateCounterNames
      .map((k) => compareCounter(k, values(base, (s) => s.counters[k]), values(head, (s) => s.counters[k]), settings.tolerances[k]))
      .filter((c): c is CounterComparison => c !== null);
    const answer = correctness.length ? 'failed' as const : overallAnswer([...metrics.map((m) => m.answer), ...counters.map((c) => c.answer)]);
    return { correctness, metrics, counters, answer };
  });
}

/** A relative change as a signed percentage: −0.623 → "−62.3%". */
export function percent(x: number): string {
  if (!Number.isFinite(x)) return x > 0 ? '+∞' : '−∞';
  const v = (x * 100).toFixed(Math.abs(x) < 0.1 ? 1 : 0);
  return `${x >= 0 ? '+' : '−'}${v.replace('-', '')}%`;
}

const num = (x: number) => (Math.abs(x) >= 100 ? x.toFixed(0) : Math.abs(x) >= 1 ? x.toFixed(1) : x.toPrecision(2));
const pValue = (p: number) => (p < 0.0001 ? p.toExponential(1) : p.toPrecision(2));

/** One metric comparison in words: medians, change with its interval, p and adjusted p. */
export function describeMetric(m: MetricComparison): string {
  const change = m.scale === 'ratio'
    ? `ratio ${ratio(m.change)} [${ratio(m.changeLo)}, ${ratio(m.changeHi)}], ${percent(m.change)}`
    : `${percent(m.change)} [${percent(m.changeLo)}, ${percent(m.changeHi)}] of the base median`;
  return `${GATE_METRICS[m.metric as GateMetric]?.label ?? m.metric} ${num(m.base.median)} → ${num(m.head.median)} ` +
    `(${change}, one-sided p = ${pValue(m.pWorse)}, Holm-adjusted ${pValue(m.pAdjusted)}, minimum effect ${percent(m.minEffect).replace('+', '')})`;
}

/** A change as the head ÷ base ratio: +0.5 → "×1.50". */
export function ratio(change: number): string {
  return Number.isFinite(change) ? `×${(1 + change).toFixed(2)}` : change > 0 ? '×∞' : '×0';
}

export function describeCounter(c: CounterComparison): string {
  return `${GATE_COUNTERS[c.counter].label} ${num(c.base)} → ${num(c.head)} (limit ${num(c.limit)})`;
}

interface OutcomeCell {
  strategy?: string;
  scenario: string;
  workers: number;
  pairs: number;
  judgement: GateCellJudgement;
  sizing?: CellSizing;
}

/** What a cell's noise asked for, in words: "noise σ acked/s 0.44, …; 163 pairs wanted, 60 run (the cap)". */
export function describeSizing(s: CellSizing, pairs: number): string {
  const noise = s.noise.map((n) => `${GATE_METRICS[n.metric as GateMetric]?.label ?? n.metric} ${n.sigma.toFixed(2)}`).join(', ');
  const capped = s.wanted > (s.schedule.at(-1) ?? 0);
  return `within-pair noise σ of log(head ÷ base): ${noise}; ${s.wanted} pairs wanted to tell each metric, ${pairs} run${capped ? ' (--max-repeat caps it: more pairs or a quieter machine would tell)' : ''}`;
}

interface OutcomeControl {
  name: string;
  strategy: string;
  scenario: string;
  workers: number;
  seed: number;
  expects: readonly string[];
  found: number;
  caught: boolean;
  why?: string;
  replay: string;
}

export interface OutcomeState {
  inconclusiveOk: boolean;
  interrupted: boolean;
  /** Why the gate stopped early (a disk error): it is then not judged on what it measured. */
  stopped?: string;
  /** Positive controls this gate (or its shard 1) had to run: fewer outcomes than that is a missed control. */
  controlsPlanned: number;
}

/**
 * The gate's outcome and exit code, with one line per reason. A correctness failure fails (exit 1)
 * whatever else; then a regression (exit 1). A missed positive control makes the gate unable to vouch
 * for its checker: inconclusive (exit 3, whatever --inconclusive-ok says), as are cells still
 * inconclusive at --max-repeat (exit 3, or 0 with --inconclusive-ok). A stopped run is never judged.
 */
export function gateOutcome(cells: readonly OutcomeCell[], controls: readonly OutcomeControl[], state: OutcomeState) {
  const reasons: string[] = [];
  for (const cell of cells) {
    for (const f of cell.judgement.correctness) {
      reasons.push(`CORRECTNESS: ${f.side} ${f.strategy} × ${cell.scenario}, ${cell.workers} workers, repeat ${f.repeat} (seed ${f.seed}): ${f.problems.join(', ')}. ` +
        `Replay: ${f.replay} (cell folder ${f.dir})`);
    }
  }
  const where = (cell: OutcomeCell) => `${cell.strategy === undefined ? '' : `${cell.strategy} × `}${cell.scenario}, ${cell.workers} workers, ${cell.pairs} pairs`;
  for (const cell of cells.filter((x) => x.judgement.answer === 'regressed')) {
    const what = [...cell.judgement.metrics.filter((m) => m.answer === 'regressed').map(describeMetric), ...cell.judgement.counters.filter((c) => c.answer === 'regressed').map(describeCounter)];
    reasons.push(`REGRESSED: ${where(cell)}: ${what.join('; ')}`);
  }
  const missed = controls.filter((x) => !x.caught);
  for (const c of missed) {
    reasons.push(`POSITIVE CONTROL MISSED (${c.name}): ${c.strategy} × ${c.scenario} (${c.workers} workers, seed ${c.seed}) must show ${c.expects.join(' or ')} and showed ${c.found}` +
      `${c.why ? `: ${c.why}` : ''}; the gate cannot vouch that its checker catches this class of anomaly. Replay: ${c.replay}`);
  }
  const absent = state.controlsPlanned - controls.length;
  if (absent > 0 && !state.interrupted && !state.stopped) reasons.push(`POSITIVE CONTROL MISSED: ${absent} of ${state.controlsPlanned} controls did not run`);
  for (const cell of cells) {
    const below = cell.judgement.metrics.filter((m) => m.answer === 'below minimum effect');
    if (below.length) reasons.push(`BELOW THE MINIMUM EFFECT YOU SET (not "no change"): ${where(cell)}: ${below.map(describeMetric).join('; ')}`);
  }
  for (const cell of cells.filter((x) => x.judgement.answer === 'inconclusive')) {
    reasons.push(`INCONCLUSIVE: ${where(cell)}: ${cell.judgement.metrics.filter((m) => m.answer === 'inconclusive').map(describeMetric).join('; ')}${cell.sizing ? ` (${describeSizing(cell.sizing, cell.pairs)})` : ''}`);
  }
  if (state.stopped) return { outcome: 'stopped' as const, exitCode: 3, reasons: [`STOPPED, NOT JUDGED: ${state.stopped}; the gate measured only part of its plan`, ...reasons] };
  if (state.interrupted) return { outcome: 'interrupted' as const, exitCode: 130, reasons: ['interrupted: the gate stopped before it finished', ...reasons] };
  const has = (answer: CellAnswer) => cells.some((c) => c.judgement.answer === answer);
  if (has('failed')) return { outcome: 'correctness' as const, exitCode: 1, reasons };
  if (has('regressed')) return { outcome: 'regressed' as const, exitCode: 1, reasons };
  if (missed.length > 0 || absent > 0) return { outcome: 'control missed' as const, exitCode: 3, reasons };
  if (has('inconclusive')) return { outcome: 'inconclusive' as const, exitCode: state.inconclusiveOk ? 0 : 3, reasons };
  return { outcome: 'pass' as const, exitCode: 0, reasons: ['pass: no correctness anomaly, every positive control was caught, no metric regressed', ...reasons] };
}

/** One cell of a gate's grid: a scenario × worker count, and between commits also a strategy spec as written. */
export interface GateGridCell {
  strategy?: string;
  scenario: string;
  workers: number;
}

export const cellKey = (c: GateGridCell) => `${c.strategy ?? ''}\u0000${c.scenario}\u0000${c.workers}`;

/** Every cell of the gate, in plan order: (strategies, when between commits, then) scenarios, then worker counts. */
export function gateGrid(config: { scenarios: readonly string[]; workers: readonly number[]; git?: { strategies: readonly string[] } }): GateGridCell[] {
  const grid = config.scenarios.flatMap((scenario) => config.workers.map((workers) => ({ scenario, workers })));
  return config.git ? config.git.strategies.flatMap((strategy) => grid.map((c) => ({ strategy, ...c }))) : grid;
}

/**
 * Whether timings measured on `a` can be compared with timings measured on `b`: same CPU model and
 * count, memory, platform, Node major version and file system. Anything else moves throughput by more
 * than the effects a gate looks for; counters and correctness do not depend on it.
 */
export function sameMachine(a: MachineFacts, b: MachineFacts): boolean {
  const major = (v: string) => v.split('.')[0];
  return a.cpuModel === b.cpuModel && a.cpus === b.cpus && a.memoryGiB === b.memoryGiB && a.platform === b.platform
    && a.arch === b.arch && major(a.node) === major(b.node) && a.fileSystem === b.fileSystem;
}
