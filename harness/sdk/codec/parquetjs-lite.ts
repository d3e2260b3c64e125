import { Writable } from 'node:stream';
import type parquetjs from 'parquetjs-lite';
import { ChaosError, asError } from '../errors.js';
import { RECORD_COLUMNS, type TestRecord } from '../records.js';
import type { Codec } from './codec.js';

/**
 * The library and its schema, loaded on first use: every role process imports the codec registry, and
 * most never use this codec (hyparquet is the default; the checker falls back to this one only when
 * hyparquet cannot read a file), so they need not pay for loading it.
 */
let loaded: Promise<{ parquet: typeof parquetjs; schema: InstanceType<typeof parquetjs.ParquetSchema> }> | undefined;
function library() {
  loaded ??= import('parquetjs-lite').then(({ default: parquet }) => ({
    parquet,
    schema: new parquet.ParquetSchema({
      id: { type: 'UTF8' },
      worker: { type: 'INT32' },
      seq: { type: 'INT32' },
      model: { type: 'UTF8' },
      test_name: { type: 'UTF8' },
      score: { type: 'DOUBLE' },
      latency_ms: { type: 'INT32' },
      ok: { type: 'BOOLEAN' },
      payload: { type: 'UTF8' },
      created_at: { type: 'TIMESTAMP_MICROS' },
      checksum: { type: 'UTF8' },
    }),
  }));
  return loaded;
}

/** parquet.thrift ConvertedType.TIMESTAMP_MICROS */
const TIMESTAMP_MICROS = 10;

function codecError(what: string, thrown: unknown): ChaosError {
  const cause = asError(thrown);
  // its thrift decoder throws InputBufferUnderrunError with an undefined message
  return new ChaosError('E_CODEC', `parquetjs-lite: ${what}: ${cause.message || cause.name}`, { cause });
}

/**
 * Writes UNCOMPRESSED data page v1 files, the most widely readable form. Reads its own files and
 * hyparquet-writer's (version-2 footer, DATA_PAGE_V2, SNAPPY, PLAIN encoding).
 */
export const parquetjsLiteCodec: Codec = {
  name: 'parquetjs-lite',

  async ready() {
    await library();
  },

  async encode(records) {
    const { parquet, schema } = await library();
    const chunks: Buffer[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        chunks.push(chunk);
        done();
      },
    });
    try {
      const writer = await parquet.ParquetWriter.openStream(schema, sink, { useDataPageV2: false });
      for (const record of records) await writer.appendRow(record);
      await writer.close();
    } catch (thrown) {
      throw codecError(`cannot encode ${records.length} records`, thrown);
    }
    return new Uint8Array(Buffer.concat(chunks));
  },

  async decode(bytes) {
    const { parquet } = await library();
    const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    try {
      const envelope = await parquet.ParquetEnvelopeReader.openBuffer(buffer);
      await envelope.readHeader();
      const metadata = await envelope.readFooter();
      // parquetjs-lite rejects footer version 2 outright although it decodes v2 data pages;
      // a feature it lacks (e.g. RLE_DICTIONARY) still fails loudly when the page is read.
      if (metadata.version !== 1 && metadata.version !== 2) throw `unsupported parquet version ${metadata.version}`;
      metadata.version = 1;
      // unlike hyparquet, parquetjs-lite silently leaves out requested columns the file does not have
      const missing = RECORD_COLUMNS.filter((column) => !metadata.schema.some((element) => element.name === column));
      if (missing.length > 0) throw `missing columns: ${missing.join(', ')}`;
      // parquetjs-lite turns TIMESTAMP_MICROS into a millisecond Date; read the raw INT64 micros instead
      for (const element of metadata.schema) {
        if (element.converted_type === TIMESTAMP_MICROS) element.converted_type = null;
      }
      const reader = await parquet.ParquetReader.openBuffer(buffer, { metadata });
      try {
        const cursor = reader.getCursor([...RECORD_COLUMNS]);
        const records: TestRecord[] = [];
        for (let row = await cursor.next(); row !== null; row = await cursor.next()) records.push(row as unknown as TestRecord);
        return records;
      } finally {
        await reader.close();
      }
    } catch (thrown) {
      throw codecError(`cannot decode ${bytes.byteLength} bytes`, thrown);
    }
  },
};
