import { resolve } from 'node:path';
import { emptyVerdict, judgeCell, type Verdict } from '../../oracle/checker.js';
import type { FaultOutcome } from '../../oracle/judge.js';
import { badValue } from '../../sdk/errors.js';
import { readCellRecord, readFaultLog } from '../../result/cell-record.js';
import { cellPaths } from '../../orchestrate/roles/config.js';
import type { CommandSpec } from '../command.js';

/**
 * Re-judges a kept cell folder with what its run recorded: the claims, the planned faults and fault
 * log, the process errors. A verdict the run recorded as unknown never becomes a pass here (the run
 * knew things the folder does not keep, such as a process that hung). A cell that did not run to its
 * end (its run was stopped before finalize) is `unknown`: acked records may still wait in the
 * strategy's state (a queue, a buffer), so counting them lost would be a false loss.
 */
export async function checkDir(dir: string): Promise<{ strategy: string; scenario: string; verdict: Verdict; faults: FaultOutcome[] }> {
  const cellDir = resolve(dir);
  const record = readCellRecord(cellDir);
  if (!record) throw badValue('E_USAGE', 'check DIR', dir, 'a cell folder (runs/<run-id>/<strategy>/<scenario>) holding cell.json');
  if (record.completed !== true) {
    const why = record.completed === false ? 'the cell did not run to its end (its run was stopped before finalize)' : 'its cell.json does not say whether the cell ran to its end (written by an older version)';
    const error = `not checked: ${why}, so acked records may still wait in the strategy's state; run the cell again`;
    return { strategy: record.strategy, scenario: record.scenario, verdict: { ...emptyVerdict(), valid: 'unknown', error, unknownReasons: [error] }, faults: [] };
  }
  const { verdict, faults } = await judgeCell(cellDir, record.guarantees, record.generation, {
    planned: record.planned ?? [], log: readFaultLog(cellPaths(cellDir).faults), errors: record.errors ?? [], restart: record.restart ?? 'retry',
    ...(record.writers !== undefined ? { writers: record.writers } : {}),
    ...(record.assumptions && record.lockStaleMs !== undefined
      ? { assumptions: record.assumptions, assumptionEvidence: { lockStaleMs: record.lockStaleMs, leasesLost: record.leasesLost ?? 0 } }
      : {}),
  });
  const recorded = record.valid === 'unknown' && verdict.valid === true ? (record.unknownReasons ?? []).map((r) => `recorded by the run: ${r}`) : [];
  const valid = recorded.length > 0 ? 'unknown' : verdict.valid;
  return { strategy: record.strategy, scenario: record.scenario, verdict: { ...verdict, valid, unknownReasons: [...verdict.unknownReasons, ...recorded] }, faults };
}

/** `parquet-chaos check DIR`: judges a kept cell folder again. */
export const check = {
  summary: 'check a kept cell folder again (runs/<run-id>/<strategy>/<scenario>) with its recorded faults and errors',
  args: [{ name: 'DIR', describe: 'a cell folder holding cell.json' }],
  flags: {},
  async run({ args }, io) {
    const { strategy, scenario, verdict, faults } = await checkDir(args[0]!);
    io.out(`${strategy} × ${scenario} · faults fired/planned: ${faults.filter((f) => f.fired).length}/${faults.length}\n${JSON.stringify({ ...verdict, faults }, null, 2)}\n`);
    return verdict.valid === true ? 0 : 1;
  },
} satisfies CommandSpec;
