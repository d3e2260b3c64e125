/** Settings sweeps: the grid of points, its interleaved seeded order, and running it. */
import type { OptionSpec, StrategyDefinition } from '../sdk/strategy.js';
import { badValue, closestName } from '../sdk/errors.js';
import { loadStrategy } from './load-strategy.js';
import { Random } from '../sdk/random.js';
import type { RunResult, SummaryPlan } from '../result/result.js';
import { runCells, type PlannedCell, type RunOptions } from './run.js';

export interface SweepPoint {
  strategy: string;
  scenario: string;
  workers: number;
}

export interface SweepOptions extends RunOptions {
  points: SweepPoint[];
  repeat: number;
  /** `recommend`: what its recommendation is computed from, besides the sweep. */
  recommend?: SummaryPlan['recommend'];
}

/** Every strategy × scenario × worker count. */
export function gridPoints(strategies: readonly string[], scenarios: readonly string[], workers: readonly number[]): SweepPoint[] {
  return strategies.flatMap((strategy) => scenarios.flatMap((scenario) => workers.map((w) => ({ strategy, scenario, workers: w }))));
}

/**
 * For each repeat, every point once, in an order shuffled from the seed (a different order per repeat),
 * so that drift in the machine's speed during the sweep favours no setting.
 */
export function interleave(points: readonly SweepPoint[], repeat: number, seed: number): PlannedCell[] {
  const random = new Random(seed);
  return Array.from({ length: repeat }, (_, r) => {
    const order = random.fork(`sweep-order/${r + 1}`).shuffle(points);
    return order.map((p) => ({ ...p, seed: seed + r, repeat: r + 1 }));
  }).flat();
}

/**
 * The strategy labels of a sweep over option values: `checkpoint-batch` with interval 1,5 gives
 * `checkpoint-batch:interval=1` and `checkpoint-batch:interval=5`. Every key and value is checked
 * against the strategy's options schema before anything runs; an unknown key is matched against
 * `sweepFlags` and the options to suggest the closest name.
 */
export async function sweptStrategies(base: string, swept: readonly (readonly [string, readonly string[]])[], sweepFlags: readonly string[] = []): Promise<string[]> {
  const { spec, definition } = await loadStrategy(base);
  const schema = (definition as StrategyDefinition<object>).options as Record<string, OptionSpec<unknown>>;
  for (const [key, values] of swept) {
    const option = schema[key];
    const known = Object.keys(schema);
    if (!option) {
      const near = closestName(key, [...sweepFlags, ...known]);
      const hint = near === undefined ? '' : ` (did you mean --${near}?)`;
      throw badValue('E_BAD_OPTION', `--${key}`, values.join(','), `a sweep flag or an option of ${definition.name}: ${known.length ? known.join(', ') : 'none'}${hint}`);
    }
    for (const value of values) if (option.parse(value) === undefined) throw badValue('E_BAD_OPTION', `--${key}`, value, option.accepts);
  }
  let combos: Record<string, string>[] = [{}];
  for (const [key, values] of swept) combos = combos.flatMap((combo) => values.map((v) => ({ ...combo, [key]: v })));
  return combos.map((combo) => {
    const options = { ...spec.options, ...combo };
    const pairs = Object.entries(options).map(([k, v]) => `${k}=${v}`);
    return pairs.length ? `${spec.name}:${pairs.join(',')}` : spec.name;
  });
}

/** Runs the points `repeat` times, interleaved, and adds the sweep summary to the result. */
export async function runSweep(options: SweepOptions): Promise<RunResult> {
  const { points, repeat, recommend, ...run } = options;
  if (!Number.isInteger(repeat) || repeat < 1) throw badValue('E_BAD_OPTION', '--repeat', String(repeat), 'an integer >= 1');
  if (points.length === 0) throw badValue('E_USAGE', '--strategy', '', 'at least one strategy');
  const workers = Math.max(...points.map((p) => p.workers));
  return runCells({ ...run, workers }, interleave(points, repeat, run.seed), { points, repeat, ...(recommend ? { recommend } : {}) });
}
