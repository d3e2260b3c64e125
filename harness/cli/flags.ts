/** Flags and helpers shared by several commands: run flags as help entries, output flags, formats. */
import { formatNames, type FormatName } from '../../reports/index.js';
import { ansiPalette, plainPalette, type Palette } from '../../reports/format.js';
import { badValue } from '../sdk/errors.js';
import { RUN_FLAGS, runFlagSpecs, type RawOptions } from '../orchestrate/run-config.js';
import type { RunConfig } from '../result/result.js';
import type { CommandInput, Flag, Io } from './command.js';

/** The run flags as command flags, with `config`'s values shown as the defaults. */
export function runFlags(config: RunConfig, omit: readonly string[] = []): Record<string, Flag> {
  return Object.fromEntries(RUN_FLAGS.filter((name) => !omit.includes(name)).map((name) => {
    const spec = runFlagSpecs[name];
    const shown = spec.shown(config);
    return [name, shown === '' ? { value: spec.value, describe: spec.describe } : { value: spec.value, describe: spec.describe, default: shown }];
  }));
}

/** The run flags among those given (less `omit`, flags a command reads its own way), as raw options for `applyOptions`. */
export function runOptions(flags: CommandInput['flags'], omit: readonly string[] = []): RawOptions {
  return Object.fromEntries(Object.entries(flags).filter(([name]) => (RUN_FLAGS as string[]).includes(name) && !omit.includes(name))) as RawOptions;
}

export const OUTPUT_FLAGS = {
  out: { value: 'DIR', describe: 'parent folder of run folders', default: 'runs' },
  json: { value: 'FILE', describe: 'also copy result.json here' },
  format: { value: 'FORMAT', describe: `report on stdout: ${formatNames.join(', ')}`, default: 'table' },
} satisfies Record<string, Flag>;

export function parseFormat(raw: string | true | undefined): FormatName {
  const format = raw === undefined ? 'table' : String(raw);
  if (!(formatNames as string[]).includes(format)) throw badValue('E_UNKNOWN_FORMAT', '--format', format, `one of: ${formatNames.join(', ')}`);
  return format as FormatName;
}

export function paletteFor(io: Io): Palette {
  return io.isTTY && !io.env.NO_COLOR ? ansiPalette : plainPalette;
}
