/**
 * The Wilcoxon signed-rank test and the Hodges–Lehmann estimate of a paired change (the median of the
 * Walsh averages) with the interval that inverts the test. For the gate's pairs: base and head of a pair
 * run back to back with the same seed, in an order drawn by a coin, so under "no change" each pair's
 * difference is symmetric about 0 whatever the machine was doing at the time, and the slow phases of a
 * loaded machine cancel within a pair instead of counting as noise between the sides.
 */
import { normalQuantileUpper, normalUpperTail, ranks } from './mann-whitney.js';

/** Largest n for which the exact null distribution is counted (2^50 < 2^53: counts stay exact). */
const EXACT_MAX = 50;

/** Relative slack on a tail probability, for the rounding of 1 − confidence in floating point. */
const TAIL_SLACK = 1e-9;

/** How many of the 2^n equally likely sign patterns give each T+ (0 … n(n+1)/2), ranks 1..n (no ties). */
export function exactTCounts(n: number): readonly number[] {
  const cached = tCountsCache.get(n);
  if (cached) return cached;
  const counts = countT(n);
  tCountsCache.set(n, counts);
  return counts;
}

/** exactTCounts by n: the gate's simulations ask for the same few sizes many thousand times. */
const tCountsCache = new Map<number, number[]>();

function countT(n: number): number[] {
  const size = (n * (n + 1)) / 2 + 1;
  const c = new Array<number>(size).fill(0);
  c[0] = 1;
  // Rank r is either positive (adds r to T+) or not: a subset-sum count over 1..n.
  for (let r = 1; r <= n; r++) for (let s = size - 1; s >= r; s--) c[s]! += c[s - r]!;
  return c;
}

/** Midranks of |d| (the one midrank computation, mann-whitney's) and whether any are tied. */
function absRanks(d: readonly number[]): { rank: number[]; tied: boolean } {
  const { rank, tieTerm } = ranks(d.map(Math.abs));
  return { rank, tied: tieTerm > 0 };
}

export interface SignedRankResult {
  /** Sum of the ranks of |d| over the positive differences (zeros left out). */
  tPlus: number;
  /** Differences that were not 0 (the test's n). */
  n: number;
  /** One-sided p of "d tends below 0" (`less`) and "tends above 0" (`greater`); two-sided p. */
  pLess: number;
  pGreater: number;
  p: number;
  method: 'exact' | 'normal';
}

/**
 * The signed-rank test of "the differences are symmetric about 0". Zeros are left out (Wilcoxon's
 * rule). Exact for up to 50 differences: the 2^n sign patterns counted, given the midranks when |d|
 * ties; beyond, the normal approximation with tie and continuity corrections.
 */
export function signedRank(differences: readonly number[]): SignedRankResult {
  const d = differences.filter((x) => x !== 0);
  const n = d.length;
  if (n === 0) return { tPlus: 0, n: 0, pLess: 1, pGreater: 1, p: 1, method: 'exact' };
  const { rank, tied } = absRanks(d);
  const tPlus = d.reduce((s, x, i) => s + (x > 0 ? rank[i]! : 0), 0);
  let less: number;
  let greater: number;
  let method: SignedRankResult['method'] = 'exact';
  if (n <= EXACT_MAX && !tied) {
    const counts = exactTCounts(n);
    const total = 2 ** n;
    let below = 0;
    for (let t = 0; t <= tPlus; t++) below += counts[t]!;
    less = below / total;
    greater = 1 - less + counts[tPlus]! / total;
  } else if (n <= EXACT_MAX) {
    // Ties: count the sign patterns over the doubled midranks (integers).
    const doubled = rank.map((r) => Math.round(2 * r));
    const maxSum = doubled.reduce((a, b) => a + b, 0);
    const ways = new Array<number>(maxSum + 1).fill(0);
    ways[0] = 1;
    for (const r of doubled) for (let s = maxSum; s >= r; s--) ways[s]! += ways[s - r]!;
    const observed = Math.round(2 * tPlus);
    const total = 2 ** n;
    let below = 0;
    let above = 0;
    for (const [s, count] of ways.entries()) {
      if (s <= observed) below += count;
      if (s >= observed) above += count;
    }
    [less, greater] = [below / total, above / total];
  } else {
    method = 'normal';
    const mean = (n * (n + 1)) / 4;
    const variance = rank.reduce((s, r) => s + r * r, 0) / 4;
    const sd = Math.sqrt(variance);
    less = 1 - normalUpperTail((tPlus - mean + 0.5) / sd);
    greater = normalUpperTail((tPlus - mean - 0.5) / sd);
  }
  const [pLess, pGreater] = [Math.min(1, less), Math.min(1, greater)];
  return { tPlus, n, pLess, pGreater, p: Math.min(1, 2 * Math.min(pLess, pGreater)), method };
}

export interface PairedShift {
  /** Hodges–Lehmann estimate: the median of the Walsh averages (d_i + d_j) / 2, i ≤ j. */
  estimate: number;
  /** Confidence interval; ±Infinity when there are too few pairs for this confidence. */
  lo: number;
  hi: number;
  /** The interval's coverage under the exact distribution (at least the one asked for). */
  confidence: number;
}

/**
 * The Hodges–Lehmann estimate of the centre of the differences and its distribution-free interval,
 * [w(k), w(N − k + 1)] of the N = n(n+1)/2 sorted Walsh averages, k the largest with
 * P(T+ ≤ k − 1) ≤ (1 − confidence) / 2 (Tukey's interval; it inverts the signed-rank test).
 */
export function pairedShift(differences: readonly number[], confidence: number): PairedShift {
  const n = differences.length;
  if (n === 0) throw new RangeError('pairedShift needs at least one difference');
  const walsh: number[] = [];
  for (let i = 0; i < n; i++) for (let j = i; j < n; j++) walsh.push((differences[i]! + differences[j]!) / 2);
  walsh.sort((a, b) => a - b);
  const total = walsh.length;
  const estimate = total % 2 ? walsh[(total - 1) / 2]! : (walsh[total / 2 - 1]! + walsh[total / 2]!) / 2;
  const tail = ((1 - confidence) / 2) * (1 + TAIL_SLACK);
  let k = 0;
  let coverage: number;
  if (n <= EXACT_MAX) {
    const counts = exactTCounts(n);
    const all = 2 ** n;
    let below = 0; // P(T+ ≤ k − 1) as k grows
    while (k < total / 2 && (below + counts[k]!) / all <= tail) below += counts[k++]!;
    coverage = 1 - (2 * below) / all;
  } else {
    const z = normalQuantileUpper(tail);
    k = Math.max(0, Math.floor(total / 2 - z * Math.sqrt((n * (n + 1) * (2 * n + 1)) / 24)));
    coverage = confidence;
  }
  if (k === 0) return { estimate, lo: -Infinity, hi: Infinity, confidence: 1 };
  return { estimate, lo: walsh[k - 1]!, hi: walsh[total - k]!, confidence: Math.round(coverage * 1e4) / 1e4 };
}

/** The smallest one-sided p the signed-rank test can give with n pairs: every sign one way, 1 / 2^n. */
export const smallestPairedP = (n: number) => 2 ** -n;
