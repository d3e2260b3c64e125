import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Ajv } from 'ajv';
import { afterAll, describe, expect, it } from 'vitest';
import { readManifest } from '../harness/foreign/manifest.js';
import { loadStrategy } from '../harness/orchestrate/load-strategy.js';
import { resolveMatrix } from '../harness/orchestrate/run.js';
import { makeRecord } from '../harness/sdk/records.js';
import { manifestJsonSchemaText, protocolJsonSchemaText } from '../scripts/result-schema.js';

const root = resolve(import.meta.dirname, '..');
const published = (name: string) => readFileSync(join(root, 'schema', name), 'utf8');
const ajv = new Ajv({ allErrors: true, strict: false });
const fixtures = ['correct.json', 'misbehaving.json'].map((f) => join(root, 'test/fixtures/foreign', f));
const folder = mkdtempSync(join(tmpdir(), 'parquet-chaos-manifest-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

const correct = JSON.parse(readFileSync(fixtures[0]!, 'utf8')) as Record<string, unknown>;
/** Writes a variant of the correct fixture's manifest and returns its path. */
function variant(name: string, changes: Record<string, unknown>): string {
  const path = join(folder, `${name}.json`);
  writeFileSync(path, JSON.stringify({ ...correct, ...changes }));
  return path;
}

describe('strategy manifests', () => {
  it('schema/strategy-manifest.schema.json and schema/writer-protocol.schema.json are what `npm run schema` generates', () => {
    expect(published('strategy-manifest.schema.json')).toBe(manifestJsonSchemaText());
    expect(published('writer-protocol.schema.json')).toBe(protocolJsonSchemaText());
  });

  it('the fixtures pass both the published JSON Schema and the reader', () => {
    const validate = ajv.compile(JSON.parse(published('strategy-manifest.schema.json')) as object);
    for (const path of fixtures) {
      expect(validate(JSON.parse(readFileSync(path, 'utf8'))), JSON.stringify(validate.errors)).toBe(true);
      expect(readManifest(path).manifest).toBe(1);
    }
  });

  it('the messages the harness sends and a child answers pass the published protocol schema; a bad one does not', () => {
    const validate = ajv.compile(JSON.parse(published('writer-protocol.schema.json')) as object);
    const record = makeRecord(1, 0, 3, 16, 1_765_120_000_000_000n);
    const good = [
      { type: 'write', id: record.id, record: { ...record, created_at: Number(record.created_at) } },
      { type: 'ok', id: 'w0-3', acks: ['w0-2', 'w0-3'] }, { type: 'info', id: 'w0-3', error: 'timeout' },
      { type: 'init_ok', protocol: 1, points: ['main:read'] }, { type: 'lock', name: 'main', wait_ms: 1.5, outcome: 'timeout' },
    ];
    for (const message of good) expect(validate(message), JSON.stringify(validate.errors)).toBe(true);
    expect(validate({ type: 'ok' })).toBe(false);
    expect(validate({ type: 'lock', name: 'main', wait_ms: 1, outcome: 'maybe' })).toBe(false);
  });

  it.each([
    ['an option default outside its range', { options: { n: { integer: { min: 1, max: 5 }, default: 9, describe: 'n' } } }, /options\.n\.default: got 9, expected an integer from 1 to 5/],
    ['a `when` naming no option', { guarantees: { default: { noLostAcked: true, noDuplicates: true, noCorruption: true }, when: [{ options: { mode: 'x' }, noLostAcked: false }] } }, /guarantees\.when\[0\]\.options: got 'mode', expected one of the manifest's options/],
    ['an unknown field (a typo)', { deadline: { recordMs: 5 } }, /deadline/],
    ['no writer command', { roles: { writer: { command: [] } } }, /roles\.writer\.command/],
  ])('a manifest with %s is an E_PLUGIN error naming the field', (_what, changes, expected) => {
    const path = variant(_what.replace(/\W+/g, '-'), changes);
    expect(() => readManifest(path)).toThrow(expected);
    try {
      readManifest(path);
    } catch (error) {
      expect((error as { code?: string }).code).toBe('E_PLUGIN');
    }
  });

  it('loads as a strategy: options resolved and typed, guarantees per option, the label as written', async () => {
    const path = variant('claims', {
      options: { publish: { choices: ['atomic', 'inplace'], default: 'atomic', describe: 'how main is replaced' } },
      guarantees: { default: { noLostAcked: true, noDuplicates: true, noCorruption: true }, when: [{ options: { publish: 'inplace' }, noLostAcked: false, noCorruption: false }] },
    });
    const atomic = await loadStrategy(path);
    const inplace = await loadStrategy(`${path}:publish=inplace`);
    expect(atomic.guarantees).toEqual({ noLostAcked: true, noDuplicates: true, noCorruption: true });
    expect(inplace.guarantees).toEqual({ noLostAcked: false, noDuplicates: true, noCorruption: false });
    expect(inplace.definition.name).toBe('js-file-per-record');
    expect(inplace.spec.label).toBe(`${path}:publish=inplace`);
    await expect(loadStrategy(`${path}:publish=sideways`)).rejects.toThrow(/publish: got 'sideways', expected one of: atomic, inplace/);
  });

  it('a missing program or Python module is found before any cell: E_REQUIRES saying what to install', async () => {
    const noProgram = variant('no-program', { roles: { writer: { command: ['parquet-chaos-no-such-interpreter'] } } });
    const noModule = variant('no-module', { requires: { python3: '>=3.0', modules: ['json', 'parquet_chaos_no_such_module'] } });
    await expect(resolveMatrix({ strategies: [noProgram], scenarios: ['main-file-contention'], redisUrl: null }))
      .rejects.toMatchObject({ code: 'E_REQUIRES', message: expect.stringMatching(/needs the program 'parquet-chaos-no-such-interpreter' \(not found on PATH\)/) });
    await expect(resolveMatrix({ strategies: [noModule], scenarios: ['main-file-contention'], redisUrl: null }))
      .rejects.toMatchObject({ code: 'E_REQUIRES', message: expect.stringMatching(/needs the python3 module parquet_chaos_no_such_module\. Install with: pip install json parquet_chaos_no_such_module/) });
  });
});
