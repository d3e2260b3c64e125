import type { TestRecord } from '../../harness/sdk/records.js';
import type { StrategyContext } from '../../harness/sdk/strategy.js';
import { openRedisQueue } from './redis-queue.js';
import { openSqliteQueue } from './sqlite-queue.js';

/** Records claimed for one part file. A batch not marked consumed is handed out again. */
export interface QueueBatch {
  /** Names the part file (`part-<key>.parquet`): the same batch handed out again gets the same name. */
  key: string;
  /** In a stable order, so that rewriting the batch after a crash reproduces the same file. */
  records: TestRecord[];
}

/**
 * A durable queue between writers and the consumer. Exactly-once into Parquet rests on these promises:
 * - `enqueue` resolves only once the record is accepted under the backend's durability;
 * - `dedupsIds`: true when `enqueue` ignores an id it has ever held (so a retried id is never consumed
 *   twice); false when a retried id can be queued twice, and the sink must drop ids already published;
 * - `claimBatch` returns a batch a consumer died on (or failed to publish) first, then new records;
 * - `markConsumed` retires a batch atomically, after its part file is published.
 */
export interface QueueBackend {
  readonly dedupsIds: boolean;
  enqueue(record: TestRecord): Promise<void>;
  /** Up to `max` records; undefined when nothing waits. */
  claimBatch(max: number): Promise<QueueBatch | undefined>;
  markConsumed(batch: QueueBatch): Promise<void>;
  close(): Promise<void>;
}

export interface QueueBackendOptions {
  /** SQLite: how long to wait for the queue's write lock before giving up (the write then fails, unacked). */
  busyTimeoutMs: number;
  /** Redis: how long to wait for a reply before a command counts as failed (maybe done, never acked). */
  redisTimeoutMs: number;
}

/** Every queue backend by name. */
export const queueBackends = {
  sqlite: openSqliteQueue,
  redis: openRedisQueue,
} satisfies Record<string, (ctx: StrategyContext, options: QueueBackendOptions) => Promise<QueueBackend>>;

export type QueueBackendName = keyof typeof queueBackends;

export const queueBackendNames = Object.keys(queueBackends) as QueueBackendName[];
