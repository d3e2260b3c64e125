/**
 * `npm run schema`: regenerates schema/result.schema.json from the valibot schema of the result JSON, and
 * the writer protocol's and the strategy manifest's JSON Schemas from theirs.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { manifestJsonSchemaText, protocolJsonSchemaText, resultJsonSchemaText } from './result-schema.js';

const dir = join(import.meta.dirname, '..', 'schema');
mkdirSync(dir, { recursive: true });
writeFileSync(join(dir, 'result.schema.json'), resultJsonSchemaText());
writeFileSync(join(dir, 'writer-protocol.schema.json'), protocolJsonSchemaText());
writeFileSync(join(dir, 'strategy-manifest.schema.json'), manifestJsonSchemaText());
