import type { BackgroundRoleKind } from '../strategies/api.js';

/** A conflict scenario: process topology, workload and fault schedule, as data. */
export interface ScenarioDefinition {
  name: string;
  summary: string;
  /** The seed's risk rating for this scenario. */
  risk: 'high' | 'medium' | 'low';
  /** Pause between a writer's records, ms (0 = as fast as it can). */
  thinkMs: number;
  /** Background roles to run beside the writers when the strategy has them. */
  backgroundRoles: readonly BackgroundRoleKind[];
}

export function defineScenario(definition: ScenarioDefinition): ScenarioDefinition {
  return definition;
}
