/**
 * What `npm run mutate` mutates, and the surviving mutants that are real redundancies (each with why).
 * Sites are `file:line:column kind` (harness/sim/mutation.ts); a survivor not listed here fails the run.
 */

/** The built-ins `sim` can run whose claims include noLostAcked (queue: its sink over a file queue). */
export const MUTATED_STRATEGIES = [
  'realtime',
  'checkpoint-batch',
  'incremental-file',
  'lock-upgrade-with-fallback:timeoutMs=1,retries=1',
  'log-commit',
  'append-log',
  'test/fixtures/file-queue.ts',
] as const;

/**
 * `site kind` (any strategy) or `strategy site kind` → why removing or delaying that fsync loses nothing
 * (a redundant step, or an equivalent mutant: a late fsync that still precedes everything that rests on it).
 */
export const KNOWN_REDUNDANT: Record<string, string> = Object.fromEntries(['skip', 'late'].map((kind) => [
  `strategies/shared/main-file.ts:66:16 fsync-file ${kind}`,
  // syncPublished's fsync of main's data, when a retry finds its records already in main.
  'every main.parquet a rename published had its data fsynced before the rename (writeParquet fsyncs the temp first, and a '
  + 'process killed before that fsync never renames): the records a retry finds there are durable already; only the name may '
  + 'not be, which the folder fsync after it makes durable. It matters only for publish=inplace, which claims no noLostAcked',
]));

/** Why a surviving mutant is not a gap, if it is listed. */
export function whyRedundant(strategy: string, site: string, kind: string): string | undefined {
  return KNOWN_REDUNDANT[`${strategy} ${site} ${kind}`] ?? KNOWN_REDUNDANT[`${site} ${kind}`];
}
