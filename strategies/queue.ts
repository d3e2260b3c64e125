import { choice, defineStrategy, integer, type StrategyContext } from '../harness/sdk/strategy.js';
import { redisDurabilities, redisDurabilityNames, type RedisDurability } from '../harness/sdk/services.js';
import { queueBackendNames, queueBackends, type QueueBackend, type QueueBackendName } from './shared/queue-backend.js';
import { sleepUnlessAborted } from './shared/abortable-sleep.js';
import { PUBLISH_POINTS, removeStaleTemps } from './shared/main-file.js';
import { CONSUME_POINTS, consumeBatch, drainQueue, isRetryableError, openSink, type Sink } from './shared/queue-consumer.js';

export interface QueueOptions {
  backend: QueueBackendName;
  batch: number;
  pollMs: number;
  busyTimeoutMs: number;
  durability: RedisDurability;
  redisTimeoutMs: number;
}

const openQueue = (ctx: StrategyContext, o: QueueOptions) => queueBackends[o.backend](ctx, { busyTimeoutMs: o.busyTimeoutMs, redisTimeoutMs: o.redisTimeoutMs });

/** Runs `body` with the queue open and data/ cleared of a dead consumer's temp files. */
async function asConsumer(ctx: StrategyContext, o: QueueOptions, body: (sink: Sink) => Promise<void>): Promise<void> {
  const queue = await openQueue(ctx, o);
  try {
    // Only the consumer writes data/, and only one runs at a time: a temp there is a dead consumer's.
    await removeStaleTemps(ctx, [ctx.dataDir]);
    await body(await openSink(ctx, queue));
  } finally {
    await queue.close();
  }
}

/**
 * The seed's remedy 3, a database queue: writers insert each result into a durable queue and are
 * acked on commit; one background consumer moves batches into data/part-N.parquet exactly once.
 * Writers never touch Parquet, so they never contend for a Parquet file, only for the queue.
 */
export const queue = defineStrategy<QueueOptions>({
  name: 'queue',
  summary: 'Writers insert each record into a durable queue (SQLite, or a Redis Stream) and are acked when it is accepted; a consumer drains batches into data/part-N.parquet.',
  options: {
    backend: choice(queueBackendNames, 'sqlite', 'sqlite: state/queue.db in WAL mode with synchronous=FULL; redis: a Redis Stream with a consumer group on the cell\'s redis-server'),
    batch: integer(50, 'most records per part file', 1),
    pollMs: integer(50, 'consumer pause when the queue is empty, ms', 1),
    busyTimeoutMs: integer(30_000, 'sqlite: longest wait for the queue\'s write lock before a write fails unacked, ms', 1),
    durability: choice(redisDurabilityNames, 'always', `redis: ${redisDurabilityNames.map((d) => `${d}: ${redisDurabilities[d].promise}`).join('; ')}`),
    redisTimeoutMs: integer(2_000, 'redis: longest wait for a reply before a command fails (a write then stays unacked), ms', 1),
  },
  // SQLite: acked after a durable commit, ids deduplicated for good. Redis: acked when Redis replies,
  // which survives Redis's own death only under appendfsync=always; the sink deduplicates ids.
  // Both publish part files by rename.
  guarantees: (o) => ({
    noLostAcked: o.backend === 'sqlite' || redisDurabilities[o.durability].survivesRedisKill,
    noDuplicates: true,
    noCorruption: true,
  }),
  services: (o) => (o.backend === 'redis' ? { redis: { durability: o.durability } } : {}),
  points: [...PUBLISH_POINTS, ...CONSUME_POINTS],
  writer: (ctx, o) => {
    let opened: Promise<QueueBackend> | undefined;
    return {
      async write(record) {
        const queue = await (opened ??= openQueue(ctx, o));
        await queue.enqueue(record);
        return [record.id];
      },
      async close() {
        await (await opened)?.close();
        return [];
      },
    };
  },
  roles: {
    consumer: (ctx, o) => ({
      run: (signal) => asConsumer(ctx, o, async (sink) => {
        while (!signal.aborted) {
          let consumed = false;
          try {
            consumed = await consumeBatch(ctx, sink, o.batch);
          } catch (error) {
            // A background consumer outlives a failing disk or an unreachable Redis; the batch it
            // was on is retried whole.
            if (!isRetryableError(error)) throw error;
            ctx.log(`consume failed, will retry: ${String(error)}`);
          }
          if (!consumed) await sleepUnlessAborted(ctx.clock, o.pollMs, signal);
        }
      }),
    }),
  },
  // What the consumer had not taken yet, or died in the middle of, after every process has ended.
  finalize: (ctx, o) => asConsumer(ctx, o, (sink) => drainQueue(ctx, sink, o.batch)),
});
