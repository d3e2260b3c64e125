import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Guarantees } from '../../sdk/strategy.js';
import { checkCell, type Verdict } from '../../oracle/checker.js';
import { badValue } from '../../sdk/errors.js';
import type { CommandSpec } from '../command.js';

/** Re-checks a kept cell folder against the guarantees recorded when it ran. */
export async function checkDir(dir: string): Promise<{ strategy: string; scenario: string; verdict: Verdict }> {
  const cellDir = resolve(dir);
  const metaPath = join(cellDir, 'cell.json');
  if (!existsSync(metaPath)) throw badValue('E_USAGE', 'check DIR', dir, 'a cell folder (runs/<run-id>/<strategy>/<scenario>) holding cell.json');
  const meta = JSON.parse(readFileSync(metaPath, 'utf8')) as { strategy: string; scenario: string; guarantees: Guarantees };
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
