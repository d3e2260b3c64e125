/**
 * How fast the simulation runs: complete schedules (writers, faults, restarts, finalize and the check)
 * per minute for one strategy, on plans drawn the way `sim` draws them. Prints the rate by wall time
 * and by this process's CPU time (on a shared machine the second is the one to compare).
 *
 *   npm run bench:sim -- [--strategy realtime] [--workers 4] [--records 5] [--schedules 300] [--model posix] [--faults crash,power-loss,io-error]
 */
import { parseArgs } from 'node:util';
import fc from 'fast-check';
import { loadStrategy } from '../orchestrate/load-strategy.js';
import { getCodec } from '../sdk/codec/index.js';
import { persistenceModels, type ModelName } from './models/index.js';
import { runSchedule, type SimFaultKind, type SimSetup } from './run-schedule.js';
import { SIM_DEFAULTS } from './run-sim.js';
import { planArbitrary } from './search.js';

const { values } = parseArgs({
  options: {
    strategy: { type: 'string', default: 'realtime' },
    workers: { type: 'string', default: '4' },
    records: { type: 'string', default: '5' },
    schedules: { type: 'string', default: '300' },
    model: { type: 'string', default: SIM_DEFAULTS.model },
    faults: { type: 'string', default: SIM_DEFAULTS.faults.join(',') },
    seed: { type: 'string', default: '1' },
  },
});

const setup: SimSetup = {
  strategy: await loadStrategy(values.strategy), workers: Number(values.workers), records: Number(values.records),
  payloadBytes: SIM_DEFAULTS.payloadBytes, thinkMs: SIM_DEFAULTS.thinkMs, seed: Number(values.seed), codec: getCodec(SIM_DEFAULTS.codec),
  model: persistenceModels[values.model as ModelName], lock: { kind: 'lease', staleMs: SIM_DEFAULTS.lockStaleMs, defaultTimeoutMs: SIM_DEFAULTS.lockTimeoutMs },
  maxSteps: SIM_DEFAULTS.maxSteps,
};
const faults = values.faults === 'none' ? [] : (values.faults.split(',') as SimFaultKind[]);
const baseline = await runSchedule(setup, { choices: [], faults: [], crash: [] });
const plans = fc.sample(planArbitrary(Math.ceil(baseline.trace.length * 1.5), faults, setup.lock.staleMs), { numRuns: Number(values.schedules), seed: Number(values.seed) });

const wall = performance.now();
const cpu = process.cpuUsage();
let steps = 0;
let complete = 0;
for (const plan of plans) {
  const run = await runSchedule(setup, plan);
  steps += run.trace.length;
  if (run.status === 'complete') complete++;
}
const wallMs = performance.now() - wall;
const used = process.cpuUsage(cpu);
const cpuMs = (used.user + used.system) / 1000;
const perMinute = (ms: number) => Math.round((plans.length / ms) * 60_000);
console.log(`sim bench: ${setup.strategy.spec.label}, ${setup.workers} writers × ${setup.records} records, model ${setup.model.name}, faults ${values.faults}`);
console.log(`${plans.length} schedules (${complete} complete, ${Math.round(steps / plans.length)} steps each on average) in ${(wallMs / 1000).toFixed(1)} s wall, ${(cpuMs / 1000).toFixed(1)} s CPU`);
console.log(`${perMinute(wallMs)} schedules/min by wall time, ${perMinute(cpuMs)} schedules/min by CPU time (Node ${process.version})`);
