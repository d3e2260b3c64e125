import fc from 'fast-check';
import type { Verdict } from '../oracle/checker.js';
import type { Guarantees } from '../sdk/strategy.js';
import type { SimCounterexample, SimSearch } from '../result/sim-result.js';
import { runSchedule, type SchedulePlan, type SimFault, type SimFaultKind, type SimSetup } from './run-schedule.js';
import type { SimFaultCoverage } from '../result/sim-result.js';

/**
 * Search, shrink, replay. fast-check generates schedule plans (the scheduler's pick at every step, the
 * faults and where they hit, what each power loss keeps), runs each through the whole simulated
 * pipeline, and on the first schedule the checker rejects shrinks the plan to a minimal one. The seed
 * and fast-check's counterexample path replay that minimal schedule exactly.
 *
 * Why not fc.scheduler(): in fast-check 4 its arbitrary does not shrink (SchedulerArbitrary.shrink
 * returns nothing), so its counterexamples stay as long as they were found. A plain array of pick
 * choices shrinks (shorter, smaller: towards "the first ready process goes"), and faults and crash
 * choices shrink with it.
 */

/**
 * What a search looks for. `claimed`: a broken claimed guarantee (or a phantom) — a real failure.
 * `unclaimed`: an anomaly the strategy does not claim to prevent (e.g. realtime:lock=none's lost
 * updates), searched only to show it, as `run` shows "ok, unclaimed: lost".
 */
export type SearchTarget = SimSearch['target'];

export interface SearchConfig {
  setup: SimSetup;
  runs: number;
  seed: number;
  faults: readonly SimFaultKind[];
  target: SearchTarget;
  /** fast-check's counterexample path: replay that schedule instead of searching. */
  replay?: string;
  /**
   * Before the `runs` random schedules, try the systematic crash points of `crashPointPlans` (their
   * number is added to the budget). Off by default; a replay needs the same setting.
   */
  crashPoints?: boolean;
  /** Priority schedules of this bug depth (PCT) instead of uniformly random picks. */
  pctDepth?: number;
}

export type Counterexample = Omit<SimCounterexample, 'replay'>;

export type SearchOutcome = Omit<SimSearch, 'counterexample' | 'elapsedMs'> & { counterexample?: Counterexample };

const ANOMALIES: Record<keyof Guarantees, (v: Verdict) => boolean> = {
  noLostAcked: (v) => v.lost > 0,
  noDuplicates: (v) => v.duplicates > 0,
  noCorruption: (v) => v.corruptFiles > 0 || v.corruptRecords > 0,
};

/**
 * The guarantees a verdict shows broken among those the target looks at; a claim excused by an
 * assumption the schedule broke (its anomalies expected) is not among them.
 */
export function brokenFor(verdict: Verdict, claims: Guarantees, target: SearchTarget): string[] {
  const excused = new Set(verdict.assumptionsBroken?.flatMap((b) => b.excused));
  const broken: string[] = (Object.keys(ANOMALIES) as (keyof Guarantees)[])
    .filter((g) => (target === 'claimed' ? claims[g] && !excused.has(g) : !claims[g]) && ANOMALIES[g](verdict));
  if (target === 'claimed' && verdict.phantoms > 0) broken.push('noPhantoms');
  // As in the checker: a corrupt row is never excused, claimed or not.
  if (target === 'claimed' && !claims.noCorruption && verdict.corruptRecords > 0) broken.push('noCorruptRecords');
  return broken;
}

/** Most faults one schedule plans (each crash-then-power-loss pair counts as two). */
export const MAX_FAULTS = 6;

/** Longest gap, in steps, between the crash and the power loss of a crash-then-power-loss pair. */
export const MAX_CRASH_GAP = 10;

/** Picks are taken modulo the number of ready processes (or of a crash group's options): this bound never limits them. */
const PICK = fc.nat({ max: 0xffff });

