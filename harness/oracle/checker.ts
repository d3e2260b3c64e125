import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { Guarantees } from '../sdk/strategy.js';
import { endedPids, ledgerNames, visitLedgerFile, visitLedgerText, type KeyedLedgerVisitor, type LineCounts } from './ledger.js';
import { grown, IdCounts, IdIndex, IdSet } from './id-table.js';
import { CheckTimeout, EVIDENCE, judgeFile, readDatasetFile, type DatasetFile, type Generation, type JudgedFile } from './dataset-file.js';
import { judgeFilesInThreads, threadsFor, type ThreadHeap } from './dataset-threads.js';
import { judge, type CellEvidence, type FaultOutcome } from './judge.js';

export type { DatasetFile, Generation } from './dataset-file.js';

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
  /** Names of the claimed guarantees that were broken (those excused by a broken assumption left out). */
  broken: string[];
  /** Assumptions the strategy's claims rest on that this cell's faults broke: those claims were not judged. */
  assumptionsBroken?: AssumptionBreak[];
  /** A few ids or files for each anomaly: the minimal evidence to look at. */
  evidence: { lost: string[]; duplicates: string[]; phantoms: string[]; corruptFiles: string[]; corruptRecords?: string[]; ackWithoutAttempt?: string[] };
  /** Set when the check itself could not run (then valid is "unknown"). */
  error?: string;
}

/** An assumption a claim rests on (sdk/assumptions.ts) that a cell's faults broke. */
export interface AssumptionBreak {
  assumption: string;
  says: string;
  /** The fault and the evidence that broke it. */
  by: string;
  /** Claims the cell's anomalies would have broken, not judged because they rest on it. */
  excused: string[];
}

/** Ids as the verdict reads them: a Set<string>, or the checker's compact IdSet. */
export interface IdsRead extends Iterable<string> {
  readonly size: number;
  has(id: string): boolean;
}

/** Ids with how often each occurs: a Map<string, number>, or the checker's compact IdCounts. */
export interface IdCountsRead extends Iterable<[string, number]> {
  readonly size: number;
  has(id: string): boolean;
  get(id: string): number | undefined;
  keys(): Iterable<string>;
}

/** The dataset as the checker sees it: ids with how often each occurs, and what could not be read. */
export interface Dataset {
  counts: IdCountsRead;
  files: number;
  corruptFiles: string[];
  corruptRecords: number;
  /** The first corrupt rows: `id: field, field` (what differs from what its writer generated). */
  corruptEvidence?: string[];
  /** Files that decode but cannot be read as records: `file: column '…' is missing …` (they are corrupt files too). */
  schemaErrors?: string[];
}

/** What the ledgers say, summarised. */
export interface LedgerFacts {
  attempted: IdsRead;
  acked: IdsRead;
  unackedAtCrash: number;
  retried: number;
  crashedProcesses: number;
  /** Ids acked by a process that never attempted them. */
  ackWithoutAttempt: string[];
  tornLedgerLines: number;
  malformedLedgerLines: number;
}

/**
 * Summarises ledgers event by event into compact tables (see LedgerVisitor): per id, the last segment
 * that attempted and acked it and in how many segments it was attempted; per segment, only the ids it
 * attempted or acked first, settled when the segment closes. Nothing of a ledger is kept whole.
 */
class FactsCollector implements KeyedLedgerVisitor {
  readonly attempted: IdSet;
  readonly acked: IdSet;
  readonly ackWithoutAttempt = new Set<string>();
  unackedAtCrash = 0;
  retried = 0;
  crashedProcesses = 0;
  readonly lines: LineCounts = { badLines: 0, tornLines: 0 };
  /** Per slot: the number (from 1) of the last segment that attempted / acked it; how many segments attempted it (up to 255). */
  private attemptSegment = new Int32Array(0);
  private ackSegment = new Int32Array(0);
  /** Per slot: the number of the last segment that was told its write failed (a `fail` line). */
  private failSegment = new Int32Array(0);
  private attemptSegments = new Uint8Array(0);
  private segment = 0;
  private open = false;
  private ended = false;
  private readonly segmentAttempts: number[] = [];
  private readonly segmentAcks: number[] = [];

  constructor(readonly index: IdIndex) {
    this.attempted = new IdSet(index);
    this.acked = new IdSet(index);
  }

  start(): void {
    this.closeSegment();
    this.segment++;
    this.open = true;
    this.ended = false;
  }

  attempt(id: string): void {
    this.attemptSlot(this.index.slotOf(id));
  }

  attemptKey(key: number): void {
    this.attemptSlot(this.index.slotOfKey(key));
  }

