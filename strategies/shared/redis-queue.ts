import type { TestRecord } from '../../harness/sdk/records.js';
import { connectRedis } from '../../harness/sdk/redis.js';
import type { StrategyContext } from '../../harness/sdk/strategy.js';
import type { QueueBackend, QueueBackendOptions, QueueBatch } from './queue-backend.js';
import { recordFromJson, recordToJson } from './record-json.js';

const GROUP = 'parquet';

interface Entry {
  id: string;
  message: Record<string, string>;
}

/**
 * The queue as a Redis Stream with one consumer group. Writers XADD and are acked when Redis replies
 * (under appendfsync=always, after its AOF is fsynced). The consumer reads with XREADGROUP; entries
 * stay pending in the group until XACK, so a batch whose consumer died is claimed by its successor
 * with XAUTOCLAIM and published again under the same name. A retried id is XADDed twice: the sink
 * drops it (dedupsIds: false). If Redis loses the group (appendonly=no and a restart), it is created
 * again and reading starts over from what the stream still holds.
 */
export async function openRedisQueue(ctx: StrategyContext, options: QueueBackendOptions): Promise<QueueBackend> {
  const redis = await connectRedis(ctx, { timeoutMs: options.redisTimeoutMs });
  const stream = redis.key('queue');
  // One name per process: a successor claims what a dead consumer left pending.
  const consumer = ctx.role.processId;
  const claimed = new Map<string, string[]>();
  let groupReady = false;

  async function ensureGroup(): Promise<void> {
    try {
      await redis.call('XGROUP CREATE', (c) => c.xGroupCreate(stream, GROUP, '0', { MKSTREAM: true }));
    } catch (error) {
      if (!String((error as Error).message).startsWith('BUSYGROUP')) throw error;
    }
    groupReady = true;
  }

  /** Runs a group command; a group Redis lost (a restart without persistence) is created again once. */
  async function inGroup<T>(command: () => Promise<T>): Promise<T> {
    if (!groupReady) await ensureGroup();
    try {
      return await command();
    } catch (error) {
      if (!String((error as Error).message).startsWith('NOGROUP')) throw error;
      ctx.count('redisGroupRecreated');
      await ensureGroup();
      return command();
    }
  }

  const toBatch = (entries: readonly Entry[]): QueueBatch => {
    const key = `r${entries[0]!.id}`;
    claimed.set(key, entries.map((e) => e.id));
    return { key, records: entries.map((e): TestRecord => recordFromJson(e.message.r!)) };
  };

  return {
    dedupsIds: false,
    async enqueue(record) {
      await redis.call('XADD', (c) => c.xAdd(stream, '*', { id: record.id, r: recordToJson(record) }));
    },
    async claimBatch(max) {
      // First what a dead consumer (or this one, after a failed publish) left pending: the only
      // consumer runs alone, so anything pending is abandoned and needs no idle time.
      const reclaimed = await inGroup(() => redis.call('XAUTOCLAIM', (c) => c.xAutoClaim(stream, GROUP, consumer, 0, '0-0', { COUNT: max })));
      const pending = (reclaimed.messages as (Entry | null)[]).filter((e): e is Entry => e !== null);
      if (pending.length > 0) {
        ctx.count('redisReclaimed', pending.length);
        return toBatch(pending);
      }
      const read = await inGroup(() => redis.call('XREADGROUP', (c) => c.xReadGroup(GROUP, consumer, { key: stream, id: '>' }, { COUNT: max })));
      const fresh = ((read as { messages: Entry[] }[] | null)?.[0]?.messages ?? []);
      return fresh.length > 0 ? toBatch(fresh) : undefined;
    },
    async markConsumed(batch) {
      const ids = claimed.get(batch.key) ?? [];
      // Acknowledged and deleted in one transaction: the stream does not grow without bound.
      await redis.call('XACK+XDEL', (c) => c.multi().xAck(stream, GROUP, ids).xDel(stream, ids).exec());
      claimed.delete(batch.key);
    },
    close: () => redis.close(),
  };
}
