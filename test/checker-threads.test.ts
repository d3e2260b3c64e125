import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkCell } from '../harness/oracle/checker.js';
import { threadsFor } from '../harness/oracle/dataset-threads.js';
import { hyparquetCodec } from '../harness/sdk/codec/hyparquet.js';
import { makeRecord, recordChecksum, type TestRecord } from '../harness/sdk/records.js';

const claims = { noLostAcked: true, noDuplicates: true, noCorruption: true };
const generation = { seed: 3, payloadBytes: 12 };

/** What a generated cell holds beyond its writers' own rows, and so what its verdict must count. */
interface CellPlan {
  writers: number;
  records: number;
  /** Per writer and record: 0 lost (acked, in no file), 1 once, 2 twice (a duplicate). */
  copies: number[][];
  /** Rows that name an acked record but hold a forged field (corrupt records, kept out of the counts). */
  forged: number;
  /** Rows of ids no ledger attempted (phantoms). */
  phantoms: number;
  /** Files cut short (corrupt files). */
  torn: number;
  /** How the rows are spread over files: a file takes this many rows, then the next. */
  perFile: number;
}

const cellPlan = fc.record({ writers: fc.integer({ min: 1, max: 3 }), records: fc.integer({ min: 1, max: 12 }) }).chain(({ writers, records }) => fc.record({
  writers: fc.constant(writers),
  records: fc.constant(records),
  copies: fc.array(fc.array(fc.constantFrom(0, 1, 1, 1, 2), { minLength: records, maxLength: records }), { minLength: writers, maxLength: writers }),
  forged: fc.integer({ min: 0, max: 2 }),
  phantoms: fc.integer({ min: 0, max: 2 }),
  torn: fc.integer({ min: 0, max: 1 }),
  perFile: fc.integer({ min: 1, max: 7 }),
}));

/** Writes the cell of `plan` (ledgers and Parquet files, some in a subfolder) and returns its folder. */
async function writeCell(plan: CellPlan): Promise<string> {
  const cell = mkdtempSync(join(tmpdir(), 'parquet-chaos-threads-'));
  for (const dir of ['ledger', 'data/sub']) mkdirSync(join(cell, dir), { recursive: true });
  const row = (w: number, q: number) => makeRecord(generation.seed, w, q, generation.payloadBytes, 1_764_300_000_000_000n + BigInt(q));
  const rows: TestRecord[] = [];
  for (let w = 0; w < plan.writers; w++) {
    const lines = [{ op: 'start', pid: 100 + w, t: 0 }, ...plan.copies[w]!.flatMap((_, q) => [{ op: 'attempt', id: `w${w}-${q}`, t: q + 0.5 }, { op: 'ack', id: `w${w}-${q}`, t: q + 0.75 }]), { op: 'end', t: 99 }];
    writeFileSync(join(cell, 'ledger', `writer-${w}.jsonl`), `${lines.map((line) => JSON.stringify(line)).join('\n')}\n`);
    plan.copies[w]!.forEach((copies, q) => {
      for (let c = 0; c < copies; c++) rows.push(row(w, q));
    });
  }
  for (let i = 0; i < plan.forged; i++) {
    const forged = { ...row(0, i % plan.records), model: 'forged' };
    rows.push({ ...forged, checksum: recordChecksum(forged) });
  }
  for (let i = 0; i < plan.phantoms; i++) rows.push(row(plan.writers + i, 0));
  let file = 0;
  for (let at = 0; at < rows.length; at += plan.perFile) {
    writeFileSync(join(cell, file % 2 ? 'data/sub' : 'data', `part-${file}.parquet`), await hyparquetCodec.encode(rows.slice(at, at + plan.perFile)));
    file++;
  }
  if (plan.torn > 0) writeFileSync(join(cell, 'data', 'torn.parquet'), (await hyparquetCodec.encode([row(0, 0)])).subarray(0, 60));
  return cell;
}

/** The counts a correct checker gives the cell of `plan`, from the plan alone. */
function expectedCounts(plan: CellPlan) {
  const copies = plan.copies.flat();
  return {
    acked: plan.writers * plan.records,
    lost: copies.filter((n) => n === 0).length,
    duplicates: copies.filter((n) => n === 2).length,
    phantoms: plan.phantoms,
    corruptRecords: plan.forged,
    corruptFiles: plan.torn,
  };
}

describe('the checker with reading threads', () => {
  it('gives the verdict of the main thread alone, evidence order included, on generated cells with lost, duplicate, corrupt and phantom records', async () => {
    await fc.assert(fc.asyncProperty(cellPlan, async (plan) => {
      // Arrange
      const cell = await writeCell(plan);
      try {
        // Act: the main thread alone; one reading thread (two: checker-fast.test.ts).
        const alone = await checkCell(cell, claims, generation, { threads: 0 });
        const oneThread = await checkCell(cell, claims, generation, { threads: 1 });

        // Assert: the counts the plan makes (a wrong oracle cannot pass this), and the same verdict every way.
        const expected = expectedCounts(plan);
        expect(alone).toMatchObject(expected);
        expect(alone.valid).toBe(expected.lost + expected.duplicates + expected.phantoms + expected.corruptRecords + expected.corruptFiles === 0);
        expect(oneThread).toEqual(alone);
      } finally {
        rmSync(cell, { recursive: true, force: true });
      }
    }), { numRuns: 3, seed: 24 });
  });

  it('uses a thread a core but the main thread\'s, at most 4 and at most a file each, none for a small dataset or a single core', () => {
    const mib = 1 << 20;
    expect(threadsFor([3 * mib, 3 * mib], 2)).toBe(1);
    expect(threadsFor([3 * mib, 3 * mib], 3)).toBe(2);
    expect(threadsFor(Array(100).fill(mib), 8)).toBe(4);
    expect(threadsFor([64 * mib], 2)).toBe(1);
    expect(threadsFor([3 * mib, 3 * mib], 1)).toBe(0);
    expect(threadsFor([mib, mib], 2)).toBe(0);
  });
});
