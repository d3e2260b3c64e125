import { readFileSync } from 'node:fs';
import { badValue, type ChaosErrorCode } from '../sdk/errors.js';
import type { GateBaseline } from './gate-result.js';

/** Parses a JSON file the user named; a missing or malformed one is bad input naming the option. */
export function readJsonFile(path: string, code: ChaosErrorCode, option: string, expected: string): unknown {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (cause) {
    throw badValue(code, option, path, expected, cause);
  }
}

/** A baseline saved by `gate --save-baseline`; anything else is bad input naming --baseline. */
export function readGateBaseline(path: string): GateBaseline {
  const expected = 'a baseline saved by parquet-chaos gate --save-baseline (schemaVersion 1)';
  const data = readJsonFile(path, 'E_BAD_OPTION', '--baseline', expected) as Partial<GateBaseline> | null;
  const fine = data !== null && typeof data === 'object' && data.kind === 'gate-baseline' && data.schemaVersion === 1
    && typeof data.strategy === 'string' && Array.isArray(data.scenarios) && Array.isArray(data.workers) && Array.isArray(data.samples)
    && typeof data.run === 'object' && typeof data.machine === 'object' && Number.isInteger(data.repeat);
  if (!fine) throw badValue('E_BAD_OPTION', '--baseline', path, expected);
  return data as GateBaseline;
}
