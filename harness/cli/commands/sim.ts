/** `parquet-chaos sim`: parses its flags into the simulation's options (the search itself is harness/sim/). */
import { copyFileSync } from 'node:fs';
import { formats } from '../../../reports/index.js';
import type { RunResult } from '../../result/result.js';
import { getCodec } from '../../sdk/codec/index.js';
import { badValue } from '../../sdk/errors.js';
import { modelNames, type ModelName } from '../../sim/models/index.js';
import { SIM_FAULT_KINDS, type SimFaultKind } from '../../sim/run-schedule.js';
import { runSim, SIM_DEFAULTS, type SimOptions } from '../../sim/run-sim.js';
import type { CommandInput, CommandSpec } from '../command.js';
import { OUTPUT_FLAGS, paletteFor, parseFormat } from '../flags.js';

function integer(flag: string, raw: string | undefined, fallback: number, min: number, max: number): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!/^\d+$/.test(raw.trim()) || n < min || n > max) throw badValue('E_BAD_OPTION', flag, raw, `an integer from ${min} to ${max}`);
  return n;
}

function oneOf<T extends string>(flag: string, raw: string | undefined, fallback: T, choices: readonly T[]): T {
  if (raw === undefined) return fallback;
  if (!(choices as readonly string[]).includes(raw)) throw badValue('E_BAD_OPTION', flag, raw, `one of: ${choices.join(', ')}`);
  return raw as T;
}

function faultKinds(raw: string | undefined): SimFaultKind[] {
  if (raw === undefined) return [...SIM_DEFAULTS.faults];
  if (raw === 'none') return [];
  const kinds = raw.split(',').map((k) => k.trim()).filter(Boolean);
  const bad = kinds.find((k) => !(SIM_FAULT_KINDS as readonly string[]).includes(k));
  if (bad !== undefined || kinds.length === 0) throw badValue('E_UNKNOWN_FAULT', '--faults', raw, `none, or a comma list of: ${SIM_FAULT_KINDS.join(', ')}`);
  return [...new Set(kinds)] as SimFaultKind[];
}

/** The simulation's options from the flags given (defaults for the rest). */
export function simOptions(flags: CommandInput['flags'], argv: readonly string[]): SimOptions {
  const v = Object.fromEntries(Object.entries(flags).map(([k, value]) => [k, String(value)])) as Record<string, string | undefined>;
  if (!v.strategy || v.strategy.includes(',') && !/^[^,]+:[^:]*=/.test(v.strategy)) {
    throw badValue('E_USAGE', '--strategy', v.strategy ?? '', 'exactly one strategy spec (e.g. realtime:lock=none or ./my-plugin.js)');
  }
  if (v.target !== undefined && v.replay === undefined) throw badValue('E_USAGE', '--target', v.target, 'only with --replay PATH');
  const options: SimOptions = {
    strategy: v.strategy,
    workers: integer('--workers', v.workers, SIM_DEFAULTS.workers, 1, 16),
    records: integer('--records', v.records, SIM_DEFAULTS.records, 1, 1000),
    runs: integer('--runs', v.runs, SIM_DEFAULTS.runs, 1, 1_000_000),
    seed: integer('--seed', v.seed, SIM_DEFAULTS.seed, 0, 2 ** 31 - 1),
    model: oneOf<ModelName>('--model', v.model, SIM_DEFAULTS.model, modelNames),
    faults: faultKinds(v.faults),
    lock: oneOf('--lock', v.lock, SIM_DEFAULTS.lock, ['lease', 'kernel'] as const),
    lockStaleMs: integer('--lock-stale', v['lock-stale'], SIM_DEFAULTS.lockStaleMs, 1, 600_000),
    lockTimeoutMs: integer('--lock-timeout', v['lock-timeout'], SIM_DEFAULTS.lockTimeoutMs, 1, 3_600_000),
    payloadBytes: integer('--payload-bytes', v['payload-bytes'], SIM_DEFAULTS.payloadBytes, 0, 1_000_000),
    thinkMs: integer('--think-ms', v['think-ms'], SIM_DEFAULTS.thinkMs, 0, 600_000),
    codec: getCodec(v.codec ?? SIM_DEFAULTS.codec).name,
    maxSteps: integer('--max-steps', v['max-steps'], SIM_DEFAULTS.maxSteps, 10, 10_000_000),
    pctDepth: integer('--pct', v.pct, SIM_DEFAULTS.pctDepth, 0, 5),
    minJudgedShare: integer('--min-judged', v['min-judged'], SIM_DEFAULTS.minJudgedShare * 100, 1, 100) / 100,
    ...(v.replay !== undefined ? { replay: { path: v.replay, target: oneOf('--target', v.target, 'claimed', ['claimed', 'unclaimed'] as const) } } : {}),
    outDir: v.out ?? OUTPUT_FLAGS.out.default,
    command: ['parquet-chaos', 'sim', ...argv].join(' '),
  };
  if (options.replay && !/^\d+(:\d+)*$/.test(options.replay.path)) throw badValue('E_BAD_OPTION', '--replay', options.replay.path, 'a counterexample path as printed by sim (e.g. 12:3:0:1)');
  return options;
}

