/**
 * `gate`, the running part: positive controls, then base and head in pairs (same seed per pair,
 * interleaved, the order within a pair and of the cells seeded), more pairs for cells still
 * inconclusive up to --max-repeat, and the judgement (harness/analyze/gate.ts) over it all.
 */
import { mkdirSync } from 'node:fs';
import { loadavg } from 'node:os';
import { writeFileAtomic } from '../result/files.js';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { badValue } from '../sdk/errors.js';
import { Random } from '../sdk/random.js';
import { cellKey, gateGrid, gateMetricNames, gateOutcome, measureDefinitions, judgeCells, sameMachine, sampleOf, sizeGateCell, type GateGridCell, type GateSample, type GateSettings, type Side } from '../analyze/gate.js';
import type { CellSizing } from '../analyze/sizing.js';
import type { CellResult, RunConfig } from '../result/result.js';
import type { ControlOutcome, GateBaseline, GateCell, GateConfig, GateResult } from '../result/gate-result.js';
import { machineFacts } from '../measure/machine.js';
import { toolIdentity } from '../measure/package-info.js';
import { defaultRunConfig } from './run-config.js';
import { resolveMatrix, runCells, type PlannedCell, type RunOptions } from './run.js';
import { expectedCost, shardIndices } from './shard.js';
import { describeSide } from './git-sides.js';
import { runSideCell } from './side-cell.js';
import { ChaosError } from '../sdk/errors.js';

export { cellKey, gateGrid };

/**
 * A control's strategy module: the TypeScript source beside the harness's source, its compiled copy
 * under dist/ when the harness runs compiled (tsconfig.build.json builds these three), as it does when
 * installed in another project's node_modules, where no test/ folder is shipped.
 */
const fixture = (name: string) => fileURLToPath(new URL(`../../test/fixtures/${name}.${import.meta.url.endsWith('.ts') ? 'ts' : 'js'}`, import.meta.url));

/**
 * Known-unsafe variants the harness must catch, one per anomaly class: the seed's unlocked read-modify-
 * write of one file (lost, no fault); a writer that acks before saving, killed mid-run (lost under a
 * crash); one that saves some records twice (duplicates); one that alters a row after its checksum
 * (corruption). Sized on their own (not by the gate's --records or faults): with a few records per
 * writer a writer can finish before the next one starts on a loaded machine, and then nothing collides;
 * the killed writer thinks 50 ms per record so that it is still running when its kill comes.
 */
export const POSITIVE_CONTROLS: readonly ControlPlan[] = [
  { name: 'lost (no fault)', strategy: 'realtime:lock=none', scenario: 'main-file-contention', expects: ['lost'], workers: 4, records: 30, faults: 'none', thinkMs: null },
  { name: 'lost under a crash', strategy: fixture('early-ack'), scenario: 'buffer-crash', expects: ['lost'], workers: 4, records: 12, faults: 'default', thinkMs: 50 },
  { name: 'duplicates', strategy: `${fixture('duplicating')}:every=4`, scenario: 'main-file-contention', expects: ['duplicates'], workers: 2, records: 8, faults: 'none', thinkMs: null },
  { name: 'corruption', strategy: `${fixture('corrupting')}:mode=row`, scenario: 'main-file-contention', expects: ['corruptFiles', 'corruptRecords'], workers: 2, records: 4, faults: 'none', thinkMs: null },
];

export interface ControlPlan {
  name: string;
  strategy: string;
  scenario: string;
  /** The anomalies of which at least one must be found. */
  expects: ControlOutcome['expects'];
  workers: number;
  records: number;
  faults: string;
  thinkMs: number | null;
}

/**
 * What a control's cell showed. Caught when it found the anomaly on a verdict that ran: an unknown cell
 * (a fault that did not fire, a check that crashed) shows nothing. The verdict need not be false: a
 * variant that claims no guarantee (realtime:lock=none) is valid with its lost records.
 */
export function controlOutcome(control: ControlPlan, cell: CellResult, seed: number, replay: string): ControlOutcome {
  const found = control.expects.reduce((sum, a) => sum + cell.verdict[a], 0);
  const unknown = cell.verdict.valid === 'unknown';
  const caught = found > 0 && !unknown;
  const why = caught ? undefined : unknown ? `verdict unknown${cell.errors[0] ? ` (${cell.errors[0].source}: ${cell.errors[0].message})` : ''}` : `no ${control.expects.join(' or ')} found`;
  return { name: control.name, strategy: control.strategy, scenario: control.scenario, workers: control.workers, seed, expects: control.expects, found, caught, ...(why ? { why } : {}), dir: cell.dir, replay };
}

