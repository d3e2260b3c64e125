import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkCell, computeVerdict, ledgerFacts, listParquetFiles, type Dataset } from '../harness/oracle/checker.js';
import { judgeFilesInThreads } from '../harness/oracle/dataset-threads.js';
import { judgeFile } from '../harness/oracle/dataset-file.js';
import { canonicalKey, canonicalKeyInBytes, IdCounts, IdIndex, MAX_SEQ } from '../harness/oracle/id-table.js';
import { ledgerEntry, parseLedger, readLedgers, schemaEntry, visitLedgerFile, visitLedgerText, type LedgerVisitor } from '../harness/oracle/ledger.js';
import { hyparquetCodec } from '../harness/sdk/codec/hyparquet.js';
import { hasValidChecksum, isGeneratedBytes, makeRecord, matchesGenerated, RECORD_COLUMNS, recordChecksum, writeMillionths, type RecordBytes, type TestRecord } from '../harness/sdk/records.js';
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
  it('is sha256 over the fields joined by U+0001, first 16 hex digits (files written before stay valid); a nullish field counts as empty', () => {
    const nullish = fc.constantFrom(null, undefined);
    fc.assert(fc.property(fc.nat(), fc.nat({ max: 40 }), fc.oneof(fc.string(), nullish), fc.option(fc.constantFrom('worker', 'score', 'ok', 'payload', 'id')), (seq, payload, model, cleared) => {
      const record = { ...makeRecord(3, 1, seq, payload, BigInt(seq) * 7n), model, ...(cleared ? { [cleared]: null } : {}) } as TestRecord;
      const fields = [record.id, record.worker, record.seq, record.model, record.test_name, record.score, record.latency_ms, record.ok, record.payload, record.created_at];
      expect(recordChecksum(record)).toBe(createHash('sha256').update(fields.join('\u0001')).digest('hex').slice(0, 16));
    }), { numRuns: 100 });
  });
});

describe('rows judged on their bytes', () => {
  it('write every generated score as String() does', () => {
    const into = new Uint8Array(16);
    const wrong: number[] = [];
    for (let k = 0; k <= 1e6; k++) {
      const text = Buffer.from(into.buffer, 0, writeMillionths(k, into, 0)).toString('latin1');
      if (text !== String(k / 1e6)) wrong.push(k);
    }
    expect(wrong).toEqual([]);
  });

  it('are true exactly when the decoded row matches its generated one and its checksum, and for every generated row', () => {
    const utf8 = (value: unknown) => (typeof value === 'string' ? new TextEncoder().encode(value) : value);
    const change = fc.record({
      column: fc.constantFrom(...RECORD_COLUMNS),
      value: fc.oneof(fc.constantFrom('w1-2', 'w01-2', 'arith_001', '', 'DeepSeek-V3-0324', '\uFEFF', 'é', null, 3n), fc.string({ maxLength: 30 }), fc.integer({ min: -5, max: 6000 }), fc.double(), fc.boolean()),
      mode: fc.constantFrom('set', 'append', 'reseal'),
    });
    // Write times whose digits the byte path writes by its own arithmetic (µs past 2^31, around its 10^8
    // split, zeros after it, at and past 2^53 where it gives way to toString) or cannot (negative).
    const createdAt = fc.oneof(
      fc.nat({ max: 2_000_000 }).map((seq) => 1_700_000_000_000_000n + BigInt(seq)),
      fc.bigInt(0n, 2n ** 64n),
      fc.constantFrom(0n, 7n, 10n, 99_999_999n, 100_000_000n, 100_000_009n, 2n ** 31n, 120_000_000_000_000n, 2n ** 53n - 1n, 2n ** 53n, 2n ** 53n + 1n, -1n, -100_000_000n),
    );
    // (now and then a payload longer than the byte path's content buffer, which then grows)
    const payloadLength = fc.oneof({ weight: 20, arbitrary: fc.nat({ max: 40 }) }, { weight: 1, arbitrary: fc.integer({ min: 200, max: 9000 }) });
    fc.assert(fc.property(fc.nat({ max: 70_000 }), fc.nat({ max: 2_000_000 }), payloadLength, createdAt, fc.option(change), (worker, seq, payloadBytes, micros, changed) => {
      // Arrange: a generated row, maybe with one field replaced or extended (its checksum maybe made afresh).
      const row = makeRecord(5, worker, seq, payloadBytes, micros) as unknown as Record<string, unknown>;
      if (changed) {
        row[changed.column] = changed.mode === 'append' ? `${String(row[changed.column])}${String(changed.value)}` : changed.value;
        if (changed.mode === 'reseal' && typeof row.created_at === 'bigint') row.checksum = recordChecksum(row as unknown as TestRecord);
      }
      const bytes = Object.fromEntries(Object.entries(row).map(([column, value]) => [column, utf8(value)])) as unknown as RecordBytes;
      const record = row as unknown as TestRecord;

      // Act
      const generated = isGeneratedBytes(bytes, 5, worker, seq, payloadBytes);

      // Assert
      const decodedTruth = typeof record.created_at === 'bigint' && record.id === `w${worker}-${seq}` && matchesGenerated(record, 5, worker, seq, payloadBytes) && hasValidChecksum(record);
      expect(generated).toBe(decodedTruth);
      if (!changed) expect(generated).toBe(true);
    }), { numRuns: 2000 });
  });
});

