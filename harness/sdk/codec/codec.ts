import type { TestRecord } from '../records.js';

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
