/** Percentile by linear interpolation between closest ranks; undefined for no samples. */
export function percentile(samples: readonly number[], p: number): number | undefined {
  if (samples.length === 0) return undefined;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = (p / 100) * (sorted.length - 1);
  const [a, b, f] = [sorted[Math.floor(rank)]!, sorted[Math.ceil(rank)]!, rank - Math.floor(rank)];
  if (f === 0 || a === b) return a;
  // b − a overflows to Infinity for values of opposite sign near the largest double: then weigh each
  // end instead (no term overflows). Rounding may step just past an end: the result stays in [a, b].
  const gap = b - a;
  const value = Number.isFinite(gap) ? a + gap * f : a * (1 - f) + b * f;
  return Math.min(b, Math.max(a, value));
}

export function sum(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0);
}

/** The largest value (undefined for none), by a loop: Math.max(...values) overflows the stack past ~125,000 values. */
export function max(values: readonly number[]): number | undefined {
  let best: number | undefined;
  for (const value of values) if (best === undefined || value > best) best = value;
  return best;
}

export function round(value: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

export function median(values: readonly number[]): number | undefined {
  return percentile(values, 50);
}

/** A median with its distribution-free confidence interval (as benchstat reports it). */
export interface MedianEstimate {
  n: number;
  median: number;
  lo: number;
  hi: number;
  /** The interval's actual coverage: 0.95 or more when n allows, less for small n (0.9375 for n = 5). */
  confidence: number;
}

/** P(X < k) for X ~ Binomial(n, 1/2). */
function binomialHalfBelow(n: number, k: number): number {
  let p = 0;
  let term = 0.5 ** n; // C(n, 0) / 2^n
  for (let i = 0; i < k; i++) {
    p += term;
    term = (term * (n - i)) / (i + 1);
  }
  return p;
}

/**
 * The order-statistics interval [x(k), x(n−k+1)] for the median, with the largest k such that
 * P(Binomial(n, ½) < k) ≤ 0.025, i.e. at least 95% coverage. When n is too small for that (n < 6),
 * k = 1 gives [min, max] and its actual coverage 1 − 2·0.5ⁿ is reported instead.
 */
export function medianInterval(values: readonly number[]): MedianEstimate | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const n = sorted.length;
  let k = 1;
  while (k + 1 <= (n + 1) / 2 && binomialHalfBelow(n, k + 1) <= 0.025) k++;
  return {
    n,
    median: median(sorted)!,
    lo: sorted[k - 1]!,
    hi: sorted[n - k]!,
    confidence: round(1 - 2 * binomialHalfBelow(n, k), 4),
  };
}
