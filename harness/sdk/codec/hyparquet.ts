import { parquetMetadata, parquetRead, parquetReadObjects, type ColumnData } from 'hyparquet';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { ChaosError, asError } from '../errors.js';
import { RECORD_COLUMNS, type RecordColumn, type TestRecord } from '../records.js';
import type { Codec, RecordColumns } from './codec.js';

/** hyparquet-writer's own (nested) hyparquet version, whose types differ slightly from the reader's. */
type SchemaElement = NonNullable<Parameters<typeof parquetWriteBuffer>[0]['schema']>[number];

const STRING = { type: 'BYTE_ARRAY', converted_type: 'UTF8' } as const;
const INT32 = { type: 'INT32' } as const;

/** Parquet type of every column; created_at needs an explicit schema since BasicType 'TIMESTAMP' means millis. */
const COLUMN_TYPES: Record<RecordColumn, Omit<SchemaElement, 'name'>> = {
  id: STRING,
  worker: INT32,
  seq: INT32,
  model: STRING,
  test_name: STRING,
  score: { type: 'DOUBLE' },
  latency_ms: INT32,
  ok: { type: 'BOOLEAN' },
  payload: STRING,
  created_at: { type: 'INT64', converted_type: 'TIMESTAMP_MICROS' },
  checksum: STRING,
};

function codecError(what: string, thrown: unknown): ChaosError {
  const cause = asError(thrown);
  return new ChaosError('E_CODEC', `hyparquet: ${what}: ${cause.message}`, { cause });
}

const SCHEMA: SchemaElement[] = [
  { name: 'root', num_children: RECORD_COLUMNS.length },
  ...RECORD_COLUMNS.map((name): SchemaElement => ({ name, repetition_type: 'REQUIRED', ...COLUMN_TYPES[name] })),
];

/**
 * hyparquet-writer always emits DATA_PAGE_V2 pages in a version-2 footer. parquetjs-lite decodes those pages
 * (SNAPPY included) but neither RLE_DICTIONARY nor footer version 2: PLAIN encoding here, and the
 * parquetjs-lite codec relaxes its version check, make these files readable by both (measured, 0.17.0 / 0.8.7).
 */
export const hyparquetCodec: Codec = {
  name: 'hyparquet',

  async ready() {},

  async encode(records) {
    try {
      const buffer = parquetWriteBuffer({
        codec: 'SNAPPY',
        schema: SCHEMA,
        columnData: RECORD_COLUMNS.map((name) => ({ name, data: records.map((r) => r[name]), encoding: 'PLAIN' })),
      });
      return new Uint8Array(buffer);
    } catch (thrown) {
      throw codecError(`cannot encode ${records.length} records`, thrown);
    }
  },

  async decode(bytes) {
    try {
      const rows = await parquetReadObjects(readOptions(bytes));
      return rows as TestRecord[];
    } catch (thrown) {
      throw codecError(`cannot decode ${bytes.byteLength} bytes`, thrown);
    }
  },
};

function readOptions(bytes: Uint8Array, stringsAsBytes = false) {
  return {
    // a copy: `bytes` may be a view into a larger (pooled) buffer
    file: new Uint8Array(bytes).buffer,
    columns: [...RECORD_COLUMNS],
    // keep created_at as bigint micros instead of a millisecond Date; nanoseconds (pandas' default
    // datetime64[ns]) as micros when they are whole micros, else as they are (and so not the record's)
    parsers: {
      timestampFromMicroseconds: (micros: bigint) => micros,
      timestampFromNanoseconds: (nanos: bigint) => (nanos % 1000n === 0n ? nanos / 1000n : nanos),
      // a string's UTF-8 bytes as they are (a view into the page), for recordAt to decode only when asked
      ...(stringsAsBytes ? { stringFromBytes: (bytes: Uint8Array) => bytes as unknown as string } : {}),
    },
  };
}

/** The Parquet types that can hold each column's values exactly (any other is no mapping). */
const MAPPABLE: Record<RecordColumn, { types: readonly string[]; describe: string }> = {
  id: { types: ['BYTE_ARRAY'], describe: 'a UTF-8 string' },
  worker: { types: ['INT32', 'INT64'], describe: 'an integer' },
  seq: { types: ['INT32', 'INT64'], describe: 'an integer' },
  model: { types: ['BYTE_ARRAY'], describe: 'a UTF-8 string' },
  test_name: { types: ['BYTE_ARRAY'], describe: 'a UTF-8 string' },
  score: { types: ['DOUBLE'], describe: 'a double' },
  latency_ms: { types: ['INT32', 'INT64'], describe: 'an integer' },
  ok: { types: ['BOOLEAN'], describe: 'a boolean' },
  payload: { types: ['BYTE_ARRAY'], describe: 'a UTF-8 string' },
  created_at: { types: ['INT64'], describe: 'an int64 of microseconds, or a timestamp in micro- or nanoseconds' },
  checksum: { types: ['BYTE_ARRAY'], describe: 'a UTF-8 string' },
};

