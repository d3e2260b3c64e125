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
  /** A Parquet file that decodes but whose columns cannot be mapped to a record's (a column missing or of a type that cannot hold its values). */
  | 'E_SCHEMA'
  | 'E_LOCK_TIMEOUT'
  /** A fenced commit refused: a later grant of the lock reached the destination first (the holder redoes its work). */
  | 'E_FENCED'
  /** A lease's commit refused: its check by token found the lease gone (expired under its holder); the holder redoes its work. */
  | 'E_LEASE_LOST'
  | 'E_INJECTED_IO'
  | 'E_CELL_TIMEOUT'
  | 'E_ROLE_FAILED'
  | 'E_STRATEGY_CONTRACT'
  /** A foreign strategy process broke the writer protocol (docs/protocol.md): the cell is `unknown`. */
  | 'E_PROTOCOL'
  /** What a foreign strategy needs (an interpreter, a module) is missing here: bad setup, said before any cell. */
  | 'E_REQUIRES'
  | 'E_CHECK'
  | 'E_SERVICE'
  | 'E_SERVICE_TIMEOUT'
  | 'E_SERVICE_DOWN'
  | 'E_MERGE'
  /** An output location that cannot be written (checked before the first cell): bad usage. */
  | 'E_OUTPUT'
  /** The disk failed under the harness's own files (ENOSPC, EIO): the run stopped, what was measured is kept. */
  | 'E_DISK'
  /** A power loss was asked for where FUSE (or what builds the crashfs daemon) is missing: named, before the first cell. */
  | 'E_FUSE'
  /** The power-loss layer failed in a cell (a daemon died, the model could not follow an operation). */
  | 'E_POWER_LOSS';

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

/** Edit distance counting an adjacent swap as one edit (optimal string alignment). */
function editDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i]![j] = Math.min(d[i]![j]!, d[i - 2]![j - 2]! + 1);
    }
  }
  return d[a.length]![b.length]!;
}

/** The candidate closest to a mistyped name, if one is close enough to be what was meant (a third of its letters at most). */
export function closestName(name: string, candidates: readonly string[]): string | undefined {
  let best: { candidate: string; distance: number } | undefined;
  for (const candidate of candidates) {
    const distance = editDistance(name.toLowerCase(), candidate.toLowerCase());
    if (distance <= Math.max(1, Math.floor(candidate.length / 3)) && (!best || distance < best.distance)) best = { candidate, distance };
  }
  return best?.candidate;
}
