import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FaultEvent } from '../sdk/faults.js';
import { parseJsonLines } from '../sdk/json-lines.js';
import { parseOrUndefined, parseWith } from '../sdk/schema.js';
import { writeFileAtomic } from './files.js';
import { readJsonFile } from './read-json.js';
import { CellMetaSchema, FaultEventSchema, type CellMeta } from './result.js';

/**
 * A cell folder's `cell.json` (CellMetaSchema): what `parquet-chaos check DIR` judges the folder with
 * again. Written when the cell starts (identity and claims, completed: false) and completed when it
 * ends (schedule, errors, verdict).
 */
export const CELL_RECORD = 'cell.json';

export function writeCellRecord(cellDir: string, record: CellMeta): void {
  writeFileAtomic(join(cellDir, CELL_RECORD), `${JSON.stringify(record, null, 2)}\n`);
}

export function readCellRecord(cellDir: string): CellMeta | undefined {
  const path = join(cellDir, CELL_RECORD);
  if (!existsSync(path)) return undefined;
  return parseWith(CellMetaSchema, readJsonFile(path, 'E_USAGE', 'check DIR', 'a cell folder whose cell.json is readable JSON'), path, 'E_USAGE');
}

/** A cell's faults.jsonl (each line checked with FaultEventSchema). */
export function readFaultLog(path: string): FaultEvent[] {
  if (!existsSync(path)) return [];
  return parseJsonLines(readFileSync(path, 'utf8'), (value) => parseOrUndefined(FaultEventSchema, value)).values;
}
