/**
 * Holm's step-down procedure (Holm 1979): controls the chance of any false "regressed" across a family
 * of metrics at α, uniformly more powerful than Bonferroni.
 */

export interface HolmResult {
  /** Adjusted p-values in the input order: compare each with α directly. */
  adjusted: number[];
  /** Which hypotheses are rejected at α. */
  rejected: boolean[];
}

/**
 * Sorts the p-values ascending; the i-th smallest (0-based) is adjusted to max over j ≤ i of
 * (m − j)·p(j), capped at 1 — the same numbers as R's `p.adjust(p, "holm")`. `familySize` (m) may exceed
 * the p-values given: the family's others, not seen here (another shard's cells), count as p = 1, which
 * gives each seen one the multiplier the whole family would (never smaller: the adjustment stays valid).
 */
export function holm(pValues: readonly number[], alpha: number, familySize = pValues.length): HolmResult {
  if (familySize < pValues.length) throw new RangeError(`holm: a family of ${familySize} cannot hold ${pValues.length} p-values`);
  const m = familySize;
  const order = pValues.map((p, i) => [p, i] as const).sort((a, b) => a[0] - b[0]);
  const adjusted = new Array<number>(pValues.length);
  let running = 0;
  for (const [rank, [p, i]] of order.entries()) {
    running = Math.max(running, Math.min(1, (m - rank) * p));
    adjusted[i] = running;
  }
  return { adjusted, rejected: adjusted.map((p) => p <= alpha) };
}