  ack(id: string): void {
    this.ackSlot(this.index.slotOf(id));
  }

  ackKey(key: number): void {
    this.ackSlot(this.index.slotOfKey(key));
  }

  private attemptSlot(slot: number): void {
    this.attempted.addSlot(slot);
    this.fit();
    if (this.attemptSegment[slot] === this.segment) return;
    this.attemptSegment[slot] = this.segment;
    this.segmentAttempts.push(slot);
    if (this.attemptSegments[slot] !== 255 && ++this.attemptSegments[slot]! === 2) this.retried++;
  }

  private ackSlot(slot: number): void {
    this.acked.addSlot(slot);
    this.fit();
    if (this.ackSegment[slot] === this.segment) return;
    this.ackSegment[slot] = this.segment;
    this.segmentAcks.push(slot);
  }

  fail(id: string): void {
    const slot = this.index.slotOf(id);
    this.fit();
    // Grown here alone: most cells have no `fail` line, and a slot past its end was never told it failed.
    this.failSegment = grown(this.failSegment, this.index.size, (n) => new Int32Array(n), this.index.expected);
    this.failSegment[slot] = this.segment;
  }

  end(): void {
    this.ended = true;
  }

  /** Reads one writer's ledger file; true when its last segment died (no `end`). */
  readFile(path: string): boolean {
    this.addLines(visitLedgerFile(path, this));
    return this.closeSegment();
  }

  /** Reads one writer's ledger text. */
  readText(text: string): void {
    this.addLines(visitLedgerText(text, this));
    this.closeSegment();
  }

  facts(): LedgerFacts {
    return {
      attempted: this.attempted, acked: this.acked, unackedAtCrash: this.unackedAtCrash, retried: this.retried,
      crashedProcesses: this.crashedProcesses, ackWithoutAttempt: [...this.ackWithoutAttempt],
      tornLedgerLines: this.lines.tornLines, malformedLedgerLines: this.lines.badLines,
    };
  }

  private addLines(counts: LineCounts): void {
    this.lines.badLines += counts.badLines;
    this.lines.tornLines += counts.tornLines;
  }

  private fit(): void {
    const size = this.index.size;
    if (size <= this.attemptSegment.length) return;
    const expected = this.index.expected;
    this.attemptSegment = grown(this.attemptSegment, size, (n) => new Int32Array(n), expected);
    this.ackSegment = grown(this.ackSegment, size, (n) => new Int32Array(n), expected);
    this.attemptSegments = grown(this.attemptSegments, size, (n) => new Uint8Array(n), expected);
  }

  /** Settles the open segment, if any; true when it died (no `end`). */
  private closeSegment(): boolean {
    if (!this.open) return false;
    this.open = false;
    for (const slot of this.segmentAcks) if (this.attemptSegment[slot] !== this.segment) this.ackWithoutAttempt.add(this.index.idOf(slot));
    if (!this.ended) {
      this.crashedProcesses++;
      // At risk: handed over and neither acked nor reported failed before the process died.
      for (const slot of this.segmentAttempts) if (this.ackSegment[slot] !== this.segment && this.failSegment[slot] !== this.segment) this.unackedAtCrash++;
    }
    this.segmentAttempts.length = 0;
    this.segmentAcks.length = 0;
    return !this.ended;
  }
}

/**
 * About what a record takes in a ledger: an attempt and an ack line (`{"op":"attempt","id":"w3-1234",
 * "t":1764300000000.4875}`, ~55 bytes, and its ack, ~51). Ledger bytes over it is the number of ids a
 * cell's tables are sized for at once (IdIndex.expected): near enough, they never grow by copying.
 */
const LEDGER_BYTES_PER_RECORD = 96;

/**
 * The facts of every writer's ledger file under `ledgerDir`, and the writers whose last process died.
 * The collector's per-segment tables are left behind here, free before the dataset is read.
 */
function readLedgerFacts(ledgerDir: string, index: IdIndex): { facts: LedgerFacts; unfinishedWriters: string[]; ledgers: string[] } {
  const names = ledgerNames(ledgerDir);
  index.expected = Math.ceil(names.reduce((bytes, name) => bytes + statSync(join(ledgerDir, name)).size, 0) / LEDGER_BYTES_PER_RECORD);
  const collector = new FactsCollector(index);
  const unfinishedWriters = names.filter((name) => collector.readFile(join(ledgerDir, name))).map((name) => name.replace(/\.jsonl$/, ''));
  return { facts: collector.facts(), unfinishedWriters, ledgers: names.map((name) => name.replace(/\.jsonl$/, '')) };
}