/**
 * Refuses a file whose columns cannot be read back as a record's: a column missing, or of a type that
 * cannot hold its values exactly (a float score, a millisecond created_at). Extra columns (a pandas
 * index, `__index_level_0__`) are not read. An E_SCHEMA error naming the column: never a silent skip.
 */
function checkColumns(metadata: ReturnType<typeof parquetMetadata>): void {
  const top = metadata.schema.slice(1).filter((element) => element.name !== undefined);
  const byName = new Map(top.map((element) => [element.name, element]));
  for (const column of RECORD_COLUMNS) {
    const element = byName.get(column);
    const expected = MAPPABLE[column];
    if (!element) {
      throw new ChaosError('E_SCHEMA', `column '${column}' is missing (the file has: ${top.map((e) => e.name).join(', ')})`, { option: column, expected: expected.describe });
    }
    const timestamp = element.logical_type?.type === 'TIMESTAMP' ? element.logical_type.unit : element.converted_type === 'TIMESTAMP_MILLIS' ? 'MILLIS' : undefined;
    if (!expected.types.includes(element.type ?? '') || timestamp === 'MILLIS') {
      const got = `${element.type ?? 'a group'}${timestamp ? ` TIMESTAMP(${timestamp})` : ''}`;
      throw new ChaosError('E_SCHEMA', `column '${column}' is ${got}, which cannot hold its values exactly: expected ${expected.describe}`, { option: column, value: got, expected: expected.describe });
    }
  }
}

/**
 * What `decode` reads, as columns: hyparquet's decoded column chunks as they come (no row objects made,
 * which cost as much as the decoding itself), each value where decode's rows would hold it; a string
 * as its UTF-8 bytes (recordAt decodes it as decode does: decoding a million strings the checker then
 * compares byte for byte cost a third of the reading).
 */
export async function decodeHyparquetColumns(bytes: Uint8Array): Promise<RecordColumns> {
  try {
    const options = readOptions(bytes, true);
    const metadata = parquetMetadata(options.file);
    checkColumns(metadata);
    // The rows are what the columns hold, whatever the footer declares. Rows past the footer's count
    // are read too (up to the row groups' sum, and whatever a page decodes past it): a footer that
    // declares too few must not hide rows from the checker. A column shorter than the longest leaves
    // its rows' values undefined, for the checker to judge row by row; rows the footer declares that
    // no column holds are counted missing, never looped over (a footer may declare 2^40 rows).
    const declared = Math.max(Number(metadata.num_rows), metadata.row_groups.reduce((sum, group) => sum + Number(group.num_rows), 0));
    const chunks = new Map<string, ColumnData[]>();
    await parquetRead({ ...options, metadata, rowEnd: declared, onChunk: (chunk) => void (chunks.get(chunk.columnName) ?? chunks.set(chunk.columnName, []).get(chunk.columnName)!).push(chunk) });
    const rows = Math.max(0, ...[...chunks.values()].flatMap((list) => list.map((chunk) => chunk.rowStart + chunk.columnData.length)));
    const columns = Object.fromEntries(RECORD_COLUMNS.map((name) => [name, joined(chunks.get(name) ?? [], rows)]));
    return { rows, columns: columns as unknown as RecordColumns['columns'], ...(declared > rows ? { missingRows: declared - rows } : {}) };
  } catch (thrown) {
    if (thrown instanceof ChaosError && thrown.code === 'E_SCHEMA') throw thrown;
    throw codecError(`cannot decode ${bytes.byteLength} bytes`, thrown);
  }
}

/** A column's chunks as one array of `rows` values (the chunk itself when it is the whole column). */
function joined(chunks: ColumnData[], rows: number): ArrayLike<unknown> {
  if (chunks.length === 1 && chunks[0]!.rowStart === 0) return chunks[0]!.columnData;
  const values: unknown[] = new Array(rows);
  for (const { columnData, rowStart } of chunks) {
    for (let i = 0; i < columnData.length && rowStart + i < rows; i++) values[rowStart + i] = columnData[i];
  }
  return values;
}
