import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { Guarantees } from '../sdk/strategy.js';
import { decodeAny } from '../sdk/codec/index.js';
import { parseLedger, readLedgers, type LedgerSegment } from './ledger.js';
import { hasValidChecksum, makeRecord, RECORD_COLUMNS, type TestRecord } from '../sdk/records.js';
import { judge, type CellEvidence, type FaultOutcome } from './judge.js';

export type Validity = true | false | 'unknown';

/** The checker's account of one cell: what writers were told against what the files hold. */
export interface Verdict {
  attempted: number;
  acked: number;
  present: number;
  lost: number;
  duplicates: number;
  phantoms: number;
  corruptFiles: number;
  corruptRecords: number;
  unackedLost: number;
  unackedAtCrash: number;
  retried: number;
  /** Processes (ledger segments) that died without an `end` line. */
  crashedProcesses: number;
  /** Acks of ids their process never attempted: the ledger says a record was saved that was never handed over. Fails the cell. */
  ackWithoutAttempt: number;
  /** Torn last lines of processes killed mid-write: tolerated, counted. */
  tornLedgerLines: number;
  /** Any other malformed ledger line: the ledger cannot be trusted, the verdict is unknown. */
  malformedLedgerLines: number;
  valid: Validity;
  /** Why the verdict is `unknown` (or would be, were no guarantee broken): what the cell failed to exercise. */
  unknownReasons: string[];
  /** Names of the claimed guarantees that were broken. */
  broken: string[];
  /** A few ids or files for each anomaly: the minimal evidence to look at. */
  evidence: { lost: string[]; duplicates: string[]; phantoms: string[]; corruptFiles: string[]; corruptRecords?: string[]; ackWithoutAttempt?: string[] };
  /** Set when the check itself could not run (then valid is "unknown"). */
  error?: string;
}

/** The dataset as the checker sees it: ids with how often each occurs, and what could not be read. */
export interface Dataset {
  counts: Map<string, number>;
  files: number;
  corruptFiles: string[];
  corruptRecords: number;
  /** The corrupt rows: `id: field, field` (what differs from what its writer generated). */
  corruptEvidence?: string[];
}

/** What the ledgers say, summarised. */
export interface LedgerFacts {
  attempted: Set<string>;
  acked: Set<string>;
  unackedAtCrash: number;
  retried: number;
  crashedProcesses: number;
  /** Ids acked by a process that never attempted them. */
  ackWithoutAttempt: string[];
  tornLedgerLines: number;
  malformedLedgerLines: number;
}

const EVIDENCE = 10;

const sum = (values: readonly number[]) => values.reduce((a, b) => a + b, 0);

export function ledgerFacts(segmentsByWriter: Iterable<readonly LedgerSegment[]>, lines: { badLines: number; tornLines: number } = { badLines: 0, tornLines: 0 }): LedgerFacts {
  const attempted = new Set<string>();
  const acked = new Set<string>();
  const attemptsById = new Map<string, number>();
  let unackedAtCrash = 0;
  let crashedProcesses = 0;
  const ackWithoutAttempt = new Set<string>();
  for (const segments of segmentsByWriter) {
    for (const segment of segments) {
      const ackedHere = new Set(segment.acked);
      const attemptedHere = new Set(segment.attempted);
      for (const id of ackedHere) if (!attemptedHere.has(id)) ackWithoutAttempt.add(id);
      for (const id of new Set(segment.attempted)) {
        attempted.add(id);
        attemptsById.set(id, (attemptsById.get(id) ?? 0) + 1);
      }
      for (const id of ackedHere) acked.add(id);
      if (!segment.ended) {
        crashedProcesses++;
        unackedAtCrash += new Set(segment.attempted.filter((id) => !ackedHere.has(id))).size;
      }
    }
  }
  const retried = [...attemptsById.values()].filter((n) => n > 1).length;
  return {
    attempted, acked, unackedAtCrash, retried, crashedProcesses, ackWithoutAttempt: [...ackWithoutAttempt],
    tornLedgerLines: lines.tornLines, malformedLedgerLines: lines.badLines,
  };
}

