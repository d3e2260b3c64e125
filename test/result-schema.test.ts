import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { readResult } from '../harness/cli/commands/report.js';
import { resultJsonSchemaText } from '../scripts/result-schema.js';
import { runSmall } from './support/cell.js';
import { fixtureResult, sweepFixtureResult } from './support/result-fixture.js';

const schemaPath = resolve(import.meta.dirname, '../schema/result.schema.json');
const published = readFileSync(schemaPath, 'utf8');
const validate = new Ajv({ allErrors: true }).compile(JSON.parse(published) as object);

/** Writes `value` as a result file and reads it back the way `report` does. */
function roundTrip(value: unknown): string {
  const path = join(mkdtempSync(join(tmpdir(), 'parquet-chaos-schema-')), 'result.json');
  writeFileSync(path, JSON.stringify(value));
  return path;
}

describe('the result JSON schema', () => {
  it('schema/result.schema.json is what `npm run schema` generates from the valibot schema', () => {
    expect(published).toBe(resultJsonSchemaText());
  });

  it('a real result.json (one cell, real processes) passes both the JSON Schema and the reader', async () => {
    // Arrange + Act
    const result = await runSmall({ strategies: ['realtime'], scenarios: ['main-file-contention'], workers: 2, recordsPerWorker: 3 });
    const path = join(result.runDir, 'result.json');
    const json = JSON.parse(readFileSync(path, 'utf8')) as unknown;

    // Assert
    expect(validate(json), JSON.stringify(validate.errors)).toBe(true);
    expect(readResult(path).cells[0]!.verdict.acked).toBe(6);
  });

  it('the sweep and recommendation fixtures pass too', () => {
    for (const fixture of [fixtureResult(), sweepFixtureResult()]) {
      expect(validate(JSON.parse(JSON.stringify(fixture))), JSON.stringify(validate.errors)).toBe(true);
      expect(readResult(roundTrip(fixture)).runId).toBe(fixture.runId);
    }
  });

  it('accepts fields it does not know (a newer harness may add them) on the result and its cells', () => {
    const result = fixtureResult();
    const extended = { ...result, addedLater: { x: 1 }, cells: result.cells.map((c) => ({ ...c, newMetric: 3, verdict: { ...c.verdict, newCount: 0 } })) };
    expect(validate(extended)).toBe(true);
    expect(readResult(roundTrip(extended)).cells).toHaveLength(result.cells.length);
  });

  it('rejects a known field of the wrong type, naming it', () => {
    const result = fixtureResult();
    const broken = { ...result, cells: result.cells.map((c, i) => (i === 1 ? { ...c, verdict: { ...c.verdict, acked: 'many' } } : c)) };
    const path = roundTrip(broken);

    expect(validate(broken)).toBe(false);
    expect(validate.errors?.[0]?.instancePath).toBe('/cells/1/verdict/acked');
    expect(() => readResult(path)).toThrow(`${path}: cells[1].verdict.acked: got 'many', expected number`);
  });
});
