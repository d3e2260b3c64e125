/**
 * The Mann–Whitney U test (Wilcoxon rank-sum) and the Hodges–Lehmann shift with its confidence
 * interval: distribution-free, so a few slow outliers in a noisy CI runner do not decide a comparison.
 */

/** Largest m + n for which the exact null distribution is counted (C(50, 25) < 2^53: counts stay exact). */
const EXACT_MAX_TOTAL = 50;

/** Relative slack on a tail probability, for the rounding of 1 − confidence in floating point. */
const TAIL_SLACK = 1e-9;

/**
 * How many of the C(m+n, m) equally likely rankings give each value of U (0 … m·n), as the
 * coefficients of the Gaussian binomial [m+n choose m]_q = Π_{i=1..m} (1 − q^(n+i)) / (1 − q^i).
 */
export function exactUCounts(m: number, n: number): readonly number[] {
  const key = `${m},${n}`;
  const cached = uCountsCache.get(key);
  if (cached) return cached;
  const counts = countU(m, n);
  uCountsCache.set(key, counts);
  return counts;
}

/** exactUCounts by (m, n): the gate's simulations ask for the same few sizes many thousand times. */
const uCountsCache = new Map<string, number[]>();

function countU(m: number, n: number): number[] {
  const size = m * n + 1;
  const c = new Array<number>(size).fill(0);
  c[0] = 1;
  for (let i = 1; i <= m; i++) {
    // × (1 − q^(n+i)), from the top down so each coefficient uses the old ones.
    for (let j = size - 1; j >= n + i; j--) c[j]! -= c[j - n - i]!;
    // ÷ (1 − q^i): the division is exact, so it is a running sum with stride i.
    for (let j = i; j < size; j++) c[j]! += c[j - i]!;
  }
  return c;
}

/**
 * The exact null distribution of U given the pooled midranks (ties included): how many of the
 * C(m+n, m) ways to pick the first sample's m ranks give each rank sum. Ranks are doubled so midranks
 * stay integers; a subset-sum count over the pooled ranks. Returns P(sum ≤ observed) and P(sum ≥ observed).
 */
function exactConditionalTails(doubledRanks: readonly number[], m: number, observedDoubledSum: number): { less: number; greater: number } {
  const maxSum = doubledRanks.reduce((a, b) => a + b, 0);
  // ways[k][s]: subsets of k of the ranks seen so far with doubled sum s.
  const ways = Array.from({ length: m + 1 }, () => new Array<number>(maxSum + 1).fill(0));
  ways[0]![0] = 1;
  for (const r of doubledRanks) {
    for (let k = m; k >= 1; k--) {
      const row = ways[k]!;
      const prev = ways[k - 1]!;
      for (let sum = maxSum; sum >= r; sum--) row[sum]! += prev[sum - r]!;
    }
  }
  let total = 0;
  let below = 0;
  let above = 0;
  for (const [sum, count] of ways[m]!.entries()) {
    total += count;
    if (sum <= observedDoubledSum) below += count;
    if (sum >= observedDoubledSum) above += count;
  }
  return { less: below / total, greater: above / total };
}

/** Standard normal upper tail P(Z > z), from erfc by Abramowitz & Stegun 7.1.26 (absolute error < 1.5e-7). */
export function normalUpperTail(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * x);
  const poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  const erfc = poly * Math.exp(-x * x);
  return z >= 0 ? erfc / 2 : 1 - erfc / 2;
}

