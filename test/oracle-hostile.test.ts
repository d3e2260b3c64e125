/**
 * The oracle on input it did not write: rows it cannot handle, content that is wrong under a right id,
 * claims that claim nothing, writers that left no ledger, rows a footer hides, a FIFO, ids that would
 * cost 4 MiB each. Each case is a broken fixture with exact counts, beside a correct twin where it has one.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parquetMetadata } from 'hyparquet';
import { ByteWriter, parquetWriteBuffer } from 'hyparquet-writer';
// The writer's own footer serialiser (not exported): a footer that lies about its row count is made by re-serialising a true one.
// @ts-expect-error untyped module of hyparquet-writer
import { writeMetadata } from '../node_modules/hyparquet-writer/src/metadata.js';
import { describe, expect, it } from 'vitest';
import { checkCell, computeVerdict, ledgerFacts, readDataset } from '../harness/oracle/checker.js';
import { IdIndex } from '../harness/oracle/id-table.js';
import { judge } from '../harness/oracle/judge.js';
import { loadStrategy } from '../harness/orchestrate/load-strategy.js';
import { hyparquetCodec } from '../harness/sdk/codec/hyparquet.js';
import { makeRecord, RECORD_COLUMNS, recordChecksum, type TestRecord } from '../harness/sdk/records.js';
import { tempCell } from './support/sim.js';

const ALL = { noLostAcked: true, noDuplicates: true, noCorruption: true };
const generation = { seed: 1, payloadBytes: 8 };
const row = (seq: number, worker = 0): TestRecord => makeRecord(generation.seed, worker, seq, generation.payloadBytes, 5n);
const lines = (...entries: object[]) => entries.map((e) => JSON.stringify(e)).join('\n');

/** A ledger in which one process attempted and acked `ids`, then ended. */
function ackedLedger(ids: string[]): string {
  return lines({ op: 'start', pid: 1, t: 0 }, ...ids.flatMap((id) => [{ op: 'attempt', id, t: 1 }, { op: 'ack', id, t: 2 }]), { op: 'end', t: 3 });
}

/** Rows as a Parquet file whose schema hyparquet-writer infers from the values (so a null or a number id can be written). */
function looseParquet(rows: object[]): Uint8Array {
  return new Uint8Array(parquetWriteBuffer({ columnData: RECORD_COLUMNS.map((name) => ({ name, data: rows.map((r) => (r as Record<string, unknown>)[name]) })) }));
}

/** `bytes` with a footer that declares `rows` rows (file and row group alike), the data pages unchanged. */
function withDeclaredRows(bytes: Uint8Array, rows: number): Uint8Array {
  const buffer = new Uint8Array(bytes).buffer;
  const metadata = parquetMetadata(buffer);
  const footerLength = new DataView(buffer).getUint32(buffer.byteLength - 8, true);
  const body = bytes.subarray(0, bytes.byteLength - 8 - footerLength);
  const writer = new ByteWriter();
  writeMetadata(writer, { ...metadata, num_rows: BigInt(rows), row_groups: metadata.row_groups.map((g) => ({ ...g, num_rows: BigInt(rows) })) });
  const footer = new Uint8Array(writer.getBuffer());
  const out = new Uint8Array(body.byteLength + footer.byteLength + 8);
  out.set(body);
  out.set(footer, body.byteLength);
  new DataView(out.buffer).setUint32(body.byteLength + footer.byteLength, footer.byteLength, true);
  out.set(Buffer.from('PAR1'), out.byteLength - 4);
  return out;
}

