import type { FaultPlanEnv, ScenarioDefinition } from '../../sdk/scenario.js';
import { isProcessFault, parseFaultList, type Fault, type IoFault, type ProcessFault } from '../../sdk/faults.js';

export interface FaultPlan {
  process: ProcessFault[];
  io: IoFault[];
}

/**
 * The cell's faults from `--faults none|default|<list>`, with seeded choices made concrete: a
 * `writer` target becomes one writer chosen from the seed, and process faults on `writers` one
 * fault per writer.
 */
export function planFaults(spec: string, scenario: ScenarioDefinition, env: FaultPlanEnv): FaultPlan {
  const faults: Fault[] = spec === 'none' ? [] : spec === 'default' ? scenario.defaultFaults(env) : parseFaultList(spec);
  const plan: FaultPlan = { process: [], io: [] };
  for (const fault of faults) {
    const concrete = fault.target === 'writer' ? { ...fault, target: `writer-${env.random.int(env.workers)}` } : fault;
    if (!isProcessFault(concrete)) plan.io.push(concrete);
    else if (concrete.target === 'writers') {
      for (let i = 0; i < env.workers; i++) plan.process.push({ ...concrete, target: `writer-${i}` });
    } else plan.process.push(concrete);
  }
  return plan;
}
