/**
 * `recommend`, the pure part: from a sweep summary, choose the setting with the highest median
 * throughput (the ack rate or the end-to-end rate into Parquet, as asked) that meets the constraints, find the Pareto front, measure the seed's comparison table
 * and check the seed's advice against the numbers.
 */
import { parseStrategySpec } from '../sdk/spec.js';
import type { CellResult } from '../result/result.js';
import { compareMetrics, type Answer } from './compare.js';
import { percent } from './gate.js';
import type { MedianEstimate } from './stats.js';
import { SWEEP_METRICS, type SweepPointSummary, type SweepSummary } from './sweep-summary.js';

/** The comparison recommend shares with gate (harness/analyze/compare.ts). */
export const RECOMMEND_ALPHA = 0.05;
export const RECOMMEND_MIN_EFFECT = 0.1;

/** Another eligible point compared with the chosen one on the ranked throughput. */
export interface Rival {
  strategy: string;
  workers: number;
  /** Its change relative to the choice (Hodges–Lehmann ÷ the choice's median) and interval. */
  change: number;
  changeLo: number;
  changeHi: number;
  p: number;
  /** Holm-adjusted across every ordered pair of the eligible points (selectionFamily). */
  pAdjusted: number;
  /** `regressed`: slower than the choice by at least the minimum effect, significantly; anything else: not told apart. */
  answer: Answer;
}

export interface Constraints {
  /** Most records at risk per crashed process (max over repeats). */
  maxAtRisk?: number;
  /** Highest acceptable median lock wait p99, ms. */
  maxLockWaitP99?: number;
}

/** Which throughput the choice ranks on: acks per second, or records durable in Parquet per second. */
export const RANKS = ['parquet', 'ack'] as const;
export type Rank = (typeof RANKS)[number];

/** One candidate point as the choice saw it. */
export interface Candidate {
  strategy: string;
  workers: number;
  ackedPerSec: number;
  /** Median end-to-end rate (acked records in Parquet after drain and finalize per second); 0 when not measured. */
  parquetPerSec: number;
  /** Null: no process died in any repeat (nothing was measured at risk). */
  atRisk: number | null;
  /** Null: the strategy took no lock. */
  lockWaitMsP99: number | null;
  /** Cells measured (0 when an interrupted run never reached the point). */
  runs: number;
  allValid: boolean;
  /** Why the point was not eligible; empty when it was. */
  excluded: string[];
  pareto: boolean;
}

export type AdviceVerdict = 'holds' | 'partly holds' | 'does not hold' | 'not measured';

export interface Advice {
  claim: string;
  verdict: AdviceVerdict;
  evidence: string;
}

export interface SeedRow {
  aspect: string;
  measure: string;
  realtime: number | string | null;
  batch: number | string | null;
}

export interface Recommendation {
  constraints: Constraints;
  /** The throughput the choice and the Pareto front ranked on. */
  rank: Rank;
  /** Candidate strategy labels (each claims noLostAcked) and measurement-only references. */
  candidates: string[];
  references: string[];
  /** Worker count of the seed table and the advice checks. */
  referenceWorkers: number;
  choice: (Candidate & { interval: number | null }) | null;
  /**
   * The choice against every other eligible point: Mann–Whitney on the per-repeat throughputs, Holm
   * across `family` hypotheses, minimum effect 10%. `tied` lists the points the data cannot tell from the choice.
   * `family` (absent in results saved before it existed: the rivals) is every ordered pair of the
   * eligible points, k(k − 1): the choice was picked on the same data (the highest median), so its
   * comparisons are adjusted as if every point had been compared with every other, and "faster than
   * every other" holds at α whichever point the medians happened to pick (selectionFamily).
   */
  comparison: { alpha: number; minEffect: number; family?: number; rivals: Rival[]; tied: Rival[] };
  points: Candidate[];
  seedTable: { realtime: string; batch: string; rows: SeedRow[] };
  advice: Advice[];
}

/**
 * The two strategies the seed's table and advice compare: a batch writer with an `interval` option (its
 * --checkpoint-interval) and a real-time writer. The built-ins by default; `recommend --family pandas`
 * asks the same of the seed's own pandas writers.
 */
export interface SeedPair {
  batch: string;
  realtime: string;
}

