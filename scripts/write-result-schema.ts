/** `npm run schema`: regenerates schema/result.schema.json from the valibot schema of the result JSON. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { resultJsonSchemaText } from './result-schema.js';

const dir = join(import.meta.dirname, '..', 'schema');
mkdirSync(dir, { recursive: true });
writeFileSync(join(dir, 'result.schema.json'), resultJsonSchemaText());
