import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { MUTATION_KINDS, type DurabilityMutation, type MutationKind } from './mutation.js';
import { runSchedule, type SimFaultKind, type SimSetup } from './run-schedule.js';
import { planArbitrary, search, type Counterexample } from './search.js';

/**
 * The mutation score of one strategy's durability steps under `sim`: its sites (found by running it,
 * see mutation.ts), the unmutated search (which must find nothing), and one search per mutant (which
 * must find a claimed guarantee broken, shrunk to a minimal schedule).
 */

export interface MutationBudget {
  /** Schedules searched for each mutant and for the unmutated strategy. */
  runs: number;
  seed: number;
  faults: readonly SimFaultKind[];
  /** Schedules with faults drawn (besides the fault-free one) to reach the sites only recovery runs. */
  probes: number;
}

export interface MutantOutcome {
  site: string;
  kind: MutationKind;
  killed: boolean;
  /** Schedules searched until the first failure (or the whole budget). */
  schedules: number;
  counterexample?: { broken: string[]; lost: string[]; steps: number; faults: string[]; path: string };
}

export interface StrategyMutationScore {
  strategy: string;
  /** Every durability site the strategy reached, with how often it ran over the probes and the unmutated search. */
  sites: Record<string, number>;
  /** The unmutated strategy's search: it must find nothing. */
  unmutated: { schedules: number; judged: number; counterexample?: Counterexample };
  mutants: MutantOutcome[];
}

function shown(c: Counterexample): MutantOutcome['counterexample'] {
  return {
    broken: c.broken, lost: c.lost.map((l) => l.id), steps: c.steps.length, path: c.path,
    faults: c.fired.filter((f) => f.phase !== 'end').map((f) => `${f.kind}@${f.step} ${f.process} ${f.op} ${f.path}`),
  };
}

/** The durability sites a strategy reaches: the fault-free schedule and `probes` drawn with faults. */
export async function reachedSites(setup: SimSetup, budget: MutationBudget): Promise<Map<string, number>> {
  const sites = new Map<string, number>();
  const probed = { ...setup, durability: { sites } };
  const baseline = await runSchedule(probed, { choices: [], faults: [], crash: [] });
  const plans = fc.sample(planArbitrary(Math.ceil(baseline.trace.length * 1.5), budget.faults, setup.lock.staleMs), { numRuns: budget.probes, seed: budget.seed });
  for (const plan of plans) await runSchedule(probed, plan);
  return sites;
}

/** Runs the unmutated search and every mutant of every site under `include` (default: the strategy code under strategies/). */
export async function mutationScore(setup: SimSetup, budget: MutationBudget, include: (site: string) => boolean = (s) => s.startsWith('strategies/')): Promise<StrategyMutationScore> {
  const sites = await reachedSites(setup, budget);
  const config = { runs: budget.runs, seed: budget.seed, faults: budget.faults, target: 'claimed' as const, crashPoints: true };
  // The unmutated search counts the sites its schedules reach too (a crash's restart reaches recovery code).
  const clean = await search({ ...config, setup: { ...setup, durability: { sites } } });
  const mutants: MutantOutcome[] = [];
  for (const site of [...sites.keys()].filter(include).sort()) {
    for (const kind of MUTATION_KINDS) {
      const mutation: DurabilityMutation = { site, kind };
      const found = await search({ ...config, setup: { ...setup, durability: { mutation } } });
      mutants.push({
        site, kind, killed: found.counterexample !== undefined, schedules: found.schedules,
        ...(found.counterexample ? { counterexample: shown(found.counterexample) } : {}),
      });
    }
  }
  return {
    strategy: setup.strategy.spec.label,
    sites: Object.fromEntries([...sites].sort(([a], [b]) => (a < b ? -1 : 1))),
    unmutated: { schedules: clean.schedules, judged: clean.judged, ...(clean.counterexample ? { counterexample: clean.counterexample } : {}) },
    mutants,
  };
}

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/**
 * The durability steps written in the strategies' source (`fsync: true`, `.fsyncDir(`, `.fsyncFile(`), as
 * `file:line`: a cross-check that no site escapes the run-time enumeration unnoticed. A line listed here
 * and reached by no strategy's schedules is reported as not reached.
 */
export function writtenSites(dir = join(ROOT, 'strategies')): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile() || !entry.name.endsWith('.ts')) continue;
    const file = join(entry.parentPath, entry.name);
    readFileSync(file, 'utf8').split('\n').forEach((line, i) => {
      if (/fsync:\s*true|\.fsyncDir\(|\.fsyncFile\(/.test(line) && !/^\s*(\*|\/\/)/.test(line)) found.push(`${relative(ROOT, file)}:${i + 1}`);
    });
  }
  return found.sort();
}
