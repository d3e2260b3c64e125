import type { AcquireOptions, Grant } from '../../harness/sdk/ports/lock.js';
import type { TestRecord } from '../../harness/sdk/records.js';
import type { StrategyContext } from '../../harness/sdk/strategy.js';
import type { LockBackendName } from '../../harness/sdk/ports/locks/index.js';
import { isRefusedCommit, unfenced } from '../../harness/sdk/ports/lock.js';
import { join } from 'node:path';
import { MAIN_FILE, readMain, syncPublished, writeMain, type Publish } from './main-file.js';

/** The lock every read-modify-write of data/main.parquet holds (the same name realtime uses). */
export const MAIN_LOCK = 'main';

/** The point mergeIntoMain marks between reading main and writing it. */
export const MAIN_POINTS = ['main:read'] as const;

/**
 * Runs `fn` holding the main lock. A grant's commit refused (E_FENCED: this holder's lease expired and
 * a later holder was granted meanwhile; E_LEASE_LOST: the lease was gone at commit) published nothing:
 * `fn` is run again under a new grant, so it re-reads main and its records are saved after all.
 */
export async function withMainLock<T>(ctx: StrategyContext, backend: LockBackendName, fn: (grant: Grant) => Promise<T>, options: Omit<AcquireOptions, 'backend'> = {}): Promise<T> {
  for (;;) {
    try {
      return await ctx.lock.withLock(MAIN_LOCK, fn, { ...options, backend });
    } catch (error) {
      if (!isRefusedCommit(error)) throw error;
      ctx.log(`main lock: ${(error as Error).message}; redone under a new grant`);
    }
  }
}

/**
 * With the main lock held (or knowingly without it: `grant` undefined): adds the records whose ids
 * main.parquet lacks and republishes it (by default temp + fsync + rename), the publish step under the
 * grant's commit. Deduping by id makes a retried or re-committed record idempotent; when every record
 * is already there, main is fsynced (file and folder) before the caller acks. Returns how many records
 * were added.
 */
export async function mergeIntoMain(ctx: StrategyContext, records: readonly TestRecord[], grant: Pick<Grant, 'commit'> | undefined, publish: Publish = 'rename'): Promise<number> {
  const rows = await readMain(ctx);
  // Between the read and the write: a writer paused here past a lease's stale time writes a stale main.
  await ctx.io.point('main:read');
  const seen = new Set(rows.map((r) => r.id));
  const fresh: TestRecord[] = [];
  for (const record of records) {
    if (seen.has(record.id)) continue;
    seen.add(record.id);
    fresh.push(record);
  }
  if (fresh.length > 0) await writeMain(ctx, [...rows, ...fresh], publish, grant?.commit ?? unfenced);
  // Nothing new: the records are in main, but maybe only in the page cache (see syncPublished).
  else if (records.length > 0) await syncPublished(ctx, join(ctx.dataDir, MAIN_FILE));
  return fresh.length;
}

/** Takes the main lock (waiting as long as the lock port allows) and merges `records` into main. */
export async function commitToMain(ctx: StrategyContext, records: readonly TestRecord[], backend: LockBackendName): Promise<number> {
  return withMainLock(ctx, backend, (grant) => mergeIntoMain(ctx, records, grant));
}
