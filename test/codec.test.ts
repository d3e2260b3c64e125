import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { codecs, decodeAny, getCodec } from '../harness/sdk/codec/index.js';
import { columnsOf, recordAt } from '../harness/sdk/codec/codec.js';
import { ChaosError } from '../harness/sdk/errors.js';
import { hasValidChecksum, makeRecord, type TestRecord } from '../harness/sdk/records.js';

/** Not a whole millisecond, so a round trip through Date would show. */
const NOW = 1_700_000_000_123_457n;
const ALL = Object.values(codecs);

function batch(payloadSizes: number[]): TestRecord[] {
  return payloadSizes.map((bytes, seq) => makeRecord(42, seq % 3, seq, bytes, NOW + BigInt(seq)));
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(() => 'resolved', (error: unknown) => error);
}

const truncated = async (bytes: Uint8Array) => bytes.subarray(0, bytes.length / 2);
const garbage = Uint8Array.from({ length: 512 }, (_, i) => (i * 73 + 41) % 256);
/** Passes the magic and footer-length checks, so the readers get as far as decoding thrift. */
const framedGarbage = Buffer.concat([Buffer.from('PAR1'), garbage.subarray(0, 200), Buffer.from([100, 0, 0, 0]), Buffer.from('PAR1')]);

describe.each(ALL.map((codec) => [codec.name, codec] as const))('%s codec', (_name, codec) => {
  it('round-trips records exactly, including empty and 2000-byte payloads', async () => {
    const records = batch([0, 2000, 200, 1]);

    const decoded = await codec.decode(await codec.encode(records));

    expect(decoded).toStrictEqual(records);
  });

  it('round-trips an empty batch', async () => {
    const decoded = await codec.decode(await codec.encode([]));

    expect(decoded).toStrictEqual([]);
  });

  it('decode(encode(records)) is the identity', async () => {
    const recordsArb = fc.array(
      // created_at >= 0: parquetjs-lite refuses negative TIMESTAMP_MICROS
      fc.record({ seed: fc.integer(), worker: fc.nat(63), seq: fc.nat(2 ** 31 - 1), size: fc.nat(300), micros: fc.bigInt(0n, 2n ** 62n) }),
      { maxLength: 20 },
    ).map((specs) => specs.map((s) => makeRecord(s.seed, s.worker, s.seq, s.size, s.micros)));

    await fc.assert(
      fc.asyncProperty(recordsArb, async (records) => {
        expect(await codec.decode(await codec.encode(records))).toStrictEqual(records);
      }),
      { numRuns: 25 },
    );
  });

  it.each([
    ['a truncated file', () => codec.encode(batch([100, 100])).then(truncated)],
    ['garbage', async () => garbage],
    ['garbage between PAR1 magics', async () => framedGarbage],
  ])('rejects %s with an E_CODEC Error', async (_what, bytes) => {
    const input = await bytes();

    const error = await rejection(codec.decode(input));

    expect(error).toBeInstanceOf(ChaosError);
    expect(error).toMatchObject({ code: 'E_CODEC', cause: expect.any(Error) });
  });
});

describe('cross-reading', () => {
  // 1200 rows span two hyparquet-writer row groups (1000, then the rest)
  const records = batch(Array.from({ length: 1200 }, (_, i) => i % 50));

  it.each(ALL.flatMap((writer) => ALL.map((reader) => [writer.name, reader.name, writer, reader] as const)))(
    '%s file read by %s',
    async (_writerName, _readerName, writer, reader) => {
      const bytes = await writer.encode(records);

      const decoded = await reader.decode(bytes);

      expect(decoded).toStrictEqual(records);
    },
  );

  it('decodeAny reads both formats as columns, hyparquet first, each row as decode reads it', async () => {
    for (const writer of ALL) {
      const bytes = await writer.encode(records);

      const { columns, reader } = await decodeAny(bytes);

      expect(reader).toBe('hyparquet');
      expect(Array.from({ length: columns.rows }, (_, i) => recordAt(columns, i))).toStrictEqual(records);
    }
  });

  it('columnsOf and recordAt give the records back (the columns of what only parquetjs-lite reads)', () => {
    const columns = columnsOf(records);

    expect(Array.from({ length: columns.rows }, (_, i) => recordAt(columns, i))).toStrictEqual(records);
  });

  it('decodeAny rejects what neither reader can read, with both causes', async () => {
    const error = await rejection(decodeAny(garbage));

    expect(error).toMatchObject({ code: 'E_CODEC', cause: { errors: [expect.any(ChaosError), expect.any(ChaosError)] } });
  });
});

describe('getCodec', () => {
  it('returns a codec by name and rejects unknown names', () => {
    expect(getCodec('parquetjs-lite')).toBe(codecs['parquetjs-lite']);
    expect(() => getCodec('arrow')).toThrow(expect.objectContaining({ code: 'E_BAD_OPTION', option: '--codec', value: 'arrow' }));
  });
});

it('a flipped payload byte in an uncompressed file decodes, but fails that record\'s checksum', async () => {
  const records = batch([2000, 2000, 2000]);
  const bytes = Buffer.from(await codecs['parquetjs-lite'].encode(records));
  // the middle payload is neither min nor max, so its only copy is in the data page, not the statistics
  const target = [...records].sort((a, b) => a.payload.localeCompare(b.payload))[1]!;
  const at = bytes.indexOf(target.payload);
  expect(at).toBeGreaterThan(0);
  expect(bytes.lastIndexOf(target.payload)).toBe(at);
  const flipped = Uint8Array.from(bytes);
  flipped[at + 1000] = flipped[at + 1000] === 0x61 ? 0x62 : 0x61; // 'a' <-> 'b': still valid text

  for (const reader of ALL) {
    const decoded = await reader.decode(flipped);

    expect(decoded.map((r) => r.id)).toStrictEqual(records.map((r) => r.id));
    expect(decoded.map((r) => hasValidChecksum(r))).toStrictEqual(records.map((r) => r !== target));
  }
});

it.each(ALL.map((codec) => [codec.name, codec] as const))('DuckDB reads the same rows from a %s file', async (_name, codec) => {
  const records = batch(Array.from({ length: 50 }, () => 100));
  const dir = await mkdtemp(join(tmpdir(), 'codec-test-'));
  const file = join(dir, 'batch.parquet');
  await writeFile(file, await codec.encode(records));
  const instance = await DuckDBInstance.create();
  const connection = await instance.connect();
  try {
    const count = await connection.runAndReadAll(`select count(*) as n from read_parquet('${file}')`);
    const rows = await connection.runAndReadAll(`select id, epoch_us(created_at) as micros from read_parquet('${file}')`);

    expect(count.getRowObjectsJS()).toStrictEqual([{ n: 50n }]);
    expect(rows.getRowObjectsJS()).toStrictEqual(records.map((r) => ({ id: r.id, micros: r.created_at })));
  } finally {
    connection.closeSync();
    instance.closeSync();
    await rm(dir, { recursive: true, force: true });
  }
});
