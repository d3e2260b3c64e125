import { join } from 'node:path';
import type { StrategyContext } from '../../harness/sdk/strategy.js';
import { writeParquet } from './main-file.js';
import type { QueueBackend } from './queue-backend.js';

/** The points this module marks with ctx.io.point (crash-point faults can name them). */
export const CONSUME_POINTS = ['consume:claimed', 'consume:part-written', 'consume:batch-done'] as const;

/** A batch's key says which batch a part file holds; keys are never reused. */
export function partFileName(key: string): string {
  return `part-${key}.parquet`;
}

const PART = /^part-[\w-]+\.parquet$/;

/** Where the consumer puts batches: data/part-<key>.parquet, dropping ids already published when the queue can hold an id twice. */
export interface Sink {
  queue: QueueBackend;
  /** Ids in the dataset (only kept for queues that do not deduplicate ids themselves). */
  published: Set<string> | undefined;
}

/**
 * The ids already in data/'s part files: what a consumer must not publish again. A part is trusted only
 * once durable: a killed consumer may have renamed it without its folder's fsync, and its batch's queue
 * entries are about to be deleted on its word (sim found the loss: issue 21 item 6). So every part read
 * is fsynced, and the folder after them.
 */
async function publishedIds(ctx: StrategyContext): Promise<Set<string>> {
  const ids = new Set<string>();
  let parts = 0;
  for (const name of await ctx.io.readdir(ctx.dataDir)) {
    if (!PART.test(name)) continue;
    const path = join(ctx.dataDir, name);
    for (const record of await ctx.codec.decode(await ctx.io.readFile(path))) ids.add(record.id);
    await ctx.io.fsyncFile(path);
    parts++;
  }
  if (parts > 0) await ctx.io.fsyncDir(ctx.dataDir);
  return ids;
}

export async function openSink(ctx: StrategyContext, queue: QueueBackend): Promise<Sink> {
  return { queue, published: queue.dedupsIds ? undefined : await publishedIds(ctx) };
}

/**
 * Moves one batch from the queue into data/part-<key>.parquet; false when nothing waited.
 * Claim → publish the part file (temp + fsync + rename + folder fsync) → mark consumed. A consumer
 * that dies after the claim gets the same batch back and writes the same name again: the rename
 * replaces any copy already published. Where the queue can hold an id twice (a writer retried it, or
 * a batch came back after its part was published), ids already published are dropped first.
 */
export async function consumeBatch(ctx: StrategyContext, sink: Sink, max: number): Promise<boolean> {
  const batch = await sink.queue.claimBatch(max);
  if (!batch) return false;
  await ctx.io.point('consume:claimed');
  const fresh = sink.published ? uniqueUnpublished(batch.records, sink.published) : batch.records;
  if (fresh.length < batch.records.length) ctx.count('sinkDeduplicated', batch.records.length - fresh.length);
  if (fresh.length > 0) await writeParquet(ctx, join(ctx.dataDir, partFileName(batch.key)), fresh, 'rename');
  for (const record of fresh) sink.published?.add(record.id);
  await ctx.io.point('consume:part-written');
  await sink.queue.markConsumed(batch);
  await ctx.io.point('consume:batch-done');
  return true;
}

function uniqueUnpublished<R extends { id: string }>(records: readonly R[], published: ReadonlySet<string>): R[] {
  const seen = new Set<string>();
  return records.filter((r) => {
    if (published.has(r.id) || seen.has(r.id)) return false;
    seen.add(r.id);
    return true;
  });
}

/**
 * An errno-style failure of the storage (EIO, ENOSPC, …) or an unanswered service call: worth
 * retrying the batch later, since a failed batch stays claimed and is published again whole.
 * Anything else is a bug and ends the role.
 */
export function isRetryableError(error: unknown): boolean {
  const code = String((error as { code?: unknown })?.code ?? '');
  return /^E[A-Z]+$/.test(code) || code === 'E_SERVICE_TIMEOUT' || code === 'E_SERVICE_DOWN';
}

/** Consumes until the queue is empty. */
export async function drainQueue(ctx: StrategyContext, sink: Sink, max: number): Promise<void> {
  while (await consumeBatch(ctx, sink, max));
}