/** Every event a ledger reader hands over, as text; keyed ids turned back to their strings. */
function eventLog(): { events: string[]; visitor: LedgerVisitor; keyed: LedgerVisitor & { attemptKey(key: number): void; ackKey(key: number): void } } {
  const events: string[] = [];
  const idOf = (key: number) => `w${Math.floor(key / MAX_SEQ)}-${key % MAX_SEQ}`;
  const visitor: LedgerVisitor = {
    start: (pid, t) => events.push(`start ${pid} ${t}`),
    attempt: (id) => events.push(`attempt ${id}`),
    ack: (id) => events.push(`ack ${id}`),
    fail: (id, t) => events.push(`fail ${id} ${t}`),
    end: (t) => events.push(`end ${t}`),
  };
  return { events, visitor, keyed: { ...visitor, attemptKey: (key) => events.push(`attempt ${idOf(key)}`), ackKey: (key) => events.push(`ack ${idOf(key)}`) } };
}

describe('ledger lines read from bytes', () => {
  it('give the keyed reader the events and counts the text reader gets', () => {
    const id = fc.oneof(fc.constantFrom('w0-0', 'w12-345', 'w65535-1', 'w65536-1', 'w1-1048576', 'w01-1', 'w1-01', 'w-1', 'w1-', 'wé-1', 'w1-1😀'), fc.string());
    const time = fc.constantFrom('1', '-0', '1.5', '1e3', '1.25E-2', '01', '1.', '.5', '1e', '-', '2x');
    const line = fc.oneof(
      fc.tuple(fc.constantFrom('attempt', 'ack'), id, time).map(([op, x, t]) => `{"op":"${op}","id":${JSON.stringify(x)},"t":${t}}`),
      writtenLine, mutatedLine, fc.constantFrom('', '  ', '{"op":"start","pid":1,"t":0}', '{"op":"end","t":9}', '{"op":"ack","id":"w0-1","t":1}\r'),
    );
    const dir = mkdtempSync(join(tmpdir(), 'parquet-chaos-keyed-'));
    fc.assert(fc.property(fc.array(line, { maxLength: 20 }), fc.boolean(), (lines, newlineAtEnd) => {
      // Arrange
      const text = lines.join('\n') + (newlineAtEnd ? '\n' : '');
      writeFileSync(join(dir, 'writer-0.jsonl'), text);
      const fromText = eventLog();
      const fromBytes = eventLog();

      // Act
      // (as the file holds it: a lone surrogate is written as U+FFFD)
      const textCounts = visitLedgerText(Buffer.from(text).toString(), fromText.visitor);
      const byteCounts = visitLedgerFile(join(dir, 'writer-0.jsonl'), fromBytes.keyed);

      // Assert
      expect(byteCounts).toEqual(textCounts);
      expect(fromBytes.events).toEqual(fromText.events);
    }), { numRuns: 300 });
  });

  it('read a canonical id from its bytes as from its string', () => {
    fc.assert(fc.property(fc.oneof(fc.tuple(fc.nat({ max: 70_000 }), fc.nat({ max: 1_100_000 })).map(([w, q]) => `w${w}-${q}`), fc.string(), fc.constantFrom('w0-0', 'w00-0', 'w0-01', 'w-', 'w1-', 'wé-1')), (id) => {
      const bytes = Buffer.from(`"${id}"`);
      expect(canonicalKeyInBytes(bytes, 1, bytes.length - 1)).toBe(canonicalKey(id));
    }), { numRuns: 300 });
  });
});

