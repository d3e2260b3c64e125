import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { computeVerdict, ledgerFacts, type Dataset } from '../harness/oracle/checker.js';
import { IdCounts, IdIndex } from '../harness/oracle/id-table.js';
import { ledgerEntry, parseLedger, readLedgers, schemaEntry } from '../harness/oracle/ledger.js';
import { makeRecord, recordChecksum } from '../harness/sdk/records.js';
import { referenceCounts, referenceFacts } from './support/reference-checker.js';

const claims = { noLostAcked: true, noDuplicates: true, noCorruption: true };

/** A line as LedgerWriter writes it, with any id and time. */
const writtenLine = fc.record({
  op: fc.constantFrom('attempt', 'ack', 'start', 'end', 'fail'),
  id: fc.oneof(fc.constantFrom('w0-1', 'w12-345'), fc.string(), fc.string({ unit: 'binary' })),
  t: fc.oneof(fc.integer(), fc.double({ noNaN: true }), fc.constant(-0), fc.constant(2 ** 60)),
}).map(({ op, id, t }) => JSON.stringify(op === 'start' ? { op, pid: 7, t } : op === 'end' ? { op, t } : op === 'fail' ? { op, id, t, error: 'x' } : { op, id, t }));

/** A written line cut, spliced or changed at a random place. */
const mutatedLine = fc.tuple(writtenLine, fc.nat(), fc.nat({ max: 3 }), fc.string({ maxLength: 3 })).map(([line, at, cut, insert]) => {
  const i = at % (line.length + 1);
  return line.slice(0, i) + insert + line.slice(i + cut);
});

describe('ledger fast path', () => {
  it('accepts and rejects exactly what the schema does, with the same entry', () => {
    const anyLine = fc.oneof(writtenLine, mutatedLine, fc.string(), fc.json(), fc.constantFrom('{"op":"ack","id":"w0-1","t":1,"x":2}', '{"op":"ack","id":"a\\u0062","t":1}', ' {"op":"ack","id":"w0-1","t":1}', '{"op":"ack","id":"w0-1","t":1}\r'));
    fc.assert(fc.property(anyLine, (line) => {
      expect(ledgerEntry(line)).toEqual(schemaEntry(line));
    }), { numRuns: 1000 });
  });
});

describe('ledger facts and verdict counts, compact against Sets and Maps', () => {
  const id = fc.oneof(fc.constantFrom('w0-0', 'w0-1', 'w0-2', 'w1-0', 'w1-1', 'w2-7'), fc.constantFrom('w01-1', 'x', 'w1-', 'w-1', 'w0-00'));
  const line = fc.oneof(
    { weight: 1, arbitrary: fc.nat({ max: 9 }).map((pid) => JSON.stringify({ op: 'start', pid, t: 0 })) },
    { weight: 5, arbitrary: id.map((x) => JSON.stringify({ op: 'attempt', id: x, t: 1 })) },
    { weight: 4, arbitrary: id.map((x) => JSON.stringify({ op: 'ack', id: x, t: 2 })) },
    { weight: 1, arbitrary: id.map((x) => JSON.stringify({ op: 'fail', id: x, t: 3, error: 'e' })) },
    { weight: 1, arbitrary: fc.constant(JSON.stringify({ op: 'end', t: 4 })) },
    { weight: 1, arbitrary: fc.constantFrom('{"op":"att', 'garbage', '', '   ', '{"op":"ack","id":"w0-1"}') },
  );
  const ledger = fc.array(line, { maxLength: 25 }).map((lines) => lines.join('\n'));

  it('say what the plain implementation says, evidence order included', () => {
    fc.assert(fc.property(fc.array(ledger, { maxLength: 3 }), fc.array(id, { maxLength: 12 }), (texts, present) => {
      // Arrange
      const index = new IdIndex();
      const counts = new IdCounts(index);
      for (const x of present) counts.increment(x);
      const map = new Map<string, number>();
      for (const x of present) map.set(x, (map.get(x) ?? 0) + 1);
      const dataset = (c: Dataset['counts']): Dataset => ({ counts: c, files: 1, corruptFiles: [], corruptRecords: 0 });

      // Act
      const facts = ledgerFacts(texts, index);
      const reference = referenceFacts(texts);
      const verdict = computeVerdict(facts, dataset(counts), claims);

      // Assert
      expect({ ...facts, attempted: [...facts.attempted], acked: [...facts.acked] }).toEqual({ ...reference, attempted: [...reference.attempted], acked: [...reference.acked] });
      expect([...counts]).toEqual([...map]);
      expect(verdict).toMatchObject(referenceCounts(reference, dataset(map)));
    }), { numRuns: 200 });
  });
});

describe('ledger files, streamed', () => {
  it('reads the same segments as the whole text, across chunk boundaries, long lines and multi-byte ids', () => {
    // Arrange: ~200 KiB of lines with 4-byte characters in ids, one 100 KiB line, a torn unterminated tail.
    const lines = [JSON.stringify({ op: 'start', pid: 1, t: 0 })];
    for (let i = 0; i < 3000; i++) lines.push(JSON.stringify({ op: i % 2 ? 'ack' : 'attempt', id: `w0-${i >> 1}😀é`, t: i }));
    lines.push(JSON.stringify({ op: 'attempt', id: 'x'.repeat(100_000), t: 1 }), '', '{"op":"ack","id":"w0-');
    const text = lines.join('\n');
    const dir = mkdtempSync(join(tmpdir(), 'parquet-chaos-ledger-'));
    writeFileSync(join(dir, 'writer-0.jsonl'), text);

    // Act
    const streamed = readLedgers(dir).get('writer-0.jsonl');

    // Assert
    expect(streamed).toEqual(parseLedger(text));
    expect(streamed).toMatchObject({ tornLines: 1, badLines: 0 });
    expect(streamed!.segments[0]!.attempted).toHaveLength(1501);
  });
});

describe('compact ids', () => {
  it('give every distinct id its own slot and read it back', () => {
    const canonical = fc.tuple(fc.nat({ max: 70_000 }), fc.nat({ max: 2_000_000 })).map(([w, s]) => `w${w}-${s}`);
    fc.assert(fc.property(fc.array(fc.oneof(canonical, fc.string(), fc.constantFrom('w0-0', 'w00-0', 'w0-01', 'w-', 'w1-2-3'))), (ids) => {
      const index = new IdIndex();
      const slots = ids.map((x) => index.slotOf(x));
      expect(ids.map((x) => index.find(x))).toEqual(slots);
      expect(slots.map((s) => index.idOf(s))).toEqual(ids);
      expect(index.size).toBe(new Set(ids).size);
    }), { numRuns: 200 });
  });
});

describe('record checksum', () => {
  it('is sha256 over the fields joined by U+0001, first 16 hex digits (files written before stay valid)', () => {
    fc.assert(fc.property(fc.nat(), fc.nat({ max: 40 }), fc.string(), (seq, payload, model) => {
      const record = { ...makeRecord(3, 1, seq, payload, BigInt(seq) * 7n), model };
      const fields = [record.id, record.worker, record.seq, record.model, record.test_name, record.score, record.latency_ms, record.ok, record.payload, record.created_at];
      expect(recordChecksum(record)).toBe(createHash('sha256').update(fields.join('\u0001')).digest('hex').slice(0, 16));
    }), { numRuns: 100 });
  });
});