/** Whether this gate (or shard) runs the positive controls: once per gate, so in shard 1 of a sharded one. */
export const runsControls = (shard: GateConfig['shard']) => !shard || shard.index === 1;

export interface GateOptions extends Omit<GateConfig, 'alphaPerLook'> {
  outDir: string;
  command: string;
  signal?: AbortSignal;
  onCellStart?: RunOptions['onCellStart'];
  onCellDone?: RunOptions['onCellDone'];
  /**
   * Test-only: every verdict is replaced by what a checker that sees nothing would say (no anomaly),
   * to prove that the positive control then fails the gate. Not reachable from the command line.
   */
  testOnlyBlindChecker?: boolean;
  /** Compare with a saved baseline instead of running a base side (base must then be null). */
  baseline?: { file: string; data: GateBaseline };
  /** Told each cell's sizing after its first look (the command says it on stderr). */
  onSized?: (cell: GateGridCell, sizing: CellSizing) => void;
  /** Between commits (config.git set): a spec as written as it runs on one side (its path in that side's checkout). */
  specOf?: (strategy: string, side: Side) => string;
  /**
   * Between commits of parquet-chaos or of a repository depending on it (`git.harness` is each side's
   * own): each side's CLI entry and the command's folder in its checkout. Its pairs' cells then run
   * through it (side-cell.ts); the positive controls still run here.
   */
  ownHarness?: Record<Side, OwnHarness>;
}

/** A side's own harness as the gate runs it. */
export interface OwnHarness {
  bin: string;
  cwd: string;
}

/** What a batch of planned cells gave: the run folders, the cells in the planned order, how it ended. */
interface Measured {
  runDirs: string[];
  cells: CellResult[];
  interrupted: boolean;
  stopped?: string;
}

/** A planned cell and what it is to the gate. */
interface GatePlanned {
  cell: PlannedCell;
  role: { kind: 'control'; control: ControlPlan } | { kind: 'pair'; side: Side; first: boolean; grid: GateGridCell };
}

