import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { machineFacts } from '../measure/machine.js';
import { toolVersion } from '../measure/package-info.js';
import { loadStrategy } from '../orchestrate/load-strategy.js';
import { newRunId, writeResult } from '../orchestrate/run.js';
import type { RunResult } from '../result/result.js';
import type { SimSearch, SimSection } from '../result/sim-result.js';
import { getCodec } from '../sdk/codec/index.js';
import { badValue } from '../sdk/errors.js';
import type { CodecName } from '../sdk/codec/codec.js';
import type { SimLockKind } from './lock-port.js';
import { persistenceModels, type ModelName } from './models/index.js';
import type { SimFaultKind, SimSetup } from './run-schedule.js';
import { search, type SearchTarget } from './search.js';

export interface SimOptions {
  strategy: string;
  workers: number;
  records: number;
  runs: number;
  seed: number;
  model: ModelName;
  faults: SimFaultKind[];
  lock: SimLockKind;
  lockStaleMs: number;
  lockTimeoutMs: number;
  payloadBytes: number;
  thinkMs: number;
  codec: CodecName;
  maxSteps: number;
  /** PCT priority schedules of this bug depth instead of random picks (0: random picks). */
  pctDepth: number;
  /** A pass needs at least this share (0–1) of the searched schedules judged. */
  minJudgedShare: number;
  /** Replays one schedule (fast-check's path) of one search target instead of searching. */
  replay?: { target: SearchTarget; path: string };
  outDir: string;
  command: string;
}

export const SIM_DEFAULTS = {
  workers: 3, records: 2, runs: 200, seed: 1, model: 'posix', faults: ['crash', 'power-loss', 'io-error', 'pause'],
  lock: 'lease', lockStaleMs: 5000, lockTimeoutMs: 60_000, payloadBytes: 32, thinkMs: 0, codec: 'hyparquet', maxSteps: 20_000, pctDepth: 0, minJudgedShare: 0.8,
} as const satisfies Omit<SimOptions, 'strategy' | 'replay' | 'outDir' | 'command'>;

/** The exact command that replays a counterexample: every setting that shapes a schedule, the seed and the path. */
export function replayCommand(o: SimOptions, target: SearchTarget, path: string): string {
  const quote = (s: string) => (/^[\w./:=,@+-]+$/.test(s) ? s : `'${s.replaceAll("'", "'\\''")}'`);
  return ['npx parquet-chaos sim', `--strategy ${quote(o.strategy)}`, `--workers ${o.workers}`, `--records ${o.records}`,
    `--model ${o.model}`, `--faults ${o.faults.length ? o.faults.join(',') : 'none'}`, `--lock ${o.lock}`, `--lock-stale ${o.lockStaleMs}`,
    `--lock-timeout ${o.lockTimeoutMs}`, `--payload-bytes ${o.payloadBytes}`, `--think-ms ${o.thinkMs}`, `--codec ${o.codec}`,
    `--max-steps ${o.maxSteps}`, ...(o.pctDepth ? [`--pct ${o.pctDepth}`] : []), `--seed ${o.seed}`, `--target ${target}`, `--replay ${quote(path)}`].join(' ');
}

/**
 * Why a search without a counterexample has not earned a pass: too few schedules judged (the rest stuck,
 * failed or acked nothing), or a searched fault kind that never fired in a judged schedule.
 */
export function unearned(search: SimSearch, o: SimOptions): string[] {
  const reasons: string[] = [];
  if (search.counterexample) return reasons;
  if (search.judged === 0) reasons.push('no schedule could be judged (nothing acked, or every schedule stuck or failed)');
  else if (search.judged < o.minJudgedShare * search.schedules) {
    const excused = search.assumptionBroken ? `; ${search.assumptionBroken} broke an assumption a claim rests on, so that claim was not judged there (to judge it in every schedule: a kernel lock such as lock=fcntl, or --faults without pause)` : '';
    reasons.push(`${search.judged} of ${search.schedules} schedules judged, below the required ${Math.round(o.minJudgedShare * 100)}%${excused}`);
  }
  for (const kind of o.faults) {
    if (search.judged > 0 && !(search.coverage[kind]?.fired)) reasons.push(`no ${kind} fault fired in a judged schedule`);
  }
  return reasons;
}