/**
 * The plans fast-check draws: a pick at every step over every ready process, up to MAX_FAULTS faults
 * anywhere in the schedule (the drain and finalize included), and a pick for each crash group over every
 * state the model allows. Where both crash and power-loss are searched, a fault may also be a pair: a
 * crash, then a power loss 1 to MAX_CRASH_GAP steps later, the shape of the losses ALICE and CrashMonkey
 * report (what a killed process left un-synced is trusted by its restart, then the power goes).
 */
export function planArbitrary(maxSteps: number, faults: readonly SimFaultKind[], staleMs: number, pct?: PctOption): fc.Arbitrary<SchedulePlan> {
  const step = fc.integer({ min: 1, max: Math.max(1, maxSteps) });
  const one = (kind: SimFaultKind): fc.Arbitrary<SimFault[]> => (kind === 'pause'
    ? fc.record({ kind: fc.constant(kind), step, ms: fc.integer({ min: 1, max: 2 * staleMs }) })
    : fc.record({ kind: fc.constant(kind), step })).map((f) => [f]);
  const kinds = faults.map(one);
  if (faults.includes('crash') && faults.includes('power-loss')) {
    kinds.push(fc.record({ step, gap: fc.integer({ min: 1, max: MAX_CRASH_GAP }) })
      .map(({ step: at, gap }): SimFault[] => [{ kind: 'crash', step: at }, { kind: 'power-loss', step: at + gap }]));
  }
  const plan: fc.Arbitrary<SchedulePlan> = fc.record({
    // size 'max': fast-check's default size caps generated arrays near 10 elements, which would leave
    // every pick after the tenth step at 0 (no interleaving late in a schedule).
    choices: fc.array(PICK, { maxLength: maxSteps, size: 'max' }),
    faults: kinds.length ? fc.array(fc.oneof(...kinds), { maxLength: Math.floor(MAX_FAULTS / 2) + 1 }).map((groups) => groups.flat().slice(0, MAX_FAULTS)) : fc.constant<SimFault[]>([]),
    crash: fc.array(PICK, { maxLength: 64, size: 'max' }),
  });
  if (!pct) return plan;
  // PCT: a uniformly random permutation of the processes' priorities and d − 1 change points uniform
  // over the steps (noBias: fast-check's default bias towards small values would break the bound).
  return fc.record({
    plan,
    ranks: fc.shuffledSubarray([...Array(pct.processes).keys()], { minLength: pct.processes, maxLength: pct.processes }),
    changes: fc.array(fc.noBias(fc.integer({ min: 1, max: Math.max(1, maxSteps) })), { minLength: pct.depth - 1, maxLength: pct.depth - 1 }),
  }).map(({ plan: p, ranks, changes }): SchedulePlan => ({ ...p, choices: [], pct: { ranks, changes } }));
}

/** PCT's two parameters: the bug depth searched for, and the number of processes (n in its bound). */
export interface PctOption {
  depth: number;
  processes: number;
}

/**
 * PCT's guarantee for one schedule (Burckhardt et al., ASPLOS 2010, theorem 1): a bug of depth `depth`
 * among `processes` processes in schedules of `steps` steps is hit with probability at least
 * 1 / (n · k^(d−1)); over `runs` independent schedules at least 1 − (1 − p)^runs.
 */
export function pctBound(o: PctOption, steps: number, runs: number): { perSchedule: number; overRuns: number } {
  const perSchedule = 1 / (o.processes * steps ** (o.depth - 1));
  return { perSchedule, overRuns: 1 - (1 - perSchedule) ** runs };
}

/**
 * Longest gap tried by the systematic crash points between a crash and its power loss: long enough for a
 * restarted merger to redo a fold (recover, read, republish, delete, fsync: 12–14 steps for 2 inputs).
 */
export const CRASH_POINT_WINDOW = 16;

