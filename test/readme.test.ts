import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scenarioTableMarkdown } from '../harness/orchestrate/scenario-table.js';

describe('README matches the code', () => {
  it('holds the scenario table generated from the scenario definitions', () => {
    const readme = readFileSync(resolve(import.meta.dirname, '../README.md'), 'utf8');
    expect(readme).toContain(scenarioTableMarkdown());
  });
});
