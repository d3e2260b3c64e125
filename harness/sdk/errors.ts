/**
 * Every error the harness raises on purpose carries a stable `code`, the option or input it is about,
 * the value it was given and what was expected, so that a message can always say all three.
 */
export type ChaosErrorCode =
  | 'E_USAGE'
  | 'E_UNKNOWN_STRATEGY'
  | 'E_UNKNOWN_SCENARIO'
  | 'E_UNKNOWN_FORMAT'
  | 'E_UNKNOWN_FAULT'
  | 'E_BAD_OPTION'
  | 'E_PLUGIN'
  | 'E_CODEC'
  | 'E_LOCK_TIMEOUT'
  | 'E_INJECTED_IO'
  | 'E_CELL_TIMEOUT'
  | 'E_ROLE_FAILED'
  | 'E_CHECK';

export interface ChaosErrorDetails {
  option?: string;
  value?: unknown;
  expected?: string;
  cause?: unknown;
}

export class ChaosError extends Error {
  readonly code: ChaosErrorCode;
  readonly option: string | undefined;
  readonly value: unknown;
  readonly expected: string | undefined;

  constructor(code: ChaosErrorCode, message: string, details: ChaosErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'ChaosError';
    this.code = code;
    this.option = details.option;
    this.value = details.value;
    this.expected = details.expected;
  }
}

/** "--workers: got 'x', expected a positive integer" — the one shape every bad-input message takes. */
export function badValue(code: ChaosErrorCode, option: string, value: unknown, expected: string, cause?: unknown): ChaosError {
  const shown = typeof value === 'string' ? `'${value}'` : JSON.stringify(value);
  return new ChaosError(code, `${option}: got ${shown}, expected ${expected}`, { option, value, expected, cause });
}

/** Libraries such as parquetjs-lite throw plain strings; normalise anything thrown into an Error. */
export function asError(thrown: unknown): Error {
  if (thrown instanceof Error) return thrown;
  return new Error(typeof thrown === 'string' ? thrown : JSON.stringify(thrown));
}
