import { readFileSync } from 'node:fs';
import { badValue } from '../errors.js';
import type { RunResult } from '../result.js';

/** Reads a saved result JSON for re-rendering; only schema version 1 is understood. */
export function readResult(path: string): RunResult {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (cause) {
    throw badValue('E_USAGE', 'report', path, 'a readable result JSON file (runs/<id>/result.json)', cause);
  }
  const version = (parsed as { schemaVersion?: unknown } | null)?.schemaVersion;
  if (version !== 1) throw badValue('E_USAGE', `${path}: schemaVersion`, version ?? null, 'schemaVersion 1 (a parquet-chaos result)');
  return parsed as RunResult;
}