/** The facts of ledger texts (one per writer), with ids interned in `index`. */
export function ledgerFacts(texts: Iterable<string>, index = new IdIndex()): LedgerFacts {
  const collector = new FactsCollector(index);
  for (const text of texts) collector.readText(text);
  return collector.facts();
}

/** How many of `ids` `keep` holds for, and the first few of them (the evidence). Never copies `ids`. */
function tally(ids: Iterable<string>, keep: (id: string) => boolean): { count: number; first: string[] } {
  const first: string[] = [];
  let count = 0;
  for (const id of ids) {
    if (!keep(id)) continue;
    if (count++ < EVIDENCE) first.push(id);
  }
  return { count, first };
}

/** tally over the slots of a compact set or count, in their order: no id string made but the evidence's. */
function tallySlots(ids: IdSet | IdCounts, keep: (slot: number) => boolean): { count: number; first: string[] } {
  const first: string[] = [];
  let count = 0;
  for (let i = 0; i < ids.size; i++) {
    const slot = ids.slotAt(i);
    if (!keep(slot)) continue;
    if (count++ < EVIDENCE) first.push(ids.index.idOf(slot));
  }
  return { count, first };
}

function* duplicatesOf(counts: IdCountsRead): Generator<string> {
  for (const [id, n] of counts) if (n > 1) yield id;
}

type Tallies = Record<'lost' | 'duplicates' | 'phantoms' | 'unackedLost', { count: number; first: string[] }>;

/** The verdict's tallies, id by id. */
function talliesOf(facts: LedgerFacts, counts: IdCountsRead): Tallies {
  return {
    lost: tally(facts.acked, (id) => !counts.has(id)),
    duplicates: tally(duplicatesOf(counts), () => true),
    phantoms: tally(counts.keys(), (id) => !facts.attempted.has(id)),
    unackedLost: tally(facts.attempted, (id) => !facts.acked.has(id) && !counts.has(id)),
  };
}

/** The same tallies, slot by slot, when facts and dataset are compact tables over one index (as the checker reads them). */
function compactTallies(facts: LedgerFacts, counts: IdCountsRead): Tallies | undefined {
  const { attempted, acked } = facts;
  if (!(attempted instanceof IdSet && acked instanceof IdSet && counts instanceof IdCounts)) return undefined;
  if (attempted.index !== counts.index || acked.index !== counts.index) return undefined;
  return {
    lost: tallySlots(acked, (slot) => counts.countOf(slot) === 0),
    duplicates: tallySlots(counts, (slot) => counts.countOf(slot) > 1),
    phantoms: tallySlots(counts, (slot) => !attempted.hasSlot(slot)),
    unackedLost: tallySlots(attempted, (slot) => !acked.hasSlot(slot) && counts.countOf(slot) === 0),
  };
}

