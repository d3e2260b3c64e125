import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LedgerWriter } from '../../harness/oracle/ledger.js';
import { makeRecord, type TestRecord } from '../../harness/sdk/records.js';
import { planSequence } from '../../harness/orchestrate/roles/writer.js';
import type { WriterHandle } from '../../harness/sdk/strategy.js';

/** The record worker `worker` attempts at `seq` in in-process tests (seed 1, small payload). */
export function testRecord(worker: number, seq: number): TestRecord {
  return makeRecord(1, worker, seq, 32, BigInt(Date.now()) * 1000n);
}

const ledgerPath = (cellDir: string, worker: number) => join(cellDir, 'ledger', `writer-${worker}.jsonl`);

/** The sequence numbers a restarted writer attempts under policy `retry` (its unacked ones, then new). */
export function retryPlan(cellDir: string, worker: number, recordsPerWorker: number): number[] {
  const path = ledgerPath(cellDir, worker);
  return planSequence(existsSync(path) ? readFileSync(path, 'utf8') : '', recordsPerWorker, worker, 'retry');
}

/**
 * Drives a strategy's writer handle in this process the way harness/roles/writer.ts does, keeping the
 * ledger the checker reads. A process "dies" by `abandon()`: its segment gets no `end` line.
 */
export class LedgeredWriter {
  private readonly ledger: LedgerWriter;

  constructor(cellDir: string, private readonly worker: number, private readonly handle: WriterHandle) {
    this.ledger = new LedgerWriter(ledgerPath(cellDir, worker));
    this.ledger.append({ op: 'start', pid: process.pid, t: Date.now() });
  }

  async open(): Promise<void> {
    await this.handle.open?.();
  }

  async write(seq: number): Promise<void> {
    const record = testRecord(this.worker, seq);
    this.ledger.append({ op: 'attempt', id: record.id, t: Date.now() });
    this.ack(await this.handle.write(record));
  }

  async close(): Promise<void> {
    this.ack((await this.handle.close?.()) ?? []);
    this.ledger.append({ op: 'end', t: Date.now() });
    this.ledger.close();
  }

  abandon(): void {
    this.ledger.close();
  }

  private ack(ids: readonly string[]): void {
    for (const id of ids) this.ledger.append({ op: 'ack', id, t: Date.now() });
  }
}
