import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { checkCell, emptyVerdict, type Verdict } from '../../oracle/checker.js';
import { CellMetaSchema } from '../../result/result.js';
import { readJsonFile } from '../../result/read-json.js';
import { parseWith } from '../../sdk/schema.js';
import { badValue } from '../../sdk/errors.js';
import type { CommandSpec } from '../command.js';

/**
 * Re-checks a kept cell folder against the guarantees recorded when it ran. A cell that did not run
 * to its end (its run was stopped before finalize) is `unknown`: acked records may still wait in the
 * strategy's state (a queue, a buffer), so counting them lost would be a false loss.
 */
export async function checkDir(dir: string): Promise<{ strategy: string; scenario: string; verdict: Verdict }> {
  const cellDir = resolve(dir);
  const metaPath = join(cellDir, 'cell.json');
  if (!existsSync(metaPath)) throw badValue('E_USAGE', 'check DIR', dir, 'a cell folder (runs/<run-id>/<strategy>/<scenario>) holding cell.json');
  const meta = parseWith(CellMetaSchema, readJsonFile(metaPath, 'E_USAGE', 'check DIR', 'a cell folder whose cell.json is readable JSON'), metaPath, 'E_USAGE');
  if (meta.completed !== true) {
    const why = meta.completed === false ? 'the cell did not run to its end (its run was stopped before finalize)' : 'its cell.json does not say whether the cell ran to its end (written by an older version)';
    return { strategy: meta.strategy, scenario: meta.scenario, verdict: { ...emptyVerdict(), valid: 'unknown', error: `not checked: ${why}, so acked records may still wait in the strategy's state; run the cell again` } };
  }
  return { strategy: meta.strategy, scenario: meta.scenario, verdict: await checkCell(cellDir, meta.guarantees) };
}

/** `parquet-chaos check DIR`: judges a kept cell folder again. */
export const check = {
  summary: 'check a kept cell folder again (runs/<run-id>/<strategy>/<scenario>)',
  args: [{ name: 'DIR', describe: 'a cell folder holding cell.json' }],
  flags: {},
  async run({ args }, io) {
    const { strategy, scenario, verdict } = await checkDir(args[0]!);
    io.out(`${strategy} × ${scenario}\n${JSON.stringify(verdict, null, 2)}\n`);
    return verdict.valid === true ? 0 : 1;
  },
} satisfies CommandSpec;
