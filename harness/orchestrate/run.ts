import { join, resolve } from 'node:path';
import { scenarios, scenarioNames } from '../../scenarios/index.js';
import type { ScenarioDefinition } from '../sdk/scenario.js';
import { splitStrategyList } from '../sdk/spec.js';
import { calibrate } from '../measure/calibrate.js';
import { measureAppendLimit } from '../measure/append-limit.js';
import { runCell } from './cell.js';
import { expectedCost, shardIndices } from './shard.js';
import { summarize } from '../analyze/summaries.js';
import { checkServicesAvailable } from './services/index.js';
import { badValue } from '../sdk/errors.js';
import { isDiskError, makeDirs, reserveSpace, writeFileAtomic } from '../result/files.js';
import { killAll } from './supervise.js';
import { checkFaultsReachable } from './nemesis/reachable.js';
import { checkPowerLoss } from './nemesis/power-check.js';
import { cleanStaleMounts } from '../fuse/mounts.js';
import { checkRequirements } from '../foreign/requires.js';
import type { StrategyDefinition } from '../sdk/strategy.js';
import { loadStrategy, type LoadedStrategy } from './load-strategy.js';
import { machineFacts } from '../measure/machine.js';
import { toolVersion } from '../measure/package-info.js';
import type { AppendLimit, CellResult, RunConfig, RunResult, SummaryPlan } from '../result/result.js';

export interface RunOptions extends RunConfig {
  /** Parent folder of run folders (default ./runs). */
  outDir: string;
  command: string;
  /** Aborting stops after the current cell's processes are killed; the result keeps what was measured. */
  signal?: AbortSignal;
  onCellStart?(index: number, total: number, strategy: string, scenario: string, cell: PlannedCell): void;
  onCellDone?(cell: CellResult, index: number, total: number): void;
}

export function resolveScenario(name: string): ScenarioDefinition {
  const scenario = (scenarios as Record<string, ScenarioDefinition>)[name];
  if (!scenario) throw badValue('E_UNKNOWN_SCENARIO', '--scenario', name, `one of: ${scenarioNames.join(', ')}`);
  return scenario;
}

/**
 * Loads and validates every strategy (built-in or plugin path) and scenario up front, so that bad usage
 * (unknown names, bad options, a plugin that is missing or does not load or is not a strategy) fails
 * naming it before calibration and before anything is spawned (exit 2), not as an unknown cell later.
 */
export async function resolveMatrix(config: Pick<RunConfig, 'strategies' | 'scenarios' | 'redisUrl'>): Promise<{ strategies: LoadedStrategy[]; scenarios: ScenarioDefinition[] }> {
  const scenarioList = config.scenarios.map(resolveScenario);
  const strategyList: LoadedStrategy[] = [];
  for (const spec of config.strategies.flatMap(splitStrategyList)) {
    const loaded = await loadStrategy(spec);
    // A missing redis-server is bad setup, said before anything runs.
    await checkServicesAvailable(loaded.definition.services?.(loaded.options) ?? {}, config.redisUrl);
    // So is a missing interpreter or module of a foreign strategy.
    if (loaded.foreign) checkRequirements(loaded.foreign, spec);
    strategyList.push(loaded);
  }
  return { strategies: strategyList, scenarios: scenarioList };
}

const labelOf = (s: LoadedStrategy) => s.spec.label;

export function newRunId(seed: number): string {
  const now = new Date().toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `${now}-s${seed}-${Math.random().toString(36).slice(2, 6)}`;
}

