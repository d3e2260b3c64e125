import { scenarios } from '../../scenarios/index.js';
import type { ScenarioDefinition } from '../sdk/scenario.js';
import { describeFault } from '../oracle/judge.js';
import { faultPlanRandom, planFaults } from './nemesis/plan.js';

/** The configuration the README's example schedules are drawn for (the defaults of `run`). */
const EXAMPLE = { seed: 1, workers: 4, recordsPerWorker: 20, lockStaleMs: 5000 };

/** One scenario's default schedule as planned for EXAMPLE: the faults exactly as a cell gets them. */
function exampleSchedule(scenario: ScenarioDefinition): string {
  const plan = planFaults('default', scenario, {
    random: faultPlanRandom(EXAMPLE.seed, scenario.name, EXAMPLE.workers), workers: EXAMPLE.workers, recordsPerWorker: EXAMPLE.recordsPerWorker, lockStaleMs: EXAMPLE.lockStaleMs,
  });
  return plan.all.length ? plan.all.map((f) => `\`${describeFault(f)}${f.optional ? ` optional=${f.optional}` : ''}\``).join('; ') : 'none';
}

/**
 * The README's scenario table, generated from the scenario definitions (test/readme.test.ts keeps the
 * README equal to it): topology, think time, default faults in words and as planned for seed 1,
 * 4 workers × 20 records, 5 s lock stale time.
 */
export function scenarioTableMarkdown(): string {
  const rows = (Object.values(scenarios) as ScenarioDefinition[]).map((s) => [
    `\`${s.name}\`${s.inDefaultRun === false ? ' (only when named)' : ''}`,
    s.summary,
    `${s.thinkMs} ms`,
    s.backgroundRoles.join(', '),
    s.faultsSummary,
    exampleSchedule(s),
  ]);
  const head = ['scenario', 'what happens', 'think time', 'background roles (where the strategy has them)', 'default faults (`--faults default`)', `as planned for seed ${EXAMPLE.seed}, ${EXAMPLE.workers} workers × ${EXAMPLE.recordsPerWorker} records`];
  return [head, head.map(() => '---'), ...rows].map((r) => `| ${r.map((c) => c.replace(/\|/g, '\\|')).join(' | ')} |`).join('\n');
}
