/** The recommendation as text and rows, pure from the result JSON (table, Markdown and HTML share it). */
import { parseStrategySpec } from '../harness/sdk/spec.js';
import { BATCH, speedOf, type Candidate, type Rank, type Recommendation, type Rival } from '../harness/analyze/recommend.js';
import { num, type Rows } from './sweep.js';

const risk = (n: number | null) => (n === null ? 'no crash' : num(n));
const lock = (n: number | null) => (n === null ? 'no lock' : num(n));
const pct = (x: number) => `${Math.round(Math.abs(x) * 100)}%`;
const signed = (x: number) => (Number.isFinite(x) ? `${x >= 0 ? '+' : '−'}${pct(x)}` : x > 0 ? '+∞' : '−∞');

/** Results saved before `--rank` existed ranked on acks. */
const rankOf = (rec: Recommendation): Rank => rec.rank ?? 'ack';

/**
 * The smallest two-sided p an exact Mann–Whitney test of n values against n can reach (no ties):
 * the most extreme of the C(2n, n) equally likely rank splits, either way.
 */
export function smallestP(n: number): number {
  let splits = 1;
  for (let i = 1; i <= n; i++) splits = (splits * (n + i)) / i;
  return Math.min(1, 2 / splits);
}

/** The fewest repeats at which one rival can be told apart at all: Holm's first step needs p ≤ α ÷ the family (the rivals, or every ordered pair of the eligible points). */
export function repeatsToSeparate(alpha: number, family: number): number {
  let n = 2;
  while (smallestP(n) > alpha / Math.max(1, family) && n < 100) n++;
  return n;
}

/**
 * Short labels for 80 columns: the initials of the strategy's name (the first two letters of a
 * one-word name; a plugin path by its file name), then its option values: `checkpoint-batch:interval=5`
 * is `CB:5`. Two names with the same initials get a number. `legend` lists each label once.
 */
