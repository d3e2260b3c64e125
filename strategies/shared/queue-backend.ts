import type { TestRecord } from '../../harness/sdk/records.js';
import type { StrategyContext } from '../../harness/sdk/strategy.js';
import { openSqliteQueue } from './sqlite-queue.js';

/** Records claimed for one part file. The same batch is handed out again until it is marked consumed. */
export interface QueueBatch {
  batchNo: number;
  /** In a stable order, so that rewriting the batch after a crash reproduces the same file. */
  records: TestRecord[];
}

/**
 * A durable queue between writers and the consumer. Exactly-once into Parquet rests on three
 * promises every backend keeps:
 * - `enqueue` resolves only once the record is durable, and ignores an id it has ever held
 *   (waiting, claimed or already consumed), so a retried id is never consumed twice;
 * - `claimBatch` returns the oldest claimed-but-unconsumed batch first (a consumer died on it), and
 *   only then claims new records under a fresh batch number;
 * - `markConsumed` retires a batch atomically, after its part file is published.
 */
export interface QueueBackend {
  enqueue(record: TestRecord): Promise<void>;
  /** Up to `max` records; undefined when nothing waits. */
  claimBatch(max: number): Promise<QueueBatch | undefined>;
  markConsumed(batchNo: number): Promise<void>;
  close(): Promise<void>;
}

export interface QueueBackendOptions {
  /** How long to wait for the queue's write lock before giving up (the write then fails, unacked). */
  busyTimeoutMs: number;
}

/** Every queue backend by name; another (the seed names Redis) is added here, not in the strategy. */
export const queueBackends = {
  sqlite: openSqliteQueue,
} satisfies Record<string, (ctx: StrategyContext, options: QueueBackendOptions) => Promise<QueueBackend>>;

export type QueueBackendName = keyof typeof queueBackends;

export const queueBackendNames = Object.keys(queueBackends) as QueueBackendName[];
