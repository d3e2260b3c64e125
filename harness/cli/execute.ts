/** Runs cells for a command: progress on stderr, Ctrl-C handling, then the report and the exit code. */
import { appendFileSync, copyFileSync } from 'node:fs';
import { formats } from '../../reports/index.js';
import type { RunOptions } from '../orchestrate/run.js';
import type { RunResult } from '../result/result.js';
import type { Io } from './command.js';
import { render, type View } from './flags.js';
import { createProgress } from './progress.js';
import { interruptible } from './interrupt.js';
import { checkOutDir, checkOutFile } from './outputs.js';

export type Launch = (hooks: Pick<RunOptions, 'signal' | 'onCellStart' | 'onCellDone'>) => Promise<RunResult>;

function exitCodeFor(result: RunResult): number {
  return result.cells.every((c) => c.verdict.valid === true) && !result.interrupted && !result.stopped ? 0 : 1;
}

/** Where a command writes: the run folder's parent and an optional copy of result.json. */
export interface Outputs {
  out: string;
  json?: string;
}

/**
 * Checks the output locations, runs the cells, prints the report and only then writes the files that
 * may still fail (--json, the CI step summary): what was measured is shown in any case.
 */
export async function execute(io: Io, view: View, outputs: Outputs, launch: Launch): Promise<number> {
  checkOutDir('--out', outputs.out);
  if (outputs.json !== undefined) checkOutFile('--json', outputs.json);
  const progress = createProgress(io.err, io.errIsTTY ?? io.isTTY, io.errColumns);
  try {
    return await interruptible(io, report, () => progress.finish());
  } finally {
    progress.finish();
  }

  async function report(signal: AbortSignal): Promise<number> {
    const result = await launch({
      signal,
      onCellStart: (i, total, strategy, scenario, cell) =>
        progress.start(i, total, `${strategy} × ${scenario}${cell.repeat === undefined ? '' : ` · ${cell.workers} workers · repeat ${cell.repeat}`}`),
      onCellDone: (cell) => progress.done(cell),
    });
    progress.finish();
    io.out(render(result, view, io));
    if (result.stopped) io.err(`parquet-chaos: ${result.stopped}. ${result.runDir}/result.json keeps the cells measured.\n`);
    if (outputs.json !== undefined) copyFileSync(`${result.runDir}/result.json`, outputs.json);
    if (io.env.GITHUB_STEP_SUMMARY) appendFileSync(io.env.GITHUB_STEP_SUMMARY, formats.md(result));
    return result.interrupted ? 130 : exitCodeFor(result);
  }
}
