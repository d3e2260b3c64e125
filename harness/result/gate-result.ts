import type { GateCellJudgement, GateCounter, GateMetric, GateSample, Tolerance } from '../analyze/gate.js';
import type { MachineFacts, RunConfig, Shard } from './result.js';

/**
 * `pass` (exit 0), `regressed` / `correctness` / `control missed` (exit 1), `inconclusive` (exit 3, or
 * 0 with --inconclusive-ok), `interrupted` (exit 130).
 */
export type GateOutcome = 'pass' | 'regressed' | 'correctness' | 'control missed' | 'inconclusive' | 'interrupted';

/** A seed's unsafe variant the gate runs to show the harness still catches what it must. */
export interface ControlOutcome {
  strategy: string;
  scenario: string;
  workers: number;
  seed: number;
  /** The anomaly the control must show. */
  expects: 'lost';
  /** How many it showed (0: not caught). */
  found: number;
  caught: boolean;
  dir: string;
  replay: string;
}

export interface GateConfig {
  /** Strategy spec (or plugin path) of each side; null: no base (only the head runs, to save a baseline). */
  base: string | null;
  head: string;
  scenarios: string[];
  workers: number[];
  /** Pairs run first, and the most pairs a cell may reach when inconclusive. */
  repeat: number;
  maxRepeat: number;
  /** Pairs added at each further look at an inconclusive cell. */
  step: number;
  /** The gate's α, and α per look (α ÷ the looks it may take: Bonferroni across looks). */
  alpha: number;
  alphaPerLook: number;
  minEffect: Record<GateMetric, number>;
  tolerances: Record<GateCounter, Tolerance>;
  inconclusiveOk: boolean;
  /** `--shard i/n`: only this shard's cells (scenario × workers) ran; null or absent: all of them. */
  shard?: Shard | null;
  /** Everything else each cell ran with (records, payload, faults, lock settings, seed …). */
  run: Omit<RunConfig, 'strategies' | 'scenarios' | 'workers'>;
}

export interface GateCell extends GateCellJudgement {
  scenario: string;
  workers: number;
  /** Pairs measured. */
  pairs: number;
  /** Looks taken at this cell (1 + how many times pairs were added because it was inconclusive). */
  looks: number;
  samples: GateSample[];
}

/** The whole comparison (`--json FILE`; `gate.json` in the gate's folder). */
export interface GateResult {
  schemaVersion: 1;
  kind: 'gate';
  tool: { name: 'parquet-chaos'; version: string };
  command: string;
  /** `a/b`: both sides run here; `baseline`: the base side's samples come from a saved baseline; `head only`: nothing to compare (saving a baseline). */
  mode: 'a/b' | 'baseline' | 'head only';
  startedAt: string;
  finishedAt: string;
  gateDir: string;
  machine: MachineFacts;
  /** Baseline mode: the machine the baseline was measured on, and whether timing was compared. */
  baseline?: { file: string; machine: MachineFacts; sameMachine: boolean };
  config: GateConfig;
  /** A shard's gate (`--shard i/n`): which shard, and how many cells the whole grid has. */
  shard?: Shard & { plannedCells: number };
  /** A merged gate (`parquet-chaos merge` of every shard's gate JSON): the shards it joins, each with its machine. */
  mergedFrom?: { index: number; file: string; gateDir: string; machine: MachineFacts; cells: number }[];
  /** Run folders (each with its result.json holding every cell in full). */
  runs: string[];
  controls: ControlOutcome[];
  cells: GateCell[];
  outcome: GateOutcome;
  exitCode: number;
  /** One line per reason for the outcome. */
  reasons: string[];
}

/**
 * A saved baseline (`gate --save-baseline FILE`): the head side's samples with the configuration and
 * machine they were measured with. `gate --baseline FILE` runs the same configuration again with the
 * same seeds and compares: counters and correctness always, timing only on the same machine.
 */
export interface GateBaseline {
  schemaVersion: 1;
  kind: 'gate-baseline';
  tool: { name: 'parquet-chaos'; version: string };
  savedAt: string;
  command: string;
  /** The strategy spec the samples were measured with (re-run by default). */
  strategy: string;
  scenarios: string[];
  workers: number[];
  repeat: number;
  run: GateConfig['run'];
  machine: MachineFacts;
  samples: GateSample[];
}
