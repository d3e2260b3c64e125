import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeFailures } from '../harness/orchestrate/write-failures.js';

describe('writeFailures', () => {
  it("reports each writer's first three distinct messages with counts, and how many more", () => {
    // Arrange: writer-0 threw 'a' twice, then b, c, d, e once each; writer-1 never threw.
    const dir = mkdtempSync(join(tmpdir(), 'parquet-chaos-fails-'));
    const lines = (...entries: object[]) => entries.map((e) => `${JSON.stringify(e)}\n`).join('');
    const fail = (id: string, error: string) => ({ op: 'fail', id, t: 1, error });
    writeFileSync(join(dir, 'writer-0.jsonl'), lines({ op: 'start', pid: 1, t: 0 }, fail('w0-0', 'a'), fail('w0-1', 'a'), fail('w0-2', 'b'), fail('w0-3', 'c'), fail('w0-4', 'd'), fail('w0-5', 'e')));
    writeFileSync(join(dir, 'writer-1.jsonl'), lines({ op: 'start', pid: 2, t: 0 }, { op: 'attempt', id: 'w1-0', t: 1 }, { op: 'ack', id: 'w1-0', t: 2 }, { op: 'end', t: 3 }));

    try {
      // Act / Assert
      expect(writeFailures(dir)).toEqual([
        { source: 'writer-0', code: 'E_WRITE_FAILED', message: 'write() threw on 2 records: a' },
        { source: 'writer-0', code: 'E_WRITE_FAILED', message: 'write() threw on 1 record: b' },
        { source: 'writer-0', code: 'E_WRITE_FAILED', message: 'write() threw on 1 record: c' },
        { source: 'writer-0', code: 'E_WRITE_FAILED', message: "write() threw on 2 more records with 2 other messages (the ledger's fail lines hold them all)" },
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
