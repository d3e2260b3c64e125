import { join } from 'node:path';
import { ChaosError } from '../harness/sdk/errors.js';
import { defineStrategy, integer, lockOption, lockAssumptions, lockServices, type StrategyContext } from '../harness/sdk/strategy.js';
import type { LockBackendName } from '../harness/sdk/ports/locks/index.js';
import { isRefusedCommit, type Grant } from '../harness/sdk/ports/lock.js';
import { ensureDurableDir } from './shared/durable-dir.js';
import { PUBLISH_POINTS, writeParquet } from './shared/main-file.js';
import { MAIN_POINTS, mergeIntoMain, withMainLock } from './shared/merge-main.js';

const FALLBACK_DIR = 'fallback';

const fallbackDir = (ctx: StrategyContext) => join(ctx.dataDir, FALLBACK_DIR);

/**
 * Tries the main lock `attempts` times, each for `timeoutMs`, and runs `fn` holding it; false when every
 * try timed out. An error from `fn` itself is never taken for a timeout.
 */
async function withMainLockBriefly(ctx: StrategyContext, timeoutMs: number, attempts: number, backend: LockBackendName, fn: (grant: Grant) => Promise<unknown>): Promise<boolean> {
  for (let i = 0; i < attempts; i++) {
    let held = false;
    try {
      await withMainLock(ctx, backend, async (grant) => {
        held = true;
        try {
          return await fn(grant);
        } catch (error) {
          // A refused commit is retried under a new grant, whose wait may time out like the first.
          if (isRefusedCommit(error)) held = false;
          throw error;
        }
      }, { timeoutMs });
      return true;
    } catch (error) {
      if (held || !(error instanceof ChaosError && error.code === 'E_LOCK_TIMEOUT')) throw error;
    }
  }
  return false;
}

/**
 * Moves every fallback record into main, crash-safely: main is published with the fallback rows first
 * (deduped by id), and only then are the fallback files deleted. A crash in between leaves each such row
 * twice, and running this again adds nothing to main and deletes the files: one copy per id.
 */
async function reconcileFallbacks(ctx: StrategyContext, backend: LockBackendName): Promise<void> {
  const dir = fallbackDir(ctx);
  if (!(await ctx.io.exists(dir))) return;
  const files = (await ctx.io.readdir(dir)).filter((name) => name.endsWith('.parquet')).map((name) => join(dir, name));
  // None left: a finalize killed before its folder fsync may have deleted them in the page cache only.
  if (files.length === 0) return ctx.io.fsyncDir(dir);
  await withMainLock(ctx, backend, async (grant) => {
    const rows = [];
    for (const file of files) rows.push(...(await ctx.codec.decode(await ctx.io.readFile(file))));
    await mergeIntoMain(ctx, rows, grant);
    await ctx.io.point('reconcile:main-written');
    for (const file of files) await ctx.io.unlink(file);
    await ctx.io.fsyncDir(dir);
  });
  ctx.log(`reconciled ${files.length} fallback files into main`);
}

/**
 * The seed's remedy 4, "smart lock upgrade": realtime's locked read-modify-write of data/main.parquet, but
 * the lock is only tried briefly; when it cannot be had the record is saved (and acked) in its own
 * fallback file, which finalize folds into main.
 */
export const lockUpgradeWithFallback = defineStrategy({
  name: 'lock-upgrade-with-fallback',
  summary: 'Tries the main-file lock with a short timeout and a few retries; on failure saves the record to data/fallback/, reconciled into main by finalize.',
  options: {
    // The seed waits 5 s per try; here a whole contended run lasts about a second, so 50 ms is the same
    // "short compared with normal waits" scale.
    timeoutMs: integer(50, 'how long each try waits for the main lock, ms (the seed\'s 5 s, scaled to this harness)', 1),
    retries: integer(3, 'tries at the lock before falling back (the seed\'s max_retries: 3 means three tries in all)', 1),
    lock: lockOption(),
  },
  guarantees: () => ({ noLostAcked: true, noDuplicates: true, noCorruption: true }),
  services: (o) => lockServices(o.lock),
  assumes: (o) => lockAssumptions(o.lock),
  points: [...PUBLISH_POINTS, ...MAIN_POINTS, 'reconcile:main-written'],
  writer: (ctx, o) => ({
    async open() {
      await ensureDurableDir(ctx, fallbackDir(ctx));
    },
    async write(record) {
      // Deduped against main only: a retried id may also sit in a fallback file until finalize.
      if (await withMainLockBriefly(ctx, o.timeoutMs, o.retries, o.lock, (grant) => mergeIntoMain(ctx, [record], grant))) return [record.id];
      const path = join(fallbackDir(ctx), `${ctx.role.processId}_${record.seq}.parquet`);
      await writeParquet(ctx, path, [record], 'rename');
      ctx.count('fallbacks');
      ctx.log(`fallback ${record.id} -> ${path} after ${o.retries} tries of ${o.timeoutMs} ms`);
      return [record.id];
    },
  }),
  finalize: (ctx, o) => reconcileFallbacks(ctx, o.lock),
});
