import { ChaosError, asError, badValue } from '../errors.js';
import type { TestRecord } from '../records.js';
import type { Codec, CodecName } from './codec.js';
import { hyparquetCodec } from './hyparquet.js';
import { parquetjsLiteCodec } from './parquetjs-lite.js';

export const codecs = {
  hyparquet: hyparquetCodec,
  'parquetjs-lite': parquetjsLiteCodec,
} satisfies Record<CodecName, Codec>;

export function getCodec(name: string): Codec {
  if (!Object.hasOwn(codecs, name)) throw badValue('E_BAD_OPTION', '--codec', name, 'one of: hyparquet, parquetjs-lite');
  return codecs[name as CodecName];
}

/** For the checker, which reads files without knowing their writer: hyparquet first, then parquetjs-lite. */
export async function decodeAny(bytes: Uint8Array): Promise<{ records: TestRecord[]; reader: CodecName }> {
  const causes: Error[] = [];
  for (const codec of [hyparquetCodec, parquetjsLiteCodec]) {
    try {
      return { records: await codec.decode(bytes), reader: codec.name };
    } catch (thrown) {
      causes.push(asError(thrown));
    }
  }
  const reasons = causes.map((cause) => cause.message).join('; ');
  throw new ChaosError('E_CODEC', `no codec can decode ${bytes.byteLength} bytes (${reasons})`, { cause: new AggregateError(causes) });
}
