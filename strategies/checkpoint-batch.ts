import { join } from 'node:path';
import type { TestRecord } from '../harness/sdk/records.js';
import { choice, defineStrategy, integer, lockOption, lockAssumptions, lockServices, type StrategyContext, type WriterHandle } from '../harness/sdk/strategy.js';
import type { LockBackendName } from '../harness/sdk/ports/locks/index.js';
import { commitToMain, MAIN_POINTS, mergeIntoMain, withMainLock } from './shared/merge-main.js';
import { appendStaged, readStaged } from './shared/staging-file.js';
import { PUBLISH_POINTS } from './shared/main-file.js';

const SHARED_BUFFER = 'shared-buffer.jsonl';

const sharedBufferPath = (ctx: StrategyContext) => join(ctx.stateDir, SHARED_BUFFER);

/**
 * Each writer keeps its batch in its own memory and acks it only once committed to main. A writer that
 * dies loses its unacked batch (the seed's "data at risk"), never an acked record.
 */
function memoryBufferWriter(ctx: StrategyContext, interval: number, backend: LockBackendName): WriterHandle {
  let batch: TestRecord[] = [];
  const commit = async (): Promise<readonly string[]> => {
    if (batch.length === 0) return [];
    await commitToMain(ctx, batch, backend);
    const ids = batch.map((r) => r.id);
    batch = [];
    return ids;
  };
  return {
    async write(record) {
      batch.push(record);
      return batch.length >= interval ? commit() : [];
    },
    close: commit,
  };
}

/**
 * Commits the shared buffer to main and empties it. The main lock keeps drainers apart, but appends take
 * no lock: a record appended between the read and the truncate was acked and is wiped (seed scenario 3).
 * `minimum`: drain only if at least this many records are staged (another writer may have drained first).
 */
async function drainSharedBuffer(ctx: StrategyContext, minimum: number, backend: LockBackendName): Promise<void> {
  const path = sharedBufferPath(ctx);
  await withMainLock(ctx, backend, async (grant) => {
    const staged = await readStaged(ctx, path);
    if (staged.length === 0 || staged.length < minimum) return;
    await ctx.io.point('shared-buffer:read');
    // Deduped by id: a drain that died after writing main and before truncating is simply redone.
    await mergeIntoMain(ctx, staged, grant);
    await ctx.io.point('shared-buffer:committed');
    await ctx.io.truncate(path, 0);
  });
}

/** The seed's "global buffer": every writer appends to one staging file and treats that as saved. */
function sharedBufferWriter(ctx: StrategyContext, interval: number, backend: LockBackendName): WriterHandle {
  const path = sharedBufferPath(ctx);
  return {
    async write(record) {
      await appendStaged(ctx, path, record);
      await ctx.io.point('shared-buffer:appended');
      if ((await readStaged(ctx, path)).length >= interval) await drainSharedBuffer(ctx, interval, backend);
      return [record.id];
    },
    async close() {
      await drainSharedBuffer(ctx, 1, backend);
      return [];
    },
  };
}

/**
 * The seed's remedy 1, `--checkpoint-interval 5 --batch-commit`: results are buffered and committed to
 * data/main.parquet in batches, so the main lock is taken once per batch instead of once per record.
 */
export const checkpointBatch = defineStrategy({
  name: 'checkpoint-batch',
  summary: 'Buffers records and commits every `interval` of them to data/main.parquet in one locked read-modify-write.',
  options: {
    interval: integer(5, 'records per batch commit (the seed\'s --checkpoint-interval)', 1),
    buffer: choice(['memory', 'shared'] as const, 'memory',
      'memory: each writer buffers its own batch, acked when committed; shared: one staging file for all writers, acked when appended, drained without locking appends (loses acked records)'),
    lock: lockOption(),
  },
  guarantees: (o) => ({ noLostAcked: o.buffer === 'memory', noDuplicates: true, noCorruption: true }),
  services: (o) => lockServices(o.lock),
  assumes: (o) => lockAssumptions(o.lock),
  points: [...PUBLISH_POINTS, ...MAIN_POINTS, 'shared-buffer:appended', 'shared-buffer:read', 'shared-buffer:committed'],
  writer: (ctx, o) => (o.buffer === 'memory' ? memoryBufferWriter(ctx, o.interval, o.lock) : sharedBufferWriter(ctx, o.interval, o.lock)),
  // A memory buffer dies with its writer, so there is nothing to recover; a shared buffer may still hold
  // acked records that no drain reached (fewer than `interval`, or a drainer died): commit them now.
  async finalize(ctx, o) {
    if (o.buffer === 'shared') await drainSharedBuffer(ctx, 1, o.lock);
  },
});