/**
 * Besides the harshest state, each single power loss of the crash points also keeps one crash group whole
 * (its folder's entries, or a file's data) with every other group harshest, for the first this many groups
 * (posix lists folders first, in path order: data/, then state/). ALICE's classic states: a rename kept
 * while the renamed file's data is dropped; one folder's changes kept while another's are undone.
 */
export const CRASH_POINT_GROUPS = 3;

/**
 * The pick sequence of the rotating schedule: step i takes the (i mod n)-th of the n ready processes, so
 * processes take turns and a contended lock is met (the first-ready schedule runs one process at a time).
 */
export function rotatingChoices(steps: number): number[] {
  return Array.from({ length: steps }, (_, i) => i);
}

/**
 * Systematic crash points over a fault-free schedule (`trace`, made by the picks `choices`; none: the
 * first ready process goes): that schedule, a power loss before every step, and, where crashes are
 * searched, a crash before every fsync, alone (the power loss every schedule ends with follows) and
 * followed by a power loss 1 to CRASH_POINT_WINDOW steps later. Each power loss keeps the harshest state
 * the model allows (crash choices all 0); a power loss alone also each of the CRASH_POINT_GROUPS
 * one-group-kept states. `pairs: false` leaves out the crash-then-power-loss pairs and those states (the
 * cheaper set the search runs over its second, rotating schedule). What they guarantee: every durability
 * step whose loss a single power loss (or a killed process's retry, then a power loss) exposes on that
 * schedule is found, whatever the luck of random sampling. The bounded-exhaustive idea of CrashMonkey
 * (Mohan et al., OSDI 2018), on one schedule.
 */
export function crashPointPlans(trace: readonly { step: number; op: string }[], faults: readonly SimFaultKind[], choices: number[] = [], pairs = true): SchedulePlan[] {
  // Fewest faults first (none: the power loss every schedule ends with may be enough), then earliest,
  // harshest first: the first that fails is the smallest of them (fast-check cannot shrink a given example).
  const plans: SchedulePlan[] = [{ choices, faults: [], crash: [] }];
  if (faults.includes('power-loss')) {
    for (const { step } of trace) plans.push({ choices, faults: [{ kind: 'power-loss', step }], crash: [] });
  }
  if (faults.includes('crash')) {
    // A crash alone: its restart trusts what it left, and the power loss every schedule ends with comes.
    for (const { step, op } of trace) if (op === 'fsync') plans.push({ choices, faults: [{ kind: 'crash', step }], crash: [] });
  }
  if (!pairs) return plans;
  if (faults.includes('power-loss')) {
    for (let group = 0; group < CRASH_POINT_GROUPS; group++) {
      const crash = [...Array<number>(group).fill(0), -1];
      for (const { step } of trace) plans.push({ choices, faults: [{ kind: 'power-loss', step }], crash });
    }
  }
  if (faults.includes('power-loss') && faults.includes('crash')) {
    for (const { step, op } of trace) {
      if (op !== 'fsync') continue;
      for (let gap = 1; gap <= CRASH_POINT_WINDOW; gap++) {
        plans.push({ choices, faults: [{ kind: 'crash', step }, { kind: 'power-loss', step: step + gap }], crash: [] });
      }
    }
  }
  return plans;
}

/** Adds one judged schedule's planned and fired faults to the coverage (the power loss every schedule ends with aside). */
function cover(coverage: Record<string, SimFaultCoverage>, plan: SchedulePlan, fired: readonly { kind: string; phase: string }[]): void {
  const entry = (kind: string) => (coverage[kind] ??= { planned: 0, fired: 0, byPhase: {} });
  for (const f of plan.faults) entry(f.kind).planned++;
  for (const f of fired) {
    if (f.phase === 'end') continue;
    const e = entry(f.kind);
    e.fired++;
    e.byPhase[f.phase as keyof SimFaultCoverage['byPhase']] = (e.byPhase[f.phase as keyof SimFaultCoverage['byPhase']] ?? 0) + 1;
  }
}

