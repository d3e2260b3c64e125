import { join } from 'node:path';
import * as v from 'valibot';
import { parseOrUndefined } from '../../harness/sdk/schema.js';
import type { StrategyContext } from '../../harness/sdk/strategy.js';
import { ensureDurableDir } from './durable-dir.js';

/**
 * An append-only commit log in the manner of Delta Lake's `_delta_log`: version N is the file
 * `{N zero-padded to 20}.json` under state/_log/, and it is created with put-if-absent.
 *
 * Why this needs no lock, and stays correct where a lease lock does not: a lease lock (proper-lockfile)
 * is taken over once its holder has not refreshed it for the stale time, so a holder paused (SIGSTOP)
 * longer than that resumes believing it still holds the lock while another process holds it too, and
 * one overwrites the other. Here, the only mutual exclusion is per version name, and the kernel
 * decides it atomically at open(O_CREAT | O_EXCL) on a local file system: exactly one create of a
 * name succeeds, the others get EEXIST, however long anyone was paused. A paused writer has either
 * created its entry before pausing (then nobody can take that version away) or it has not (then its
 * create fails with EEXIST when someone else took the version meanwhile, and it tries the next one).
 * No part of it depends on time. (O_EXCL is not dependable on some network file systems; object
 * stores need a conditional put such as S3's If-None-Match, which is what Delta Lake relies on.)
 */

export const CommitEntrySchema = v.object({
  version: v.pipe(v.number(), v.integer(), v.minValue(0)),
  /** Index of the writer whose records this version adds. */
  writer: v.pipe(v.number(), v.integer(), v.minValue(0)),
  processId: v.string(),
  /** Names of the data files (under data/) this version adds. */
  files: v.array(v.string()),
  ids: v.array(v.string()),
});
export type CommitEntry = v.InferOutput<typeof CommitEntrySchema>;

export interface LogSnapshot {
  /** The highest version whose entry exists, committed or torn; -1 for an empty log. */
  latest: number;
  /** Committed versions, in order. */
  entries: CommitEntry[];
  /**
   * Versions whose entry exists but does not parse: its writer died between creating the entry and
   * writing it, before it could ack, so once every writer has ended the commit is aborted. (While
   * writers run, such an entry may still be being written.)
   */
  torn: number[];
}

const ENTRY_NAME = /^(\d{20})\.json$/;

export function logDir(ctx: StrategyContext): string {
  return join(ctx.stateDir, '_log');
}

function entryPath(ctx: StrategyContext, version: number): string {
  return join(logDir(ctx), `${String(version).padStart(20, '0')}.json`);
}

/** The entry of `version`, or undefined when it does not parse or is not that version's (a torn write). */
function parseEntry(bytes: Uint8Array, version: number): CommitEntry | undefined {
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    return undefined;
  }
  const entry = parseOrUndefined(CommitEntrySchema, json);
  return entry?.version === version ? entry : undefined;
}

/** Reads the whole log (creating its folder on first use). */
export async function readCommitLog(ctx: StrategyContext): Promise<LogSnapshot> {
  await ensureDurableDir(ctx, logDir(ctx));
  // Zero-padded names: readdir's sorted order is version order.
  const versions = (await ctx.io.readdir(logDir(ctx)))
    .map((name) => ENTRY_NAME.exec(name)?.[1])
    .filter((digits): digits is string => digits !== undefined)
    .map(Number);
  const snapshot: LogSnapshot = { latest: versions.at(-1) ?? -1, entries: [], torn: [] };
  for (const version of versions) {
    const entry = parseEntry(await ctx.io.readFile(entryPath(ctx, version)), version);
    if (entry) snapshot.entries.push(entry);
    else snapshot.torn.push(version);
  }
  return snapshot;
}

/**
 * Makes `versions`' entries durable (each entry, then the log folder). A log read shows what the page
 * cache holds: an entry whose writer was killed between creating it and its fsync is there, but a power
 * loss may take it. Whoever acts on such an entry (acks its ids) makes it durable first (sim found
 * log-commit acking a killed predecessor's un-synced entry, then losing it).
 */
export async function syncEntries(ctx: StrategyContext, versions: readonly number[]): Promise<void> {
  for (const version of versions) await ctx.io.fsyncFile(entryPath(ctx, version));
  if (versions.length > 0) await ctx.io.fsyncDir(logDir(ctx));
}

export interface CommitOutcome {
  version: number;
  /** Versions found already taken (EEXIST) before this one was created. */
  conflicts: number;
  /** Time from the first attempt to the successful create when there were conflicts, else 0. */
  retryMs: number;
}

/**
 * The first version after `taken` (a version known to exist) whose entry does not exist yet: doubling
 * steps, then bisection. Versions are dense (each is created only after its predecessor was seen to
 * exist, and entries are never removed), so existence is monotone and this takes O(log n) checks where
 * probing one version after another takes n: with 64 writers a writer's known version is ~60 behind,
 * and probing cost 3.8 million failed creates in one cell of 64 × 1,000 records.
 */
async function firstFreeAfter(ctx: StrategyContext, taken: number): Promise<number> {
  let [lo, hi, step] = [taken, taken + 1, 1];
  while (await ctx.io.exists(entryPath(ctx, hi))) {
    lo = hi;
    step *= 2;
    hi = lo + step;
  }
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (await ctx.io.exists(entryPath(ctx, mid))) lo = mid;
    else hi = mid;
  }
  return hi;
}

/**
 * Commits `entry` as the first free version after `after`: tries to create that version's entry
 * exclusively, and on EEXIST (another writer took it) looks for the first free version after it and
 * tries that one. Only the exclusive create decides who owns a version; the search merely picks where
 * to try. Durable on return: the entry is fsynced and so is the log folder. Blind appends never
 * conflict logically, so a lost race only moves the same entry (same data files) to a later version;
 * no file is ever listed by two versions.
 */
export async function commitNext(ctx: StrategyContext, after: number, entry: Omit<CommitEntry, 'version'>): Promise<CommitOutcome> {
  const started = ctx.clock.now();
  for (let version = after + 1; ; version = await firstFreeAfter(ctx, version)) {
    const bytes = new TextEncoder().encode(JSON.stringify({ version, ...entry }));
    try {
      await ctx.io.writeFile(entryPath(ctx, version), bytes, { exclusive: true, fsync: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') continue;
      throw error;
    }
    await ctx.io.fsyncDir(logDir(ctx));
    const conflicts = version - (after + 1);
    return { version, conflicts, retryMs: conflicts > 0 ? ctx.clock.now() - started : 0 };
  }
}