describe('whole-row truth without the expected record', () => {
  /** The plain statement: every field but created_at as a string against the record its writer generated, if its id names one; then the checksum. */
  function referenceFaults(row: TestRecord): string[] {
    const match = /^w(\d+)-(\d+)$/.exec(row.id);
    const selfConsistent = row.checksum === recordChecksum(row);
    if (!match) return selfConsistent ? [] : ['checksum'];
    const expected = makeRecord(4, Number(match[1]), Number(match[2]), 24, row.created_at);
    const differs = RECORD_COLUMNS.filter((c) => c !== 'created_at' && String(row[c]) !== String(expected[c]));
    if (differs.length === 0) return [];
    return selfConsistent ? differs : ['checksum'];
  }

  it('finds a row corrupt exactly when comparing it field by field does, with the same fields', async () => {
    const change = fc.record({
      column: fc.constantFrom(...RECORD_COLUMNS.filter((c) => c !== 'checksum')),
      value: fc.oneof(fc.constantFrom('w1-2', 'w01-2', 'x', 'arith_001', '', 'DeepSeek-V3-0324'), fc.string({ maxLength: 30 }), fc.integer({ min: -5, max: 6000 }), fc.double({ noNaN: true }), fc.boolean()),
      reseal: fc.boolean(),
    });
    await fc.assert(fc.asyncProperty(fc.nat({ max: 3 }), fc.nat({ max: 50 }), fc.option(change), async (worker, seq, changed) => {
      // Arrange: a generated row, maybe with one field changed (to a value of its column's type), its checksum maybe made afresh.
      const row = makeRecord(4, worker, seq, 24, 1_000n + BigInt(seq));
      if (changed) {
        const original = row[changed.column];
        const value = typeof original === 'bigint' ? BigInt(Math.trunc(Number(changed.value) || 0) % 2 ** 53) : typeof original === 'number' ? Number(changed.value) || 0 : typeof original === 'boolean' ? Boolean(changed.value) : String(changed.value);
        Object.assign(row, { [changed.column]: changed.column === 'worker' || changed.column === 'seq' || changed.column === 'latency_ms' ? Math.trunc(Number(value)) | 0 : value });
        if (changed.reseal) row.checksum = recordChecksum(row);
      }
      const bytes = await hyparquetCodec.encode([row]);

      // Act
      const judged = await judgeFile({ name: 'f.parquet', bytes }, { seed: 4, payloadBytes: 24 });

      // Assert
      const faults = referenceFaults((await hyparquetCodec.decode(bytes))[0]!);
      expect(judged.corruptEvidence).toEqual(faults.length > 0 ? [`${row.id}: ${faults.join(', ')}`] : []);
      expect(judged.keys.length).toBe(faults.length > 0 ? 0 : 1);
    }), { numRuns: 150 });
  });
});