/**
 * The crash points a search tries first: the whole set over the first-ready schedule, then the cheaper set
 * over the rotating one (where writers meet on a lock, and a strategy's fallbacks and reconciliations run).
 */
async function crashPointsOf(setup: SimSetup, trace: readonly { step: number; op: string }[], faults: readonly SimFaultKind[]): Promise<SchedulePlan[]> {
  const rotating = rotatingChoices(Math.ceil(trace.length * 1.5));
  const rotated = await runSchedule(setup, { choices: rotating, faults: [], crash: [] });
  return [...crashPointPlans(trace, faults), ...crashPointPlans(rotated.trace, faults, rotating, false)];
}

export async function search(config: SearchConfig): Promise<SearchOutcome> {
  const { setup, target } = config;
  const claims = setup.strategy.guarantees;
  // A fault-free schedule with every pick 0 sizes the search: faults land within its length, give or take.
  const baseline = await runSchedule(setup, { choices: [], faults: [], crash: [] });
  const length = baseline.trace.length;
  const outcome: SearchOutcome = { target, schedules: 0, judged: 0, vacuous: 0, unknown: 0, assumptionBroken: 0, shrinks: 0, coverage: {} };
  let shrinking = false;
  const processes = setup.workers + Object.keys(setup.strategy.definition.roles ?? {}).length + (setup.strategy.definition.finalize ? 1 : 0);
  const pct = config.pctDepth ? { depth: config.pctDepth, processes } : undefined;
  if (pct) outcome.pct = { ...pct, steps: Math.ceil(length * 1.5), ...pctBound(pct, Math.ceil(length * 1.5), config.runs) };
  const property = fc.asyncProperty(planArbitrary(Math.ceil(length * 1.5), config.faults, setup.lock.staleMs, pct), async (plan) => {
    const run = await runSchedule(setup, plan);
    const broken = brokenFor(run.verdict, claims, target);
    if (!shrinking) {
      outcome.schedules++;
      if (run.errors.length > 0) {
        outcome.unknown++;
        outcome.firstError ??= run.errors[0];
      } else if (run.verdict.acked === 0) outcome.vacuous++;
      // Not judged on every claim: a claim rested on what this schedule's faults broke.
      else if (run.verdict.assumptionsBroken?.length) {
        outcome.assumptionBroken = (outcome.assumptionBroken ?? 0) + 1;
        outcome.firstAssumptionBroken ??= run.verdict.assumptionsBroken[0]!.by;
      } else {
        outcome.judged++;
        cover(outcome.coverage, plan, run.fired);
      }
    } else outcome.shrinks++;
    if (broken.length > 0) shrinking = true;
    return broken.length === 0;
  });
  const examples = config.crashPoints ? (await crashPointsOf(setup, baseline.trace, config.faults)).map((plan): [SchedulePlan] => [plan]) : [];
  const result = await fc.check(property, {
    seed: config.seed,
    examples,
    numRuns: config.replay ? 1 : config.runs + examples.length,
    ...(config.replay ? { path: config.replay, endOnFailure: true } : {}),
  });
  if (result.failed && result.counterexample && result.counterexamplePath) {
    const plan = result.counterexample[0];
    const run = await runSchedule(setup, plan);
    // The property failed by throwing, not by a broken guarantee: a bug of the simulation, not a finding.
    if (brokenFor(run.verdict, claims, target).length === 0) throw result.errorInstance ?? new Error('sim: a counterexample that does not reproduce');
    outcome.counterexample = {
      path: result.counterexamplePath,
      broken: brokenFor(run.verdict, claims, target),
      plan,
      steps: run.trace,
      fired: run.fired,
      lost: run.verdict.evidence.lost.map((id) => ({ id, ackedAtStep: run.ackedAt[id]?.step ?? 0, by: run.ackedAt[id]?.process ?? '?' })),
      verdict: run.verdict,
    };
  } else if (result.failed) {
    throw result.errorInstance ?? new Error('sim: the search failed without a counterexample');
  }
  return outcome;
}

