import * as v from 'valibot';
import { parseWith } from '../sdk/schema.js';
import { getCodec } from '../sdk/codec/index.js';
import { badValue } from '../sdk/errors.js';
import { readJsonFile } from '../result/read-json.js';
import { parseShard } from './shard.js';
import { parseFaultList } from '../sdk/faults.js';
import type { RunConfig } from '../result/result.js';
import { strategyNames } from '../../strategies/index.js';
import { defaultScenarioNames } from '../../scenarios/index.js';

/** The seed's failure modes, kept runnable as options: lost updates, a racing shared buffer, a naive merge. */
export const UNSAFE_VARIANTS = ['realtime:lock=none', 'checkpoint-batch:buffer=shared', 'incremental-file:merge=naive'];

/**
 * The default cell timeout grows with the work: 120 s plus this much per record (workers × records).
 * The slowest cells measured on a 2-core machine ack about 60 records/s overall (16.7 ms a record:
 * the README's `npm start` table, faults included); 20 ms leaves a margin.
 */
export const CELL_TIMEOUT_PER_RECORD_MS = 20;

/** A cell's timeout, ms: the base, plus the per-record allowance for its workers × records. */
export function cellTimeoutMs(config: Pick<RunConfig, 'cellTimeoutMs' | 'cellTimeoutPerRecordMs' | 'workers' | 'recordsPerWorker'>): number {
  return config.cellTimeoutMs + (config.cellTimeoutPerRecordMs ?? 0) * config.workers * config.recordsPerWorker;
}

/** The rule as a person reads it: `120 s + 20 ms × 64 workers × 1000 records = 1400 s`, or `30 s (--timeout)`. */
export function describeCellTimeout(config: Pick<RunConfig, 'cellTimeoutMs' | 'cellTimeoutPerRecordMs' | 'workers' | 'recordsPerWorker'>): string {
  const perRecord = config.cellTimeoutPerRecordMs ?? 0;
  if (perRecord === 0) return `${config.cellTimeoutMs / 1000} s, set by --timeout`;
  return `${config.cellTimeoutMs / 1000} s + ${perRecord} ms × ${config.workers} workers × ${config.recordsPerWorker} records = ${cellTimeoutMs(config) / 1000} s`;
}

/** The run configuration on embedded defaults: every strategy under every scenario at small sizes. */
export function defaultRunConfig(): RunConfig {
  return {
    // Every built-in strategy, then the seed's unsafe variants, so the table shows what goes wrong.
    strategies: [...strategyNames, ...UNSAFE_VARIANTS],
    scenarios: [...defaultScenarioNames],
    workers: 4,
    recordsPerWorker: 20,
    payloadBytes: 256,
    thinkMs: null,
    seed: 1,
    codec: 'hyparquet',
    cellTimeoutMs: 120_000,
    cellTimeoutPerRecordMs: CELL_TIMEOUT_PER_RECORD_MS,
    lockStaleMs: 5_000,
    lockTimeoutMs: 60_000,
    restart: 'retry',
    faults: 'default',
    redisUrl: null,
  };
}

/** Raw option values as strings, by flag name, from a config file or the command line. */
export type RawOptions = Partial<Record<keyof typeof RUN_FLAG_SPECS, string>>;

function positiveInt(flag: string, min = 1, max = 1_000_000) {
  return (raw: string): number => {
    const n = Number(raw);
    if (!/^\d+$/.test(raw.trim()) || n < min || n > max) throw badValue('E_BAD_OPTION', flag, raw, `an integer from ${min} to ${max}`);
    return n;
  };
}

/** One run flag: its value's placeholder and help text, how its string becomes RunConfig fields, and how a config shows it. */
export interface RunFlagSpec {
  value: string;
  describe: string;
  parse(raw: string): Partial<RunConfig>;
  /** The flag's value in a configuration (help prints it as the default). */
  shown(config: RunConfig): string;
}

