/**
 * One cell of a gate run by a side's own harness (side-harness.ts): a child `node BIN run` of that side's
 * CLI, in the side's checkout, with the cell's strategy, scenario, workers, seed and every run setting
 * given explicitly (the side's defaults may differ from the running tool's), its result read back from
 * `--json`. `run` is the interface every commit of the harness has, so an older base commit runs too.
 *
 * The child leads its own process group and is registered with the orchestrator's watchdog: Ctrl-C
 * reaches it through the gate's abort (SIGINT, so it stops its own processes and unmounts what it
 * mounted; SIGKILL to the group after a grace period), and if the orchestrator dies the watchdog kills
 * the group.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as v from 'valibot';
import { execa } from 'execa';
import { ChaosError } from '../sdk/errors.js';
import { CellResultSchema, type CellResult } from '../result/result.js';
import type { GateConfig } from '../result/gate-result.js';
import type { PlannedCell } from './run.js';
import { unwatchRole, watchRole } from './watchdog.js';

/** How long an interrupted side's run has to stop its processes before its group is killed. */
const INTERRUPT_GRACE_MS = 15_000;

/** The `run` arguments of one cell: every setting explicit, as the running tool parsed it. */
export function sideRunArguments(cell: Pick<PlannedCell, 'strategy' | 'scenario' | 'workers' | 'seed'>, run: GateConfig['run']): string[] {
  const flags: [string, string | number | null][] = [
    ['strategy', cell.strategy], ['scenario', cell.scenario], ['workers', cell.workers], ['records', run.recordsPerWorker], ['seed', cell.seed],
    ['payload-bytes', run.payloadBytes], ['think-ms', run.thinkMs], ['codec', run.codec], ['lock-stale', run.lockStaleMs], ['lock-timeout', run.lockTimeoutMs],
    ['restart', run.restart], ['faults', run.faults], ['redis-url', run.redisUrl],
    // The default timeout grows with the cell (the side's own rule); a fixed one is passed on.
    ['timeout', run.cellTimeoutPerRecordMs ? null : run.cellTimeoutMs / 1000],
  ];
  return ['run', ...flags.flatMap(([flag, value]) => (value === null ? [] : [`--${flag}`, String(value)]))];
}

export interface SideCellOutcome {
  /** The measured cell, absent when the run was interrupted before it ended. */
  cell?: CellResult;
  runDir?: string;
  interrupted: boolean;
  /** The side's run stopped on a disk error: its words. */
  stopped?: string;
}

/** What a side's run wrote: a run result with one cell, held to the running tool's schema of a cell. */
const SideRunSchema = v.looseObject({ runDir: v.string(), interrupted: v.boolean(), stopped: v.optional(v.string()), cells: v.array(CellResultSchema) });

/**
 * Runs one cell through a side's own CLI. `side` names it in errors (`base HEAD~1 (1a2b3c4)`); `cwd` is
 * the command's folder in the side's checkout; `outDir` the parent of the side's run folders. A run
 * that refuses its arguments (exit 2), fails inside (exit 70) or writes a result this tool cannot read
 * is an error naming the side.
 */
export async function runSideCell(harness: { bin: string; side: string; cwd: string }, cell: PlannedCell, run: GateConfig['run'], outDir: string, signal?: AbortSignal): Promise<SideCellOutcome> {
  mkdirSync(outDir, { recursive: true });
  const json = join(outDir, `cell-${cell.strategy.replace(/^.*\//, '').replace(/[^\w.=-]+/g, '_')}-${cell.scenario}-w${cell.workers}-s${cell.seed}-${Math.random().toString(36).slice(2, 8)}.json`);
  const args = [harness.bin, ...sideRunArguments(cell, run), '--out', outDir, '--json', json, '--format', 'json'];
  if (signal?.aborted) return { interrupted: true };
  const child = execa(process.execPath, args, { cwd: harness.cwd, reject: false, detached: true, stdin: 'ignore', env: { NO_COLOR: '1' } });
  const pid = child.pid;
  if (pid !== undefined) watchRole(pid, true);
  const group = (sig: NodeJS.Signals) => {
    try {
      if (pid !== undefined) process.kill(-pid, sig);
    } catch {
      // Already gone.
    }
  };
  let killer: NodeJS.Timeout | undefined;
  const onAbort = () => {
    group('SIGINT');
    killer = setTimeout(() => group('SIGKILL'), INTERRUPT_GRACE_MS);
  };
  signal?.addEventListener('abort', onAbort, { once: true });
  const onExit = () => group('SIGKILL');
  process.once('exit', onExit);
  const ended = await child;
  signal?.removeEventListener('abort', onAbort);
  process.off('exit', onExit);
  clearTimeout(killer);
  // Until the leader is reaped its group id cannot be reused: whatever is left in the group goes now.
  group('SIGKILL');
  if (pid !== undefined) unwatchRole(pid);
  if (signal?.aborted || ended.exitCode === 130) return { interrupted: true };

  const fail = (what: string) => new ChaosError('E_ROLE_FAILED', `${harness.side}: its harness ${what} (node ${args.join(' ')}, in ${harness.cwd}, exit ${ended.exitCode ?? ended.signal}): ${String(ended.stderr).trim().split('\n').slice(-6).join(' | ') || 'no output'}`, {
    option: harness.side.startsWith('base') ? '--base' : '--head', value: harness.side, expected: 'a side whose own harness runs the cell',
  });
  if (ended.exitCode !== 0 && ended.exitCode !== 1) throw fail(ended.exitCode === 2 ? 'refused the cell\'s settings' : 'failed');
  let written: unknown;
  try {
    written = JSON.parse(readFileSync(json, 'utf8'));
  } catch {
    throw fail('wrote no result');
  }
  const parsed = v.safeParse(SideRunSchema, written);
  if (!parsed.success || parsed.output.cells.length > 1) throw fail(`wrote a result this tool cannot read (${parsed.success ? `${parsed.output.cells.length} cells` : parsed.issues[0]?.message})`);
  const { runDir, interrupted, stopped, cells } = parsed.output;
  if (cells.length === 0 && !interrupted && !stopped) throw fail('wrote a result without the cell');
  return { ...(cells[0] ? { cell: cells[0] as CellResult } : {}), runDir, interrupted, ...(stopped ? { stopped } : {}) };
}
