import { applyOptions, defaultRunConfig } from '../../orchestrate/run-config.js';
import { gridPoints, runSweep, sweptStrategies } from '../../orchestrate/sweep.js';
import { badValue } from '../../sdk/errors.js';
import { splitStrategyList } from '../../sdk/spec.js';
import type { CommandSpec } from '../command.js';
import { execute } from '../execute.js';
import { OUTPUT_FLAGS, outputs, parseView, runFlags, runOptions } from '../flags.js';
import { parseCount, parseWorkerList, strategyOptions } from '../sweep-args.js';

/** A sweep measures under buffer-crash unless told otherwise. */
const base = () => ({ ...defaultRunConfig(), scenarios: ['buffer-crash'] });
const REPEAT = 5;

/** `parquet-chaos sweep`: a grid of worker counts × strategy options, repeated and interleaved. */
const FLAGS = {
  ...runFlags(base()),
  strategy: { value: 'LIST', describe: 'the strategy to sweep (several only when no option is swept); required' },
  workers: { value: 'LIST', describe: 'worker counts, comma-separated', default: String(base().workers) },
  repeat: { value: 'N', describe: 'repeats of every grid point', default: String(REPEAT) },
  ...OUTPUT_FLAGS,
};

export const sweep = {
  summary: 'measure a grid (worker counts × strategy options), repeats interleaved, with medians and intervals',
  flags: FLAGS,
  extraFlags: 'Any other --<option> v1,v2 sweeps that option of the strategy (e.g. --interval 1,5,10; --checkpoint-interval is an alias).',
  async run({ flags, extra, argv }, io) {
    const view = parseView(flags, io);
    const config = applyOptions(base(), runOptions(flags, ['workers']));
    const specs = flags.strategy === undefined ? [] : splitStrategyList(String(flags.strategy));
    if (specs.length === 0) throw badValue('E_USAGE', '--strategy', flags.strategy ?? '', 'at least one strategy');
    const options = strategyOptions(extra);
    if (options.length > 0 && specs.length !== 1) {
      throw badValue('E_USAGE', '--strategy', String(flags.strategy), `exactly one strategy when sweeping its options (--${options.map(([k]) => k).join(', --')})`);
    }
    const strategies = options.length > 0 ? await sweptStrategies(specs[0]!, options, Object.keys(FLAGS)) : specs;
    const workers = flags.workers === undefined ? [config.workers] : parseWorkerList(String(flags.workers));
    const repeat = parseCount('--repeat', flags.repeat as string | undefined, REPEAT);
    return execute(io, view, outputs(flags), (hooks) => runSweep({
      ...config, ...hooks, strategies, points: gridPoints(strategies, config.scenarios, workers), repeat,
      outDir: outputs(flags).out, command: ['parquet-chaos', 'sweep', ...argv].join(' '),
    }));
  },
} satisfies CommandSpec;
