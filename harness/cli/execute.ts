/** Runs cells for a command: progress on stderr, Ctrl-C handling, then the report and the exit code. */
import { appendFileSync, copyFileSync } from 'node:fs';
import { formats } from '../../reports/index.js';
import { killAll } from '../orchestrate/supervise.js';
import type { RunOptions } from '../orchestrate/run.js';
import type { RunResult } from '../result/result.js';
import type { Io } from './command.js';
import { render, type View } from './flags.js';
import { createProgress } from './progress.js';

export type Launch = (hooks: Pick<RunOptions, 'signal' | 'onCellStart' | 'onCellDone'>) => Promise<RunResult>;

function exitCodeFor(result: RunResult): number {
  return result.cells.every((c) => c.verdict.valid === true) && !result.interrupted ? 0 : 1;
}

export async function execute(io: Io, view: View, json: string | undefined, launch: Launch): Promise<number> {
  const abort = new AbortController();
  const progress = createProgress(io.err, io.errIsTTY ?? io.isTTY, io.errColumns);
  const onSigint = () => {
    progress.finish();
    io.err('\ninterrupted: killing every child process and saving what was measured…\n');
    abort.abort();
    void killAll();
  };
  process.on('SIGINT', onSigint);
  process.on('SIGTERM', onSigint);
  try {
    const result = await launch({
      signal: abort.signal,
      onCellStart: (i, total, strategy, scenario, cell) =>
        progress.start(i, total, `${strategy} × ${scenario}${cell.repeat === undefined ? '' : ` · ${cell.workers} workers · repeat ${cell.repeat}`}`),
      onCellDone: (cell) => progress.done(cell),
    });
    progress.finish();
    if (json) copyFileSync(`${result.runDir}/result.json`, json);
    io.out(render(result, view, io));
    if (io.env.GITHUB_STEP_SUMMARY) appendFileSync(io.env.GITHUB_STEP_SUMMARY, formats.md(result));
    return result.interrupted ? 130 : exitCodeFor(result);
  } finally {
    progress.finish();
    process.off('SIGINT', onSigint);
    process.off('SIGTERM', onSigint);
  }
}
