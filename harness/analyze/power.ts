/**
 * Calibrating the gate on a machine from real A/A cells: how often the whole gate procedure (first look,
 * then more pairs at each further look while a cell is inconclusive, Holm across every cell × metric,
 * counters and all) answers "regressed" when nothing changed (false alarm), and how often it catches an
 * injected slowdown (power). Estimated by resampling measured cells (a smoothed bootstrap), not from a
 * distributional assumption.
 */
import { Random } from '../sdk/random.js';
import { GATE_METRICS, gateMetricNames, judgeCells, type GateMetric, type GateSample, type GateSettings } from './gate.js';
import { median } from './stats.js';

/**
 * Real samples of one or more A/A cells, each timing metric divided by its cell's median (so cells
 * whose level differs pool as noise around 1); counters and verdicts kept as measured. Samples with a
 * correctness problem are left out (a false alarm of that kind is not a matter of noise). One group per
 * cell: counters are not pooled across cells (two strategies' fsyncs per record differ by design).
 */
export function relativeSamples(cells: readonly (readonly GateSample[])[]): GateSample[][] {
  return cells.map((samples) => {
    const medians = Object.fromEntries(gateMetricNames.map((m) => [m, median(samples.map((s) => s.metrics[m]).filter((v): v is number => v !== null && v > 0))]));
    return samples.filter((s) => s.valid === true).map((s) => ({
      ...s,
      metrics: Object.fromEntries(gateMetricNames.map((m) => {
        const v = s.metrics[m];
        const mid = medians[m];
        return [m, v === null || !mid ? v : v / mid];
      })) as Record<GateMetric, number | null>,
    }));
  }).filter((group) => group.length > 0);
}

export interface SequentialSettings {
  /** Pairs at the first look, most pairs a cell may reach, pairs added per further look. */
  repeat: number;
  maxRepeat: number;
  step: number;
  /** The gate's α (divided by the looks, as the gate does). */
  alpha: number;
  minEffect: GateSettings['minEffect'];
  tolerances: GateSettings['tolerances'];
  /** Cells (scenario × workers) in the simulated gate, each drawn from the pool. */
  cells: number;
  /** The head's true change: `metric` made worse by `change` (0.2: a rate × 0.8, a time × 1.2); null: A/A. */
  slowdown: { metric: GateMetric; change: number } | null;
  simulations: number;
  seed: number;
  /** Relative spread of the smoothing noise on each drawn value (breaks the ties resampling makes). */
  smoothing?: number;
}

/** How the simulated gates ended, as fractions, and how many pairs a cell ran on average. */
export interface SequentialEstimate {
  /** Some cell regressed (on any metric or counter). */
  regressed: number;
  /** The slowed metric itself was found regressed (power); 0 for A/A. */
  caught: number;
  belowMinimum: number;
  noChange: number;
  inconclusive: number;
  meanPairs: number;
}

export function looksOf(s: Pick<SequentialSettings, 'repeat' | 'maxRepeat' | 'step'>): number {
  return 1 + Math.ceil((s.maxRepeat - s.repeat) / s.step);
}

/**
 * Simulates whole gates (every look) from groups of relative A/A samples (relativeSamples): each
 * simulated cell draws both sides from one real cell's group, picked at random.
 */
export function simulateGate(groups: readonly (readonly GateSample[])[], s: SequentialSettings): SequentialEstimate {
  if (groups.length === 0 || groups.some((g) => g.length === 0)) throw new RangeError('simulateGate needs non-empty groups');
  const random = new Random(s.seed);
  const smoothing = s.smoothing ?? 0.002;
  const settings: GateSettings = { alpha: s.alpha / looksOf(s), minEffect: s.minEffect, tolerances: s.tolerances, timing: true };
  const worsen = (metric: GateMetric, v: number) => {
    if (!s.slowdown || s.slowdown.metric !== metric) return v;
    return GATE_METRICS[metric].better === 'higher' ? v * (1 - s.slowdown.change) : v * (1 + s.slowdown.change);
  };
  const draw = (pool: readonly GateSample[], side: 'base' | 'head', repeat: number): GateSample => {
    const source = pool[random.int(pool.length)]!;
    const jitter = () => Math.exp(smoothing * (random.next() * 2 - 1));
    const metrics = Object.fromEntries(gateMetricNames.map((m) => {
      const v = source.metrics[m];
      return [m, v === null ? null : side === 'head' ? worsen(m, v * jitter()) : v * jitter()];
    })) as Record<GateMetric, number | null>;
    return { ...source, side, repeat, metrics };
  };
  const counts = { regressed: 0, caught: 0, belowMinimum: 0, noChange: 0, inconclusive: 0, pairs: 0 };
  for (let i = 0; i < s.simulations; i++) {
    const cells: GateSample[][] = Array.from({ length: s.cells }, () => []);
    const sources = new Map(cells.map((cell) => [cell, groups[random.int(groups.length)]!]));
    const grow = (cell: GateSample[], to: number) => {
      for (let r = cell.length / 2 + 1; r <= to; r++) cell.push(draw(sources.get(cell)!, 'base', r), draw(sources.get(cell)!, 'head', r));
    };
    for (const cell of cells) grow(cell, s.repeat);
    let judged = judgeCells(cells, settings);
    for (;;) {
      const open = cells.flatMap((cell, j) => {
        const m = judged[j]!.metrics;
        return cell.length / 2 < s.maxRepeat && !m.some((x) => x.answer === 'regressed') && m.some((x) => x.answer === 'inconclusive') ? [cell] : [];
      });
      if (open.length === 0) break;
      for (const cell of open) grow(cell, Math.min(s.maxRepeat, cell.length / 2 + s.step));
      judged = judgeCells(cells, settings);
    }
    const answers = judged.map((j) => j.answer);
    if (answers.includes('regressed') || answers.includes('failed')) counts.regressed++;
    else if (answers.includes('inconclusive')) counts.inconclusive++;
    else if (answers.includes('below minimum effect')) counts.belowMinimum++;
    else counts.noChange++;
    if (s.slowdown && judged.some((j) => j.metrics.some((m) => m.metric === s.slowdown!.metric && m.answer === 'regressed'))) counts.caught++;
    counts.pairs += cells.reduce((a, c) => a + c.length / 2, 0) / cells.length;
  }
  const n = s.simulations;
  return {
    regressed: counts.regressed / n, caught: counts.caught / n, belowMinimum: counts.belowMinimum / n,
    noChange: counts.noChange / n, inconclusive: counts.inconclusive / n, meanPairs: counts.pairs / n,
  };
}

/** The one-sided 95% upper bound on a rate with `k` events in `n` trials (Clopper–Pearson; for k = 0 it is 1 − 0.05^(1/n)). */
export function rateUpperBound(k: number, n: number): number {
  if (n === 0) return 1;
  if (k >= n) return 1;
  // Bisection on the binomial tail P(X ≤ k | p) = 0.05.
  const tail = (p: number) => {
    let term = (1 - p) ** n;
    let sum = term;
    for (let i = 1; i <= k; i++) {
      term *= ((n - i + 1) / i) * (p / (1 - p));
      sum += term;
    }
    return sum;
  };
  let lo = k / n;
  let hi = 1;
  for (let i = 0; i < 60; i++) {
    const mid = (lo + hi) / 2;
    if (tail(mid) > 0.05) lo = mid;
    else hi = mid;
  }
  return hi;
}