/** Pure: the verdict from ledger facts, the dataset and the strategy's claims. */
export function computeVerdict(facts: LedgerFacts, dataset: Dataset, claims: Guarantees): Verdict {
  const lost = [...facts.acked].filter((id) => !dataset.counts.has(id));
  const duplicates = [...dataset.counts].filter(([, n]) => n > 1).map(([id]) => id);
  const phantoms = [...dataset.counts.keys()].filter((id) => !facts.attempted.has(id));
  const unackedLost = [...facts.attempted].filter((id) => !facts.acked.has(id) && !dataset.counts.has(id)).length;
  const broken: string[] = [];
  if (claims.noLostAcked && lost.length > 0) broken.push('noLostAcked');
  if (claims.noDuplicates && duplicates.length > 0) broken.push('noDuplicates');
  if (claims.noCorruption && (dataset.corruptFiles.length > 0 || dataset.corruptRecords > 0)) broken.push('noCorruption');
  // No strategy may invent data: phantoms always fail a cell.
  if (phantoms.length > 0) broken.push('noPhantoms');
  // Nor may a ledger say a record was saved that its process never handed over.
  const ackWithoutAttempt = facts.ackWithoutAttempt;
  if (ackWithoutAttempt.length > 0) broken.push('ackWithoutAttempt');
  // A pass must be earned: with nothing acked, no claim about acked records was put to the test.
  const unknownReasons: string[] = [];
  if (facts.attempted.size === 0) unknownReasons.push('no record was attempted');
  else if (facts.acked.size === 0) unknownReasons.push(`no record was acked (${facts.attempted.size} attempted): nothing the strategy claims was exercised`);
  if (facts.malformedLedgerLines > 0) unknownReasons.push(`${facts.malformedLedgerLines} malformed ledger line(s) that are not a killed process's torn last line: the ledger cannot be trusted`);
  return {
    attempted: facts.attempted.size,
    acked: facts.acked.size,
    present: dataset.counts.size,
    lost: lost.length,
    duplicates: duplicates.length,
    phantoms: phantoms.length,
    corruptFiles: dataset.corruptFiles.length,
    corruptRecords: dataset.corruptRecords,
    unackedLost,
    unackedAtCrash: facts.unackedAtCrash,
    retried: facts.retried,
    crashedProcesses: facts.crashedProcesses,
    ackWithoutAttempt: ackWithoutAttempt.length,
    tornLedgerLines: facts.tornLedgerLines,
    malformedLedgerLines: facts.malformedLedgerLines,
    valid: broken.length > 0 ? false : unknownReasons.length > 0 ? 'unknown' : true,
    unknownReasons,
    broken,
    evidence: {
      lost: lost.slice(0, EVIDENCE),
      duplicates: duplicates.slice(0, EVIDENCE),
      phantoms: phantoms.slice(0, EVIDENCE),
      corruptFiles: dataset.corruptFiles.slice(0, EVIDENCE),
      corruptRecords: (dataset.corruptEvidence ?? []).slice(0, EVIDENCE),
      ackWithoutAttempt: ackWithoutAttempt.slice(0, EVIDENCE),
    },
  };
}

/** Every file ending in .parquet under `dir`, recursively. */
export function listParquetFiles(dir: string): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) found.push(...listParquetFiles(path));
    else if (entry.name.endsWith('.parquet')) found.push(path);
  }
  return found.sort();
}

/**
 * What a row should be: given a row, the names of its fields that differ from what its writer
 * generated (empty when it is true to its source). See recordTruth.
 */
export type RowTruth = (record: TestRecord) => string[];

/**
 * Every field of a record but its write time is a function of (seed, writer, sequence): the truth of
 * a row is the record its writer generated, regenerated here. A row whose id names no writer and
 * sequence is left to the phantom count.
 */
export function recordTruth(seed: number, payloadBytes: number): RowTruth {
  return (row) => {
    const match = /^w(\d+)-(\d+)$/.exec(String(row.id));
    if (!match) return [];
    const expected = makeRecord(seed, Number(match[1]), Number(match[2]), payloadBytes, BigInt(row.created_at));
    return RECORD_COLUMNS.filter((column) => column !== 'created_at' && String(row[column]) !== String(expected[column]));
  };
}

/** One dataset file as the checker reads it: its name under data/ and its bytes. */
export interface DatasetFile {
  name: string;
  bytes: Uint8Array;
}

/**
 * The dataset from its files, with the checker's own readers, never trusting a strategy's account;
 * with `truth`, every row is also compared with what its writer generated.
 */
