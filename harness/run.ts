import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { scenarios, scenarioNames } from '../scenarios/index.js';
import type { ScenarioDefinition } from '../scenarios/api.js';
import { splitStrategyList } from '../strategies/spec.js';
import { calibrate } from './calibrate.js';
import { brokenCell, runCell } from './cell.js';
import { badValue, ChaosError } from './errors.js';
import { loadStrategy, type LoadedStrategy } from './load-strategy.js';
import { machineFacts } from './machine.js';
import { toolVersion } from './package-info.js';
import type { CellResult, RunConfig, RunResult } from './result.js';

export interface RunOptions extends RunConfig {
  /** Parent folder of run folders (default ./runs). */
  outDir: string;
  command: string;
  /** Aborting stops after the current cell's processes are killed; the result keeps what was measured. */
  signal?: AbortSignal;
  onCellStart?(index: number, total: number, strategy: string, scenario: string): void;
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
export async function resolveMatrix(config: Pick<RunConfig, 'strategies' | 'scenarios'>): Promise<{ strategies: (LoadedStrategy | BrokenStrategy)[]; scenarios: ScenarioDefinition[] }> {
  const scenarioList = config.scenarios.map(resolveScenario);
  const strategyList: (LoadedStrategy | BrokenStrategy)[] = [];
  for (const spec of config.strategies.flatMap(splitStrategyList)) {
    try {
      strategyList.push(await loadStrategy(spec));
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

/** Runs every strategy × scenario cell in order, saving the result after each cell. */
export async function runMatrix(options: RunOptions): Promise<RunResult> {
  const { outDir, command, signal, onCellStart, onCellDone, ...config } = options;
  const matrix = await resolveMatrix(config);
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
  const total = matrix.strategies.length * matrix.scenarios.length;
  const usedFolders = new Set<string>();
  for (const scenario of matrix.scenarios) {
    for (const strategy of matrix.strategies) {
      if (signal?.aborted) break;
      let folder = cellFolderName(labelOf(strategy));
      while (usedFolders.has(`${folder}/${scenario.name}`)) folder += '_';
      usedFolders.add(`${folder}/${scenario.name}`);
      onCellStart?.(result.cells.length, total, labelOf(strategy), scenario.name);
      const cellDir = join(runDir, folder, scenario.name);
      const cell = 'error' in strategy
        ? brokenCell(strategy.label, scenario.name, config, cellDir, { source: 'plugin', code: strategy.error.code, message: strategy.error.message })
        : await runCell({ strategy, scenario, config, cellDir, calibrationOpsPerSec: result.calibration.opsPerSec, signal });
      if (signal?.aborted) break;
      result.cells.push(cell);
      onCellDone?.(cell, result.cells.length - 1, total);
      writeResult(result, resultPath);
    }
  }
  result.interrupted = Boolean(signal?.aborted);
  result.finishedAt = new Date().toISOString();
  writeResult(result, resultPath);
  return result;
}
