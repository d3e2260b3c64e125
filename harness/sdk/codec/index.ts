import { ChaosError, asError, badValue } from '../errors.js';
import type { TestRecord } from '../records.js';
import { columnsOf, type Codec, type CodecName, type RecordColumns } from './codec.js';
import { decodeHyparquetColumns, hyparquetCodec } from './hyparquet.js';
import { parquetjsLiteCodec } from './parquetjs-lite.js';

export const codecs = {
  hyparquet: hyparquetCodec,
  'parquetjs-lite': parquetjsLiteCodec,
} satisfies Record<CodecName, Codec>;

export function getCodec(name: string): Codec {
  if (!Object.hasOwn(codecs, name)) throw badValue('E_BAD_OPTION', '--codec', name, 'one of: hyparquet, parquetjs-lite');
  return codecs[name as CodecName];
}

/** How each codec reads a file as columns: hyparquet's own chunks, parquetjs-lite's rows turned to columns. */
const columnReaders: [CodecName, (bytes: Uint8Array) => Promise<RecordColumns>][] = [
  ['hyparquet', decodeHyparquetColumns],
  ['parquetjs-lite', async (bytes) => columnsOf(await parquetjsLiteCodec.decode(bytes))],
];

/** For the checker, which reads files without knowing their writer: hyparquet first, then parquetjs-lite. */
export async function decodeAny(bytes: Uint8Array): Promise<{ columns: RecordColumns; reader: CodecName }> {
  const causes: Error[] = [];
  for (const [reader, read] of columnReaders) {
    try {
      return { columns: await read(bytes), reader };
    } catch (thrown) {
      // A file that decodes but cannot be mapped is that, whatever another reader says.
      if (thrown instanceof ChaosError && thrown.code === 'E_SCHEMA') throw thrown;
      causes.push(asError(thrown));
    }
  }
  const reasons = causes.map((cause) => cause.message).join('; ');
  throw new ChaosError('E_CODEC', `no codec can decode ${bytes.byteLength} bytes (${reasons})`, { cause: new AggregateError(causes) });
}
