import { applyOptions, defaultRunConfig, readConfigFile } from '../../orchestrate/run-config.js';
import { runMatrix } from '../../orchestrate/run.js';
import type { CommandSpec } from '../command.js';
import { execute } from '../execute.js';
import { OUTPUT_FLAGS, outputs, parseView, runFlags, runOptions } from '../flags.js';

/** `parquet-chaos run`: every strategy × scenario cell once (defaults ← --config FILE ← flags). */
export const run = {
  summary: 'run every strategy × scenario cell once and judge each against what its writers were told',
  flags: {
    ...runFlags(defaultRunConfig()),
    config: { value: 'FILE', describe: 'JSON object of flag names to values, applied before the flags (e.g. {"workers": 8})' },
    ...OUTPUT_FLAGS,
  },
  async run({ flags, argv }, io) {
    const view = parseView(flags, io);
    const fromFile = flags.config === undefined ? {} : readConfigFile(String(flags.config));
    const config = applyOptions(applyOptions(defaultRunConfig(), fromFile), runOptions(flags));
    return execute(io, view, outputs(flags), (hooks) => runMatrix({
      ...config, ...hooks, outDir: outputs(flags).out, command: ['parquet-chaos', 'run', ...argv].join(' '),
    }));
  },
} satisfies CommandSpec;
