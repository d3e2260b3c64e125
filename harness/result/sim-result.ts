import type { Verdict } from '../oracle/checker.js';
import type { Guarantees } from '../sdk/strategy.js';

/** One scheduled step of a simulated schedule (or a fault that hit before a step ran). */
export interface SimStep {
  step: number;
  /** Simulated ms since the schedule began. */
  t: number;
  process: string;
  /** An I/O operation (open, write, fsync, rename, …) or lock / unlock. */
  op: string;
  /** Path relative to the cell folder, or the lock's name. */
  path: string;
  fault?: string;
}

/** A pending operation's fate at a power loss. */
export interface SimCrashFate {
  op: string;
  path: string;
  fate: 'kept' | 'dropped' | 'torn';
  keptBytes?: number;
  bytes?: number;
}

export interface SimFiredFault {
  kind: 'crash' | 'power-loss' | 'io-error' | 'pause';
  step: number;
  /** writers, drain (background roles stopping), finalize, or end (the power loss every schedule ends with). */
  phase: 'writers' | 'drain' | 'finalize' | 'end';
  process: string;
  op: string;
  path: string;
  ms?: number;
  crash?: SimCrashFate[];
}

export interface SimCounterexample {
  /** fast-check's counterexample path: with the same seed, `--replay PATH` runs exactly this schedule. */
  path: string;
  broken: string[];
  /** The shrunk plan: scheduler picks, faults, power-loss choices. */
  plan: { choices: number[]; faults: { kind: string; step: number; ms?: number }[]; crash: number[] };
  steps: SimStep[];
  fired: SimFiredFault[];
  lost: { id: string; ackedAtStep: number; by: string }[];
  verdict: Verdict;
  /** The command that replays it. */
  replay: string;
}

/** One fault kind over a search's judged schedules: planned, fired, and fired per phase. */
export interface SimFaultCoverage {
  planned: number;
  fired: number;
  byPhase: { writers?: number; drain?: number; finalize?: number };
}

export interface SimSearch {
  /** claimed: broken claimed guarantees (failures); unclaimed: anomalies the strategy does not claim to prevent. */
  target: 'claimed' | 'unclaimed';
  /** Schedules searched (shrinking not included) and how they ended. */
  schedules: number;
  judged: number;
  vacuous: number;
  unknown: number;
  /**
   * Schedules whose faults broke an assumption a claim rests on (a lease lost under a paused holder):
   * that claim was not judged there, so they are not counted as judged (absent in older results).
   */
  assumptionBroken?: number;
  /** The first of them: which fault broke which assumption. */
  firstAssumptionBroken?: string;
  firstError?: string;
  shrinks: number;
  /** Fault kinds planned and fired in the judged schedules (a planned fault past a schedule's end never fires). */
  coverage: Record<string, SimFaultCoverage>;
  /**
   * PCT priority schedules (`--pct D`) instead of random picks: the depth searched, the processes and
   * steps of its bound, and the bound itself (the least chance to hit a bug of that depth, per schedule
   * and over the search's schedules).
   */
  pct?: { depth: number; processes: number; steps: number; perSchedule: number; overRuns: number };
  elapsedMs: number;
  counterexample?: SimCounterexample;
}

/** The `sim` section of the result JSON. */
export interface SimSection {
  strategy: string;
  guarantees: Guarantees;
  model: { name: string; summary: string; standsFor: string; sources: string[] };
  workers: number;
  records: number;
  payloadBytes: number;
  thinkMs: number;
  seed: number;
  runs: number;
  faults: string[];
  lock: { kind: 'lease' | 'kernel'; staleMs: number; timeoutMs: number };
  maxSteps: number;
  /** search: fast-check looked for counterexamples; replay: one schedule was run again from its seed and path. */
  mode: 'search' | 'replay';
  /**
   * search — pass: no claimed guarantee broken in any judged schedule; violation: one was; unknown: no
   * schedule could be judged. replay — violation: a claimed guarantee breaks again; pass: the replayed
   * unclaimed anomaly shows again; unknown: the schedule did not reproduce.
   */
  verdict: 'pass' | 'violation' | 'unknown';
  /** A pass needs at least this share of the searched schedules judged, and every searched fault kind fired in one. */
  minJudgedShare: number;
  /** Why the verdict is unknown. */
  unknownReasons?: string[];
  searches: SimSearch[];
}
