import { readFileSync } from 'node:fs';
import { badValue, type ChaosErrorCode } from '../sdk/errors.js';

/** Parses a JSON file the user named; a missing or malformed one is bad input naming the option. */
export function readJsonFile(path: string, code: ChaosErrorCode, option: string, expected: string): unknown {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (cause) {
    throw badValue(code, option, path, expected, cause);
  }
}
