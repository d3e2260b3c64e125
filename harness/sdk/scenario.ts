import type { BackgroundRoleKind } from './strategy.js';
import type { Fault } from './faults.js';
import type { Random } from './random.js';

/** What a scenario knows when it draws its default fault schedule. */
export interface FaultPlanEnv {
  /** Seeded: the same --seed gives the same schedule. */
  random: Random;
  workers: number;
  recordsPerWorker: number;
  /** The lock port's stale time (--lock-stale), for faults that must outlast a lease. */
  lockStaleMs: number;
}

/** A conflict scenario: process topology, workload and fault schedule, as data. */
export interface ScenarioDefinition {
  name: string;
  summary: string;
  /** The seed's risk rating for this scenario. */
  risk: 'high' | 'medium' | 'low';
  /** Pause between a writer's records, ms (0 = as fast as it can); --think-ms overrides. */
  thinkMs: number;
  /** Background roles to run beside the writers when the strategy has them. */
  backgroundRoles: readonly BackgroundRoleKind[];
  /** Plain-language description of the default faults, for `list`. */
  faultsSummary: string;
  /** The default fault schedule (`--faults default`). A fault whose target is absent is `unknown` unless marked optional. */
  defaultFaults(env: FaultPlanEnv): Fault[];
  /** False for scenarios that only run when named (the default run is the seed's three). */
  inDefaultRun?: boolean;
}

/**
 * The cap of a scenario's stop inside an unsafe variant's race window (a point in it), held until
 * another writer has made progress (`until`): the stop ends as soon as the hazard's other half has
 * happened, so it does not hang on how fast the others start. The cap ends a stop nobody can make
 * progress past (a safe variant stopped holding the lock the others wait for): a third of the lock's
 * stale time, at most 2 s, so that a lease held across it never expires (that is lease-expiry's hazard,
 * not these scenarios').
 */
export function windowPauseMs(lockStaleMs: number): number {
  return Math.min(2000, Math.floor(lockStaleMs / 3));
}

export function defineScenario(definition: ScenarioDefinition): ScenarioDefinition {
  return definition;
}
