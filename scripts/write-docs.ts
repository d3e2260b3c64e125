/** `npm run docs`: regenerates the docs pages that describe code or results (scripts/docs/pages.ts). */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generatedPages } from './docs/pages.js';

const dir = join(import.meta.dirname, '..', 'docs');
for (const [name, text] of Object.entries(await generatedPages())) writeFileSync(join(dir, name), text);