describe('a row the row check cannot handle fails alone, as a corrupt record', () => {
  it('a null created_at, a footer declaring rows no column holds and a numeric id: each counted, and the lost ack beside them still fails the cell', async () => {
    // Arrange: w0-0..w0-4 acked. w0-2's only row has a null created_at, so w0-2 is lost.
    const cell = tempCell();
    writeFileSync(join(cell, 'ledger', 'writer-0.jsonl'), ackedLedger(['w0-0', 'w0-1', 'w0-2', 'w0-3', 'w0-4']));
    writeFileSync(join(cell, 'data', 'a.parquet'), await hyparquetCodec.encode([row(0), row(1)]));
    writeFileSync(join(cell, 'data', 'b.parquet'), looseParquet([{ ...row(2), created_at: null }, row(3)]));
    writeFileSync(join(cell, 'data', 'c.parquet'), withDeclaredRows(await hyparquetCodec.encode([row(4)]), 3));
    const numeric = { ...row(9), id: 7 } as unknown as TestRecord;
    writeFileSync(join(cell, 'data', 'd.parquet'), looseParquet([{ ...numeric, checksum: recordChecksum(numeric) }]));

    // Act
    const onMain = await checkCell(cell, ALL, generation, { threads: 0 });
    const inThreads = await checkCell(cell, ALL, generation, { threads: 2 });

    // Assert
    expect(inThreads).toEqual(onMain);
    // A whole id column of numbers is a schema the checker cannot map: d.parquet is a corrupt file named with its column.
    expect(onMain).toMatchObject({ acked: 5, present: 4, lost: 1, corruptFiles: 1, corruptRecords: 3, phantoms: 0, valid: false, broken: ['noLostAcked', 'noCorruption'] });
    expect(onMain.error).toBeUndefined();
    expect(onMain.evidence.lost).toEqual(['w0-2']);
    expect(onMain.evidence.corruptRecords).toEqual(['w0-2: created_at (missing)', 'c.parquet: 2 row(s) declared by the footer are in no column']);
    expect(onMain.evidence.corruptFiles).toEqual(['d.parquet']);
  });

  it('rows past the footer\'s declared count are read and judged: the duplicate and the phantom they hold are found', async () => {
    // Arrange: three rows (w0-0 twice and a never-attempted w5-5) under a footer declaring one.
    const cell = tempCell();
    writeFileSync(join(cell, 'ledger', 'writer-0.jsonl'), ackedLedger(['w0-0']));
    writeFileSync(join(cell, 'data', 'a.parquet'), withDeclaredRows(await hyparquetCodec.encode([row(0), row(0), row(5, 5)]), 1));
    const twin = tempCell();
    writeFileSync(join(twin, 'ledger', 'writer-0.jsonl'), ackedLedger(['w0-0']));
    writeFileSync(join(twin, 'data', 'a.parquet'), withDeclaredRows(await hyparquetCodec.encode([row(0)]), 1));

    // Act
    const v = await checkCell(cell, ALL, generation, { threads: 0 });

    // Assert
    expect(v).toMatchObject({ present: 2, duplicates: 1, phantoms: 1, corruptRecords: 0, valid: false, broken: ['noDuplicates', 'noPhantoms'] });
    expect(await checkCell(twin, ALL, generation, { threads: 0 })).toMatchObject({ present: 1, duplicates: 0, phantoms: 0, valid: true });
  });
});

describe('wrong content under a right id is never excused', () => {
  const facts = ledgerFacts([ackedLedger(['w0-0', 'w0-1'])]);
  const dataset = (corrupt: { files?: string[]; records?: number }) => {
    const counts = new Map([['w0-0', 1], ['w0-1', 1]]);
    return { counts, files: 2, corruptFiles: corrupt.files ?? [], corruptRecords: corrupt.records ?? 0, corruptEvidence: [] };
  };
  const inplace = { noLostAcked: true, noDuplicates: true, noCorruption: false };

  it('a corrupt row fails a strategy that does not claim noCorruption; a corrupt file (a torn in-place write) stays excused', () => {
    expect(computeVerdict(facts, dataset({ records: 1 }), inplace)).toMatchObject({ corruptRecords: 1, valid: false, broken: ['noCorruptRecords'] });
    expect(computeVerdict(facts, dataset({ files: ['torn.parquet'] }), inplace)).toMatchObject({ corruptFiles: 1, valid: true, broken: [] });
    expect(computeVerdict(facts, dataset({ records: 1 }), ALL)).toMatchObject({ valid: false, broken: ['noCorruption'] });
  });

  it('a strategy that claims nothing is unknown ("nothing claimed"), never a pass; a phantom still fails it', () => {
    const none = { noLostAcked: false, noDuplicates: false, noCorruption: false };
    const v = computeVerdict(facts, dataset({}), none);
    expect(v.valid).toBe('unknown');
    expect(v.unknownReasons).toEqual([expect.stringMatching(/^nothing claimed/)]);
    const phantom = { ...dataset({}), counts: new Map([['w0-0', 1], ['w0-1', 1], ['w9-9', 1]]) };
    expect(computeVerdict(facts, phantom, none)).toMatchObject({ valid: false, broken: ['noPhantoms'] });
  });

  it('guarantees() is held to its type at load: a Promise or a non-boolean is a clear error naming what it returned', async () => {
    // Arrange: plugins without imports, in a temporary folder.
    const dir = tempCell();
    const plugin = (name: string, guarantees: string) => {
      const path = join(dir, `${name}.mjs`);
      writeFileSync(path, `export default { name: '${name}', options: {}, writer: () => ({ write: async (r) => [r.id] }), guarantees: ${guarantees} };\n`);
      return path;
    };
    const message = (path: string) => loadStrategy(path).then(() => 'loaded', (error: Error & { code?: string }) => `${error.code}: ${error.message}`);

    // Act, Assert
    expect(await message(plugin('async', 'async () => ({ noLostAcked: true, noDuplicates: true, noCorruption: true })'))).toMatch(/^E_PLUGIN: strategy .*async\.mjs: guarantees\(\) returned a Promise; expected an object with a boolean for each of noLostAcked, noDuplicates, noCorruption/);
    expect(await message(plugin('strings', '() => ({ noLostAcked: "yes", noDuplicates: true })'))).toMatch(/guarantees\(\) returned noLostAcked: "yes", noCorruption: missing; expected/);
    expect(await message(plugin('nothing', '() => undefined'))).toMatch(/guarantees\(\) returned undefined; expected/);
    expect(await message(plugin('good', '() => ({ noLostAcked: true, noDuplicates: false, noCorruption: true })'))).toBe('loaded');
  });
});

