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
import { afterMeasurement } from './internal-error.js';
import { outcomeLine } from '../../reports/outcome-line.js';

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
 * Checks the output locations (so that writing them cannot fail for a reason known before), runs the
 * cells, writes the files (--json, the CI step summary) and only then renders the report: a renderer's
 * failure is an internal error that names the saved result, never a lost measurement.
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
    const saved = `${result.runDir}/result.json`;
    if (outputs.json !== undefined) copyFileSync(saved, outputs.json);
    if (io.env.GITHUB_STEP_SUMMARY) appendFileSync(io.env.GITHUB_STEP_SUMMARY, afterMeasurement(saved, () => formats.md(result)));
    io.out(afterMeasurement(saved, () => render(result, view, io)));
    if (result.stopped) io.err(`parquet-chaos: ${result.stopped}. ${saved} keeps the cells measured.\n`);
    const code = result.interrupted ? 130 : exitCodeFor(result);
    // The last line says why the run exits as it does.
    io.err(`${afterMeasurement(saved, () => outcomeLine(result, code))}\n`);
    return code;
  }
}
