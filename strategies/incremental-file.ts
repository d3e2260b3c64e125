import { join } from 'node:path';
import type { TestRecord } from '../harness/sdk/records.js';
import { choice, defineStrategy, integer, lockOption, lockAssumptions, lockServices } from '../harness/sdk/strategy.js';
import { sleepUnlessAborted } from './shared/abortable-sleep.js';
import { foldIncremental, incrementalDir, MERGE_POINTS } from './shared/incremental-merge.js';
import { PUBLISH_POINTS, removeStaleTemps, writeParquet } from './shared/main-file.js';
import { ensureDurableDir } from './shared/durable-dir.js';
import { MAIN_POINTS, withMainLock } from './shared/merge-main.js';

/** `yyyymmdd_HHMMSS` in UTC, the seed's timestamp in file names. */
function fileStamp(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:]/g, '').replace('T', '_').slice(0, 15);
}

/**
 * The seed's remedy 2 on its protection 2: every result (or every `every` results) goes into its own
 * file data/incremental/{processId}_{yyyymmdd_HHMMSS}_{first id}_{attempt}.parquet, and a merger process folds
 * those files into data/main.parquet. With `publish=inplace` or `merge=naive` it reproduces the seed's
 * scenario 2 (a merger half-reads a file being written, or cleans up files it never merged).
 */
export const incrementalFile = defineStrategy({
  name: 'incremental-file',
  summary: 'Each record (or batch) is published as its own file under data/incremental/; a merger folds them into data/main.parquet.',
  options: {
    every: integer(1, 'records per incremental file; buffered records are acked when their file is published', 1, 100_000),
    mergeEveryMs: integer(200, 'pause between the merger\'s folds, ms', 1, 3_600_000),
    publish: choice(['rename', 'inplace'] as const, 'rename', 'rename: temp + fsync + rename + dir fsync; inplace: write the .parquet file under its final name (a crash leaves a half-written file)'),
    merge: choice(['safe', 'naive'] as const, 'safe', 'safe: delete only the files merged; naive: list again after merging and delete everything (loses files that arrived meanwhile)'),
    lock: lockOption(),
  },
  guarantees: (o) => ({
    noLostAcked: o.merge === 'safe',
    // Every fold dedupes by id, so neither a retried id nor a fold repeated after a crash is kept twice.
    noDuplicates: true,
    noCorruption: o.publish === 'rename',
  }),
  services: (o) => lockServices(o.lock),
  assumes: (o) => lockAssumptions(o.lock),
  points: [...PUBLISH_POINTS, ...MAIN_POINTS, ...MERGE_POINTS],
  writer: (ctx, o) => {
    let buffer: TestRecord[] = [];
    let attempts = 0;
    const publish = async (): Promise<readonly string[]> => {
      const first = buffer[0];
      if (!first) return [];
      // processId is unique per process, and so is the attempt number within it: names never collide.
      // A failed publish may have left its file visible (it failed after the rename) and a merger may
      // fold and delete that name at any moment; retrying under the same name would let the merger
      // delete the retry's new rows unread (sim found it: an I/O error, then a lost ack).
      const name = `${ctx.role.processId}_${fileStamp(ctx.clock.now())}_${first.id}_${attempts++}.parquet`;
      await writeParquet(ctx, join(incrementalDir(ctx), name), buffer, o.publish);
      // Cleared only once published: a failed publish is retried with the next write.
      const ids = buffer.map((r) => r.id);
      buffer = [];
      return ids;
    };
    return {
      open: () => ensureDurableDir(ctx, incrementalDir(ctx)),
      async write(record) {
        buffer.push(record);
        return buffer.length >= o.every ? publish() : [];
      },
      close: publish,
    };
  },
  roles: {
    // Its first fold is its recovery: a fold is idempotent (see shared/incremental-merge.ts).
    merger: (ctx, o) => ({
      async run(signal) {
        await ensureDurableDir(ctx, incrementalDir(ctx));
        while (!signal.aborted) {
          try {
            // Under the main lock: two folds at once could each publish a main missing the other's inputs.
            await withMainLock(ctx, o.lock, (grant) => foldIncremental(ctx, o.merge, grant));
          } catch (error) {
            // A failed fold leaves main and its inputs consistent; the next round folds them again.
            ctx.log(`merge failed: ${String((error as Error)?.message ?? error)}`);
          }
          await sleepUnlessAborted(ctx.clock, o.mergeEveryMs, signal);
        }
      },
    }),
  },
  async finalize(ctx, o) {
    await ensureDurableDir(ctx, incrementalDir(ctx));
    await withMainLock(ctx, o.lock, async (grant) => {
      // No writer or merger runs any more: a temp left now is a dead process's.
      await removeStaleTemps(ctx, [ctx.dataDir, incrementalDir(ctx)]);
      await foldIncremental(ctx, o.merge, grant);
      // The last fold's deletions made durable even when it found nothing to fold: a finalize killed
      // between its unlinks and its folder fsync leaves them in the page cache only, and a power loss
      // would bring its inputs back beside main as duplicates (sim found it, mutation testing's run).
      await ctx.io.fsyncDir(incrementalDir(ctx));
    });
  },
});