export async function datasetOf(files: Iterable<DatasetFile>, truth?: RowTruth): Promise<Dataset> {
  const dataset: Dataset = { counts: new Map(), files: 0, corruptFiles: [], corruptRecords: 0, corruptEvidence: [] };
  for (const file of files) {
    dataset.files++;
    let records;
    try {
      records = (await decodeAny(file.bytes)).records;
    } catch {
      dataset.corruptFiles.push(file.name);
      continue;
    }
    for (const record of records) {
      // A row must agree with itself (checksum) and with what its writer generated (every other field).
      const differs = hasValidChecksum(record) ? truth?.(record) ?? [] : ['checksum'];
      if (differs.length > 0) {
        dataset.corruptRecords++;
        dataset.corruptEvidence!.push(`${record.id}: ${differs.join(', ')}`);
        continue;
      }
      dataset.counts.set(record.id, (dataset.counts.get(record.id) ?? 0) + 1);
    }
  }
  return dataset;
}

/** Reads the dataset of a cell's data/ folder on disk. */
export async function readDataset(dataDir: string, truth?: RowTruth): Promise<Dataset> {
  return datasetOf(listParquetFiles(dataDir).map((path) => ({ name: relative(dataDir, path), bytes: readFileSync(path) })), truth);
}

/** A verdict with nothing counted and validity unknown: the start for a check that could not run. */
export function emptyVerdict(): Verdict {
  return {
    attempted: 0, acked: 0, present: 0, lost: 0, duplicates: 0, phantoms: 0, corruptFiles: 0, corruptRecords: 0,
    unackedLost: 0, unackedAtCrash: 0, retried: 0, crashedProcesses: 0, ackWithoutAttempt: 0, tornLedgerLines: 0, malformedLedgerLines: 0,
    valid: 'unknown', unknownReasons: [], broken: [],
    evidence: { lost: [], duplicates: [], phantoms: [], corruptFiles: [] },
  };
}

/**
 * Judges ledgers (the text of each writer's ledger) against dataset files: the one check behind real
 * cells and simulated schedules alike. A check that cannot run yields valid "unknown", never a pass.
 */
export async function checkLedgers(ledgerTexts: Iterable<string>, files: Iterable<DatasetFile>, claims: Guarantees): Promise<Verdict> {
  try {
    const parsed = [...ledgerTexts].map(parseLedger);
    const lines = { badLines: sum(parsed.map((l) => l.badLines)), tornLines: sum(parsed.map((l) => l.tornLines)) };
    return computeVerdict(ledgerFacts(parsed.map((l) => l.segments), lines), await datasetOf(files), claims);
  } catch (error) {
    const message = String((error as Error)?.message ?? error);
    return { ...emptyVerdict(), error: message, unknownReasons: [`the check could not run: ${message}`] };
  }
}

/** How the cell's records were generated: given it, every present row is compared with its source (recordTruth). */
export interface Generation {
  seed: number;
  payloadBytes: number;
}

/** Checks a cell folder's ledgers and data. A check that cannot run yields valid "unknown", never a pass. */
export async function checkCell(cellDir: string, claims: Guarantees, generation?: Generation): Promise<Verdict> {
  return (await checkLedgersAndData(cellDir, claims, generation)).verdict;
}

async function checkLedgersAndData(cellDir: string, claims: Guarantees, generation?: Generation): Promise<{ verdict: Verdict; unfinishedWriters: string[] }> {
  try {
    const ledgers = [...readLedgers(join(cellDir, 'ledger'))];
    const lines = { badLines: sum(ledgers.map(([, l]) => l.badLines)), tornLines: sum(ledgers.map(([, l]) => l.tornLines)) };
    const facts = ledgerFacts(ledgers.map(([, l]) => l.segments), lines);
    const unfinishedWriters = ledgers.filter(([, l]) => l.segments.length > 0 && !l.segments.at(-1)!.ended).map(([name]) => name.replace(/\.jsonl$/, ''));
    const truth = generation && recordTruth(generation.seed, generation.payloadBytes);
    return { verdict: computeVerdict(facts, await readDataset(join(cellDir, 'data'), truth), claims), unfinishedWriters };
  } catch (error) {
    const message = String((error as Error)?.message ?? error);
    return { verdict: { ...emptyVerdict(), error: message, unknownReasons: [`the check could not run: ${message}`] }, unfinishedWriters: [] };
  }
}

/**
 * Checks a cell folder and judges the verdict with everything else the run recorded: its planned
 * faults and fault log, its process errors, and whether every writer finished (see judge.ts).
 */
export async function judgeCell(
  cellDir: string, claims: Guarantees, generation: Generation | undefined, evidence: Omit<CellEvidence, 'unfinishedWriters'>,
): Promise<{ verdict: Verdict; faults: FaultOutcome[] }> {
  const { verdict, unfinishedWriters } = await checkLedgersAndData(cellDir, claims, generation);
  return judge(verdict, { ...evidence, unfinishedWriters });
}