export const BATCH = 'checkpoint-batch';
export const BUILTIN_PAIR: SeedPair = { batch: BATCH, realtime: 'realtime' };
const batchLabel = (pair: SeedPair, interval: number) => `${pair.batch}:interval=${interval}`;

const toCandidate = (p: SweepPointSummary): Candidate => ({
  strategy: p.strategy,
  workers: p.workers,
  ackedPerSec: p.metrics.ackedPerSec?.median ?? 0,
  parquetPerSec: p.metrics.parquetPerSec?.median ?? 0,
  atRisk: p.atRiskMax,
  lockWaitMsP99: p.metrics.lockWaitMsP99?.median ?? null,
  runs: p.runs,
  allValid: p.runs > 0 && p.valid === p.runs,
  excluded: [],
  pareto: false,
});

/** Reasons a point does not qualify: an invalid repeat, or a constraint it breaks. */
export function exclusions(c: Candidate, constraints: Constraints): string[] {
  const why: string[] = [];
  if (c.runs === 0) why.push('not measured');
  else if (!c.allValid) why.push('not every repeat valid');
  if (constraints.maxAtRisk !== undefined && (c.atRisk ?? 0) > constraints.maxAtRisk) why.push(`at risk ${c.atRisk} > ${constraints.maxAtRisk}`);
  if (constraints.maxLockWaitP99 !== undefined && (c.lockWaitMsP99 ?? 0) > constraints.maxLockWaitP99) why.push(`lock p99 ${c.lockWaitMsP99} ms > ${constraints.maxLockWaitP99} ms`);
  return why;
}

/** The throughput a rank reads. */
export const speedOf = (c: Pick<Candidate, 'ackedPerSec' | 'parquetPerSec'>, rank: Rank) => (rank === 'ack' ? c.ackedPerSec : c.parquetPerSec);

/** a dominates b: at least as good on throughput ↑, at-risk ↓, lock p99 ↓, and better on one. */
function dominates(a: Candidate, b: Candidate, rank: Rank): boolean {
  const pairs: [number, number][] = [[speedOf(a, rank), speedOf(b, rank)], [-(a.atRisk ?? 0), -(b.atRisk ?? 0)], [-(a.lockWaitMsP99 ?? 0), -(b.lockWaitMsP99 ?? 0)]];
  return pairs.every(([x, y]) => x >= y) && pairs.some(([x, y]) => x > y);
}

/** The valid points no other valid point dominates. */
export function paretoFront<C extends Candidate>(points: readonly C[], rank: Rank = 'parquet'): C[] {
  const valid = points.filter((p) => p.allValid);
  return valid.filter((p) => !valid.some((q) => dominates(q, p, rank)));
}

/** The eligible point with the highest median throughput of `rank` (ties: less at risk, then fewer workers). */
export function choose(points: readonly Candidate[], constraints: Constraints, rank: Rank = 'parquet'): Candidate | null {
  const eligible = points.filter((p) => exclusions(p, constraints).length === 0);
  eligible.sort((a, b) => speedOf(b, rank) - speedOf(a, rank) || (a.atRisk ?? 0) - (b.atRisk ?? 0) || a.workers - b.workers);
  return eligible[0] ?? null;
}

const intervalOf = (label: string, pair: SeedPair): number | null => {
  const value = parseStrategySpec(label).options.interval;
  return parseStrategySpec(label).name === pair.batch && value !== undefined ? Number(value) : null;
};

const fmt = (e: MedianEstimate | null | undefined, digits = 1) => (e ? `${e.median.toFixed(digits)} [${e.lo.toFixed(digits)}, ${e.hi.toFixed(digits)}]` : 'not measured');
const overlap = (a: MedianEstimate | null | undefined, b: MedianEstimate | null | undefined) => Boolean(a && b && a.lo <= b.hi && b.lo <= a.hi);

/**
 * The worker count the seed table and the advice compare at: the seed's runner uses 20 workers, so 20
 * when it was asked for, else the most workers asked for. The one definition, for planning and judging.
 */
export function referenceWorkers(asked: readonly number[]): number {
  return asked.includes(20) ? 20 : Math.max(...asked);
}

/**
 * Worker counts measured beyond those asked for, for one check only: the seed's "at most 20 workers"
 * needs the batch writer at interval 5 above 20 when 20 is asked for and nothing above it is. Never a candidate.
 */
