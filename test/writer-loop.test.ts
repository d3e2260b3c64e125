import { mkdtempSync, readFileSync, rmSync, truncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LedgerWriter, parseLedger, type LedgerEntry } from '../harness/oracle/ledger.js';
import { runWriterLoop, WriterSession } from '../harness/orchestrate/writer-loop.js';
import { parseJsonLines } from '../harness/sdk/json-lines.js';
import { realClock } from '../harness/sdk/ports/clock.js';
import { Random } from '../harness/sdk/random.js';
import { makeRecord } from '../harness/sdk/records.js';
import type { WriterHandle } from '../harness/sdk/strategy.js';

/** Buffers two records per ack, and refuses record 1. */
function batchingHandle(): WriterHandle {
  let pending: string[] = [];
  const drain = async () => {
    const ids = pending;
    pending = [];
    return ids;
  };
  return {
    async write(record) {
      if (record.seq === 1) throw new Error('disk says no');
      pending.push(record.id);
      return pending.length >= 2 ? drain() : [];
    },
    close: drain,
  };
}

const plan = (seqs: number[]) => ({ seqs, record: (seq: number) => makeRecord(1, 0, seq, 8, 0n), thinkMs: 0, random: new Random(1) });

describe('writer loop', () => {
  it('records attempts, batch acks, a survived failure and the end, and tallies them', async () => {
    // Arrange
    const lines: LedgerEntry[] = [];
    const session = new WriterSession(batchingHandle(), { append: (e) => lines.push(e) }, { clock: realClock, pid: 7, survives: () => true });

    // Act
    await runWriterLoop(session, plan([0, 1, 2, 3]), realClock);

    // Assert
    expect(lines.map((e) => `${e.op}${'id' in e ? ` ${e.id}` : ''}`)).toEqual([
      'start', 'attempt w0-0', 'attempt w0-1', 'fail w0-1', 'attempt w0-2', 'ack w0-0', 'ack w0-2', 'attempt w0-3', 'ack w0-3', 'end',
    ]);
    expect(session.tally).toMatchObject({ attempted: 4, acked: 3, failed: 1 });
    expect(session.tally.ackLatenciesMs).toHaveLength(3);
    const [segment] = parseLedger(lines.map((e) => JSON.stringify(e)).join('\n')).segments;
    expect(segment).toMatchObject({ pid: 7, ended: true, failed: ['w0-1'], acked: ['w0-0', 'w0-2', 'w0-3'] });
  });

  it('rethrows a write error the writer does not survive, leaving no fail and no end line', async () => {
    const lines: LedgerEntry[] = [];
    const session = new WriterSession(batchingHandle(), { append: (e) => lines.push(e) }, { clock: realClock, pid: 7, survives: () => false });

    await expect(runWriterLoop(session, plan([0, 1, 2]), realClock)).rejects.toThrow('disk says no');

    expect(lines.map((e) => e.op)).toEqual(['start', 'attempt', 'attempt']);
  });
});

describe('ledger batch of acks', () => {
  it('a sink with appendAll gets one call a batch, in order; one without gets the same lines one by one', async () => {
    const calls: LedgerEntry[][] = [];
    const batched = new WriterSession(batchingHandle(), { append: (e) => calls.push([e]), appendAll: (es) => calls.push([...es]) }, { clock: realClock, pid: 7, survives: () => true });
    const single: LedgerEntry[] = [];
    const plain = new WriterSession(batchingHandle(), { append: (e) => single.push(e) }, { clock: realClock, pid: 7, survives: () => true });

    await runWriterLoop(batched, plan([0, 1, 2, 3]), realClock);
    await runWriterLoop(plain, plan([0, 1, 2, 3]), realClock);

    const show = (e: LedgerEntry) => `${e.op}${'id' in e ? ` ${e.id}` : ''}`;
    expect(calls.map((c) => c.map(show).join(','))).toEqual(['start', 'attempt w0-0', 'attempt w0-1', 'fail w0-1', 'attempt w0-2', 'ack w0-0,ack w0-2', 'attempt w0-3', 'ack w0-3', 'end']);
    expect(calls.flat().map(show)).toEqual(single.map(show));
  });

  it('LedgerWriter.appendAll writes whole lines; a kill cutting that write short leaves them and one torn line', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ledger-batch-'));
    try {
      const path = join(dir, 'writer-0.jsonl');
      const writer = new LedgerWriter(path);
      writer.append({ op: 'start', pid: 1, t: 0 });
      for (const id of ['w0-0', 'w0-1', 'w0-2']) writer.append({ op: 'attempt', id, t: 1 });
      writer.appendAll(['w0-0', 'w0-1', 'w0-2'].map((id): LedgerEntry => ({ op: 'ack', id, t: 2 })));
      writer.close();
      const whole = readFileSync(path, 'utf8');
      expect(parseLedger(whole).segments[0]).toMatchObject({ acked: ['w0-0', 'w0-1', 'w0-2'], ended: false });
      expect(writer.bytesWritten).toBe(Buffer.byteLength(whole));

      // The batch's write cut short in its last line: the two whole acks stand, the third is torn.
      truncateSync(path, Buffer.byteLength(whole) - 5);
      const torn = parseLedger(readFileSync(path, 'utf8'));
      expect(torn.segments[0]!.acked).toEqual(['w0-0', 'w0-1']);
      expect(torn).toMatchObject({ tornLines: 1, badLines: 0 });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('JSON lines', () => {
  it('keeps accepted lines and counts torn, non-JSON and rejected ones as bad', () => {
    const text = '{"n":1}\n\n  \n{"n":\nnot json\n{"m":2}\n{"n":3}';
    const { values, badLines } = parseJsonLines(text, (v) => (typeof (v as { n?: unknown }).n === 'number' ? (v as { n: number }).n : undefined));
    expect(values).toEqual([1, 3]);
    expect(badLines).toBe(3);
  });
});