describe('what the ledgers and the folder must add up to', () => {
  it('a writer with no ledger (killed before its start line, not restarted) makes the cell unknown, whatever the restart policy', () => {
    const verdict = computeVerdict(ledgerFacts([ackedLedger(['w0-0'])]), { counts: new Map([['w0-0', 1]]), files: 1, corruptFiles: [], corruptRecords: 0 }, ALL);
    const evidence = { planned: [], log: [], errors: [], unfinishedWriters: [], restart: 'none' as const };

    const short = judge(verdict, { ...evidence, writers: 2, ledgers: ['writer-0'] }).verdict;
    const whole = judge(verdict, { ...evidence, writers: 1, ledgers: ['writer-0'] }).verdict;

    expect(short.valid).toBe('unknown');
    expect(short.unknownReasons).toEqual(['writer-1 has no ledger: its process died before its `start` line and was not restarted (1 ledgers for 2 writers)']);
    expect(whole.valid).toBe(true);
  });

  it('"at risk" leaves out the records the dead writer was told had failed', () => {
    const text = lines({ op: 'start', pid: 1, t: 0 }, { op: 'attempt', id: 'w0-0', t: 1 }, { op: 'fail', id: 'w0-0', t: 2, error: 'EIO' }, { op: 'attempt', id: 'w0-1', t: 3 });
    expect(ledgerFacts([text])).toMatchObject({ crashedProcesses: 1, unackedAtCrash: 1 });
  });
});

describe('the check on hostile input ends, within bounds', () => {
  it('a FIFO named .parquet is a file that cannot be decoded, not a read that blocks for ever', () => {
    // Arrange: in a child process, so that a blocking read cannot hang the test runner.
    const cell = tempCell();
    writeFileSync(join(cell, 'ledger', 'writer-0.jsonl'), ackedLedger(['w0-0']));
    expect(spawnSync('mkfifo', [join(cell, 'data', 'pipe.parquet')]).status).toBe(0);
    const script = `import(${JSON.stringify(pathToFileURL(join(import.meta.dirname, '../harness/oracle/checker.ts')).href)})`
      + `.then(async ({ checkCell }) => console.log(JSON.stringify(await checkCell(${JSON.stringify(cell)}, ${JSON.stringify(ALL)}))))`;

    // Act
    const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { timeout: 60_000, encoding: 'utf8' });

    // Assert
    expect(child.signal, 'the check blocked on the FIFO').toBeNull();
    expect(JSON.parse(child.stdout)).toMatchObject({ corruptFiles: 1, lost: 1, valid: false, evidence: { corruptFiles: ['pipe.parquet'] } });
  });

  it('ids with huge sequence numbers cost memory in proportion to their number, not 4 MiB each', async () => {
    // Arrange: 200 rows, each the last sequence number of its own worker.
    const cell = tempCell();
    const rows = Array.from({ length: 200 }, (_, w) => ({ ...row(0, w), id: `w${w}-1048575` }));
    writeFileSync(join(cell, 'data', 'a.parquet'), await hyparquetCodec.encode(rows.map((r) => ({ ...r, checksum: recordChecksum(r) }))));
    const before = process.memoryUsage().arrayBuffers;

    // Act
    const dataset = await readDataset(join(cell, 'data'), undefined, new IdIndex(), { threads: 0 });

    // Assert (the dataset, and with it its index, still held)
    const grew = process.memoryUsage().arrayBuffers - before;
    expect(dataset.counts.size).toBe(200);
    expect([...dataset.counts.keys()].slice(0, 2)).toEqual(['w0-1048575', 'w1-1048575']);
    expect(grew, `${(grew / 2 ** 20).toFixed(1)} MiB of tables`).toBeLessThan(16 * 2 ** 20);
  });

  it('a check past its time limit is unknown, on the main thread and in threads alike', async () => {
    const cell = tempCell();
    writeFileSync(join(cell, 'ledger', 'writer-0.jsonl'), ackedLedger(['w0-0']));
    writeFileSync(join(cell, 'data', 'a.parquet'), await hyparquetCodec.encode([row(0)]));
    for (const threads of [0, 2]) {
      const v = await checkCell(cell, ALL, generation, { threads, timeLimitMs: 0 });
      expect(v).toMatchObject({ valid: 'unknown', error: 'the check ran past its time limit (0 s)' });
    }
    expect(await checkCell(cell, ALL, generation, { threads: 0 })).toMatchObject({ valid: true });
  });
});
