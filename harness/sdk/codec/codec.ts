import { RECORD_COLUMNS, type RecordColumn, type TestRecord } from '../records.js';

/** Encodes record batches to Parquet bytes and back. Every strategy and the checker go through one. */
export interface Codec {
  readonly name: CodecName;
  /** Loads what encode and decode need (a library loaded on first use), so that a role's first record does not pay for it. */
  ready(): Promise<void>;
  encode(records: readonly TestRecord[]): Promise<Uint8Array>;
  /** Throws (an Error, never a string) when the bytes are not a readable Parquet file. */
  decode(bytes: Uint8Array): Promise<TestRecord[]>;
}

export const CODEC_NAMES = ['hyparquet', 'parquetjs-lite'] as const;

export type CodecName = (typeof CODEC_NAMES)[number];

/** A column's values: a string field's may be its UTF-8 bytes, as read (recordAt decodes them). */
export type ColumnValue<K extends RecordColumn> = TestRecord[K] extends string ? string | Uint8Array : TestRecord[K];

/**
 * Records as columns: one array per column, in row order, `rows` long. The checker reads files so,
 * without an object per row, and compares the string fields as their bytes (no string made a value).
 */
export interface RecordColumns {
  rows: number;
  columns: { readonly [K in RecordColumn]: ArrayLike<ColumnValue<K>> };
  /** Rows the file's footer declares that no column holds (absent: none). */
  missingRows?: number;
}

/** Records as columns. */
export function columnsOf(records: readonly TestRecord[]): RecordColumns {
  const columns = Object.fromEntries(RECORD_COLUMNS.map((name) => [name, records.map((record) => record[name])]));
  return { rows: records.length, columns: columns as unknown as RecordColumns['columns'] };
}

const utf8 = new TextDecoder();

/** A string field's value: its bytes decoded as the reader decodes strings (a TextDecoder's defaults), or the value as it is. */
function text<T>(value: T | Uint8Array): T | string {
  return value instanceof Uint8Array ? utf8.decode(value) : value;
}

/** Row `i` of `table`, written into `into` (a scratch record reused row after row, or a fresh one); string fields read as bytes are decoded. */
export function recordAt(table: RecordColumns, i: number, into = {} as TestRecord): TestRecord {
  const c = table.columns;
  into.id = text(c.id[i]!) as string;
  into.worker = c.worker[i]!;
  into.seq = c.seq[i]!;
  into.model = text(c.model[i]!) as string;
  into.test_name = text(c.test_name[i]!) as string;
  into.score = c.score[i]!;
  into.latency_ms = c.latency_ms[i]!;
  into.ok = c.ok[i]!;
  into.payload = text(c.payload[i]!) as string;
  into.created_at = c.created_at[i]!;
  into.checksum = text(c.checksum[i]!) as string;
  return into;
}
