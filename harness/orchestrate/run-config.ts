import { getCodec } from '../sdk/codec/index.js';
import { badValue } from '../sdk/errors.js';
import { readJsonFile } from '../result/read-json.js';
import { parseFaultList } from '../sdk/faults.js';
import type { RunConfig } from '../result/result.js';
import { strategyNames } from '../../strategies/index.js';
import { scenarioNames } from '../../scenarios/index.js';

/** The seed's failure modes, kept runnable as options: lost updates, a racing shared buffer, a naive merge. */
export const UNSAFE_VARIANTS = ['realtime:lock=none', 'checkpoint-batch:buffer=shared', 'incremental-file:merge=naive'];

/** The run configuration on embedded defaults: every strategy under every scenario at small sizes. */
export function defaultRunConfig(): RunConfig {
  return {
    // Every built-in strategy, then the seed's unsafe variants, so the table shows what goes wrong.
    strategies: [...strategyNames, ...UNSAFE_VARIANTS],
    scenarios: [...scenarioNames],
    workers: 4,
    recordsPerWorker: 20,
    payloadBytes: 256,
    thinkMs: null,
    seed: 1,
    codec: 'hyparquet',
    cellTimeoutMs: 120_000,
    lockStaleMs: 5_000,
    lockTimeoutMs: 60_000,
    restart: 'retry',
    faults: 'default',
  };
}

/** Raw option values as strings, by flag name, from a config file or the command line. */
export type RawOptions = Partial<Record<keyof typeof FLAG_PARSERS, string>>;

function positiveInt(flag: string, min = 1, max = 1_000_000) {
  return (raw: string): number => {
    const n = Number(raw);
    if (!/^\d+$/.test(raw.trim()) || n < min || n > max) throw badValue('E_BAD_OPTION', flag, raw, `an integer from ${min} to ${max}`);
    return n;
  };
}

/** Each flag: how its string becomes a RunConfig field. */
const FLAG_PARSERS = {
  strategy: (raw: string) => ({ strategies: [raw] }),
  scenario: (raw: string) => ({ scenarios: raw.split(',').map((s) => s.trim()).filter(Boolean) }),
  workers: (raw: string) => ({ workers: positiveInt('--workers', 1, 256)(raw) }),
  records: (raw: string) => ({ recordsPerWorker: positiveInt('--records', 1, 1_000_000)(raw) }),
  'payload-bytes': (raw: string) => ({ payloadBytes: positiveInt('--payload-bytes', 0, 10_000_000)(raw) }),
  'think-ms': (raw: string) => ({ thinkMs: positiveInt('--think-ms', 0, 600_000)(raw) }),
  seed: (raw: string) => ({ seed: positiveInt('--seed', 0, 2 ** 31 - 1)(raw) }),
  codec: (raw: string) => ({ codec: getCodec(raw).name }),
  timeout: (raw: string) => ({ cellTimeoutMs: positiveInt('--timeout', 1, 86_400)(raw) * 1000 }),
  'lock-stale': (raw: string) => ({ lockStaleMs: positiveInt('--lock-stale', 2000, 600_000)(raw) }),
  'lock-timeout': (raw: string) => ({ lockTimeoutMs: positiveInt('--lock-timeout', 1, 3_600_000)(raw) }),
  restart: (raw: string) => {
    if (raw !== 'retry' && raw !== 'skip' && raw !== 'none') throw badValue('E_BAD_OPTION', '--restart', raw, 'one of: retry, skip, none');
    return { restart: raw };
  },
  faults: (raw: string) => {
    // Parse now so that a bad fault list is bad usage (exit 2) before anything runs.
    if (raw !== 'none' && raw !== 'default') parseFaultList(raw);
    return { faults: raw };
  },
} satisfies Record<string, (raw: string) => Partial<RunConfig>>;

export const RUN_FLAGS = Object.keys(FLAG_PARSERS) as (keyof typeof FLAG_PARSERS)[];

/** Applies raw values over a configuration (defaults ← config file ← flags). */
export function applyOptions(base: RunConfig, raw: RawOptions): RunConfig {
  let config = { ...base };
  for (const flag of RUN_FLAGS) {
    const value = raw[flag];
    if (value !== undefined) config = { ...config, ...FLAG_PARSERS[flag](String(value)) };
  }
  return config;
}

/** A JSON config file: keys are flag names (`{"workers": 8, "strategy": "realtime"}`). */
export function readConfigFile(path: string): RawOptions {
  const parsed = readJsonFile(path, 'E_BAD_OPTION', '--config', 'a readable JSON file');
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw badValue('E_BAD_OPTION', '--config', path, 'a JSON object of flag names to values');
  const raw: Record<string, string> = {};
  for (const [key, value] of Object.entries(parsed)) {
    if (!(RUN_FLAGS as string[]).includes(key)) throw badValue('E_BAD_OPTION', `--config key`, key, `one of: ${RUN_FLAGS.join(', ')}`);
    raw[key] = Array.isArray(value) ? value.join(',') : String(value);
  }
  return raw as RawOptions;
}
