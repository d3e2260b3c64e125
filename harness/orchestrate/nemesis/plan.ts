import type { FaultPlanEnv, ScenarioDefinition } from '../../sdk/scenario.js';
import { isInProcessFault, isProcessFault, parseFaultList, type Fault, type InProcessFault, type Planned, type ProcessFault } from '../../sdk/faults.js';
import { Random } from '../../sdk/random.js';

export interface FaultPlan {
  /** Every planned fault in id order. */
  all: Planned[];
  /** Carried out by the nemesis (signals on a time or progress trigger). */
  process: Planned<ProcessFault>[];
  /** Carried out by the target process itself (I/O faults, point triggers). */
  inProcess: Planned<InProcessFault>[];
}

/**
 * The stream a cell's fault schedule is drawn from: a function of (seed, scenario, workers, repeat)
 * only, never of the strategy, so every strategy of a run, sweep or gate faces the same victims at
 * the same points of their own ledgers (paired comparisons).
 */
export function faultPlanRandom(seed: number, scenario: string, workers: number, repeat = 1): Random {
  return new Random(seed).fork(`faults/${scenario}/w${workers}/r${repeat}`);
}

/**
 * The cell's faults from `--faults none|default|<list>`, with seeded choices made concrete: a
 * `writer` target becomes one writer chosen from the seed, and process faults on `writers` one
 * fault per writer. Each gets an id that the events it causes carry.
 */
export function planFaults(spec: string, scenario: ScenarioDefinition, env: FaultPlanEnv): FaultPlan {
  const faults: Fault[] = spec === 'none' ? [] : spec === 'default' ? scenario.defaultFaults(env) : parseFaultList(spec);
  const plan: FaultPlan = { all: [], process: [], inProcess: [] };
  const add = (fault: Fault) => {
    const planned = { ...fault, id: plan.all.length } as Planned;
    plan.all.push(planned);
    if (isInProcessFault(planned)) plan.inProcess.push(planned);
    else plan.process.push(planned as Planned<ProcessFault>);
  };
  for (const fault of faults) {
    const concrete = fault.target === 'writer' ? { ...fault, target: `writer-${env.random.int(env.workers)}` } : fault;
    if (isProcessFault(concrete) && concrete.target === 'writers') {
      for (let i = 0; i < env.workers; i++) add({ ...concrete, target: `writer-${i}` });
    } else add(concrete);
  }
  return plan;
}
