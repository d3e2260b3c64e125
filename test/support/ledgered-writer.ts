import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LedgerWriter } from '../../harness/oracle/ledger.js';
import { planSequence, WriterSession } from '../../harness/orchestrate/writer-loop.js';
import { realClock } from '../../harness/sdk/ports/clock.js';
import { makeRecord, type TestRecord } from '../../harness/sdk/records.js';
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
 * Drives a strategy's writer handle in this process through the writer loop the writer role uses,
 * keeping the ledger the checker reads, one step at a time. Any error a write throws is the process
 * dying (a simulated crash, or a bug the test must see): it propagates, and the test `abandon()`s the
 * writer, whose segment then gets no `end` line.
 */
export class LedgeredWriter {
  private readonly ledger: LedgerWriter;
  private readonly session: WriterSession;

  constructor(cellDir: string, private readonly worker: number, handle: WriterHandle) {
    this.ledger = new LedgerWriter(ledgerPath(cellDir, worker));
    this.session = new WriterSession(handle, this.ledger, { clock: realClock, pid: process.pid, survives: () => false });
  }

  open(): Promise<void> {
    return this.session.open();
  }

  write(seq: number): Promise<void> {
    return this.session.write(testRecord(this.worker, seq));
  }

  async close(): Promise<void> {
    await this.session.close();
    this.ledger.close();
  }

  abandon(): void {
    this.ledger.close();
  }
}
