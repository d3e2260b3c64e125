import { DuckDBInstance } from '@duckdb/node-api';
import { expect } from 'vitest';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

/** An independent recount of a cell: DuckDB reads data/ and ledger/ with its own readers and SQL. */
export interface Recount {
  attempted: number;
  acked: number;
  present: number;
  lost: number;
  duplicates: number;
  unreadableFiles: number;
}

function parquetFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.parquet'))
    .map((e) => join(e.parentPath ?? (e as unknown as { path: string }).path, e.name));
}

const quote = (s: string) => `'${s.replace(/'/g, "''")}'`;

export async function recount(cellDir: string): Promise<Recount> {
  const instance = await DuckDBInstance.create(':memory:');
  const db = await instance.connect();
  try {
    await db.run('create table rows(id varchar)');
    let unreadableFiles = 0;
    for (const file of parquetFiles(join(cellDir, 'data'))) {
      try {
        await db.run(`insert into rows select id from read_parquet(${quote(file)})`);
      } catch {
        unreadableFiles++;
      }
    }
    await db.run(`create table ledger as select * from read_json(${quote(join(cellDir, 'ledger', '*.jsonl'))},
      format = 'newline_delimited', columns = {op: 'varchar', id: 'varchar'})`);
    const one = async (sql: string) => Number((await db.runAndReadAll(sql)).getRows()[0]![0]);
    const ackedIds = "select distinct id from ledger where op = 'ack'";
    return {
      attempted: await one("select count(distinct id) from ledger where op = 'attempt'"),
      acked: await one(`select count(*) from (${ackedIds})`),
      present: await one('select count(distinct id) from rows'),
      lost: await one(`select count(*) from (${ackedIds}) a where a.id not in (select id from rows)`),
      duplicates: await one('select count(*) from (select id from rows group by id having count(*) > 1)'),
      unreadableFiles,
    };
  } finally {
    db.closeSync();
    instance.closeSync();
  }
}

/** The checker's counts of a cell must equal DuckDB's independent recount of the same files and ledgers. */
export async function expectRecountAgrees(cell: { dir: string; verdict: Pick<Recount, 'attempted' | 'acked' | 'present' | 'lost' | 'duplicates'> }): Promise<void> {
  const independent = await recount(cell.dir);
  const { attempted, acked, present, lost, duplicates } = cell.verdict;
  expect({ attempted, acked, present, lost, duplicates }).toEqual({
    attempted: independent.attempted, acked: independent.acked, present: independent.present, lost: independent.lost, duplicates: independent.duplicates,
  });
}
