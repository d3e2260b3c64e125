import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parquetMetadata } from 'hyparquet';
import { afterAll, describe, expect, it } from 'vitest';
import { judgeFile } from '../harness/oracle/dataset-file.js';
import { datasetOf } from '../harness/oracle/checker.js';
import { makeRecord } from '../harness/sdk/records.js';

// Files written by pandas/pyarrow, as a foreign Python writer writes them, read by the checker with
// whole-row truth: snappy, dictionary pages, pandas' metadata and index column, int64 read as BigInt,
// micro- and nanosecond timestamps. A schema it cannot map is an error naming the column.
const pandas = spawnSync('python3', ['-c', 'import pandas, pyarrow'], { stdio: 'ignore' }).status === 0;
if (!pandas) console.warn('pandas-files.test: skipped, python3 with pandas and pyarrow is not installed (pip install pandas pyarrow)');

const folder = mkdtempSync(join(tmpdir(), 'parquet-chaos-pandas-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));
const generation = { seed: 7, payloadBytes: 48 };
const records = Array.from({ length: 8 }, (_, i) => makeRecord(generation.seed, i % 2, i, generation.payloadBytes, 1_765_120_000_000_000n + BigInt(i * 7)));

/** Each variant: a line of pandas applied to `df` (the records as given over the protocol) before `df.to_parquet(path)`. */
const GOOD: Record<string, string> = {
  'defaults (snappy, dictionary pages, pandas metadata)': '',
  'a pandas index column (__index_level_0__)': 'df.index = pd.Index([i * 3 for i in range(len(df))])',
  'created_at as timestamp[us]': "df['created_at'] = pd.to_datetime(df['created_at'], unit='us')",
  'created_at as timestamp[ns]': "df['created_at'] = pd.to_datetime(df['created_at'], unit='us').astype('datetime64[ns]')",
};
const BAD: Record<string, [string, RegExp]> = {
  'a renamed column': ["df = df.rename(columns={'score': 'scores'})", /column 'score' is missing \(the file has: id, worker, seq, model, test_name, scores,/],
  'a float32 score': ["df['score'] = df['score'].astype('float32')", /column 'score' is FLOAT, which cannot hold its values exactly: expected a double/],
  'created_at in milliseconds': ["df['created_at'] = pd.to_datetime(df['created_at'], unit='us').astype('datetime64[ms]')", /column 'created_at' is INT64 TIMESTAMP\(MILLIS\), which cannot hold its values exactly/],
};

/** Writes one file per variant with python3 + pandas; returns each variant's path. */
function writeWithPandas(variants: Record<string, string>): Map<string, string> {
  const rows = join(folder, 'rows.json');
  writeFileSync(rows, JSON.stringify(records.map((r) => ({ ...r, created_at: Number(r.created_at) }))));
  const paths = new Map(Object.keys(variants).map((name, i) => [name, join(folder, `${Object.keys(BAD).includes(name) ? 'bad' : 'good'}-${i}.parquet`)]));
  const script = ['import json, sys, pandas as pd', `rows = json.load(open(${JSON.stringify(rows)}))`,
    ...Object.entries(variants).map(([name, line]) => `df = pd.DataFrame(rows)\n${line}\ndf.to_parquet(${JSON.stringify(paths.get(name))})`)].join('\n');
  execFileSync('python3', ['-c', script], { stdio: ['ignore', 'ignore', 'pipe'] });
  return paths;
}

describe.skipIf(!pandas)('files written by pandas/pyarrow (python3)', () => {
  it('are read with whole-row truth: every row true to what its writer generated', async () => {
    const paths = writeWithPandas(GOOD);
    for (const [name, path] of paths) {
      const bytes = readFileSync(path);
      const judged = await judgeFile({ name, bytes }, generation);
      expect([judged.readable, judged.keys.length, judged.corruptRecords, judged.corruptEvidence], name).toEqual([true, records.length, 0, []]);
    }
    // What pandas put in them, so the test proves what it claims to cover.
    const metadata = parquetMetadata(readFileSync(paths.get('a pandas index column (__index_level_0__)')!).buffer);
    expect(metadata.key_value_metadata?.map((kv) => kv.key)).toContain('pandas');
    expect(metadata.schema.map((e) => e.name)).toContain('__index_level_0__');
    const chunks = metadata.row_groups[0]!.columns.map((c) => c.meta_data!);
    expect(chunks.every((c) => c.codec === 'SNAPPY')).toBe(true);
    expect(chunks.some((c) => c.encodings.includes('RLE_DICTIONARY'))).toBe(true);
  }, 60_000);

  it('a schema the checker cannot map is an error naming the column: a corrupt file and a reason, never a silent skip', async () => {
    const paths = writeWithPandas(Object.fromEntries(Object.entries(BAD).map(([name, [line]]) => [name, line])));
    for (const [name, path] of paths) {
      const judged = await judgeFile({ name, bytes: readFileSync(path) }, generation);
      expect(judged.readable, name).toBe(false);
      expect(judged.schemaError, name).toMatch(BAD[name]![1]);
    }
    const dataset = await datasetOf([...paths].map(([name, path]) => ({ name, bytes: readFileSync(path) })), generation);
    expect(dataset.corruptFiles).toHaveLength(3);
    expect(dataset.schemaErrors).toEqual(Object.values(BAD).map(([, expected]) => expect.stringMatching(expected)));
  }, 60_000);
});