/** Pure: the verdict from ledger facts, the dataset and the strategy's claims. */
export function computeVerdict(facts: LedgerFacts, dataset: Dataset, claims: Guarantees): Verdict {
  const { lost, duplicates, phantoms, unackedLost: { count: unackedLost } } = compactTallies(facts, dataset.counts) ?? talliesOf(facts, dataset.counts);
  const broken: string[] = [];
  if (claims.noLostAcked && lost.count > 0) broken.push('noLostAcked');
  if (claims.noDuplicates && duplicates.count > 0) broken.push('noDuplicates');
  if (claims.noCorruption && (dataset.corruptFiles.length > 0 || dataset.corruptRecords > 0)) broken.push('noCorruption');
  // A row that decodes but is not what its writer generated is never excused, claimed or not: it is
  // left out of the ids counted (a lost ack, were it acked), so unclaimed it would hide in plain sight.
  else if (dataset.corruptRecords > 0) broken.push('noCorruptRecords');
  // No strategy may invent data: phantoms always fail a cell.
  if (phantoms.count > 0) broken.push('noPhantoms');
  // Nor may a ledger say a record was saved that its process never handed over.
  const ackWithoutAttempt = facts.ackWithoutAttempt;
  if (ackWithoutAttempt.length > 0) broken.push('ackWithoutAttempt');
  // A pass must be earned: with nothing acked, no claim about acked records was put to the test.
  const unknownReasons: string[] = [];
  if (facts.attempted.size === 0) unknownReasons.push('no record was attempted');
  else if (facts.acked.size === 0) unknownReasons.push(`no record was acked (${facts.attempted.size} attempted): nothing the strategy claims was exercised`);
  // Rows the checker could not read as records were not judged: whatever it says of them is not earned.
  for (const problem of (dataset.schemaErrors ?? []).slice(0, EVIDENCE)) unknownReasons.push(`the checker cannot map a file's schema to the record's columns: ${problem}`);
  if (!claims.noLostAcked && !claims.noDuplicates && !claims.noCorruption) unknownReasons.push('nothing claimed: the strategy claims none of noLostAcked, noDuplicates, noCorruption, so no verdict can pass it');
  if (facts.malformedLedgerLines > 0) unknownReasons.push(`${facts.malformedLedgerLines} malformed ledger line(s) that are not a killed process's torn last line: the ledger cannot be trusted`);
  return {
    attempted: facts.attempted.size,
    acked: facts.acked.size,
    present: dataset.counts.size,
    lost: lost.count,
    duplicates: duplicates.count,
    phantoms: phantoms.count,
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
      lost: lost.first,
      duplicates: duplicates.first,
      phantoms: phantoms.first,
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

/** A dataset summed file by file, in file order: ids get their slots and the evidence its order as files are read. */
class DatasetTally {
  readonly counts: IdCounts;
  readonly dataset: Dataset;

  constructor(index: IdIndex) {
    this.counts = new IdCounts(index);
    this.dataset = { counts: this.counts, files: 0, corruptFiles: [], corruptRecords: 0, corruptEvidence: [], schemaErrors: [] };
  }

  add(file: JudgedFile): void {
    const { dataset, counts } = this;
    dataset.files++;
    if (!file.readable) {
      dataset.corruptFiles.push(file.name);
      if (file.schemaError) dataset.schemaErrors!.push(`${file.name}: ${file.schemaError}`);
      return;
    }
    for (const evidence of file.corruptEvidence) if (dataset.corruptEvidence!.length < EVIDENCE) dataset.corruptEvidence!.push(evidence);
    dataset.corruptRecords += file.corruptRecords;
    const { keys, names } = file;
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i]!;
      counts.incrementSlot(key >= 0 ? counts.index.slotOfKey(key) : counts.index.slotOf(names[-key - 1]!));
    }
  }
}

/**
 * The dataset from its files, with the checker's own readers, never trusting a strategy's account;
 * given how the records were generated, every row is also compared with what its writer generated.
 */
export async function datasetOf(files: Iterable<DatasetFile>, generation?: Generation, index = new IdIndex(), deadline = Number.POSITIVE_INFINITY): Promise<Dataset> {
  const tally = new DatasetTally(index);
  for (const file of files) {
    if (Date.now() >= deadline) throw new CheckTimeout();
    tally.add(await judgeFile(file, generation, deadline));
  }
  return tally.dataset;
}

/** How the checker reads a cell's dataset. */
export interface ReadOptions {
  /** Threads to judge the Parquet files with (0: on the main thread); by default, from the dataset's size and the cores (threadsFor). */
  threads?: number;
  /** Each thread's heap bounds; by default from the largest file (dataset-threads.ts heapLimits). */
  threadHeap?: ThreadHeap;
  /** How long the check may take, ms (default CHECK_TIME_LIMIT_MS): past it the verdict is `unknown`. */
  timeLimitMs?: number;
}

/**
 * The check's default time limit. It reads ~160k records/s on an idle core, ~50k/s at load 25 on 2
 * cores (docs/oracle.md, bench), so a million records take seconds to a minute: a check still running
 * after 10 minutes is reading hostile input (a row count that decodes for ever), and its cell is
 * `unknown`, not a run that never ends.
 */
export const CHECK_TIME_LIMIT_MS = 600_000;

/**
 * Starts reading the dataset of a cell's data/ folder on disk; `fold` then sums it into `index`. With
 * threads, they read files while the caller does other work (the ledgers) until it folds; without,
 * the fold reads one file at a time, so that memory holds one file, not the dataset.
 */
