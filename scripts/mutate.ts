/**
 * Mutation testing of the built-in strategies' durability steps (harness/sim/mutation.ts): for each
 * strategy, every fsync site its schedules reach is skipped, then made late, one at a time; `sim`'s search
 * under the posix model must find each mutant (a claimed guarantee broken, shrunk) where the unmutated
 * strategy passes. Prints one line per mutant and the score; writes the whole outcome as JSON.
 *
 *   npm run mutate -- [--strategy realtime --strategy append-log …] [--site main-file.ts:48 …] [--runs 40] [--workers 2] [--records 1] [--out mutation.json]
 *
 * `--site` mutates only the sites whose name contains one of the given strings (e.g. `main-file.ts:48`), so
 * one survivor can be looked at without the whole run; the unmutated search still runs.
 *
 * Exit 0 when every mutant is killed or is a listed redundancy and the unmutated strategies pass, 1
 * otherwise. The queue built-in keeps its queue in SQLite or Redis, outside the simulated file system:
 * its sink (strategies/shared/queue-consumer.ts) runs here over test/fixtures/file-queue.ts.
 */
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadStrategy } from '../harness/orchestrate/load-strategy.js';
import { getCodec } from '../harness/sdk/codec/index.js';
import { persistenceModels } from '../harness/sim/models/index.js';
import { mutationScore, writtenSites, type StrategyMutationScore } from '../harness/sim/mutation-score.js';
import { SIM_DEFAULTS } from '../harness/sim/run-sim.js';
import { MUTATED_STRATEGIES, whyRedundant } from '../harness/sim/mutation-targets.js';

const { values } = parseArgs({
  options: {
    strategy: { type: 'string', multiple: true, default: [...MUTATED_STRATEGIES] },
    site: { type: 'string', multiple: true, default: [] },
    runs: { type: 'string', default: '40' },
    workers: { type: 'string', default: '2' },
    records: { type: 'string', default: '1' },
    probes: { type: 'string', default: '30' },
    seed: { type: 'string', default: '1' },
    out: { type: 'string' },
  },
});

const budget = { runs: Number(values.runs), seed: Number(values.seed), faults: ['crash', 'power-loss', 'io-error'] as const, probes: Number(values.probes) };
const scores: StrategyMutationScore[] = [];
for (const spec of values.strategy) {
  const started = performance.now();
  const strategy = await loadStrategy(spec.startsWith('test/') ? resolve(spec) : spec);
  const score = await mutationScore({
    strategy, workers: Number(values.workers), records: Number(values.records), payloadBytes: SIM_DEFAULTS.payloadBytes, thinkMs: 0,
    seed: budget.seed, codec: getCodec(SIM_DEFAULTS.codec), model: persistenceModels.posix,
    lock: { kind: 'lease', staleMs: SIM_DEFAULTS.lockStaleMs, defaultTimeoutMs: SIM_DEFAULTS.lockTimeoutMs }, maxSteps: SIM_DEFAULTS.maxSteps,
  }, budget, (site) => site.startsWith('strategies/') && (values.site.length === 0 || values.site.some((wanted) => site.includes(wanted))));
  scores.push({ ...score, strategy: spec });
  const clean = score.unmutated.counterexample ? `FAILS unmutated (${score.unmutated.counterexample.broken.join(', ')})` : `unmutated passes (${score.unmutated.schedules} schedules)`;
  console.log(`${spec}: ${clean}, ${Math.round((performance.now() - started) / 1000)} s`);
  for (const m of score.mutants) {
    const redundant = whyRedundant(spec, m.site, m.kind);
    const how = m.killed ? `killed after ${m.schedules} schedules: ${m.counterexample!.broken.join(', ')} lost ${m.counterexample!.lost.join(' ')}; ${m.counterexample!.faults.join('; ') || 'no fault'}`
      : redundant ? `survives (${redundant})` : `SURVIVES ${m.schedules} schedules`;
    console.log(`  ${m.kind.padEnd(4)} ${m.site}: ${how}`);
  }
}

const mutants = scores.flatMap((s) => s.mutants.map((m) => ({ ...m, strategy: s.strategy })));
const killed = mutants.filter((m) => m.killed).length;
const excused = mutants.filter((m) => !m.killed && whyRedundant(m.strategy, m.site, m.kind)).length;
const reached = new Set(scores.flatMap((s) => Object.keys(s.sites)).map((site) => site.replace(/:\d+ fsync-(file|dir)$/, '')));
const unreached = writtenSites().filter((line) => !reached.has(line));
console.log(`mutation score: ${killed}/${mutants.length} killed (${excused} survivors listed as redundant); budget per search: ${budget.runs} random schedules + the crash points, `
  + `${values.workers} writers × ${values.records} records, faults ${budget.faults.join(',')}, model posix, seed ${budget.seed}`);
if (unreached.length) console.log(`fsync lines in strategies/ no schedule reached: ${unreached.join(', ')}`);
if (values.out) writeFileSync(values.out, `${JSON.stringify({ budget, scores, unreached }, null, 2)}\n`);
const failed = scores.some((s) => s.unmutated.counterexample) || killed + excused < mutants.length;
process.exitCode = failed ? 1 : 0;