describe('files judged in threads', () => {
  /** A cell of three writers' files, with a torn file, a forged row, a duplicate, a phantom, a lost ack, a foreign id. */
  async function writeCell() {
    const cell = mkdtempSync(join(tmpdir(), 'parquet-chaos-threads-'));
    for (const dir of ['ledger', 'data/sub']) mkdirSync(join(cell, dir), { recursive: true });
    const generation = { seed: 2, payloadBytes: 8 };
    const rows = (w: number, seqs: number[]) => seqs.map((q) => makeRecord(2, w, q, 8, 5n));
    const forged = { ...rows(1, [3])[0]!, model: 'forged' };
    const foreign = { ...rows(2, [2])[0]!, id: 'foreign' };
    foreign.checksum = recordChecksum(foreign);
    const files: [string, TestRecord[]][] = [
      ['data/a.parquet', [...rows(0, [0, 1, 2]), ...rows(2, [9])]],
      ['data/b.parquet', [...rows(1, [0, 1, 2]), { ...forged, checksum: recordChecksum(forged) }, ...rows(0, [1])]],
      ['data/sub/c.parquet', [...rows(2, [0, 1]), foreign]],
    ];
    for (const [path, records] of files) writeFileSync(join(cell, path), await hyparquetCodec.encode(records));
    writeFileSync(join(cell, 'data/torn.parquet'), (await hyparquetCodec.encode(rows(1, [7]))).subarray(0, 40));
    for (const w of [0, 1, 2]) {
      const lines = [{ op: 'start', pid: w, t: 0 }, ...[0, 1, 2, 3].flatMap((q) => [{ op: 'attempt', id: `w${w}-${q}`, t: 1.5 }, { op: 'ack', id: `w${w}-${q}`, t: 2.25 }])];
      writeFileSync(join(cell, 'ledger', `writer-${w}.jsonl`), lines.map((l) => JSON.stringify(l)).join('\n'));
    }
    const paths = listParquetFiles(join(cell, 'data'));
    return { cell, generation, paths, queued: paths.map((path) => ({ name: path, path, bytes: statSync(path).size })) };
  }

  it('give the verdict of the main thread, evidence order included', async () => {
    // Arrange
    const { cell, generation, paths, queued } = await writeCell();

    // Act
    const onMain = await checkCell(cell, claims, generation, { threads: 0 });
    const inThreads = await checkCell(cell, claims, generation, { threads: 2 });
    // (the threads themselves: checkCell would fall back to the main thread, were they to fail)
    const judgedInThreads = await judgeFilesInThreads(queued, generation, 2).judged;

    // Assert
    expect(inThreads).toEqual(onMain);
    expect(judgedInThreads).toEqual(await Promise.all(paths.map((path) => judgeFile({ name: path, bytes: readFileSync(path) }, generation))));
    expect(onMain).toMatchObject({ corruptFiles: 1, corruptRecords: 1, duplicates: 1, phantoms: 2, valid: false });
    expect(onMain.evidence).toMatchObject({ lost: ['w0-3', 'w1-3', 'w2-2', 'w2-3'], phantoms: ['w2-9', 'foreign'], duplicates: ['w0-1'], corruptRecords: ['w1-3: model, checksum'] });
  });

  it('that run out of their heap leave the files to the main thread, and the verdict is the same', async () => {
    // Arrange: heaps too small for a thread to even load its code.
    const { cell, generation, queued } = await writeCell();
    const tiny = { maxYoungGenerationSizeMb: 1, maxOldGenerationSizeMb: 1 };

    // Act
    const failing = judgeFilesInThreads(queued, generation, 2, tiny).judged.then(() => 'judged', (error: Error) => error.message);
    const afterFailing = await checkCell(cell, claims, generation, { threads: 2, threadHeap: tiny });

    // Assert
    expect(await failing).toMatch(/out of memory/);
    expect(afterFailing).toEqual(await checkCell(cell, claims, generation, { threads: 0 }));
  });
});