/** The z with P(Z > z) = p, by bisection on normalUpperTail (p in (0, 0.5]). */
export function normalQuantileUpper(p: number): number {
  let lo = 0;
  let hi = 40;
  for (let i = 0; i < 100; i++) {
    const mid = (lo + hi) / 2;
    if (normalUpperTail(mid) > p) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/** Midranks of the pooled sample, and the tie-correction term Σ(t³ − t) over groups of equal values. */
export function ranks(pooled: readonly number[]): { rank: number[]; tieTerm: number } {
  const order = pooled.map((v, i) => [v, i] as const).sort((a, b) => a[0] - b[0]);
  const rank = new Array<number>(pooled.length);
  let tieTerm = 0;
  for (let i = 0; i < order.length;) {
    let j = i;
    while (j + 1 < order.length && order[j + 1]![0] === order[i]![0]) j++;
    const mid = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) rank[order[k]![1]] = mid;
    const t = j - i + 1;
    tieTerm += t ** 3 - t;
    i = j + 1;
  }
  return { rank, tieTerm };
}

export interface MannWhitneyResult {
  /** U of the first sample: pairs (a, b) with a > b, ties counting ½. */
  u: number;
  /** Two-sided p-value. */
  p: number;
  /** One-sided p-values: of "the first sample tends lower" (`less`) and "tends higher" (`greater`). */
  pLess: number;
  pGreater: number;
  /** `exact`: the counted null distribution given the ranks, ties included (m + n ≤ 50); `normal` beyond, with tie and continuity corrections. */
  method: 'exact' | 'normal';
}

/**
 * Mann–Whitney U test of `a` against `b`, two-sided and both one-sided p-values. Exact for m + n ≤ 50: the permutation
 * distribution of the rank sum given the pooled midranks, so ties (results rounded to 0.1 tie often)
 * keep an exact p (without ties it is scipy's `method="exact"`). Beyond, the normal approximation with
 * tie and continuity corrections (scipy's `method="asymptotic"`).
 */
export function mannWhitney(a: readonly number[], b: readonly number[]): MannWhitneyResult {
  const m = a.length;
  const n = b.length;
  if (m === 0 || n === 0) throw new RangeError('mannWhitney needs two non-empty samples');
  const { rank, tieTerm } = ranks([...a, ...b]);
  let rankSumA = 0;
  for (let i = 0; i < m; i++) rankSumA += rank[i]!;
  const u = rankSumA - (m * (m + 1)) / 2;
  const mean = (m * n) / 2;
  if (m + n <= EXACT_MAX_TOTAL && tieTerm === 0) {
    // No ties: U's null distribution depends on m and n only (counted once per size).
    const counts = exactUCounts(m, n);
    const total = counts.reduce((a, b) => a + b, 0);
    let below = 0;
    for (let k = 0; k <= u; k++) below += counts[k]!;
    const less = below / total;
    const greater = 1 - less + counts[u]! / total;
    return { u, p: Math.min(1, 2 * Math.min(less, greater)), pLess: Math.min(1, less), pGreater: Math.min(1, greater), method: 'exact' };
  }
  if (m + n <= EXACT_MAX_TOTAL) {
    const { less, greater } = exactConditionalTails(rank.map((r) => Math.round(2 * r)), m, Math.round(2 * rankSumA));
    return { u, p: Math.min(1, 2 * Math.min(less, greater)), pLess: Math.min(1, less), pGreater: Math.min(1, greater), method: 'exact' };
  }
  const total = m + n;
  const variance = ((m * n) / 12) * (total + 1 - tieTerm / (total * (total - 1)));
  if (variance === 0) return { u, p: 1, pLess: 1, pGreater: 1, method: 'normal' }; // every value equal: no evidence of a difference
  const sd = Math.sqrt(variance);
  // Continuity-corrected one-sided tails; the two-sided p is twice the smaller.
  const pLess = Math.min(1, 1 - normalUpperTail((u - mean + 0.5) / sd));
  const pGreater = Math.min(1, normalUpperTail((u - mean - 0.5) / sd));
  return { u, p: Math.min(1, 2 * Math.min(pLess, pGreater)), pLess, pGreater, method: 'normal' };
}

export interface ShiftEstimate {
  /** Hodges–Lehmann estimate of head − base: the median of all pairwise differences. */
  estimate: number;
  /** Confidence interval for the shift; ±Infinity when the samples are too small for this confidence. */
  lo: number;
  hi: number;
  /** The interval's actual coverage under the exact distribution (at least the one asked for). */
  confidence: number;
}

/**
 * The Hodges–Lehmann shift of `head` over `base` and its distribution-free confidence interval (the
 * interval that inverts the Mann–Whitney test, Bauer 1972): [d(k), d(mn−k+1)] of the sorted pairwise
 * differences, k the largest with P(U ≤ k − 1) ≤ (1 − confidence) / 2.
 */
export function shiftInterval(base: readonly number[], head: readonly number[], confidence: number): ShiftEstimate {
  const m = base.length;
  const n = head.length;
  if (m === 0 || n === 0) throw new RangeError('shiftInterval needs two non-empty samples');
  const diffs: number[] = [];
  for (const x of base) for (const y of head) diffs.push(y - x);
  diffs.sort((x, y) => x - y);
  const mn = diffs.length;
  const estimate = mn % 2 ? diffs[(mn - 1) / 2]! : (diffs[mn / 2 - 1]! + diffs[mn / 2]!) / 2;
  // (1 − 0.9) / 2 is 0.04999…: without the slack a tail exactly at the asked level (3 vs 3 at 90%:
  // P(U ≤ 0) = 1/20) would be refused and the interval left unbounded.
  const tail = ((1 - confidence) / 2) * (1 + TAIL_SLACK);
  let k = 0;
  let coverage = 0;
  if (m + n <= EXACT_MAX_TOTAL) {
    const counts = exactUCounts(m, n);
    const total = counts.reduce((s, c) => s + c, 0);
    let below = 0; // P(U ≤ k − 1) as k grows
    while (k < mn / 2 && (below + counts[k]!) / total <= tail) below += counts[k++]!;
    coverage = 1 - (2 * below) / total;
  } else {
    const z = normalQuantileUpper(tail);
    k = Math.max(0, Math.floor(mn / 2 - z * Math.sqrt((mn * (m + n + 1)) / 12)));
    coverage = confidence;
  }
  if (k === 0) return { estimate, lo: -Infinity, hi: Infinity, confidence: 1 };
  return { estimate, lo: diffs[k - 1]!, hi: diffs[mn - k]!, confidence: Math.round(coverage * 1e4) / 1e4 };
}

/** The smallest one-sided p the exact test can give with m against n values: 1 / C(m + n, m) (no ties). */
export function smallestOneSidedP(m: number, n: number): number {
  let c = 1;
  for (let i = 1; i <= m; i++) c = (c * (n + i)) / i;
  return 1 / c;
}