export function beyondWorkers(asked: readonly number[]): number[] {
  return asked.includes(20) && !asked.some((w) => w > 20) ? [40] : [];
}

/** Per-repeat values of a point's metric, from its cells. */
export type CellsOf = (strategy: string, workers: number) => readonly CellResult[];

const rankMetric = (rank: Rank) => (rank === 'ack' ? 'ackedPerSec' : 'parquetPerSec');
const valuesOf = (cells: readonly CellResult[], metric: keyof typeof SWEEP_METRICS) => cells.map(SWEEP_METRICS[metric]).filter((v): v is number => v !== null);

/**
 * The Holm family that accounts for picking the best of k eligible points on the data: every ordered
 * pair, k(k − 1). Had another point's median been highest, its k − 1 comparisons would have been made
 * instead; adjusting over all of them keeps the chance of any false "slower than the choice" at α
 * whichever point was picked (a Bonferroni bound over the selection; conservative, stated as such).
 */
export const selectionFamily = (eligible: number) => eligible * (eligible - 1);

/** The choice against each other eligible point, as the gate compares (the choice is the base). */
export function rivals(chosen: Candidate, points: readonly Candidate[], constraints: Constraints, rank: Rank, cellsOf: CellsOf): Rival[] {
  const others = points.filter((p) => p !== chosen && exclusions(p, constraints).length === 0);
  const metric = rankMetric(rank);
  const base = valuesOf(cellsOf(chosen.strategy, chosen.workers), metric);
  const compared = compareMetrics(others.map((o) => ({
    metric: `${o.strategy}@${o.workers}`, better: 'higher' as const, minEffect: RECOMMEND_MIN_EFFECT, base, head: valuesOf(cellsOf(o.strategy, o.workers), metric),
  })), RECOMMEND_ALPHA, selectionFamily(others.length + 1));
  return compared.map((c) => {
    const o = others.find((x) => `${x.strategy}@${x.workers}` === c.metric)!;
    return { strategy: o.strategy, workers: o.workers, change: c.change, changeLo: c.changeLo, changeHi: c.changeHi, p: c.p, pAdjusted: c.pAdjusted, answer: c.answer };
  });
}

/**
 * Builds the recommendation from a sweep summary. Only points at the `asked` worker counts are
 * candidates; `references` (and the points beyond, see beyondWorkers) are measured for the seed table
 * and the advice only. `cellsOf` gives each point's cells, for the comparisons. `pair`: the batch and
 * real-time strategies the seed table and the advice compare.
 */
export function recommend(summary: SweepSummary, asked: readonly number[], candidates: readonly string[], references: readonly string[], constraints: Constraints, rank: Rank, cellsOf: CellsOf, pair: SeedPair = BUILTIN_PAIR): Recommendation {
  const find = (strategy: string, workers: number) => summary.points.find((p) => p.strategy === strategy && p.workers === workers);
  const points = summary.points.filter((p) => candidates.includes(p.strategy) && asked.includes(p.workers)).map(toCandidate);
  const front = new Set(paretoFront(points, rank));
  for (const p of points) Object.assign(p, { excluded: exclusions(p, constraints), pareto: front.has(p) });
  const chosen = choose(points, constraints, rank);
  const reference = referenceWorkers(asked);
  const compared = chosen ? rivals(chosen, points, constraints, rank, cellsOf) : [];
  return {
    constraints,
    rank,
    candidates: [...candidates],
    references: [...references],
    referenceWorkers: reference,
    choice: chosen && { ...chosen, interval: intervalOf(chosen.strategy, pair) },
    comparison: { alpha: RECOMMEND_ALPHA, minEffect: RECOMMEND_MIN_EFFECT, family: selectionFamily(compared.length + 1), rivals: compared, tied: compared.filter((r) => r.answer !== 'regressed') },
    points,
    seedTable: seedTable((s) => find(s, reference), references, (s) => cellsOf(s, reference), pair),
    advice: advice(find, summary.workers, reference, pair),
  };
}

