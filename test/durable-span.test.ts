import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { firstStartAt, parquetCompleteAt } from '../harness/orchestrate/durable-span.js';
import { parseLedger } from '../harness/oracle/ledger.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const T0 = 1_700_000_000_000;
const ledger = (lines: object[]) => parseLedger(lines.map((l) => JSON.stringify(l)).join('\n'));

function dataDirWith(files: Record<string, number>): string {
  const dir = mkdtempSync(join(tmpdir(), 'durable-span-'));
  dirs.push(dir);
  for (const [name, mtimeMs] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), 'x');
    utimesSync(join(dir, name), mtimeMs / 1000, mtimeMs / 1000);
  }
  return dir;
}

describe('end-to-end span: first writer start → last acked record in its final .parquet file', () => {
  const ledgers = new Map([
    ['writer-0.jsonl', ledger([{ op: 'start', pid: 1, t: T0 + 100 }, { op: 'attempt', id: 'w0-0', t: T0 + 110 }, { op: 'ack', id: 'w0-0', t: T0 + 900 }, { op: 'end', t: T0 + 950 }])],
    ['writer-1.jsonl', ledger([{ op: 'start', pid: 2, t: T0 + 50 }, { op: 'attempt', id: 'w1-0', t: T0 + 60 }, { op: 'ack', id: 'w1-0', t: T0 + 400 }, { op: 'end', t: T0 + 999 }])],
  ]);

  it('ends at a drain or merge that wrote Parquet after the last ack (nested folders included)', () => {
    // Arrange: a part file written by finalize long after the writers ended; temp files do not count.
    const data = dataDirWith({ 'part-1.parquet': T0 + 500, 'incremental/x.parquet': T0 + 3000, 'part-2.parquet.9.tmp': T0 + 9000 });

    // Act
    const [start, complete] = [firstStartAt(ledgers), parquetCompleteAt(data, ledgers)];

    // Assert
    expect(start).toBe(T0 + 50);
    expect(complete).toBe(T0 + 3000);
  });

  it('ends at the last ack when every Parquet file was written before it (the writer wrote Parquet itself)', () => {
    const data = dataDirWith({ 'main.parquet': T0 + 880 });
    expect(parquetCompleteAt(data, ledgers)).toBe(T0 + 900);
  });

  it('is undefined without a Parquet file or without an ack', () => {
    expect(parquetCompleteAt(dataDirWith({ 'a.tmp': T0 }), ledgers)).toBeUndefined();
    const unacked = new Map([['writer-0.jsonl', ledger([{ op: 'start', pid: 1, t: T0 }, { op: 'attempt', id: 'w0-0', t: T0 + 1 }])]]);
    expect(parquetCompleteAt(dataDirWith({ 'main.parquet': T0 + 5 }), unacked)).toBeUndefined();
    expect(firstStartAt(new Map())).toBeUndefined();
  });
});