/** A folder name for a strategy label: `realtime:lock=none` → `realtime_lock=none`. */
export function cellFolderName(label: string): string {
  return label.replace(/^.*\//, '').replace(/[^\w.=,-]+/g, '_');
}

export function writeResult(result: RunResult, path: string): void {
  writeFileAtomic(path, `${JSON.stringify(result, null, 2)}\n`);
}

/**
 * Space kept free for the last result.json: released when the disk fills, so the cells measured so
 * far are still saved. A cell's result with its fault log takes a few KiB; this leaves ample room.
 */
const RESERVE_BYTES = { base: 256 * 1024, perCell: 64 * 1024 };

const diskReason = (error: NodeJS.ErrnoException) => `${error.code} (${error.message.replace(/^\w+: /, '')})`;

/** One cell to run: a strategy spec under a scenario with its own worker count and seed. */
export interface PlannedCell {
  strategy: string;
  scenario: string;
  workers: number;
  seed: number;
  /** Set in sweeps: which repeat (1-based) this cell belongs to; it also gets its own folder. */
  repeat?: number;
}

/** Runs every strategy × scenario cell in order, saving the result after each cell. */
export async function runMatrix(options: RunOptions): Promise<RunResult> {
  const planned = options.scenarios.flatMap((scenario) => options.strategies.flatMap(splitStrategyList)
    .map((strategy) => ({ strategy, scenario, workers: options.workers, seed: options.seed })));
  return runCells(options, planned);
}

/** The fsync'd-append limit with each worker count of the plan, measured in the run folder before any cell. */
async function sameProcessLimits(runDir: string, planned: readonly PlannedCell[]): Promise<AppendLimit[]> {
  const limits: AppendLimit[] = [];
  for (const workers of [...new Set(planned.map((p) => p.workers))].sort((a, b) => a - b)) limits.push(await measureAppendLimit(runDir, workers));
  return limits;
}

const limitFor = (result: RunResult, workers: number) => result.calibration?.sameProcesses?.find((l) => l.processes === workers)?.opsPerSec ?? 0;

/**
 * Runs the planned cells in the order given (with `--shard i/n`, only that shard's), saving the result
 * after each cell. `summaryPlan` says which summaries (a sweep's statistics, a recommendation) to add
 * before the final save; it is kept in the result so that `merge` can compute them again.
 */
export async function runCells(options: RunOptions, planned: readonly PlannedCell[], summaryPlan?: SummaryPlan): Promise<RunResult> {
  const { outDir, command, signal, onCellStart, onCellDone, ...config } = options;
  const shard = config.shard ?? undefined;
  const mine = (shard ? shardIndices(planned.map((p) => expectedCost(p, config.recordsPerWorker)), shard) : planned.map((_, i) => i))
    .map((planIndex) => ({ p: planned[planIndex]!, planIndex }));
  const labels = [...new Set(planned.map((p) => p.strategy))];
  const matrix = await resolveMatrix({ strategies: labels, scenarios: [...new Set(planned.map((p) => p.scenario))], redisUrl: config.redisUrl });
  const strategyFor = new Map(labels.map((label, i) => [label, matrix.strategies[i]!]));
  checkFaultsReachable(config.faults, {
    maxWorkers: Math.max(...planned.map((p) => p.workers)),
    strategies: matrix.strategies.map((s) => s.definition as StrategyDefinition<object>),
    scenarios: matrix.scenarios,
    // A server given with --redis-url is never faulted.
    redisOwners: config.redisUrl ? [] : matrix.strategies.flatMap((s) => (!s.definition.services?.(s.options).redis ? [] : [s.spec.label])),
  });
  checkPowerLoss(config.faults, matrix.scenarios, { workers: Math.max(...planned.map((p) => p.workers)), recordsPerWorker: config.recordsPerWorker, lockStaleMs: config.lockStaleMs });
  // A crashfs mount that an earlier run under the same folder could not remove (its daemon gone).
  const stale = cleanStaleMounts(resolve(outDir));
  if (stale.cleaned.length) process.stderr.write(`parquet-chaos: unmounted ${stale.cleaned.length} stale crashfs mount(s) left by an earlier run: ${stale.cleaned.join(', ')}\n`);
  const scenarioFor = new Map(matrix.scenarios.map((s) => [s.name, s]));
  const runId = newRunId(config.seed);
  const runDir = resolve(outDir, runId);
  makeDirs(runDir);
  const reserveBytes = RESERVE_BYTES.base + mine.length * RESERVE_BYTES.perCell;
  let reserve: { release(): void };
  try {
    reserve = reserveSpace(join(runDir, '.space-reserve'), reserveBytes);
  } catch (error) {
    if (!isDiskError(error)) throw error;
    throw badValue('E_OUTPUT', '--out', outDir, `a folder with ${Math.round(reserveBytes / 1024)} KiB free for the run's results; here ${diskReason(error)}`, error);
  }
  const calibration = { ...calibrate(runDir), sameProcesses: await sameProcessLimits(runDir, planned) };
  const result: RunResult = {
    schemaVersion: 1,
    tool: { name: 'parquet-chaos', version: toolVersion() },
    runId, runDir, startedAt: new Date().toISOString(), finishedAt: '', command,
    config: { ...config, strategies: matrix.strategies.map(labelOf) },
    machine: machineFacts(runDir),
    calibration,
    cells: [],
    interrupted: false,
    ...(shard ? { shard: { ...shard, plannedCells: planned.length } } : {}),
  };
  const resultPath = join(runDir, 'result.json');
  /** A disk error in the harness's own files: stop, kill what runs, keep what was measured. */
  const stop = async (error: NodeJS.ErrnoException) => {
    await killAll();
    result.stopped = `the disk failed under the harness's own files: ${diskReason(error)}; stopped after ${result.cells.length} of ${mine.length} cells`;
  };
  const usedFolders = new Set<string>();
  for (const [index, { p, planIndex }] of mine.entries()) {
    if (signal?.aborted) break;
    const strategy = strategyFor.get(p.strategy)!;
    const scenario = scenarioFor.get(p.scenario)!;
    const below = join(scenario.name, p.repeat === undefined ? '' : `w${p.workers}-r${p.repeat}`);
    let folder = cellFolderName(labelOf(strategy));
    while (usedFolders.has(join(folder, below))) folder += '_';
    usedFolders.add(join(folder, below));
    onCellStart?.(index, mine.length, labelOf(strategy), scenario.name, p);
    const cellDir = join(runDir, folder, below);
    const cellConfig = { ...config, workers: p.workers, seed: p.seed };
    try {
      const cell = await runCell({ strategy, scenario, config: cellConfig, cellDir, calibrationOpsPerSec: limitFor(result, p.workers), signal, repeat: p.repeat });
      if (signal?.aborted) break;
      result.cells.push({ ...cell, ...(p.repeat === undefined ? {} : { repeat: p.repeat, seed: p.seed }), ...(shard ? { planIndex } : {}) });
      onCellDone?.(cell, index, mine.length);
      writeResult(result, resultPath);
    } catch (error) {
      if (!isDiskError(error)) throw error;
      await stop(error);
      break;
    }
  }
  result.interrupted = Boolean(signal?.aborted);
  if (summaryPlan) Object.assign(result, { summaryPlan }, summarize({ ...result, summaryPlan }));
  result.finishedAt = new Date().toISOString();
  // The reserve goes first: on a full disk it is the room the last result.json is written in.
  reserve.release();
  try {
    writeResult(result, resultPath);
  } catch (error) {
    if (!isDiskError(error)) throw error;
    result.stopped = `${result.stopped ?? 'the disk failed'}; result.json could not be written either (${diskReason(error)}): it holds the result as saved after the previous cell`;
  }
  return result;
}