function seedTable(at: (strategy: string) => SweepPointSummary | undefined, references: readonly string[], cellsAt: (strategy: string) => readonly CellResult[], pair: SeedPair) {
  const realtime = at(pair.realtime);
  const batch = at(batchLabel(pair, 5));
  const m = (p: SweepPointSummary | undefined, metric: keyof SweepPointSummary['metrics']) => p?.metrics[metric]?.median ?? null;
  // Unlocked real-time saving and the shared (global) batch buffer are where each mode races.
  const [unlockedRealtime, sharedBatch] = [references.find((r) => r.startsWith(`${pair.realtime}:`)), references.find((r) => r.startsWith(`${pair.batch}:`))];
  const rtSpeed = m(realtime, 'ackedPerSec');
  const batchSpeed = m(batch, 'ackedPerSec');
  const rows: SeedRow[] = [
    { aspect: 'data safety', measure: 'acked records lost (median)', realtime: m(realtime, 'lost'), batch: m(batch, 'lost') },
    { aspect: 'data safety', measure: 'records at risk per crashed process (median)', realtime: m(realtime, 'unackedAtCrashPerCrash'), batch: m(batch, 'unackedAtCrashPerCrash') },
    { aspect: 'concurrency-conflict risk', measure: `fraction of acked records lost without protection (${unlockedRealtime ?? '–'} vs ${sharedBatch ?? '–'})`, realtime: m(unlockedRealtime ? at(unlockedRealtime) : undefined, 'lostFraction'), batch: m(sharedBatch ? at(sharedBatch) : undefined, 'lostFraction') },
    { aspect: 'performance cost', measure: 'bytes written per acked record', realtime: m(realtime, 'bytesPerAcked'), batch: m(batch, 'bytesPerAcked') },
    { aspect: 'performance cost', measure: 'fsyncs per acked record', realtime: m(realtime, 'fsyncsPerAcked'), batch: m(batch, 'fsyncsPerAcked') },
    { aspect: 'performance cost', measure: 'acked records per second', realtime: rtSpeed, batch: batchSpeed },
    { aspect: 'lock contention', measure: 'lock acquisitions per record', realtime: m(realtime, 'lockAcquisitionsPerRecord'), batch: m(batch, 'lockAcquisitionsPerRecord') },
    { aspect: 'lock contention', measure: 'lock wait p99, ms', realtime: m(realtime, 'lockWaitMsP99'), batch: m(batch, 'lockWaitMsP99') },
    { aspect: 'recommended use', measure: 'from the numbers above', ...recommendedUse(cellsAt(pair.realtime), cellsAt(batchLabel(pair, 5)), realtime, batch) },
  ];
  return { realtime: pair.realtime, batch: batchLabel(pair, 5), rows };
}

/**
 * The seed table's "recommended use" row, from the measurements: the throughput comparison (as the gate
 * makes it, batch against realtime) and the records at risk per crash of each.
 */
export function recommendedUse(realtimeCells: readonly CellResult[], batchCells: readonly CellResult[], realtime: SweepPointSummary | undefined, batch: SweepPointSummary | undefined): { realtime: string; batch: string } {
  const rt = valuesOf(realtimeCells, 'ackedPerSec');
  const bt = valuesOf(batchCells, 'ackedPerSec');
  if (rt.length === 0 || bt.length === 0) return { realtime: 'not measured', batch: 'not measured' };
  const [c] = compareMetrics([{ metric: 'ackedPerSec', better: 'higher', base: rt, head: bt, minEffect: RECOMMEND_MIN_EFFECT }], RECOMMEND_ALPHA);
  const risk = (p: SweepPointSummary | undefined) => p?.metrics.unackedAtCrashPerCrash?.median ?? null;
  const [rtRisk, btRisk] = [risk(realtime), risk(batch)];
  const speed = `batch ${c!.change >= 0 ? '+' : '−'}${Math.abs(c!.change * 100).toFixed(0)}% acked/s [${percent(c!.changeLo)}, ${percent(c!.changeHi)}], p = ${c!.p.toPrecision(2)}`;
  const atRisk = `at risk per crash: realtime ${rtRisk ?? 'no crash'}, batch ${btRisk ?? 'no crash'}`;
  const saferRealtime = (rtRisk ?? 0) < (btRisk ?? 0);
  switch (c!.answer) {
    case 'improved':
      return {
        realtime: saferRealtime ? `few, critical records where redoing work is costly: ${atRisk}; it gives up the batch's speed (${speed})` : `no use found: batch is faster (${speed}) and no riskier (${atRisk})`,
        batch: `large test campaigns: faster (${speed}); ${atRisk}`,
      };
    case 'regressed':
      return { realtime: `both uses: faster here (${speed}); ${atRisk}`, batch: `no use found here: slower (${speed}); ${atRisk}` };
    default:
      return {
        realtime: `any: throughput not told apart from batch's at ${RECOMMEND_MIN_EFFECT * 100}% (${speed}, ${c!.answer}); ${atRisk}`,
        batch: `no measured speed reason to batch at this size (${speed}, ${c!.answer}); ${atRisk}`,
      };
  }
}

