import { toJsonSchema } from '@valibot/to-json-schema';
import { RunResultSchema } from '../harness/result/result.js';

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
