import type { GateCellJudgement, GateCounter, GateMetric, GateSample, Tolerance } from '../analyze/gate.js';
import type { CellSizing } from '../analyze/sizing.js';
import type { MachineFacts, RunConfig, Shard } from './result.js';

/** The tool that measured: package.json's version, and a hash of the tool's own code (two checkouts of one version differ). */
export interface ToolIdentity {
  name: 'parquet-chaos';
  version: string;
  build: string;
}

/**
 * `pass` (exit 0), `regressed` / `correctness` (exit 1), `control missed` (exit 3), `inconclusive`
 * (exit 3, or 0 with --inconclusive-ok), `stopped` (a disk error: not judged, exit 3), `interrupted` (exit 130).
 */
export type GateOutcome = 'pass' | 'regressed' | 'correctness' | 'control missed' | 'inconclusive' | 'stopped' | 'interrupted';

/** The anomalies a positive control may be expected to show. */
export type ControlAnomaly = 'lost' | 'duplicates' | 'corruptFiles' | 'corruptRecords';

/** A known-unsafe variant the gate runs to show the harness still catches an anomaly class. */
export interface ControlOutcome {
  /** The anomaly class it stands for (lost (no fault), lost under a crash, duplicates, corruption). */
  name: string;
  strategy: string;
  scenario: string;
  workers: number;
  seed: number;
  /** The anomalies of which the control must show at least one. */
  expects: ControlAnomaly[];
  /** How many it showed (0: not caught). */
  found: number;
  /** Found, on a verdict (an unknown cell catches nothing). */
  caught: boolean;
  /** Why it was not caught. */
  why?: string;
  dir: string;
  replay: string;
}

/**
 * The harness that ran one side's cells in a gate between commits of parquet-chaos itself or of a
 * repository depending on it through package-lock.json: the side's own, not the running tool's.
 */
export interface SideHarnessInfo {
  /** `parquet-chaos itself`: the side's checkout, built; `dependency`: the side's node_modules/parquet-chaos. */
  kind: 'parquet-chaos itself' | 'dependency';
  /** The CLI entry the side's cells ran through (`node BIN run …`, one process per cell), and its package.json version. */
  bin: string;
  version: string;
  /** parquet-chaos itself: the commit the harness was built from (the side's own). */
  commit?: string;
  /** Where its node_modules came from: the repository's own (same lockfile hash), the cache by lockfile hash, or installed into it now. */
  dependencies: { lockfileHash: string; from: 'repository' | 'cache' | 'install'; dir: string };
  /** parquet-chaos itself: dist/ built now (`npm run build`) or copied from the build cache of the same source (`key`). */
  build?: { from: 'built' | 'cache'; key: string; seconds: number };
  /** Seconds the side's preparation took (install, build), before the first cell. */
  seconds: number;
}

/** One side of a gate between commits: the ref as given (null: the working tree), its commit, and the working tree's changes. */
export interface GitSideInfo {
  ref: string | null;
  commit: string;
  /** The head as the working tree with uncommitted changes: the files changed or added and a hash of the changes. */
  dirty?: { diffHash: string; files: string[] };
  /** Set when the side ran under its own harness (`GitComparison.harness` is `each side's own`). */
  harness?: SideHarnessInfo;
}

/** `gate --strategy SPEC,… --base REF [--head REF]`: every spec compared between two commits of one repository. */
export interface GitComparison {
  /** The repository's top folder, and the command's folder inside it (specs' paths are relative to it in each checkout). */
  repository: string;
  folder: string;
  /** The specs as written; each is a cell dimension beside scenario and workers. */
  strategies: string[];
  base: GitSideInfo;
  head: GitSideInfo;
  /**
   * Whose harness ran each side's cells: the running tool's for a repository of plugins or foreign
   * writers; each side's own (`GitSideInfo.harness`) when the repository is parquet-chaos or depends on
   * it through package-lock.json. The positive controls always run under the running tool.
   */
  harness: 'running tool' | "each side's own";
}