/** The run flags: the one definition the CLI's options, help text and the config file's keys come from. */
const RUN_FLAG_SPECS = {
  strategy: {
    value: 'LIST', describe: 'strategies, e.g. realtime,realtime:lock=none or ./plugin.js:key=v (see `list`)',
    parse: (raw) => ({ strategies: [raw] }), shown: (c) => c.strategies.join(','),
  },
  scenario: {
    value: 'LIST', describe: 'scenarios, comma-separated (see `list`)',
    parse: (raw) => ({ scenarios: raw.split(',').map((s) => s.trim()).filter(Boolean) }), shown: (c) => c.scenarios.join(','),
  },
  workers: { value: 'N', describe: 'writer processes per cell', parse: (raw) => ({ workers: positiveInt('--workers', 1, 256)(raw) }), shown: (c) => String(c.workers) },
  records: { value: 'N', describe: 'records each writer saves', parse: (raw) => ({ recordsPerWorker: positiveInt('--records', 1, 1_000_000)(raw) }), shown: (c) => String(c.recordsPerWorker) },
  'payload-bytes': { value: 'N', describe: 'payload bytes per record', parse: (raw) => ({ payloadBytes: positiveInt('--payload-bytes', 0, 10_000_000)(raw) }), shown: (c) => String(c.payloadBytes) },
  'think-ms': {
    value: 'MS', describe: "pause between a writer's records (default: the scenario's)",
    parse: (raw) => ({ thinkMs: positiveInt('--think-ms', 0, 600_000)(raw) }), shown: (c) => (c.thinkMs === null ? '' : String(c.thinkMs)),
  },
  seed: { value: 'N', describe: 'seed of every random choice (repeat r of a sweep uses seed + r - 1)', parse: (raw) => ({ seed: positiveInt('--seed', 0, 2 ** 31 - 1)(raw) }), shown: (c) => String(c.seed) },
  codec: { value: 'NAME', describe: 'Parquet codec: hyparquet or parquetjs-lite', parse: (raw) => ({ codec: getCodec(raw).name }), shown: (c) => c.codec },
  timeout: {
    value: 'S', describe: 'cell timeout in seconds; given, it is fixed (the default grows with workers × records)',
    parse: (raw) => ({ cellTimeoutMs: positiveInt('--timeout', 1, 86_400)(raw) * 1000, cellTimeoutPerRecordMs: 0 }),
    shown: (c) => (c.cellTimeoutPerRecordMs ? `${c.cellTimeoutMs / 1000} + ${c.cellTimeoutPerRecordMs / 1000} × workers × records` : String(c.cellTimeoutMs / 1000)),
  },
  'lock-stale': { value: 'MS', describe: "a lock holder silent this long is presumed dead", parse: (raw) => ({ lockStaleMs: positiveInt('--lock-stale', 2000, 600_000)(raw) }), shown: (c) => String(c.lockStaleMs) },
  'lock-timeout': { value: 'MS', describe: 'longest wait for a lock before the attempt fails', parse: (raw) => ({ lockTimeoutMs: positiveInt('--lock-timeout', 1, 3_600_000)(raw) }), shown: (c) => String(c.lockTimeoutMs) },
  restart: {
    value: 'MODE', describe: 'a killed writer: retry (restart, retry its record), skip (restart, skip it) or none',
    parse: (raw) => {
      if (raw !== 'retry' && raw !== 'skip' && raw !== 'none') throw badValue('E_BAD_OPTION', '--restart', raw, 'one of: retry, skip, none');
      return { restart: raw };
    },
    shown: (c) => c.restart,
  },
  faults: {
    value: 'LIST', describe: "none, default (each scenario's) or kind:key=value,…;kind:… (see `list`)",
    parse: (raw) => {
      // Parse now so that a bad fault list is bad usage (exit 2) before anything runs.
      if (raw !== 'none' && raw !== 'default') parseFaultList(raw);
      return { faults: raw };
    },
    shown: (c) => c.faults,
  },
  'redis-url': {
    value: 'URL', describe: 'an existing Redis server (redis://HOST:PORT) instead of one started per cell; never faulted or stopped',
    parse: (raw) => {
      if (!/^rediss?:\/\/[^\s/]+(:\d+)?(\/\d*)?$/.test(raw)) throw badValue('E_BAD_OPTION', '--redis-url', raw, 'redis://HOST:PORT (an existing server; the harness then never stops it)');
      return { redisUrl: raw };
    },
    shown: (c) => c.redisUrl ?? '',
  },
  shard: {
    value: 'I/N', describe: 'run only shard I of N of the planned cells (split balanced by expected cost); join the results with `merge`',
    parse: (raw) => ({ shard: parseShard(raw) }), shown: (c) => (c.shard ? `${c.shard.index}/${c.shard.count}` : ''),
  },
} satisfies Record<string, RunFlagSpec>;

export const RUN_FLAGS = Object.keys(RUN_FLAG_SPECS) as (keyof typeof RUN_FLAG_SPECS)[];

/** The run flags' specs, by name. */
export const runFlagSpecs: Readonly<Record<keyof typeof RUN_FLAG_SPECS, RunFlagSpec>> = RUN_FLAG_SPECS;

/** Applies raw values over a configuration (defaults ← config file ← flags). */
export function applyOptions(base: RunConfig, raw: RawOptions): RunConfig {
  let config = { ...base };
  for (const flag of RUN_FLAGS) {
    const value = raw[flag];
    if (value !== undefined) config = { ...config, ...RUN_FLAG_SPECS[flag].parse(String(value)) };
  }
  return config;
}

/**
 * A JSON config file: an object of flag names to values (`{"workers": 8, "strategy": ["realtime", "queue"]}`);
 * a value is what the flag would take, as a string, number, boolean or list (joined with commas).
 */
export const ConfigFileSchema = v.record(v.string(), v.union([v.string(), v.number(), v.boolean(), v.array(v.union([v.string(), v.number()]))]));

export function readConfigFile(path: string): RawOptions {
  const parsed = readJsonFile(path, 'E_BAD_OPTION', '--config', 'a readable JSON file');
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw badValue('E_BAD_OPTION', '--config', path, 'a JSON object of flag names to values');
  for (const key of Object.keys(parsed)) {
    if (!(RUN_FLAGS as string[]).includes(key)) throw badValue('E_BAD_OPTION', `--config key`, key, `one of: ${RUN_FLAGS.join(', ')}`);
  }
  const config = parseWith(ConfigFileSchema, parsed, `--config ${path}`, 'E_BAD_OPTION');
  return Object.fromEntries(Object.entries(config).map(([key, value]) => [key, Array.isArray(value) ? value.join(',') : String(value)])) as RawOptions;
}