export function shortLabels(labels: readonly string[]): { short: (label: string) => string; legend: string[] } {
  const base = (name: string) => {
    const stem = name.replace(/^.*\//, '').replace(/\.[cm]?[jt]s$/, '');
    const parts = stem.split(/[-_.]+/).filter(Boolean);
    return (parts.length > 1 ? parts.map((p) => p[0]) : [stem.slice(0, 2)]).join('').toUpperCase() || '?';
  };
  const names = [...new Set(labels.map((l) => safeSpec(l).name))];
  const abbreviation = new Map<string, string>();
  for (const name of names) {
    const taken = [...abbreviation.values()];
    let short = base(name);
    for (let i = 2; taken.includes(short); i++) short = `${base(name)}${i}`;
    abbreviation.set(name, short);
  }
  const short = (label: string) => {
    const { name, options } = safeSpec(label);
    const values = Object.values(options);
    return `${abbreviation.get(name) ?? base(name)}${values.length ? `:${values.join(',')}` : ''}`;
  };
  const legend = [...new Set(labels)].map((l) => `${short(l)} ${l}`);
  return { short, legend };
}

/** A label as name and options; a label that is not a spec (it cannot be, but renderers never throw) is a bare name. */
function safeSpec(label: string): { name: string; options: Record<string, string> } {
  try {
    return parseStrategySpec(label);
  } catch {
    return { name: label, options: {} };
  }
}

function limitsText(rec: Recommendation): string {
  const limits = [
    ...(rec.constraints.maxAtRisk === undefined ? [] : [`at most ${rec.constraints.maxAtRisk} records at risk per crash`]),
    ...(rec.constraints.maxLockWaitP99 === undefined ? [] : [`lock wait p99 at most ${rec.constraints.maxLockWaitP99} ms`]),
  ];
  return limits.length ? `under ${limits.join(' and ')}` : 'no constraints given';
}

/**
 * The answer, as sentences: the one setting to use; what it measured; and, when the data cannot tell
 * other settings from it, how close they are and how many repeats could separate them. `repeat` is
 * the sweep's repeat count (absent: not said).
 */
export function answerLines(rec: Recommendation, repeat?: number): string[] {
  const c = rec.choice;
  if (!c) return [`No candidate met the constraints (${limitsText(rec)}) with every repeat valid.`];
  const interval = c.interval === null ? '' : ` (checkpoint interval ${c.interval})`;
  return [
    `Use ${c.strategy} at ${c.workers} workers${interval}.`,
    `It measured ${speeds(c, rankOf(rec))}, ${atRiskText(c.atRisk)}, ${c.lockWaitMsP99 === null ? 'no lock taken' : `lock wait p99 ${num(c.lockWaitMsP99)} ms`} (${limitsText(rec)}).`,
    ...ties(rec, repeat),
  ];
}

const atRiskText = (n: number | null) => (n === null ? 'no process crashed' : `at most ${num(n)} record${n === 1 ? '' : 's'} at risk per crash`);

/** The answer in one paragraph (Markdown, HTML). */
export function answer(rec: Recommendation, repeat?: number): string {
  return answerLines(rec, repeat).join(' ');
}

/** Each tied rival's median relative to the choice's, on the ranked throughput. */
function medianGaps(rec: Recommendation, tied: readonly Rival[]): number[] {
  const chosen = speedOf(rec.choice!, rankOf(rec));
  return tied.flatMap((r) => {
    const p = rec.points.find((x) => x.strategy === r.strategy && x.workers === r.workers);
    return p && chosen > 0 ? [speedOf(p, rankOf(rec)) / chosen - 1] : [];
  });
}

/** Shown to differ from the choice by less than the minimum effect (a worsening below it included): equivalent within it. */
const isEquivalent = (answer: Rival['answer']) => answer === 'no change' || answer === 'below minimum effect';

/** What the data cannot tell from the choice (results saved before the comparison existed have none). */
function ties(rec: Recommendation, repeat?: number): string[] {
  const cmp = rec.comparison;
  if (!cmp || cmp.rivals.length === 0) return [];
  const effect = pct(cmp.minEffect);
  const family = cmp.family ?? cmp.rivals.length;
  // Picked on the same data: adjusted over every ordered pair of the eligible settings (selectionFamily).
  const selection = cmp.family === undefined ? '' : `, adjusted over all ${cmp.family} ordered pairs of the ${cmp.rivals.length + 1} eligible settings since the choice was picked on these data`;
  if (cmp.tied.length === 0) return [`It is faster than every other eligible setting by at least ${effect} (Mann–Whitney, Holm-adjusted p ≤ ${cmp.alpha}${selection}).`];
  // A rival the test shows faster is not a tie: the choice was picked on its median, and this one beat it.
  const better = cmp.tied.filter((r) => r.answer === 'improved');
  const lines = better.length === 0 ? [] : [`${better.map((r) => `${r.strategy} at ${r.workers} workers`).join(', ')} ${better.length > 1 ? 'are' : 'is'} better than the choice: ` +
    `faster beyond the noise (Mann–Whitney, Holm-adjusted p ≤ ${cmp.alpha}), though the choice's median is higher.`];
  const tied = cmp.tied.filter((r) => r.answer !== 'improved');
  if (tied.length === 0) return lines;
  const gaps = medianGaps(rec, tied);
  const widest = gaps.length ? Math.max(...gaps.map(Math.abs)) : 0;
  const n = tied.length;
  lines.push(`${n} other eligible setting${n > 1 ? 's' : ''} could not be told from it; their medians are within ${pct(widest)} of its.`);
  const equivalent = tied.filter((r) => isEquivalent(r.answer)).length;
  if (equivalent) lines.push(`${equivalent === n ? 'They are' : `${equivalent} of them are`} equivalent to it within ${effect}: the data rule out a larger difference.`);
  if (equivalent < n) {
    const need = repeatsToSeparate(cmp.alpha, family);
    if (repeat !== undefined && repeat < need) {
      const over = cmp.family === undefined ? `${family} rivals` : `${family} (every ordered pair of the ${cmp.rivals.length + 1} eligible settings: the choice was picked on these data)`;
      lines.push(`With ${repeat} repeat${repeat === 1 ? '' : 's'} no setting can be told from another (the smallest possible p, ${smallestP(repeat).toPrecision(2)}, is above α ÷ ${over}); ` +
        `at least ${need} repeats (${need - repeat} more, --repeat ${need}) are needed to separate those ${effect} or more slower.`);
    } else {
      lines.push(`Their differences are within the noise of ${repeat ?? 'these'} repeats: more repeats would separate only a difference of ${effect} or more.`);
    }
  }
  return lines;
}

/** Both medians, the ranked one first. */
function speeds(c: Candidate, rank: Rank): string {
  const parquet = `${num(c.parquetPerSec ?? 0)} records/s into Parquet`;
  const acked = `${num(c.ackedPerSec)} acked/s`;
  return rank === 'parquet' ? `${parquet} (median, ranked on) and ${acked}` : `${acked} (median, ranked on) and ${parquet}`;
}

const isChoice = (c: Candidate, chosen: Candidate | null) => Boolean(chosen && c.strategy === chosen.strategy && c.workers === chosen.workers);

/** A point's status, in words (HTML, Markdown) or short (the terminal's 80 columns). */
function status(c: Candidate, rec: Recommendation, short: boolean): string {
  if (isChoice(c, rec.choice)) return 'CHOSEN';
  if (c.excluded.length) return short ? c.excluded.map(shortExclusion).join(',') : c.excluded.join('; ');
  const rival = rec.comparison?.tied.find((r) => r.strategy === c.strategy && r.workers === c.workers);
  if (!rival) return short ? 'slower' : 'slower (shown)';
  if (rival.answer === 'improved') return short ? 'better' : 'better than the choice (shown)';
  if (isEquivalent(rival.answer)) return short ? 'equiv' : `equivalent within ${pct(rec.comparison!.minEffect)}`;
  return short ? 'undet' : 'undetermined (more repeats would tell)';
}

/** `not every repeat valid` → `invalid`; `at risk 8 > 5` → `risk>5`; `lock p99 … > 300 ms` → `lock>300`. */
function shortExclusion(reason: string): string {
  if (reason.startsWith('not every')) return 'invalid';
  if (reason.startsWith('not measured')) return 'unmeasured';
  const limit = /> (\d+(?:\.\d+)?)/.exec(reason)?.[1] ?? '';
  return reason.startsWith('at risk') ? `risk>${limit}` : reason.startsWith('lock') ? `lock>${limit}` : reason;
}

const byRank = (rank: Rank) => (a: Candidate, b: Candidate) => speedOf(b, rank) - speedOf(a, rank);

/** Every candidate point, fastest first on the ranked throughput; `short`: labels and heads for 80 columns. */
export function evidenceRows(rec: Recommendation, short = false): Rows {
  const points = [...rec.points].sort(byRank(rankOf(rec)));
  const label = short ? shortLabels(rec.points.map((p) => p.strategy)).short : (s: string) => s;
  const change = (c: Candidate) => {
    const rival = rec.comparison?.rivals.find((r) => r.strategy === c.strategy && r.workers === c.workers);
    return rival ? signed(rival.change) : '';
  };
  return {
    head: short
      ? ['setting', 'w', 'pq/s', 'ack/s', 'risk', 'lock ms', 'vs', 'P', 'status']
      : ['strategy', 'workers', 'parquet/s', 'acked/s', 'at risk', 'lock p99 ms', 'vs choice', 'Pareto', 'status'],
    rows: points.map((c) => [label(c.strategy), String(c.workers), num(c.parquetPerSec ?? 0), num(c.ackedPerSec), risk(c.atRisk), lock(c.lockWaitMsP99), change(c), c.pareto ? (short ? '*' : 'yes') : '', status(c, rec, short)]),
  };
}

/** What the evidence table's columns hold (the long form, under the table in Markdown and HTML). */
export function evidenceCaption(rec: Recommendation): string {
  return `Medians over the repeats, fastest first on ${rankOf(rec) === 'ack' ? 'acked/s' : 'parquet/s'}; at risk: records at risk per crashed process, worst repeat; lock p99: lock wait p99, ms; vs choice: the change against the chosen setting (Hodges–Lehmann); Pareto: ${paretoCaption(rec)}.`;
}

/** What the short evidence table's heads and marks mean, and each short label. */
export function evidenceLegend(rec: Recommendation): string[] {
  const rank = rankOf(rec) === 'ack' ? 'ack/s' : 'pq/s';
  return [
    `w workers · pq/s records into Parquet per second · ack/s acks per second (medians; ranked on ${rank}) · risk records at risk per crash (worst repeat) · lock ms lock wait p99 (median) · vs the change against the choice (Hodges–Lehmann) · P * on the Pareto front · equiv: equivalent to the choice within the minimum effect · undet: undetermined, more repeats would tell · better: shown faster than the choice`,
    ...shortLabels(rec.points.map((p) => p.strategy)).legend,
  ];
}

export function paretoRows(rec: Recommendation): Rows {
  const front = rec.points.filter((p) => p.pareto).sort(byRank(rankOf(rec)));
  return { head: ['strategy', 'workers', 'parquet/s', 'acked/s', 'at risk/crash', 'lock p99 ms'], rows: front.map((c) => [c.strategy, String(c.workers), num(c.parquetPerSec ?? 0), num(c.ackedPerSec), risk(c.atRisk), lock(c.lockWaitMsP99)]) };
}

export function seedRows(rec: Recommendation, short = false): Rows {
  const cell = (v: number | string | null) => (v === null ? 'not measured' : typeof v === 'number' ? num(v) : v);
  const label = short ? shortLabels([rec.seedTable.realtime, rec.seedTable.batch]).short : (s: string) => s;
  return {
    head: ['aspect', `measured at ${rec.referenceWorkers} workers`, label(rec.seedTable.realtime), label(rec.seedTable.batch)],
    rows: rec.seedTable.rows.map((r) => [r.aspect, r.measure, cell(r.realtime), cell(r.batch)]),
  };
}

/** What the Pareto front compares, throughput named by the rank. */
export function paretoCaption(rec: Recommendation): string {
  return `not dominated on ${rankOf(rec) === 'ack' ? 'acked/s' : 'parquet/s'} ↑, at risk ↓, lock p99 ↓`;
}

export function adviceLines(rec: Recommendation): string[] {
  return rec.advice.map((a) => `${a.claim}: ${a.verdict.toUpperCase()} — ${a.evidence}`);
}

/** The trade-off the HTML chart draws: per worker count, the interval's acked/s and records at risk. */
export function intervalSeries(rec: Recommendation): { workers: number; points: { interval: number; ackedPerSec: number; atRisk: number | null }[] }[] {
  const withInterval = rec.points.flatMap((p) => {
    const { name, options } = safeSpec(p.strategy);
    const interval = Number(options.interval);
    return name === BATCH && Number.isFinite(interval) && p.runs > 0 ? [{ workers: p.workers, interval, ackedPerSec: p.ackedPerSec, atRisk: p.atRisk }] : [];
  });
  return [...new Set(withInterval.map((p) => p.workers))].sort((a, b) => a - b).map((workers) => ({
    workers,
    points: withInterval.filter((p) => p.workers === workers).sort((a, b) => a.interval - b.interval).map(({ interval, ackedPerSec, atRisk }) => ({ interval, ackedPerSec, atRisk })),
  }));
}
