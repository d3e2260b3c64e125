import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { getCodec } from '../../sdk/codec/index.js';
import { makeRecord, recordId } from '../../sdk/records.js';
import { cellPaths } from '../roles/config.js';

/** How the fixture's records are generated: the check regenerates every row from it (whole-row truth), as for a real cell. */
export const FIXTURE_GENERATION = { seed: 1, payloadBytes: 16 } as const;

export interface CheckerFixture {
  writers: number;
  files: number;
  ledgerBytes: number;
  parquetBytes: number;
}

/**
 * A cell of `records` records for timing the checker: writers of 10,000 records each, every record
 * attempted and acked in its writer's ledger and present once in that writer's Parquet file.
 */
export async function writeCheckerFixture(cellDir: string, records: number, perWriter = 10_000): Promise<CheckerFixture> {
  const paths = cellPaths(cellDir);
  for (const dir of [paths.data, paths.ledger]) mkdirSync(dir, { recursive: true });
  writeFileSync(join(cellDir, 'cell.json'), JSON.stringify({ strategy: 'bench-fixture', scenario: 'none', guarantees: { noLostAcked: true, noDuplicates: true, noCorruption: true } }));
  const codec = getCodec('hyparquet');
  const fixture: CheckerFixture = { writers: 0, files: 0, ledgerBytes: 0, parquetBytes: 0 };
  // Fractional milliseconds, as the real clock writes them (clock.ts), so the check reads real-looking lines.
  const t = Date.now() + 0.4875;
  for (let w = 0, left = records; left > 0; w++, left -= perWriter) {
    const count = Math.min(perWriter, left);
    const lines = [JSON.stringify({ op: 'start', pid: 1000 + w, t })];
    const rows = [];
    for (let seq = 0; seq < count; seq++) {
      const id = recordId(w, seq);
      lines.push(`{"op":"attempt","id":"${id}","t":${t}}`, `{"op":"ack","id":"${id}","t":${t}}`);
      rows.push(makeRecord(FIXTURE_GENERATION.seed, w, seq, FIXTURE_GENERATION.payloadBytes, BigInt(Math.round(t * 1000))));
    }
    lines.push(JSON.stringify({ op: 'end', t }));
    const ledger = join(paths.ledger, `writer-${w}.jsonl`);
    writeFileSync(ledger, `${lines.join('\n')}\n`);
    const file = join(paths.data, `part-${String(w).padStart(4, '0')}.parquet`);
    writeFileSync(file, await codec.encode(rows));
    fixture.writers++;
    fixture.files++;
    fixture.ledgerBytes += statSync(ledger).size;
    fixture.parquetBytes += statSync(file).size;
  }
  return fixture;
}
