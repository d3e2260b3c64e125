import { toJsonSchema } from '@valibot/to-json-schema';
import { RunResultSchema } from '../harness/result/result.js';
import { PROTOCOL_VERSION, ProtocolMessageSchema } from '../harness/foreign/protocol.js';
import { MANIFEST_VERSION, ManifestSchema } from '../harness/foreign/manifest.js';

/**
 * The result JSON's JSON Schema (schema/result.schema.json), generated from the valibot schema so the
 * two cannot drift: `npm run schema` writes it, and a test checks the file is up to date.
 */
export function resultJsonSchema(): Record<string, unknown> {
  const { $schema, ...schema } = toJsonSchema(RunResultSchema);
  return {
    $schema,
    title: 'parquet-chaos result (schemaVersion 1)',
    description: 'What `parquet-chaos run`, `sweep` and `recommend` write to runs/<run-id>/result.json. Objects may carry fields a newer version added.',
    ...schema,
  };
}

export const resultJsonSchemaText = (): string => `${JSON.stringify(resultJsonSchema(), null, 2)}\n`;

/** schema/writer-protocol.schema.json: every message of writer protocol 1, either way, from the schemas the adapter parses with. */
export function protocolJsonSchema(): Record<string, unknown> {
  const { $schema, ...schema } = toJsonSchema(ProtocolMessageSchema);
  return {
    $schema,
    title: `parquet-chaos writer protocol ${PROTOCOL_VERSION}: one message (one line of newline-delimited JSON)`,
    description: 'harness → child on stdin: init, write, close, stop, continue; child → harness on stdout: init_ok, ok, fail, info, close_ok, done, point, count, lock. See docs/protocol.md.',
    ...schema,
  };
}

/** schema/strategy-manifest.schema.json: a foreign strategy's manifest. */
export function manifestJsonSchema(): Record<string, unknown> {
  const { $schema, ...schema } = toJsonSchema(ManifestSchema);
  return {
    $schema,
    title: `parquet-chaos strategy manifest (manifest ${MANIFEST_VERSION})`,
    description: 'A foreign (any-language) write strategy: the command of each role, options, claimed guarantees, crash points, requirements, deadlines. See docs/protocol.md.',
    ...schema,
  };
}

export const protocolJsonSchemaText = (): string => `${JSON.stringify(protocolJsonSchema(), null, 2)}\n`;
export const manifestJsonSchemaText = (): string => `${JSON.stringify(manifestJsonSchema(), null, 2)}\n`;