/** The command that runs one cell again with the settings it ran with. */
export function replayCommand(strategy: string, scenario: string, workers: number, seed: number, run: GateConfig['run']): string {
  const defaults = defaultRunConfig();
  const flags: [string, unknown][] = [
    ['strategy', strategy], ['scenario', scenario], ['workers', workers], ['records', run.recordsPerWorker], ['seed', seed], ['faults', run.faults],
  ];
  const optional: [string, keyof GateConfig['run'], unknown][] = [
    ['payload-bytes', 'payloadBytes', run.payloadBytes], ['think-ms', 'thinkMs', run.thinkMs], ['codec', 'codec', run.codec],
    ['lock-stale', 'lockStaleMs', run.lockStaleMs], ['lock-timeout', 'lockTimeoutMs', run.lockTimeoutMs], ['restart', 'restart', run.restart],
  ];
  for (const [flag, key, value] of optional) if (value !== null && value !== defaults[key]) flags.push([flag, value]);
  const quote = (v: unknown) => (/^[\w.,:=/+-]+$/.test(String(v)) ? String(v) : `'${String(v).replace(/'/g, `'\\''`)}'`);
  return `npx parquet-chaos run ${flags.map(([f, v]) => `--${f} ${quote(v)}`).join(' ')}`;
}

/**
 * Pairs `from`..`to` (1-based) of each cell: per pair one seed for both sides (pair r: seed + r − 1, as
 * a baseline's repeat r); cell order and side order shuffled from the seed. Without a base, only heads.
 */
export function planPairs(cells: readonly GateGridCell[], from: number, to: number, config: Pick<GateConfig, 'base' | 'head'> & { seed: number; specOf?: GateOptions['specOf'] }): GatePlanned[] {
  const specFor = (c: GateGridCell, side: Side) => (c.strategy !== undefined && config.specOf ? config.specOf(c.strategy, side) : side === 'base' ? config.base! : config.head);
  const planned: GatePlanned[] = [];
  for (let r = from; r <= to; r++) {
    const random = new Random(config.seed).fork(`gate-order/${r}`);
    const order = [...cells];
    for (let i = order.length - 1; i > 0; i--) {
      const j = random.int(i + 1);
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    for (const c of order) {
      const baseFirst = random.int(2) === 0;
      const sides: Side[] = config.base === null ? ['head'] : baseFirst ? ['base', 'head'] : ['head', 'base'];
      for (const [i, side] of sides.entries()) {
        planned.push({
          cell: { strategy: specFor(c, side), scenario: c.scenario, workers: c.workers, seed: config.seed + r - 1, repeat: r },
          role: { kind: 'pair', side, first: i === 0, grid: c },
        });
      }
    }
  }
  return planned;
}

/**
 * The cells this gate runs: with `--shard i/n`, its share of the grid, split as run and sweep split
 * theirs (deterministic, most expensive first to the least loaded shard). A cell's pairs and looks stay
 * in one shard, so each shard judges its cells whole; the positive controls run in every shard.
 */
export function gateShardGrid(config: Pick<GateConfig, 'scenarios' | 'workers' | 'shard' | 'run' | 'git'>): GateGridCell[] {
  const whole = gateGrid(config);
  if (!config.shard) return whole;
  return shardIndices(whole.map((c) => expectedCost(c, config.run.recordsPerWorker)), config.shard).map((i) => whole[i]!);
}

/**
 * Loads every spec of both sides (between commits: each spec in each side's checkout), so that a plugin
 * that does not load on one side is bad input before the first cell (exit 2) naming the side and the
 * spec, never a correctness failure of that side.
 */
async function loadSides(config: Pick<GateConfig, 'base' | 'head' | 'git' | 'scenarios' | 'run'>, specOf: GateOptions['specOf'], ownHarness: GateOptions['ownHarness'], signal: AbortSignal | undefined): Promise<void> {
  const sides: Side[] = config.base === null ? ['head'] : ['base', 'head'];
  const toLoad = config.git && specOf
    ? config.git.strategies.flatMap((written) => sides.map((side) => ({ side, written, spec: specOf(written, side), name: describeSide(side, config.git![side]) })))
    : sides.map((side) => ({ side, written: side === 'base' ? config.base! : config.head, spec: side === 'base' ? config.base! : config.head, name: side }));
  for (const { side, written, spec, name } of toLoad) {
    try {
      if (ownHarness) await preflight(ownHarness[side], name, spec, config, signal);
      else await resolveMatrix({ strategies: [spec], scenarios: config.scenarios, redisUrl: config.run.redisUrl });
    } catch (cause) {
      if (!(cause instanceof ChaosError)) throw cause;
      throw new ChaosError(cause.code, `${name}: strategy ${written}${spec === written ? '' : ` (${spec})`}: ${cause.message}`, {
        option: cause.option, value: cause.value, expected: cause.expected, cause,
      });
    }
  }
}

/**
 * A side's own harness loads and runs one spec: a one-record cell, no faults, one writer, of the first
 * scenario, in a folder of the side's checkout (removed with it). Only its own loader can say whether
 * the side's plugin loads against the side's SDK; its result is not measured.
 */
async function preflight(own: OwnHarness, name: string, spec: string, config: Pick<GateConfig, 'scenarios' | 'run'>, signal: AbortSignal | undefined): Promise<void> {
  const outcome = await runSideCell({ ...own, side: name }, { strategy: spec, scenario: config.scenarios[0]!, workers: 1, seed: config.run.seed },
    { ...config.run, recordsPerWorker: 1, faults: 'none' }, join(own.cwd, '.parquet-chaos-preflight'), signal);
  const loadError = outcome.cell?.errors.find((e) => e.code === 'E_PLUGIN' || e.code === 'E_STRATEGY_CONTRACT');
  if (loadError) throw new ChaosError('E_PLUGIN', `${loadError.source}: ${loadError.message}`, { option: '--strategy', value: spec, expected: 'a strategy its side\'s own harness loads and runs' });
}

/**
 * The command that runs one cell of a gate between commits again: check the side's commit out (the head
 * as the working tree runs where it is), go to the command's folder in it, run the spec as written.
 */
export function replayInCheckout(git: NonNullable<GateConfig['git']>, side: Side, strategy: string, cell: { scenario: string; workers: number; seed: number }, run: GateConfig['run']): string {
  const at = git[side];
  // Under its own harness a side's cell is run by that commit's tool: installed, and built when it is parquet-chaos itself.
  const itself = at.harness?.kind === 'parquet-chaos itself';
  const run1 = replayCommand(strategy, cell.scenario, cell.workers, cell.seed, run).replace(/^npx parquet-chaos /, itself ? 'node bin/parquet-chaos.js ' : 'npx parquet-chaos ');
  if (at.ref === null) return `cd ${join(git.repository, git.folder)} && ${itself ? 'npm run build && ' : ''}${run1}${at.dirty ? ` (with the uncommitted changes ${at.dirty.diffHash})` : ''}`;
  const dir = `/tmp/parquet-chaos-${side}-${at.commit.slice(0, 7)}`;
  return `git -C ${git.repository} worktree add --detach ${dir} ${at.commit.slice(0, 12)} && cd ${join(dir, git.folder)} && ${at.harness ? `npm ci && ${itself ? 'npm run build && ' : ''}` : ''}${run1}`;
}

/** What a checker that sees nothing says: no anomaly, valid. Test-only (see GateOptions). */
function blind(cell: CellResult): CellResult {
  return { ...cell, verdict: { ...cell.verdict, lost: 0, duplicates: 0, phantoms: 0, corruptFiles: 0, corruptRecords: 0, valid: true, broken: [] } };
}

export async function runGate(options: GateOptions): Promise<GateResult> {
  const { outDir, command, signal, onCellStart, onCellDone, onSized, testOnlyBlindChecker, baseline, specOf, ownHarness, ...config } = options;
  if (baseline && config.base !== null) throw badValue('E_USAGE', '--base', config.base, 'no value with --baseline (the baseline is the base)');
  if (config.maxRepeat < config.repeat) throw badValue('E_BAD_OPTION', '--max-repeat', String(config.maxRepeat), `an integer >= --repeat (${config.repeat})`);
  // Every spec of both sides is loaded and validated before anything is measured (a missing plugin: exit 2, naming the side).
  await loadSides(config, specOf, ownHarness, signal);
  const gateConfig: GateConfig = { ...config, alphaPerLook: config.alpha / config.looks };
  const startedAt = new Date().toISOString();
  const loadAtStart = loadavg()[0]!;
  const stamp = startedAt.replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  const gateDir = resolve(outDir, `gate-${stamp}-s${config.run.seed}-${Math.random().toString(36).slice(2, 6)}`);
  mkdirSync(gateDir, { recursive: true });
  const machine = machineFacts(gateDir);
  // Timings from another machine say nothing about this one: then only counters and correctness.
  const timing = baseline === undefined || sameMachine(baseline.data.machine, machine);
  // Holm's family is every cell × timing metric of the whole gate, also when this shard runs a share of it.
  // Sides run here are compared pair by pair; a saved baseline's samples were measured at another time.
  const settings: GateSettings & { familySize: number } = {
    alpha: gateConfig.alphaPerLook, minEffect: config.minEffect, tolerances: config.tolerances, timing, paired: baseline === undefined, familySize: gateGrid(config).length * gateMetricNames.length,
  };

  const grid = gateShardGrid(config);
  const samples = new Map<string, GateSample[]>(grid.map((c) => [cellKey(c), (baseline?.data.samples ?? []).filter((s) => s.scenario === c.scenario && s.workers === c.workers).map((s) => ({ ...s, side: 'base' as const }))]));
  const lookCount = new Map<string, number>(grid.map((c) => [cellKey(c), 1]));
  const sizing = new Map<string, CellSizing>();
  const controls: ControlOutcome[] = [];
  const runs: string[] = [];
  // Ctrl-C during the sides' checks: nothing is measured, the gate says it was interrupted.
  let interrupted = Boolean(signal?.aborted);
  let stopped: string | undefined;

  /** Runs planned cells here, in one run folder, in the planned order. */
  const measureHere = async (planned: GatePlanned[], run: GateConfig['run']): Promise<Measured> => {
    // The gate shards its grid itself (gateShardGrid): each batch it runs is whole.
    const runConfig: RunConfig = { ...run, shard: null, strategies: [...new Set(planned.map((p) => p.cell.strategy))], scenarios: [...new Set(planned.map((p) => p.cell.scenario))], workers: Math.max(...planned.map((p) => p.cell.workers)) };
    const result = await runCells({ ...runConfig, outDir: gateDir, command, signal, onCellStart, onCellDone }, planned.map((p) => p.cell));
    return { runDirs: [result.runDir], cells: result.cells, interrupted: result.interrupted, ...(result.stopped ? { stopped: result.stopped } : {}) };
  };
  /** Runs planned pairs' cells each through its side's own harness, one child run per cell, in the planned order. */
  const measureOwn = async (planned: GatePlanned[], run: GateConfig['run'], own: Record<Side, OwnHarness>): Promise<Measured> => {
    const measured: Measured = { runDirs: [], cells: [], interrupted: false };
    for (const [i, { cell, role }] of planned.entries()) {
      const side = (role as { side: Side }).side;
      onCellStart?.(i, planned.length, cell.strategy, cell.scenario, cell);
      const outcome = await runSideCell({ ...own[side], side: describeSide(side, config.git![side]) }, cell, run, join(gateDir, side), signal);
      if (outcome.runDir) measured.runDirs.push(outcome.runDir);
      if (outcome.stopped) measured.stopped = outcome.stopped;
      if (!outcome.cell || outcome.interrupted || outcome.stopped) {
        measured.interrupted = outcome.interrupted;
        break;
      }
      measured.cells.push(outcome.cell);
      onCellDone?.(outcome.cell, i, planned.length);
    }
    return measured;
  };

  const runBatch = async (planned: GatePlanned[], run: GateConfig['run'] = config.run) => {
    const result = ownHarness && planned.every((p) => p.role.kind === 'pair') ? await measureOwn(planned, run, ownHarness) : await measureHere(planned, run);
    runs.push(...result.runDirs);
    interrupted ||= result.interrupted;
    // A run stopped by a disk error measured only part of what was planned: the gate is not judged on it.
    if (result.stopped) stopped = result.stopped;
    // Both keep the planned order: cell i is planned i.
    for (const [i, measured] of result.cells.entries()) {
      const cell = testOnlyBlindChecker ? blind(measured) : measured;
      const { cell: p, role } = planned[i]!;
      const replay = role.kind === 'pair' && role.grid.strategy !== undefined && config.git
        ? replayInCheckout(config.git, role.side, role.grid.strategy, p, run)
        : replayCommand(p.strategy, p.scenario, p.workers, p.seed, run);
      if (role.kind === 'control') {
        controls.push(controlOutcome(role.control, cell, p.seed, replay));
      } else {
        samples.get(cellKey(role.grid))!.push(sampleOf(cell, role.side, p.repeat!, p.seed, role.first, replay));
      }
    }
  };

  for (const c of runsControls(config.shard) ? POSITIVE_CONTROLS : []) {
    if (interrupted || stopped) break;
    await runBatch([{ cell: { strategy: c.strategy, scenario: c.scenario, workers: c.workers, seed: config.run.seed }, role: { kind: 'control', control: c } }],
      { ...config.run, recordsPerWorker: c.records, thinkMs: c.thinkMs, faults: c.faults, restart: 'retry' });
  }
  if (!interrupted && !stopped) await runBatch(planPairs(grid, 1, config.repeat, { ...config, seed: config.run.seed, specOf }));

  const judge = () => {
    const judgements = judgeCells(grid.map((c) => samples.get(cellKey(c))!), settings);
    return grid.map((c, i) => {
      const s = samples.get(cellKey(c))!;
      const sized = sizing.get(cellKey(c));
      return { ...c, pairs: s.filter((x) => x.side === 'head').length, looks: lookCount.get(cellKey(c))!, ...(sized ? { sizing: sized } : {}), samples: s, judgement: judgements[i]! };
    });
  };
  let judged = judge();
  // Before each further look a cell is sized again from the noise of every pair so far (the sizes of
  // their changes, never their signs: sizing.ts), up to --max-repeat, the looks left spread up to that.
  const paired = config.base !== null && baseline === undefined;
  const resize = (look: number) => {
    for (const c of judged) sizing.set(cellKey(c), sizeGateCell(c.samples, settings, { first: c.pairs, cap: config.maxRepeat, looks: Math.max(1, config.looks - look + 2) }));
    judged = judge();
  };
  if (paired) {
    resize(2);
    for (const c of judged) onSized?.(c, c.sizing!);
  }
  // A correctness failure or a missed control decides the gate at once. Otherwise a cell gets more pairs
  // while a timing metric is inconclusive and none has regressed (counters are exact: more pairs do not
  // change them, but the timing answer is still worth having next to them).
  const target = (c: (typeof judged)[number], look: number) => (paired ? c.sizing?.schedule[1] ?? c.pairs : Math.min(config.maxRepeat, config.repeat * look));
  const wantsMore = (c: (typeof judged)[number], look: number) => c.pairs < target(c, look)
    && !c.judgement.metrics.some((m) => m.answer === 'regressed') && c.judgement.metrics.some((m) => m.answer === 'inconclusive');
  for (let look = 2; look <= config.looks; look++) {
    if (interrupted || stopped || judged.some((c) => c.judgement.answer === 'failed')) break;
    if (paired && look > 2) resize(look);
    const open = judged.filter((c) => wantsMore(c, look));
    if (open.length === 0) continue;
    for (const c of open) lookCount.set(cellKey(c), lookCount.get(cellKey(c))! + 1);
    await runBatch(open.flatMap((c) => planPairs([{ ...(c.strategy === undefined ? {} : { strategy: c.strategy }), scenario: c.scenario, workers: c.workers }], c.pairs + 1, target(c, look), { ...config, seed: config.run.seed, specOf })));
    judged = judge();
  }

  const controlsPlanned = runsControls(config.shard) ? POSITIVE_CONTROLS.length : 0;
  const { outcome, exitCode, reasons } = gateOutcome(judged, controls, { inconclusiveOk: config.inconclusiveOk, interrupted, stopped, controlsPlanned });
  const tool = toolIdentity();
  // What differs between the baseline and this gate is said, not hidden: a machine (timing not compared), a tool build.
  if (baseline && !timing) reasons.push(`BASELINE FROM ANOTHER MACHINE: ${baseline.data.machine.cpus} × ${baseline.data.machine.cpuModel}, ${baseline.data.machine.fileSystem}; timing not compared, only counters and correctness`);
  const savedTool = baseline?.data.tool;
  if (savedTool && (savedTool.version !== tool.version || savedTool.build !== tool.build)) {
    reasons.push(`BASELINE FROM ANOTHER TOOL BUILD: saved by parquet-chaos ${savedTool.version} (build ${savedTool.build ?? 'unknown'}), compared by ${tool.version} (build ${tool.build}): a change in the harness itself is part of any difference`);
  }
  const cells: GateCell[] = judged.map(({ judgement, ...c }) => ({ ...c, ...judgement }));
  const result: GateResult = {
    schemaVersion: 1, kind: 'gate', tool, command,
    mode: baseline ? 'baseline' : config.base === null ? 'head only' : 'a/b',
    startedAt, finishedAt: new Date().toISOString(), gateDir, machine, load: { start: loadAtStart, end: loadavg()[0]! }, config: gateConfig,
    ...(baseline ? { baseline: { file: baseline.file, machine: baseline.data.machine, sameMachine: timing } } : {}),
    ...(config.shard ? { shard: { ...config.shard, plannedCells: gateGrid(config).length } } : {}),
    runs, controlsPlanned, controls, cells, outcome, exitCode, reasons, ...(stopped ? { stopped } : {}),
  };
  writeFileAtomic(join(gateDir, 'gate.json'), `${JSON.stringify(result, null, 2)}\n`);
  return result;
}

/**
 * The head side of a finished gate as a baseline; none unless the gate's outcome leaves the head
 * trustworthy: a regression, a correctness failure, a missed control, a stop or an interruption refuse it.
 */
export function baselineOf(result: GateResult): GateBaseline | null {
  if (!['pass', 'inconclusive'].includes(result.outcome)) return null;
  return {
    schemaVersion: 1, kind: 'gate-baseline', tool: result.tool, savedAt: result.finishedAt, command: result.command, definitions: measureDefinitions(),
    strategy: result.config.head, scenarios: result.config.scenarios, workers: result.config.workers,
    repeat: Math.min(...result.cells.map((c) => c.pairs)), run: result.config.run, machine: result.machine,
    samples: result.cells.flatMap((c) => c.samples.filter((s) => s.side === 'head')),
  };
}
