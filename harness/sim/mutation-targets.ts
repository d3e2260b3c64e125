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
const FINALIZE_LAST = 'equivalent: finalize\'s last step; made late it runs when finalize ends, still before the power loss '
  + 'every schedule ends with, and nothing is acked after it (a finalize killed before it runs again and does it)';

export const KNOWN_REDUNDANT: Record<string, string> = {
  ...Object.fromEntries(['skip', 'late'].map((kind) => [
    `strategies/shared/main-file.ts:66:16 fsync-file ${kind}`,
    // syncPublished's fsync of main's data, when a retry finds its records already in main.
    'redundant: every main.parquet a rename published had its data fsynced before the rename (writeParquet fsyncs the temp first, '
    + 'and a process killed before that fsync never renames): the records a retry finds there are durable already; only the name '
    + 'may not be, which the folder fsync after it makes durable. It matters only for publish=inplace, which claims no noLostAcked',
  ])),
  ...Object.fromEntries(['skip', 'late'].map((kind) => [
    `incremental-file strategies/shared/incremental-merge.ts:78:39 fsync-dir ${kind}`,
    'redundant since finalize fsyncs data/incremental after its last fold (incremental-file.ts:93): inputs a power loss brings '
    + 'back before then are folded again (deduplicated by id) and deleted; kept so that a merger\'s deletions do not wait for finalize',
  ])),
  ...Object.fromEntries(['skip', 'late'].map((kind) => [
    `incremental-file strategies/shared/main-file.ts:67:16 fsync-dir ${kind}`,
    // syncPublished's folder fsync, when a retry finds its records already in main.
    'redundant in this strategy: every process that publishes main starts with ensureDurableDir of data/incremental, '
    + 'which fsyncs data/ itself, so a restarted process has made main\'s name durable before it can find its records there '
    + '(realtime and checkpoint-batch need it: their mutants are killed; so does lock-upgrade-with-fallback\'s finalize, which '
    + 'makes no folder first: its skip mutant is killed where a restarted finalize finds its fallback rows in main)',
  ])),
  'lock-upgrade-with-fallback:timeoutMs=1,retries=1 strategies/shared/main-file.ts:67:16 fsync-dir late': 'equivalent in this '
    + 'strategy: a writer that finds its records in main made main\'s name durable first (ensureDurableDir of data/fallback fsyncs '
    + 'data/); in finalize the fsync moves past one operation, the first fallback file\'s unlink, which becomes durable only with '
    + 'the fallback folder\'s fsync, later still',
  'append-log strategies/shared/main-file.ts:56:16 fsync-dir late': 'equivalent in append-log: the part\'s name becomes durable '
    + 'one operation later, after the first segment unlink; but those unlinks become durable only with the segment folder\'s '
    + 'fsync, later still, so a power loss in between brings the segments back with the part',
  ...Object.fromEntries(['skip', 'late'].map((kind) => [`strategies/shared/segment-compactor.ts:104:23 fsync-dir ${kind}`,
    'redundant: removing compacted segments need not be durable: a segment a power loss brings back is folded again and its '
    + 'records dropped as already in a part (the compactor learns the parts\' ids), and segments are not part of the dataset'])),
  ...Object.fromEntries(['skip', 'late'].map((kind) => [`strategies/shared/segment-compactor.ts:47:18 fsync-dir ${kind}`,
    'redundant: every writer creates the segment folder and fsyncs its parent itself before its first append (segment-log.ts:83); '
    + 'the compactor\'s copy of that step only matters for a folder no writer appends to'])),
  'strategies/shared/segment-compactor.ts:61:51 fsync-dir late': 'equivalent: made late it runs after the next operation (a read), '
    + 'still before the compactor removes any segment on the word of the parts it found',
  ...Object.fromEntries(['strategies/shared/segment-log.ts:145:25 fsync-dir late', 'strategies/shared/segment-log.ts:83:23 fsync-dir late'].map((key) => [key,
    'equivalent: the folder fsync moves past one operation of the writer (its first append, or the listing of its folder), and '
    + 'still runs before the append call returns and the record is acked'])),
  ...Object.fromEntries(['skip', 'late'].map((kind) => [`strategies/shared/queue-consumer.ts:36:18 fsync-file ${kind}`,
    'redundant, as main-file.ts:66: every part was published by rename after its data was fsynced; only its name needs the '
    + 'folder fsync that follows (queue-consumer.ts:39, whose skip mutant is killed)'])),
  'strategies/shared/queue-consumer.ts:39:31 fsync-dir late': 'equivalent: openSink\'s folder fsync moves past one operation, '
    + 'the queue\'s listing of its entries in the claim that follows (a read), and still runs before any queue entry is deleted on '
    + 'the word of the parts it made durable; a crash before it runs repeats openSink, and a power loss before it has deleted nothing '
    + '(1,258 schedules, seed 7, found nothing)',
  'strategies/incremental-file.ts:93:20 fsync-dir late': FINALIZE_LAST,
  'strategies/lock-upgrade-with-fallback.ts:57:18 fsync-dir late': FINALIZE_LAST,
  'strategies/lock-upgrade-with-fallback.ts:50:41 fsync-dir late': FINALIZE_LAST,
  'strategies/log-commit.ts:109:18 fsync-dir late': FINALIZE_LAST,
  'log-commit strategies/shared/main-file.ts:48:16 fsync-file late': 'equivalent in log-commit: a data file counts only once a '
    + 'committed log version lists it, and the commit comes after the late fsync; a data file a power loss tears before then is '
    + 'an orphan finalize deletes',
  'strategies/shared/commit-log.ts:140:20 fsync-file late': 'equivalent: the entry\'s fsync moves after the log folder\'s fsync, '
    + 'still before commitNext returns and the ack; a power loss between them leaves an entry that does not parse, an aborted '
    + 'commit whose records were never acked',
  ...Object.fromEntries(['strategies/shared/commit-log.ts:93:48 fsync-file late', 'strategies/shared/commit-log.ts:94:41 fsync-dir late'].map((key) => [key,
    'equivalent: syncEntries runs when a writer opens; made late, each fsync moves past one more operation of that opening, '
    + 'still before the writer acks any retried id'])),
  'strategies/shared/durable-dir.ts:14:16 fsync-dir late': 'equivalent: the parent\'s fsync of a new folder moves past one operation, '
    + 'and no caller acks anything right after ensureDurableDir: a file in the folder is acked only after its own writes and the '
    + 'folder\'s own fsync, later, so the parent is still fsynced before any ack rests on the folder',
};

/** Why a surviving mutant is not a gap, if it is listed. */
export function whyRedundant(strategy: string, site: string, kind: string): string | undefined {
  return KNOWN_REDUNDANT[`${strategy} ${site} ${kind}`] ?? KNOWN_REDUNDANT[`${site} ${kind}`];
}