/** 0: no claimed guarantee broken in a judged schedule; 1: one was, or nothing could be judged. */
export function simExitCode(result: RunResult): number {
  return result.sim?.verdict === 'pass' ? 0 : 1;
}

const d = SIM_DEFAULTS;

/** `parquet-chaos sim`: deterministic simulation of one strategy with power loss; search, shrink, replay. */
export const sim = {
  summary: 'simulate one strategy deterministically (interleavings, crashes, power loss): find, shrink and replay a failure',
  flags: {
    strategy: { value: 'SPEC', describe: 'one strategy spec or plugin path (e.g. realtime:lock=none, ./my-plugin.js)' },
    workers: { value: 'N', describe: 'simulated writer processes', default: String(d.workers) },
    records: { value: 'N', describe: 'records per writer', default: String(d.records) },
    runs: { value: 'N', describe: 'schedules to search (fast-check runs) per search', default: String(d.runs) },
    seed: { value: 'N', describe: 'fast-check seed: with --replay, reruns a printed counterexample', default: String(d.seed) },
    model: { value: 'MODEL', describe: `persistence model at a power loss: ${modelNames.join(', ')}`, default: d.model },
    faults: { value: 'LIST', describe: `fault kinds to search: none or a comma list of ${SIM_FAULT_KINDS.join(', ')}`, default: d.faults.join(',') },
    lock: { value: 'KIND', describe: 'the lock kind of acquisitions that name no backend: lease (expires under a paused holder) or kernel (held while paused, freed at death); a strategy\'s lock=file is a lease, lock=fcntl a kernel lock', default: d.lock },
    'lock-stale': { value: 'MS', describe: 'a lease holder paused or dead this long loses the lock', default: String(d.lockStaleMs) },
    'lock-timeout': { value: 'MS', describe: 'default lock wait before E_LOCK_TIMEOUT', default: String(d.lockTimeoutMs) },
    'payload-bytes': { value: 'N', describe: 'payload size of each record', default: String(d.payloadBytes) },
    'think-ms': { value: 'MS', describe: 'simulated pause between a writer\'s records', default: String(d.thinkMs) },
    codec: { value: 'CODEC', describe: 'Parquet codec', default: d.codec },
    'max-steps': { value: 'N', describe: 'a schedule longer than this is unknown', default: String(d.maxSteps) },
    pct: { value: 'D', describe: 'PCT priority schedules for bugs of depth D (1–5: the ready process of highest priority goes, D − 1 priority change points) instead of random picks; 0: random picks', default: String(d.pctDepth) },
    'min-judged': { value: 'PCT', describe: 'a pass needs at least this percentage of the searched schedules judged (and every searched fault kind fired in one)', default: String(d.minJudgedShare * 100) },
    replay: { value: 'PATH', describe: 'replay the counterexample at this fast-check path (printed by sim) instead of searching' },
    target: { value: 'T', describe: 'with --replay: claimed or unclaimed, as printed', default: 'claimed' },
    ...OUTPUT_FLAGS,
  },
  async run({ flags, argv }, io) {
    const format = parseFormat(flags.format);
    const result = await runSim(simOptions(flags, argv));
    if (flags.json !== undefined) copyFileSync(`${result.runDir}/result.json`, String(flags.json));
    io.out(formats[format](result, paletteFor(io)));
    return simExitCode(result);
  },
} satisfies CommandSpec;