function startDataset(dataDir: string, generation: Generation | undefined, options: ReadOptions, deadline = Number.POSITIVE_INFINITY): DatasetReading {
  const files = listParquetFiles(dataDir).map((path) => {
    // Only a regular file is read: a FIFO (or a device) named .parquet would block a read for ever. It
    // is not Parquet, so it counts as a file that cannot be decoded, read as no bytes.
    const stat = statSync(path);
    return { name: relative(dataDir, path), path, bytes: stat.isFile() ? stat.size : 0, regular: stat.isFile() };
  });
  const sequential = (index: IdIndex) => datasetOf(datasetFiles(files), generation, index, deadline);
  const threads = options.threads ?? threadsFor(files.map((file) => file.bytes));
  if (threads === 0) return { fold: sequential, stop() {} };
  const judging = judgeFilesInThreads(files, generation, threads, options.threadHeap);
  // Folded later; a failure before then must not go unhandled meanwhile.
  judging.judged.catch(() => {});
  return {
    async fold(index) {
      let judged: JudgedFile[];
      if (Date.now() >= deadline) throw new CheckTimeout();
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new CheckTimeout()), Math.max(0, deadline - Date.now()));
      });
      try {
        judged = await Promise.race([judging.judged, late]);
      } catch (error) {
        if (error instanceof CheckTimeout) throw error;
        // A thread that failed (out of its heap, say) leaves the files to this thread: how they are
        // read never changes the verdict, and a file that cannot be read fails here as well.
        return sequential(index);
      } finally {
        clearTimeout(timer);
      }
      const tally = new DatasetTally(index);
      for (const file of judged) tally.add(file);
      return tally.dataset;
    },
    stop: judging.stop,
  };
}

/** A dataset being read: `fold` sums it into an index; `stop` ends its threads when the check gives up. */
interface DatasetReading {
  fold(index: IdIndex): Promise<Dataset>;
  stop(): void;
}

/** The dataset files, read one at a time as they are asked for: memory holds one file, not the dataset. */
function* datasetFiles(files: { name: string; path: string; regular: boolean }[]): Generator<DatasetFile> {
  for (const { name, path, regular } of files) yield { name, bytes: readDatasetFile(path, regular) };
}

/** Reads the dataset of a cell's data/ folder on disk. */
export async function readDataset(dataDir: string, generation?: Generation, index = new IdIndex(), options: ReadOptions = {}): Promise<Dataset> {
  return startDataset(dataDir, generation, options).fold(index);
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
    const index = new IdIndex();
    return computeVerdict(ledgerFacts(ledgerTexts, index), await datasetOf(files, undefined, index), claims);
  } catch (error) {
    const message = String((error as Error)?.message ?? error);
    return { ...emptyVerdict(), error: message, unknownReasons: [`the check could not run: ${message}`] };
  }
}

/** Checks a cell folder's ledgers and data. A check that cannot run yields valid "unknown", never a pass. */
export async function checkCell(cellDir: string, claims: Guarantees, generation?: Generation, options: ReadOptions = {}): Promise<Verdict> {
  return (await checkLedgersAndData(cellDir, claims, generation, options)).verdict;
}

async function checkLedgersAndData(cellDir: string, claims: Guarantees, generation?: Generation, options: ReadOptions = {}): Promise<{ verdict: Verdict; unfinishedWriters: string[]; ledgers?: string[] }> {
  let dataset: DatasetReading | undefined;
  const limitMs = options.timeLimitMs ?? CHECK_TIME_LIMIT_MS;
  try {
    const index = new IdIndex();
    // The dataset's threads start first and read files while this thread reads the ledgers; ledger
    // ids take their slots first, then the dataset's in file order, as in a sequential read.
    dataset = startDataset(join(cellDir, 'data'), generation, options, Date.now() + limitMs);
    const { facts, unfinishedWriters, ledgers } = readLedgerFacts(join(cellDir, 'ledger'), index);
    return { verdict: computeVerdict(facts, await dataset.fold(index), claims), unfinishedWriters, ledgers };
  } catch (error) {
    dataset?.stop();
    const message = error instanceof CheckTimeout ? `${error.message} (${limitMs / 1000} s)` : String((error as Error)?.message ?? error);
    return { verdict: { ...emptyVerdict(), error: message, unknownReasons: [`the check could not run: ${message}`] }, unfinishedWriters: [] };
  }
}

/**
 * Checks a cell folder and judges the verdict with everything else the run recorded: its planned
 * faults and fault log, its process errors, and whether every writer finished (see judge.ts).
 */
export async function judgeCell(
  cellDir: string, claims: Guarantees, generation: Generation | undefined, evidence: Omit<CellEvidence, 'unfinishedWriters' | 'ledgers'>,
): Promise<{ verdict: Verdict; faults: FaultOutcome[] }> {
  const { verdict, unfinishedWriters, ledgers } = await checkLedgersAndData(cellDir, claims, generation);
  // Only kills of writers need the ledgers' ended segments (did the kill hit live work?).
  const killsWriters = evidence.log.some((e) => e.kind === 'kill' && e.pid !== undefined && e.target.startsWith('writer-'));
  return judge(verdict, { ...evidence, unfinishedWriters, ...(ledgers ? { ledgers } : {}), ...(killsWriters ? { endedPids: endedPids(join(cellDir, 'ledger')) } : {}) });
}