function advice(find: (s: string, w: number) => SweepPointSummary | undefined, workers: readonly number[], at: number, pair: SeedPair): Advice[] {
  const batchLabelOf = (interval: number) => batchLabel(pair, interval);
  const speed = (s: string, w = at) => find(s, w)?.metrics.ackedPerSec;
  const risk = (s: string) => find(s, at)?.atRiskMax ?? null;
  const lock = (s: string, w: number) => find(s, w)?.metrics.lockWaitMsP99;
  const intervals = [1, 5, 10, 20].map((i) => ({ i, speed: speed(batchLabelOf(i)), risk: risk(batchLabelOf(i)) }));
  const [one, five, ten, twenty] = intervals;
  const mid = [five!, ten!].filter((x) => x.speed).sort((a, b) => b.speed!.median - a.speed!.median)[0];
  const out: Advice[] = [];
  if (!one?.speed || !twenty?.speed || !mid) {
    out.push({ claim: 'checkpoint interval 5–10, not 1 and not 20', verdict: 'not measured', evidence: `${pair.batch} was not measured at intervals 1, 5 or 10, and 20` });
  } else {
    const fasterThanOne = mid.speed!.median > one.speed.median;
    const saferThanTwenty = (twenty.risk ?? 0) > (mid.risk ?? 0);
    out.push({
      claim: 'checkpoint interval 5–10, not 1 and not 20',
      verdict: fasterThanOne && saferThanTwenty ? 'holds' : fasterThanOne || saferThanTwenty ? 'partly holds' : 'does not hold',
      evidence: `at ${at} workers, acked/s median [CI]: ${intervals.map((x) => `interval ${x.i}: ${fmt(x.speed)}`).join('; ')}` +
        `${overlap(mid.speed, one.speed) ? ` (interval ${mid.i} vs 1: intervals overlap, within noise)` : ''}` +
        `. Max records at risk per crash: ${intervals.map((x) => `interval ${x.i}: ${x.risk ?? 'no crash'}`).join('; ')}.`,
    });
  }
  const batch = speed(batchLabelOf(5));
  const realtime = speed(pair.realtime);
  out.push(!batch || !realtime
    ? { claim: 'keep batch commit (vs real-time saving)', verdict: 'not measured', evidence: `${pair.realtime} or ${batchLabelOf(5)} not measured` }
    : {
      claim: 'keep batch commit (vs real-time saving)',
      verdict: batch.median > realtime.median ? 'holds' : 'does not hold',
      evidence: `at ${at} workers, acked/s: batch (interval 5) ${fmt(batch)} vs realtime ${fmt(realtime)}; lock wait p99: ${fmt(lock(batchLabelOf(5), at))} vs ${fmt(lock(pair.realtime, at))} ms`,
    });
  const subject = batchLabelOf(5);
  const series = workers.map((w) => `${w}: ${fmt(speed(subject, w))}`).join('; ');
  const above = Math.min(...workers.filter((w) => w > 20));
  const [at20, atAbove] = [speed(subject, 20), speed(subject, above)];
  // Asked for 20 and more workers is not enough: the subject must have been measured at both.
  if (!at20 || !atAbove) {
    out.push({ claim: 'at most 20 workers', verdict: 'not measured', evidence: `not measured at 20 and above 20 workers; ${subject} acked/s by workers: ${series}` });
  } else {
    const gain = atAbove.median > at20.median;
    const lockGrows = (lock(subject, above)?.median ?? 0) > (lock(subject, 20)?.median ?? 0);
    out.push({
      claim: 'at most 20 workers',
      verdict: !gain ? 'holds' : lockGrows ? 'partly holds' : 'does not hold',
      evidence: `${subject}, 20 → ${above} workers: acked/s ${fmt(speed(subject, 20))} → ${fmt(speed(subject, above))}; lock wait p99 ${fmt(lock(subject, 20))} → ${fmt(lock(subject, above))} ms. By workers: ${series}`,
    });
  }
  return out;
}
