/** The part of parquetjs-lite 0.8.7 (CommonJS, untyped) that the codec uses. It throws plain strings. */
declare module 'parquetjs-lite' {
  import type { Writable } from 'node:stream';

  type FieldType = 'UTF8' | 'INT32' | 'INT64' | 'DOUBLE' | 'BOOLEAN' | 'TIMESTAMP_MICROS';
  type Compression = 'UNCOMPRESSED' | 'SNAPPY' | 'GZIP' | 'BROTLI';

  interface SchemaElement {
    name: string;
    /** parquet.thrift ConvertedType ordinal, null when absent. */
    converted_type: number | null;
  }

  interface FileMetaData {
    version: number;
    schema: SchemaElement[];
  }

  class ParquetSchema {
    constructor(fields: Record<string, { type: FieldType; compression?: Compression }>);
  }

  class ParquetWriter {
    static openStream(schema: ParquetSchema, stream: Writable, opts?: { useDataPageV2?: boolean }): Promise<ParquetWriter>;
    appendRow(row: object): Promise<void>;
    close(): Promise<void>;
  }

  class ParquetEnvelopeReader {
    static openBuffer(buffer: Buffer): Promise<ParquetEnvelopeReader>;
    readHeader(): Promise<void>;
    readFooter(): Promise<FileMetaData>;
  }

  interface ParquetCursor {
    next(): Promise<Record<string, unknown> | null>;
  }

  class ParquetReader {
    /** With `metadata` the footer is not read again (and the header magic is not checked). */
    static openBuffer(buffer: Buffer, opts?: { metadata?: FileMetaData }): Promise<ParquetReader>;
    getCursor(columns?: string[]): ParquetCursor;
    close(): Promise<void>;
  }

  const parquet: {
    ParquetSchema: typeof ParquetSchema;
    ParquetWriter: typeof ParquetWriter;
    ParquetEnvelopeReader: typeof ParquetEnvelopeReader;
    ParquetReader: typeof ParquetReader;
  };
  export default parquet;
}
