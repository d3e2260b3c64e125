/**
 * Calibrating the gate on a machine from real A/A cells: how often the whole gate procedure (first look,
 * then more pairs at each further look while a cell is inconclusive, Holm across every cell × metric,
 * counters and all) answers "regressed" when nothing changed (false alarm), and how often it catches an
 * injected slowdown (power). Estimated by resampling measured pairs (a smoothed bootstrap), not from a
 * distributional assumption.
 */
import { Random } from '../sdk/random.js';
import { GATE_METRICS, gateMetricNames, judgeCells, sizeGateCell, type GateMetric, type GateSample, type GateSettings } from './gate.js';

/** One real pair of an A/A gate: its base and its head, run back to back with one seed. */
export type RealPair = readonly [GateSample, GateSample];

/**
 * The pairs of real A/A cells, one group per cell (counters are not pooled across cells: two strategies'
 * fsyncs per record differ by design). A pair with a correctness problem on either side is left out (a
 * false alarm of that kind is not a matter of noise).
 */
export function realPairs(cells: readonly (readonly GateSample[])[]): RealPair[][] {
  return cells.map((samples) => {
    const heads = new Map(samples.filter((s) => s.side === 'head' && s.valid === true).map((s) => [s.repeat, s]));
    return samples.flatMap((s): RealPair[] => {
      const h = heads.get(s.repeat);
      return s.side === 'base' && s.valid === true && h ? [[s, h]] : [];
    });
  }).filter((group) => group.length > 0);
}

export interface SequentialSettings {
  /** Pairs at the first look, most pairs a cell may reach (the sizing's cap), looks fixed beforehand. */
  repeat: number;
  maxRepeat: number;
  looks: number;
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

/**
 * Simulates whole gates as the gate runs them (gate-run.ts): a first look of `repeat` pairs, each cell
 * sized again before each further look from its noise so far, up to `maxRepeat`, more pairs at each further look while a timing metric is
 * inconclusive and none regressed, paired tests with Holm across every cell × metric at α ÷ looks.
 * Each simulated cell draws its pairs (with replacement) from one real cell's pairs, picked at random;
 * a drawn pair's sides are swapped by a coin (under "no change" either order is as likely).
 */
export function simulateGate(groups: readonly (readonly RealPair[])[], s: SequentialSettings): SequentialEstimate {
  if (groups.length === 0 || groups.some((g) => g.length === 0)) throw new RangeError('simulateGate needs non-empty groups');
  const random = new Random(s.seed);
  const smoothing = s.smoothing ?? 0.002;
  const settings = { alpha: s.alpha / s.looks, minEffect: s.minEffect, tolerances: s.tolerances, timing: true, paired: true, familySize: s.cells * gateMetricNames.length };
  const worsen = (metric: GateMetric, v: number) => {
    if (!s.slowdown || s.slowdown.metric !== metric) return v;
    return GATE_METRICS[metric].better === 'higher' ? v * (1 - s.slowdown.change) : v * (1 + s.slowdown.change);
  };
  const drawn = (source: GateSample, side: 'base' | 'head', repeat: number): GateSample => {
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
    const sources = cells.map(() => groups[random.int(groups.length)]!);
    const grow = (j: number, to: number) => {
      const cell = cells[j]!;
      for (let r = cell.length / 2 + 1; r <= to; r++) {
        const [a, b] = sources[j]![random.int(sources[j]!.length)]!;
        const [base, head] = random.int(2) === 0 ? [a, b] : [b, a];
        cell.push(drawn(base, 'base', r), drawn(head, 'head', r));
      }
    };
    cells.forEach((_, j) => grow(j, s.repeat));
    let judged = judgeCells(cells, settings);
    for (let look = 2; look <= s.looks; look++) {
      // Sized again before each look from every pair so far, the looks left spread up to it (as gate-run.ts).
      const next = cells.map((cell) => sizeGateCell(cell, settings, { first: cell.length / 2, cap: s.maxRepeat, looks: s.looks - look + 2 }).schedule[1]!);
      const open = cells.flatMap((cell, j) => {
        const m = judged[j]!.metrics;
        return cell.length / 2 < next[j]! && !m.some((x) => x.answer === 'regressed') && m.some((x) => x.answer === 'inconclusive') ? [j] : [];
      });
      if (open.length === 0) continue;
      for (const j of open) grow(j, next[j]!);
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
