import { badValue } from '../../sdk/errors.js';
import { readJsonFile } from '../../result/read-json.js';
import type { RunResult } from '../../result/result.js';

/** Reads a saved result JSON for re-rendering; only schema version 1 is understood. */
export function readResult(path: string): RunResult {
  const parsed = readJsonFile(path, 'E_USAGE', 'report', 'a readable result JSON file (runs/<id>/result.json)');
  const version = (parsed as { schemaVersion?: unknown } | null)?.schemaVersion;
  if (version !== 1) throw badValue('E_USAGE', `${path}: schemaVersion`, version ?? null, 'schemaVersion 1 (a parquet-chaos result)');
  return parsed as RunResult;
}
