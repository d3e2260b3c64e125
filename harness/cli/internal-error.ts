/**
 * An error that is the tool's own fault (a bug in parquet-chaos, not in the user's strategy, input or
 * machine): it exits with its own code, so that CI can tell it from a broken guarantee (1) or bad usage
 * (2), and its message says so, with where the measurement that came before it was saved.
 */

/** EX_SOFTWARE of sysexits.h: "an internal software error has been detected". */
export const INTERNAL_ERROR_EXIT = 70;

export class InternalError extends Error {
  constructor(readonly original: unknown, readonly savedAt?: string) {
    super(String((original as Error)?.message ?? original), { cause: original });
    this.name = 'InternalError';
  }
}

/** Runs a step that comes after the measurement (rendering a report): a failure there names where the result is. */
export function afterMeasurement<T>(savedAt: string, step: () => T): T {
  try {
    return step();
  } catch (error) {
    throw new InternalError(error, savedAt);
  }
}

/** The message for an internal error: whose fault it is, what was kept, and what to send in a report. */
export function internalErrorMessage(error: unknown): string {
  const saved = error instanceof InternalError ? error.savedAt : undefined;
  const original = error instanceof InternalError ? error.original : error;
  const stack = (original as Error)?.stack ?? String(original);
  return [
    `parquet-chaos: internal error, a bug in parquet-chaos (not in your strategy, input or machine): ${String((original as Error)?.message ?? original)}`,
    ...(saved ? [`The measurement was saved before it: ${saved}`] : []),
    `Please report it with this stack (exit code ${INTERNAL_ERROR_EXIT}):`,
    stack,
  ].join('\n');
}
