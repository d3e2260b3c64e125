import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { Guarantees } from '../sdk/strategy.js';
import { decodeAny } from '../sdk/codec/index.js';
import { parseLedger, readLedgers, type LedgerSegment } from './ledger.js';
import { hasValidChecksum } from '../sdk/records.js';

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
  valid: Validity;
  /** Names of the claimed guarantees that were broken. */
  broken: string[];
  /** A few ids or files for each anomaly: the minimal evidence to look at. */
  evidence: { lost: string[]; duplicates: string[]; phantoms: string[]; corruptFiles: string[] };
  /** Set when the check itself could not run (then valid is "unknown"). */
  error?: string;
}

/** The dataset as the checker sees it: ids with how often each occurs, and what could not be read. */
export interface Dataset {
  counts: Map<string, number>;
  files: number;
  corruptFiles: string[];
  corruptRecords: number;
}

/** What the ledgers say, summarised. */
export interface LedgerFacts {
  attempted: Set<string>;
  acked: Set<string>;
  unackedAtCrash: number;
  retried: number;
  crashedProcesses: number;
}

const EVIDENCE = 10;

export function ledgerFacts(segmentsByWriter: Iterable<readonly LedgerSegment[]>): LedgerFacts {
  const attempted = new Set<string>();
  const acked = new Set<string>();
  const attemptsById = new Map<string, number>();
  let unackedAtCrash = 0;
  let crashedProcesses = 0;
  for (const segments of segmentsByWriter) {
    for (const segment of segments) {
      const ackedHere = new Set(segment.acked);
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
  return { attempted, acked, unackedAtCrash, retried, crashedProcesses };
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
    valid: broken.length === 0,
    broken,
    evidence: {
      lost: lost.slice(0, EVIDENCE),
      duplicates: duplicates.slice(0, EVIDENCE),
      phantoms: phantoms.slice(0, EVIDENCE),
      corruptFiles: dataset.corruptFiles.slice(0, EVIDENCE),
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

/** One dataset file as the checker reads it: its name under data/ and its bytes. */
export interface DatasetFile {
  name: string;
  bytes: Uint8Array;
}

/** The dataset from its files, with the checker's own readers, never trusting a strategy's account. */
export async function datasetOf(files: Iterable<DatasetFile>): Promise<Dataset> {
  const dataset: Dataset = { counts: new Map(), files: 0, corruptFiles: [], corruptRecords: 0 };
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
      if (!hasValidChecksum(record)) {
        dataset.corruptRecords++;
        continue;
      }
      dataset.counts.set(record.id, (dataset.counts.get(record.id) ?? 0) + 1);
    }
  }
  return dataset;
}

/** Reads the dataset of a cell's data/ folder on disk. */
export async function readDataset(dataDir: string): Promise<Dataset> {
  return datasetOf(listParquetFiles(dataDir).map((path) => ({ name: relative(dataDir, path), bytes: readFileSync(path) })));
}

/** A verdict with nothing counted and validity unknown: the start for a check that could not run. */
export function emptyVerdict(): Verdict {
  return {
    attempted: 0, acked: 0, present: 0, lost: 0, duplicates: 0, phantoms: 0, corruptFiles: 0, corruptRecords: 0,
    unackedLost: 0, unackedAtCrash: 0, retried: 0, crashedProcesses: 0, valid: 'unknown', broken: [],
    evidence: { lost: [], duplicates: [], phantoms: [], corruptFiles: [] },
  };
}

/**
 * Judges ledgers (the text of each writer's ledger) against dataset files: the one check behind real
 * cells and simulated schedules alike. A check that cannot run yields valid "unknown", never a pass.
 */
export async function checkLedgers(ledgerTexts: Iterable<string>, files: Iterable<DatasetFile>, claims: Guarantees): Promise<Verdict> {
  try {
    const facts = ledgerFacts([...ledgerTexts].map((text) => parseLedger(text).segments));
    return computeVerdict(facts, await datasetOf(files), claims);
  } catch (error) {
    return { ...emptyVerdict(), error: String((error as Error)?.message ?? error) };
  }
}

/** Checks a cell folder. A check that cannot run yields valid "unknown", never a pass. */
export async function checkCell(cellDir: string, claims: Guarantees): Promise<Verdict> {
  try {
    const ledgers = readLedgers(join(cellDir, 'ledger'));
    const facts = ledgerFacts([...ledgers.values()].map((l) => l.segments));
    return computeVerdict(facts, await readDataset(join(cellDir, 'data')), claims);
  } catch (error) {
    return { ...emptyVerdict(), error: String((error as Error)?.message ?? error) };
  }
}
