import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { scenarios, scenarioNames } from '../../scenarios/index.js';
import type { ScenarioDefinition } from '../sdk/scenario.js';
import { splitStrategyList } from '../sdk/spec.js';
import { calibrate } from '../measure/calibrate.js';
import { brokenCell, runCell } from './cell.js';
import { checkServicesAvailable } from './services/index.js';
import { badValue, ChaosError } from '../sdk/errors.js';
import { loadStrategy, type LoadedStrategy } from './load-strategy.js';
import { machineFacts } from '../measure/machine.js';
import { toolVersion } from '../measure/package-info.js';
import type { CellResult, RunConfig, RunResult } from '../result/result.js';

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

/** A strategy that could not be loaded (a broken plugin): its cells report the error, others still run. */
export interface BrokenStrategy {
  label: string;
  error: ChaosError;
}

/**
 * Loads every strategy and scenario up front, so bad usage (unknown names, bad options) fails before
 * anything is spawned. A plugin that fails to load is not bad usage of ours: it becomes a cell error.
 */
export async function resolveMatrix(config: Pick<RunConfig, 'strategies' | 'scenarios' | 'redisUrl'>): Promise<{ strategies: (LoadedStrategy | BrokenStrategy)[]; scenarios: ScenarioDefinition[] }> {
  const scenarioList = config.scenarios.map(resolveScenario);
  const strategyList: (LoadedStrategy | BrokenStrategy)[] = [];
  for (const spec of config.strategies.flatMap(splitStrategyList)) {
    try {
      const loaded = await loadStrategy(spec);
      // A missing redis-server is bad setup, said before anything runs.
      checkServicesAvailable(loaded.definition.services?.(loaded.options) ?? {}, config.redisUrl);
      strategyList.push(loaded);
    } catch (error) {
      if (!(error instanceof ChaosError) || error.code !== 'E_PLUGIN') throw error;
      strategyList.push({ label: spec, error });
    }
  }
  return { strategies: strategyList, scenarios: scenarioList };
}

const labelOf = (s: LoadedStrategy | BrokenStrategy) => ('spec' in s ? s.spec.label : s.label);

function newRunId(seed: number): string {
  const now = new Date().toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `${now}-s${seed}-${Math.random().toString(36).slice(2, 6)}`;
}

/** A folder name for a strategy label: `realtime:lock=none` → `realtime_lock=none`. */
export function cellFolderName(label: string): string {
  return label.replace(/^.*\//, '').replace(/[^\w.=,-]+/g, '_');
}

export function writeResult(result: RunResult, path: string): void {
  writeFileSync(path, `${JSON.stringify(result, null, 2)}\n`);
}

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

/**
 * Runs the planned cells in the order given, saving the result after each cell. `finish` adds
 * summaries (a sweep's statistics, a recommendation) before the final save.
 */
export async function runCells(options: RunOptions, planned: readonly PlannedCell[], finish?: (result: RunResult) => void): Promise<RunResult> {
  const { outDir, command, signal, onCellStart, onCellDone, ...config } = options;
  const labels = [...new Set(planned.map((p) => p.strategy))];
  const matrix = await resolveMatrix({ strategies: labels, scenarios: [...new Set(planned.map((p) => p.scenario))], redisUrl: config.redisUrl });
  const strategyFor = new Map(labels.map((label, i) => [label, matrix.strategies[i]!]));
  const scenarioFor = new Map(matrix.scenarios.map((s) => [s.name, s]));
  const runId = newRunId(config.seed);
  const runDir = resolve(outDir, runId);
  mkdirSync(runDir, { recursive: true });
  const result: RunResult = {
    schemaVersion: 1,
    tool: { name: 'parquet-chaos', version: toolVersion() },
    runId, runDir, startedAt: new Date().toISOString(), finishedAt: '', command,
    config: { ...config, strategies: matrix.strategies.map(labelOf) },
    machine: machineFacts(runDir),
    calibration: calibrate(runDir),
    cells: [],
    interrupted: false,
  };
  const resultPath = join(runDir, 'result.json');
  const usedFolders = new Set<string>();
  for (const [index, p] of planned.entries()) {
    if (signal?.aborted) break;
    const strategy = strategyFor.get(p.strategy)!;
    const scenario = scenarioFor.get(p.scenario)!;
    const below = join(scenario.name, p.repeat === undefined ? '' : `w${p.workers}-r${p.repeat}`);
    let folder = cellFolderName(labelOf(strategy));
    while (usedFolders.has(join(folder, below))) folder += '_';
    usedFolders.add(join(folder, below));
    onCellStart?.(index, planned.length, labelOf(strategy), scenario.name, p);
    const cellDir = join(runDir, folder, below);
    const cellConfig = { ...config, workers: p.workers, seed: p.seed };
    const cell = 'error' in strategy
      ? brokenCell(strategy.label, scenario.name, cellConfig, cellDir, { source: 'plugin', code: strategy.error.code, message: strategy.error.message })
      : await runCell({ strategy, scenario, config: cellConfig, cellDir, calibrationOpsPerSec: result.calibration.opsPerSec, signal });
    if (signal?.aborted) break;
    result.cells.push(p.repeat === undefined ? cell : { ...cell, repeat: p.repeat, seed: p.seed });
    onCellDone?.(cell, index, planned.length);
    writeResult(result, resultPath);
  }
  result.interrupted = Boolean(signal?.aborted);
  finish?.(result);
  result.finishedAt = new Date().toISOString();
  writeResult(result, resultPath);
  return result;
}
