import type { TestRecord } from '../../harness/sdk/records.js';
import type { StrategyContext } from '../../harness/sdk/strategy.js';
import type { LockBackendName } from '../../harness/sdk/ports/locks/index.js';
import { readMain, writeMain, type Publish } from './main-file.js';

/** The lock every read-modify-write of data/main.parquet holds (the same name realtime uses). */
export const MAIN_LOCK = 'main';

/** The point mergeIntoMain marks between reading main and writing it. */
export const MAIN_POINTS = ['main:read'] as const;

/**
 * With the main lock held (or knowingly without it): adds the records whose ids main.parquet lacks and
 * republishes it (by default temp + fsync + rename). Deduping by id makes a retried or re-committed
 * record idempotent. Returns how many records were added.
 */
export async function mergeIntoMain(ctx: StrategyContext, records: readonly TestRecord[], publish: Publish = 'rename'): Promise<number> {
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
  if (fresh.length > 0) await writeMain(ctx, [...rows, ...fresh], publish);
  return fresh.length;
}

/** Takes the main lock (waiting as long as the lock port allows) and merges `records` into main. */
export async function commitToMain(ctx: StrategyContext, records: readonly TestRecord[], backend: LockBackendName): Promise<number> {
  return ctx.lock.withLock(MAIN_LOCK, () => mergeIntoMain(ctx, records), { backend });
}
