/** The recommendation as text and rows, pure from the result JSON (table, Markdown and HTML share it). */
import { speedOf, type Candidate, type Rank, type Recommendation } from '../harness/analyze/recommend.js';
import { num, type Rows } from './sweep.js';

const risk = (n: number | null) => (n === null ? 'no crash' : num(n));
const lock = (n: number | null) => (n === null ? 'no lock' : num(n));

/** The answer in one sentence: strategy, checkpoint interval, workers — or why there is none. */
export function answer(rec: Recommendation): string {
  const c = rec.choice;
  const limits = [
    ...(rec.constraints.maxAtRisk === undefined ? [] : [`at most ${rec.constraints.maxAtRisk} records at risk per crash`]),
    ...(rec.constraints.maxLockWaitP99 === undefined ? [] : [`lock wait p99 at most ${rec.constraints.maxLockWaitP99} ms`]),
  ];
  const under = limits.length ? ` under ${limits.join(' and ')}` : ' (no constraints given)';
  if (!c) return `No candidate met the constraints${under} with every repeat valid.`;
  const interval = c.interval === null ? 'no checkpoint interval: it does not batch' : `checkpoint interval ${c.interval}`;
  return `Use ${c.strategy} with ${c.workers} workers (${interval}): ${speeds(c, rankOf(rec))}, ` +
    `at risk per crash ${risk(c.atRisk)} (worst repeat), lock wait p99 ${lock(c.lockWaitMsP99)}${c.lockWaitMsP99 === null ? '' : ' ms'}${under}.${ties(rec)}`;
}

const signed = (x: number) => (Number.isFinite(x) ? `${x >= 0 ? '+' : '−'}${Math.abs(x * 100).toFixed(0)}%` : x > 0 ? '+∞' : '−∞');

/** What the data cannot tell from the choice (results saved before the comparison existed have none). */
function ties(rec: Recommendation): string {
  const cmp = rec.comparison;
  if (!cmp || cmp.rivals.length === 0) return '';
  const effect = `${(cmp.minEffect * 100).toFixed(0)}%`;
  if (cmp.tied.length === 0) return ` It is faster than every other eligible setting by at least ${effect} (Mann–Whitney, Holm-adjusted p ≤ ${cmp.alpha}).`;
  const shown = cmp.tied.slice(0, 6).map((r) => `${r.strategy} at ${r.workers} workers (${signed(r.change)} [${signed(r.changeLo)}, ${signed(r.changeHi)}], p = ${r.p.toPrecision(2)})`);
  return ` The data cannot tell it from ${cmp.tied.length} other eligible setting${cmp.tied.length > 1 ? 's' : ''} (none shown slower by ${effect} at α = ${cmp.alpha}, Holm-adjusted): ` +
    `${shown.join('; ')}${cmp.tied.length > shown.length ? `; and ${cmp.tied.length - shown.length} more` : ''} — more repeats would tell them apart.`;
}

/** Results saved before `--rank` existed ranked on acks. */
const rankOf = (rec: Recommendation): Rank => rec.rank ?? 'ack';

/** Both medians, the ranked one first. */
function speeds(c: Candidate, rank: Rank): string {
  const parquet = `${num(c.parquetPerSec ?? 0)} records/s into Parquet`;
  const acked = `${num(c.ackedPerSec)} acked/s`;
  return rank === 'parquet' ? `${parquet} (median, ranked on), ${acked}` : `${acked} (median, ranked on), ${parquet}`;
}

function candidateRow(c: Candidate, chosen: Candidate | null): string[] {
  const status = c.excluded.length ? c.excluded.join('; ') : chosen && c.strategy === chosen.strategy && c.workers === chosen.workers ? 'CHOSEN' : 'eligible';
  return [c.strategy, String(c.workers), num(c.parquetPerSec ?? 0), num(c.ackedPerSec), risk(c.atRisk), lock(c.lockWaitMsP99), c.pareto ? 'yes' : '', status];
}

const byRank = (rank: Rank) => (a: Candidate, b: Candidate) => speedOf(b, rank) - speedOf(a, rank);

/** Every candidate point, fastest first on the ranked throughput. */
export function evidenceRows(rec: Recommendation): Rows {
  const points = [...rec.points].sort(byRank(rankOf(rec)));
  return {
    head: ['strategy', 'workers', 'parquet/s (median)', 'acked/s (median)', 'at risk/crash (max)', 'lock p99 ms (median)', 'Pareto', 'status'],
    rows: points.map((c) => candidateRow(c, rec.choice)),
  };
}

export function paretoRows(rec: Recommendation): Rows {
  const front = rec.points.filter((p) => p.pareto).sort(byRank(rankOf(rec)));
  return { head: ['strategy', 'workers', 'parquet/s', 'acked/s', 'at risk/crash', 'lock p99 ms'], rows: front.map((c) => candidateRow(c, null).slice(0, 6)) };
}

export function seedRows(rec: Recommendation): Rows {
  const cell = (v: number | string | null) => (v === null ? 'not measured' : typeof v === 'number' ? num(v) : v);
  return {
    head: ['aspect', `measured at ${rec.referenceWorkers} workers`, rec.seedTable.realtime, rec.seedTable.batch],
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
