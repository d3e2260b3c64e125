import { statSync } from 'node:fs';
import { listParquetFiles } from '../oracle/checker.js';
import type { readLedgers } from '../oracle/ledger.js';

type Ledgers = ReturnType<typeof readLedgers>;

/**
 * When the last acked record reached its final place in Parquet: the later of the last ack and the
 * newest write of a .parquet file left in data/ after drain and finalize (a file's mtime is its last
 * write; a rename keeps it). Strategies that defer their Parquet work (a queue drained by a consumer,
 * incremental files merged later) are charged for it here, where the ack rate lets them off.
 * Undefined when nothing was acked or data/ holds no Parquet file.
 */
export function parquetCompleteAt(dataDir: string, ledgers: Ledgers): number | undefined {
  let lastAck = -Infinity;
  for (const ledger of ledgers.values()) {
    for (const segment of ledger.segments) for (const t of segment.ackAt.values()) lastAck = Math.max(lastAck, t);
  }
  const files = listParquetFiles(dataDir);
  if (lastAck === -Infinity || files.length === 0) return undefined;
  return files.reduce((latest, path) => Math.max(latest, statSync(path).mtimeMs), lastAck);
}

/** First writer `start` in the ledgers (undefined without ledgers). */
export function firstStartAt(ledgers: Ledgers): number | undefined {
  let first = Infinity;
  for (const ledger of ledgers.values()) for (const segment of ledger.segments) first = Math.min(first, segment.startedAt);
  return first === Infinity ? undefined : first;
}
