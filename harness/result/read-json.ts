import { measureDefinitions } from '../analyze/gate.js';
import { readFileSync } from 'node:fs';
import { badValue, type ChaosErrorCode } from '../sdk/errors.js';
import type { GateBaseline, GateResult } from './gate-result.js';

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
  // Numbers measured under other definitions are not comparable: refused, naming what changed.
  const now = measureDefinitions();
  const saved = (data.definitions ?? {}) as Record<string, string>;
  const differing = [...new Set([...Object.keys(now), ...Object.keys(saved)])].filter((k) => now[k] !== saved[k]);
  if (differing.length > 0) {
    throw badValue('E_BAD_OPTION', '--baseline', path, `a baseline whose metrics mean what this tool's mean; ${differing.map((k) => `${k}: saved ${saved[k] === undefined ? '(no definition)' : `"${saved[k]}"`}, now ${now[k] === undefined ? '(not measured)' : `"${now[k]}"`}`).join('; ')}: save the baseline again with this version`);
  }
  return data as GateBaseline;
}

/** A gate's JSON (`gate --json FILE`), e.g. one shard's; anything else is bad input naming the file. */
export function readGateResult(path: string): GateResult {
  const expected = 'a gate result written by parquet-chaos gate --json (schemaVersion 1)';
  const data = readJsonFile(path, 'E_USAGE', 'merge', expected) as Partial<GateResult> | null;
  const fine = data !== null && typeof data === 'object' && data.kind === 'gate' && data.schemaVersion === 1
    && typeof data.config === 'object' && Array.isArray(data.cells) && Array.isArray(data.controls) && Array.isArray(data.runs)
    && typeof data.machine === 'object' && typeof data.tool === 'object';
  if (!fine) throw badValue('E_USAGE', 'merge', path, expected);
  return data as GateResult;
}
