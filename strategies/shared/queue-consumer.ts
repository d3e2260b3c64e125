import { join } from 'node:path';
import type { StrategyContext } from '../../harness/sdk/strategy.js';
import { writeParquet } from './main-file.js';
import type { QueueBackend } from './queue-backend.js';

/** Batch numbers are never reused, so a part file's name says which batch it holds. */
export function partFileName(batchNo: number): string {
  return `part-${String(batchNo).padStart(6, '0')}.parquet`;
}

/**
 * Moves one batch from the queue into data/part-N.parquet; false when nothing waited.
 * Claim (commit) → publish the part file (temp + fsync + rename) → mark consumed (commit). A consumer
 * that dies after the claim gets the same batch back on restart and writes the same name again:
 * the rename replaces any copy already published, so the batch lands exactly once.
 */
export async function consumeBatch(ctx: StrategyContext, queue: QueueBackend, max: number): Promise<boolean> {
  const batch = await queue.claimBatch(max);
  if (!batch) return false;
  await ctx.io.point('consume:claimed');
  await writeParquet(ctx, join(ctx.dataDir, partFileName(batch.batchNo)), batch.records, 'rename');
  await ctx.io.point('consume:part-written');
  await queue.markConsumed(batch.batchNo);
  await ctx.io.point('consume:batch-done');
  return true;
}

/**
 * An errno-style failure of the storage (EIO, ENOSPC, …): worth retrying the batch later, since a
 * failed batch stays claimed and is published again whole. Anything else is a bug and ends the role.
 */
export function isStorageError(error: unknown): boolean {
  return /^E[A-Z]+$/.test(String((error as { code?: unknown })?.code ?? ''));
}

/** Consumes until the queue is empty. */
export async function drainQueue(ctx: StrategyContext, queue: QueueBackend, max: number): Promise<void> {
  while (await consumeBatch(ctx, queue, max));
}
