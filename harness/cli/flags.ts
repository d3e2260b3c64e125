/** Flags and helpers shared by several commands: run flags as help entries, output flags, formats. */
import { formatNames, formats, type FormatName } from '../../reports/index.js';
import { tableColumns, TABLE_COLUMNS, type TableView } from '../../reports/table.js';
import { ansiPalette, plainPalette, type Palette } from '../../reports/format.js';
import { badValue } from '../sdk/errors.js';
import { RUN_FLAGS, runFlagSpecs, type RawOptions } from '../orchestrate/run-config.js';
import type { RunConfig, RunResult } from '../result/result.js';
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

/** How the report looks: its format and, for the terminal table, its columns. */
export const VIEW_FLAGS = {
  format: { value: 'FORMAT', describe: `report on stdout: ${formatNames.join(', ')}`, default: 'table' },
  wide: { describe: 'table: every column (Markdown, HTML and JSON always have them all)' },
  columns: { value: 'LIST', describe: `table: these columns, of ${Object.keys(TABLE_COLUMNS).join(', ')}` },
  verbose: { describe: 'table: also list the optional faults that had nothing to hit (otherwise counted in one line)' },
} satisfies Record<string, Flag>;

export const OUTPUT_FLAGS = {
  out: { value: 'DIR', describe: 'parent folder of run folders', default: 'runs' },
  json: { value: 'FILE', describe: 'also copy result.json here' },
  ...VIEW_FLAGS,
} satisfies Record<string, Flag>;

/** `--out` and `--json` as given, with the default folder. */
export function outputs(flags: CommandInput['flags']): { out: string; json?: string } {
  const out = (flags.out as string | undefined) ?? OUTPUT_FLAGS.out.default;
  return flags.json === undefined ? { out } : { out, json: String(flags.json) };
}

export function parseFormat(raw: string | true | undefined): FormatName {
  const format = raw === undefined ? 'table' : String(raw);
  if (!(formatNames as string[]).includes(format)) throw badValue('E_UNKNOWN_FORMAT', '--format', format, `one of: ${formatNames.join(', ')}`);
  return format as FormatName;
}

export interface View {
  format: FormatName;
  table: TableView;
}

/** The report's format and table layout from the view flags, fitted to the terminal stdout writes to. */
export function parseView(flags: CommandInput['flags'], io: Io): View {
  return {
    format: parseFormat(flags.format),
    table: { width: io.columns, columns: tableColumns(flags.columns as string | undefined, flags.wide === true), verbose: flags.verbose === true },
  };
}

/** Renders the result as the view asks. */
export function render(result: RunResult, view: View, io: Io, palette = paletteFor(io)): string {
  return formats[view.format](result, palette, view.table);
}

export function paletteFor(io: Io): Palette {
  return io.isTTY && !io.env.NO_COLOR ? ansiPalette : plainPalette;
}
