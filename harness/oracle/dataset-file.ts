/**
 * One dataset file judged row by row: the checker's per-file work, the same on the main thread and in
 * its reading threads (dataset-threads.ts). The result is compact and transferable: ids as numbers,
 * strings only for the rare ids that are not canonical and for the evidence.
 */
import { recordAt, type RecordColumns } from '../sdk/codec/codec.js';
import { decodeAny } from '../sdk/codec/index.js';
import { hasValidChecksum, makeRecord, matchesGenerated, RECORD_COLUMNS, recordChecksum, type TestRecord } from '../sdk/records.js';
import { canonicalKey, MAX_SEQ } from './id-table.js';
import { ChaosError } from '../sdk/errors.js';

/** How a cell's records were generated: given it, every present row is compared with its source. */
export interface Generation {
  seed: number;
  payloadBytes: number;
}

/** One dataset file as the checker reads it: its name under data/ and its bytes. */
export interface DatasetFile {
  name: string;
  bytes: Uint8Array;
}

/** How many corrupt rows a file keeps as evidence (the verdict keeps as many over all files). */
export const EVIDENCE = 10;

/** A file's rows as judged: the good ones by id, in file order; the corrupt ones counted. */
export interface JudgedFile {
  name: string;
  /** False when no codec could read the file (then it holds no rows). */
  readable: boolean;
  /** Why a file that decodes could not be read as records (a column missing or of the wrong type), naming the column. */
  schemaError?: string;
  /** Per row true to its source, in file order: its id's canonicalKey, or -(i + 1) for `names[i]`. */
  keys: Float64Array;
  names: string[];
  corruptRecords: number;
  /** The first corrupt rows: `id: field, field`. */
  corruptEvidence: string[];
}

/**
 * The names of the fields of `row` that differ from what its writer generated (empty when it is true
 * to its source; undefined when its id names no writer and sequence, so there is no source to compare
 * with). Every field of a record but its write time is a function of (seed, writer, sequence).
 */
function differingFields(row: TestRecord, generation: Generation): string[] | undefined {
  const match = /^w(\d+)-(\d+)$/.exec(String(row.id));
  if (!match) return undefined;
  const expected = makeRecord(generation.seed, Number(match[1]), Number(match[2]), generation.payloadBytes, BigInt(row.created_at));
  // Equal values have equal strings: only values that differ are compared as strings (a number read back as text, say).
  return RECORD_COLUMNS.filter((column) => column !== 'created_at' && row[column] !== expected[column] && String(row[column]) !== String(expected[column]));
}

/**
 * What is wrong with a row: it must agree with itself (checksum) and with what its writer generated
 * (every other field); `['checksum']` when it does not agree with itself, else what truth finds.
 * `key` is the canonicalKey of its id (-1 when not canonical). A row of canonical id whose fields are
 * exactly the generated ones and whose checksum is its own is true (the generated checksum is made over
 * the same field strings): that is nearly every row, judged with one sha256 and no record built.
 * Anything else takes the full comparison.
 */
function rowFaults(record: TestRecord, key: number, generation: Generation | undefined): string[] {
  if (generation && key >= 0 && typeof record.checksum === 'string' && typeof record.created_at === 'bigint') {
    // The id names (worker, seq), and matchesGenerated holds the row's worker and seq to them.
    if (matchesGenerated(record, generation.seed, Math.floor(key / MAX_SEQ), key % MAX_SEQ, generation.payloadBytes)
      && record.checksum === recordChecksum(record)) return [];
  }
  const differs = generation && differingFields(record, generation);
  if (differs?.length === 0 && typeof record.checksum === 'string' && typeof record.created_at === 'bigint') return differs;
  if (!hasValidChecksum(record)) return ['checksum'];
  return differs ?? [];
}

/** Judges every row of a file, with the checker's own readers, never trusting a strategy's account. */
export async function judgeFile(file: DatasetFile, generation?: Generation): Promise<JudgedFile> {
  const judged: JudgedFile = { name: file.name, readable: true, keys: new Float64Array(0), names: [], corruptRecords: 0, corruptEvidence: [] };
  let table: RecordColumns;
  try {
    table = (await decodeAny(file.bytes)).columns;
  } catch (error) {
    judged.readable = false;
    if (error instanceof ChaosError && error.code === 'E_SCHEMA') judged.schemaError = error.message;
    return judged;
  }
  const keys = new Float64Array(table.rows);
  let good = 0;
  // One record object for every row: only a corrupt row's id and fields outlive it, as strings.
  const record = {} as TestRecord;
  for (let i = 0; i < table.rows; i++) {
    recordAt(table, i, record);
    const key = typeof record.id === 'string' ? canonicalKey(record.id) : -1;
    const differs = rowFaults(record, key, generation);
    if (differs.length > 0) {
      if (judged.corruptRecords++ < EVIDENCE) judged.corruptEvidence.push(`${record.id}: ${differs.join(', ')}`);
      continue;
    }
    if (key >= 0) keys[good++] = key;
    else keys[good++] = -judged.names.push(record.id);
  }
  judged.keys = keys.slice(0, good);
  return judged;
}
