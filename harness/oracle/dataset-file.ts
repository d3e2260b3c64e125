/**
 * One dataset file judged row by row: the checker's per-file work, the same on the main thread and in
 * its reading threads (dataset-threads.ts). The result is compact and transferable: ids as numbers,
 * strings only for the rare ids that are not canonical and for the evidence.
 */
import { readFileSync } from 'node:fs';
import { recordAt, type RecordColumns } from '../sdk/codec/codec.js';
import { decodeAny } from '../sdk/codec/index.js';
import { hasValidChecksum, isGeneratedBytes, makeRecord, matchesGenerated, RECORD_COLUMNS, type RecordBytes, type TestRecord } from '../sdk/records.js';
import { canonicalKey, canonicalKeyInBytes, MAX_SEQ } from './id-table.js';
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

/** The check ran past its time limit (see checker.ts ReadOptions.timeLimitMs). */
export class CheckTimeout extends Error {
  constructor() {
    super('the check ran past its time limit');
  }
}

/** A dataset file's bytes; none for a file that is not a regular file (a FIFO would block the read for ever): it then cannot be decoded. */
export function readDatasetFile(path: string, regular: boolean): Uint8Array {
  return regular ? readFileSync(path) : new Uint8Array(0);
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

/** A true row's faults: one array for all of them, not one a row. */
const NO_FAULTS: readonly string[] = Object.freeze([]);

/**
 * What is wrong with a row: it must agree with itself (checksum) and with what its writer generated
 * (every other field); `['checksum']` when it does not agree with itself, else what truth finds.
 * `key` is the canonicalKey of its id (-1 when not canonical). A row of canonical id whose fields are
 * exactly the generated ones and whose checksum is its own is true (the generated checksum is made over
 * the same field strings): that is nearly every row, judged with one sha256 and no record built.
 * Anything else takes the full comparison.
 */
function rowFaults(record: TestRecord, key: number, generation: Generation | undefined): readonly string[] {
  if (generation && key >= 0 && typeof record.checksum === 'string' && typeof record.created_at === 'bigint') {
    // The id names (worker, seq), and matchesGenerated holds the row's worker and seq to them.
    if (matchesGenerated(record, generation.seed, Math.floor(key / MAX_SEQ), key % MAX_SEQ, generation.payloadBytes)
      && hasValidChecksum(record)) return NO_FAULTS;
  }
  const differs = generation && differingFields(record, generation);
  if (differs?.length === 0 && typeof record.checksum === 'string' && typeof record.created_at === 'bigint') return differs;
  if (!hasValidChecksum(record)) return ['checksum'];
  return differs ?? [];
}

/**
 * rowFaults for a row of any shape: a row the check cannot handle (an id that is not a string, a null
 * `created_at`, a column shorter than the file's rows) is a corrupt record by itself, never an error
 * that takes the whole check down with it (and with it whatever the check had found).
 */
function rowFaultsAlone(record: TestRecord, key: number, generation: Generation | undefined): readonly string[] {
  if (typeof record.id !== 'string') return [record.id === undefined || record.id === null ? 'id (missing)' : `id (a ${typeof record.id}, not a string)`];
  if (record.created_at === null || record.created_at === undefined) return ['created_at (missing)'];
  try {
    return rowFaults(record, key, generation);
  } catch (error) {
    return [`unreadable row (${String((error as Error)?.message ?? error)})`];
  }
}

/** The canonicalKey of row `i` when its bytes are the row its id's writer generated (isGeneratedBytes), else -1. */
function generatedKey(table: RecordColumns, i: number, generation: Generation, row: RecordBytes): number {
  const c = table.columns;
  const id = c.id[i];
  if (!(id instanceof Uint8Array)) return -1;
  const key = canonicalKeyInBytes(id, 0, id.length);
  if (key < 0) return -1;
  row.id = id;
  row.worker = c.worker[i];
  row.seq = c.seq[i];
  row.model = c.model[i];
  row.test_name = c.test_name[i];
  row.score = c.score[i];
  row.latency_ms = c.latency_ms[i];
  row.ok = c.ok[i];
  row.payload = c.payload[i];
  row.created_at = c.created_at[i];
  row.checksum = c.checksum[i];
  return isGeneratedBytes(row, generation.seed, Math.floor(key / MAX_SEQ), key % MAX_SEQ, generation.payloadBytes) ? key : -1;
}

/** Judges every row of a file, with the checker's own readers, never trusting a strategy's account. */
export async function judgeFile(file: DatasetFile, generation?: Generation, deadline = Number.POSITIVE_INFINITY): Promise<JudgedFile> {
  const judged: JudgedFile = { name: file.name, readable: true, keys: new Float64Array(0), names: [], corruptRecords: 0, corruptEvidence: [] };
  let table: RecordColumns;
  try {
    table = (await decodeAny(file.bytes)).columns;
  } catch (error) {
    judged.readable = false;
    if (error instanceof ChaosError && error.code === 'E_SCHEMA') judged.schemaError = error.message;
    return judged;
  }
  if (table.missingRows) {
    // Rows its footer declares and no column holds: each a record that is not there as written.
    judged.corruptRecords += table.missingRows;
    judged.corruptEvidence.push(`${file.name}: ${table.missingRows} row(s) declared by the footer are in no column`);
  }
  const keys = new Float64Array(table.rows);
  let good = 0;
  // One record object for every row: only a corrupt row's id and fields outlive it, as strings.
  const record = {} as TestRecord;
  const raw = {} as RecordBytes;
  for (let i = 0; i < table.rows; i++) {
    if ((i & 0xffff) === 0xffff && Date.now() >= deadline) throw new CheckTimeout();
    // Nearly every row is its generated self: shown so on its bytes, with no string made.
    const generated = generation ? generatedKey(table, i, generation, raw) : -1;
    if (generated >= 0) {
      keys[good++] = generated;
      continue;
    }
    recordAt(table, i, record);
    const key = typeof record.id === 'string' ? canonicalKey(record.id) : -1;
    const differs = rowFaultsAlone(record, key, generation);
    if (differs.length > 0) {
      // (a row whose id is no string is named by its place)
      const label = typeof record.id === 'string' ? record.id : `${file.name} row ${i}`;
      if (judged.corruptRecords++ < EVIDENCE) judged.corruptEvidence.push(`${label}: ${differs.join(', ')}`);
      continue;
    }
    if (key >= 0) keys[good++] = key;
    else keys[good++] = -judged.names.push(record.id);
  }
  judged.keys = keys.slice(0, good);
  return judged;
}