export interface GateConfig {
  /**
   * Strategy spec (or plugin path) of each side; null: no base (only the head runs, to save a baseline).
   * Between commits (`git` set): how each side is named (`HEAD~1 (1a2b3c4)`); the specs are in `git.strategies`.
   */
  base: string | null;
  head: string;
  /** Set when the sides are commits rather than specs. */
  git?: GitComparison;
  scenarios: string[];
  workers: number[];
  /**
   * Pairs run first, and the most pairs a cell may reach: after the first look each cell is sized from
   * its measured noise (its `sizing`), up to this cap.
   */
  repeat: number;
  maxRepeat: number;
  /** Looks a cell may take, fixed before anything runs (α is divided by them). */
  looks: number;
  /** The gate's α, and α per look (α ÷ the looks it may take: Bonferroni across looks). */
  alpha: number;
  alphaPerLook: number;
  minEffect: Record<GateMetric, number>;
  tolerances: Record<GateCounter, Tolerance>;
  inconclusiveOk: boolean;
  /** `--shard i/n`: only this shard's cells (strategy × scenario × workers) ran; null or absent: all of them. */
  shard?: Shard | null;
  /** Everything else each cell ran with (records, payload, faults, lock settings, seed …). */
  run: Omit<RunConfig, 'strategies' | 'scenarios' | 'workers'>;
}

export interface GateCell extends GateCellJudgement {
  /** Between commits: the spec as written (the cell's third dimension). */
  strategy?: string;
  scenario: string;
  workers: number;
  /** Pairs measured. */
  pairs: number;
  /** Looks taken at this cell (1 + how many times pairs were added because it was inconclusive). */
  looks: number;
  /** What its first look measured (noise per metric) and the pairs planned at each look; absent without pairs (a baseline's cells). */
  sizing?: CellSizing;
  samples: GateSample[];
}

/** The whole comparison (`--json FILE`; `gate.json` in the gate's folder). */
export interface GateResult {
  schemaVersion: 1;
  kind: 'gate';
  tool: ToolIdentity;
  command: string;
  /** `a/b`: both sides run here; `baseline`: the base side's samples come from a saved baseline; `head only`: nothing to compare (saving a baseline). */
  mode: 'a/b' | 'baseline' | 'head only';
  startedAt: string;
  finishedAt: string;
  gateDir: string;
  machine: MachineFacts;
  /** The 1-minute load average when the gate started and when it ended: how busy the machine was (its noise). */
  load?: { start: number; end: number };
  /** Baseline mode: the machine the baseline was measured on, and whether timing was compared. */
  baseline?: { file: string; machine: MachineFacts; sameMachine: boolean };
  config: GateConfig;
  /** A shard's gate (`--shard i/n`): which shard, and how many cells the whole grid has. */
  shard?: Shard & { plannedCells: number };
  /** A merged gate (`parquet-chaos merge` of every shard's gate JSON): the shards it joins, each with its machine. */
  mergedFrom?: { index: number; file: string; gateDir: string; machine: MachineFacts; cells: number }[];
  /** Run folders (each with its result.json holding every cell in full). */
  runs: string[];
  /** Positive controls this gate had to run (all of them in an unsharded gate and shard 1, none in other shards). */
  controlsPlanned: number;
  controls: ControlOutcome[];
  cells: GateCell[];
  outcome: GateOutcome;
  exitCode: number;
  /** One line per reason for the outcome. */
  reasons: string[];
  /** Why the gate stopped before its plan was measured (a disk error): it was not judged. */
  stopped?: string;
}

/**
 * A saved baseline (`gate --save-baseline FILE`): the head side's samples with the configuration and
 * machine they were measured with. `gate --baseline FILE` runs the same configuration again with the
 * same seeds and compares: counters and correctness always, timing only on the same machine.
 */
export interface GateBaseline {
  schemaVersion: 1;
  kind: 'gate-baseline';
  tool: ToolIdentity;
  savedAt: string;
  command: string;
  /** Every metric's and counter's definition when saved (analyze/gate.ts measureDefinitions): a baseline whose definitions differ is refused. */
  definitions: Record<string, string>;
  /** The strategy spec the samples were measured with (re-run by default). */
  strategy: string;
  scenarios: string[];
  workers: number[];
  repeat: number;
  run: GateConfig['run'];
  machine: MachineFacts;
  samples: GateSample[];
}
