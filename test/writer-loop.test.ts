import { describe, expect, it } from 'vitest';
import { parseLedger, type LedgerEntry } from '../harness/oracle/ledger.js';
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

describe('JSON lines', () => {
  it('keeps accepted lines and counts torn, non-JSON and rejected ones as bad', () => {
    const text = '{"n":1}\n\n  \n{"n":\nnot json\n{"m":2}\n{"n":3}';
    const { values, badLines } = parseJsonLines(text, (v) => (typeof (v as { n?: unknown }).n === 'number' ? (v as { n: number }).n : undefined));
    expect(values).toEqual([1, 3]);
    expect(badLines).toBe(3);
  });
});