/** Searches (or replays) simulated schedules of one strategy and returns the result JSON with its `sim` section. */
export async function runSim(o: SimOptions): Promise<RunResult> {
  const strategy = await loadStrategy(o.strategy);
  if (strategy.definition.foreign) {
    throw badValue('E_BAD_OPTION', '--strategy', o.strategy, 'a strategy written against the strategy API (built-in or plugin): a foreign process (a manifest) does its own I/O, which a simulation cannot drive or persist; test it with `run`');
  }
  if (strategy.definition.ipc) {
    throw badValue('E_BAD_OPTION', '--strategy', o.strategy, `a strategy whose processes share no socket: ${strategy.definition.name}'s writers and committer talk over a ${strategy.definition.ipc}, which the simulation (every role in one process, simulated files and clock) can neither deliver nor cut; test it with \`run\` (power loss included: --faults power-loss on crashfs)`);
  }
  const model = persistenceModels[o.model];
  const setup: SimSetup = {
    strategy, workers: o.workers, records: o.records, payloadBytes: o.payloadBytes, thinkMs: o.thinkMs, seed: o.seed,
    codec: getCodec(o.codec), model, lock: { kind: o.lock, staleMs: o.lockStaleMs, defaultTimeoutMs: o.lockTimeoutMs }, maxSteps: o.maxSteps,
  };
  const runId = newRunId(o.seed);
  const runDir = resolve(o.outDir, runId);
  mkdirSync(runDir, { recursive: true });
  const startedAt = new Date().toISOString();

  const searches: SimSearch[] = [];
  const searchFor = async (target: SearchTarget, path?: string) => {
    const started = performance.now();
    const found = await search({ setup, runs: o.runs, seed: o.seed, faults: o.faults, target, replay: path, ...(o.pctDepth ? { pctDepth: o.pctDepth } : {}) });
    const { counterexample, ...rest } = found;
    searches.push({
      ...rest,
      elapsedMs: Math.round(performance.now() - started),
      ...(counterexample ? { counterexample: { ...counterexample, replay: replayCommand(o, target, counterexample.path) } } : {}),
    });
  };
  if (o.replay) await searchFor(o.replay.target, o.replay.path);
  else {
    await searchFor('claimed');
    const unclaimed = Object.values(strategy.guarantees).some((claimed) => !claimed);
    if (!searches[0]!.counterexample && unclaimed) await searchFor('unclaimed');
  }

  const first = searches[0]!;
  const violation = searches.some((s) => s.target === 'claimed' && s.counterexample);
  const unknownReasons = o.replay ? (first.counterexample ? [] : ['the replayed schedule did not reproduce']) : unearned(first, o);
  const sim: SimSection = {
    strategy: strategy.spec.label, guarantees: strategy.guarantees,
    model: { name: model.name, summary: model.summary, standsFor: model.standsFor, sources: model.sources },
    workers: o.workers, records: o.records, payloadBytes: o.payloadBytes, thinkMs: o.thinkMs, seed: o.seed, runs: o.runs,
    faults: o.faults, lock: { kind: o.lock, staleMs: o.lockStaleMs, timeoutMs: o.lockTimeoutMs }, maxSteps: o.maxSteps,
    mode: o.replay ? 'replay' : 'search',
    verdict: violation ? 'violation' : unknownReasons.length === 0 ? 'pass' : 'unknown',
    minJudgedShare: o.minJudgedShare,
    ...(!violation && unknownReasons.length ? { unknownReasons } : {}),
    searches,
  };
  const result: RunResult = {
    schemaVersion: 1,
    tool: { name: 'parquet-chaos', version: toolVersion() },
    runId, runDir, startedAt, finishedAt: new Date().toISOString(), command: o.command,
    config: {
      strategies: [strategy.spec.label], scenarios: [], workers: o.workers, recordsPerWorker: o.records, payloadBytes: o.payloadBytes,
      thinkMs: o.thinkMs, seed: o.seed, codec: o.codec, cellTimeoutMs: 0, lockStaleMs: o.lockStaleMs, lockTimeoutMs: o.lockTimeoutMs,
      restart: 'retry', faults: o.faults.length ? o.faults.join(',') : 'none', redisUrl: null,
    },
    machine: machineFacts(runDir),
    cells: [],
    interrupted: false,
    sim,
  };
  writeResult(result, join(runDir, 'result.json'));
  return result;
}
