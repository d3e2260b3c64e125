import { writeFileSync } from 'node:fs';
import { plainPalette } from '../../../reports/format.js';
import { badValue } from '../../sdk/errors.js';
import { readJsonFile } from '../../result/read-json.js';
import { RunResultSchema, type RunResult } from '../../result/result.js';
import { parseWith } from '../../sdk/schema.js';
import type { CommandSpec } from '../command.js';
import { parseView, render, VIEW_FLAGS } from '../flags.js';
import { checkOutFile } from '../outputs.js';

/** Reads a saved result JSON for re-rendering; only schema version 1 is understood. */
export function readResult(path: string): RunResult {
  const parsed = readJsonFile(path, 'E_USAGE', 'report', 'a readable result JSON file (runs/<id>/result.json)');
  const version = (parsed as { schemaVersion?: unknown } | null)?.schemaVersion;
  if (version !== 1) throw badValue('E_USAGE', `${path}: schemaVersion`, version ?? null, 'schemaVersion 1 (a parquet-chaos result)');
  const cells = (parsed as { cells?: unknown }).cells;
  if (!Array.isArray(cells)) throw badValue('E_USAGE', `${path}: cells`, cells ?? null, 'an array of cell results (a parquet-chaos result.json)');
  return parseWith(RunResultSchema, parsed, path, 'E_USAGE');
}

/** `parquet-chaos report FILE`: re-renders a saved result without re-running it. */
export const report = {
  summary: 'render a saved result.json again (e.g. --format html --out report.html)',
  args: [{ name: 'FILE', describe: 'a result JSON (runs/<run-id>/result.json)' }],
  flags: {
    ...VIEW_FLAGS,
    out: { value: 'FILE', describe: 'write the report to this file instead of stdout' },
  },
  async run({ flags, args }, io) {
    const view = parseView(flags, io);
    if (flags.out !== undefined) checkOutFile('--out', String(flags.out));
    const result = readResult(args[0]!);
    if (flags.out !== undefined) writeFileSync(String(flags.out), render(result, { ...view, table: { ...view.table, width: undefined } }, io, plainPalette));
    else io.out(render(result, view, io));
    return 0;
  },
} satisfies CommandSpec;
