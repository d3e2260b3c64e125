import { closeSync, fstatSync, openSync, readdirSync, readSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import * as v from 'valibot';
import { parseOrUndefined } from '../sdk/schema.js';
import { canonicalKeyInBytes } from './id-table.js';

/**
 * The oracle: what a writer was told. One JSON object per line, one write() per line (but the ack lines
 * of one batch, written together: see appendAll), no fsync (faults here kill processes, not the kernel).
 * A SIGKILL can still cut a process's last write short (a torn line): the checker tolerates and counts
 * that, and a restarted process never glues onto it.
 */
export const LedgerEntrySchema = v.variant('op', [
  v.object({ op: v.literal('start'), pid: v.number(), t: v.number() }),
  v.object({ op: v.literal('attempt'), id: v.string(), t: v.number() }),
  v.object({ op: v.literal('ack'), id: v.string(), t: v.number() }),
  v.object({ op: v.literal('fail'), id: v.string(), t: v.number(), error: v.string() }),
  v.object({ op: v.literal('end'), t: v.number() }),
]);
export type LedgerEntry = v.InferOutput<typeof LedgerEntrySchema>;

export class LedgerWriter {
  private readonly fd: number;
  /** Bytes this process wrote to its ledger: subtracted from /proc/self/io, they are the harness's cost. */
  bytesWritten = 0;

  constructor(path: string) {
    this.fd = openSync(path, 'a+');
    // A predecessor killed mid-write may have left a torn last line: end it, so our `start` stands alone.
    const size = fstatSync(this.fd).size;
    const last = Buffer.alloc(1);
    if (size > 0 && readSync(this.fd, last, 0, 1, size - 1) === 1 && last[0] !== 0x0a) this.bytesWritten += writeSync(this.fd, '\n');
  }

  append(entry: LedgerEntry): void {
    const line = `${JSON.stringify(entry)}\n`;
    this.bytesWritten += writeSync(this.fd, line);
  }

  /**
   * Appends `entries` as whole lines with one write: a batch of acks costs one syscall, not one each. A
   * kill cutting that write short leaves whole lines and at most one torn last line, as a torn append
   * does (a short write stops at a byte, and every line before it is whole).
   */
  appendAll(entries: readonly LedgerEntry[]): void {
    let lines = '';
    for (const entry of entries) lines += `${JSON.stringify(entry)}\n`;
    this.bytesWritten += writeSync(this.fd, lines);
  }

  close(): void {
    closeSync(this.fd);
  }
}

/** One process's stretch of a ledger, from its `start` to its `end` (or to where it died). */
export interface LedgerSegment {
  pid: number;
  attempted: string[];
  acked: string[];
  failed: string[];
  ended: boolean;
  startedAt: number;
  /** Time of the `end` line, or of the last line for a process that died. */
  lastAt: number;
  attemptAt: Map<string, number>;
  ackAt: Map<string, number>;
}

/** The entry a line holds by the schema alone, or undefined when it is not a well-formed ledger entry. */
export function schemaEntry(line: string): LedgerEntry | undefined {
  try {
    return parseOrUndefined(LedgerEntrySchema, JSON.parse(line));
  } catch {
    return undefined;
  }
}

const ATTEMPT_PREFIX = '{"op":"attempt","id":"';
const ACK_PREFIX = '{"op":"ack","id":"';
const TIME_INFIX = '","t":';
// JSON's number grammar: real ledgers carry fractional milliseconds (the clock is performance-based),
// and Number() reads such a literal to the same double as JSON.parse.
const JSON_NUMBER = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;

/** True when `text` needs no JSON unescaping: no backslash, no control character (a `"` ends it already). */
function isPlainJsonString(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 || c === 0x5c) return false;
  }
  return true;
}

/**
 * The entry a line holds. Nearly every line is an `attempt` or `ack` exactly as LedgerWriter writes it
 * (`{"op":"ack","id":"w0-1","t":17}`): those are read without JSON.parse and the schema, which cost most
 * of the checker's time on a million records. Anything else (other ops, other key order, spaces,
 * escapes, fractions, extra fields, torn lines) goes to the schema, so what is accepted and rejected
 * is exactly what the schema decides (a property test holds the two to it).
 */
export function ledgerEntry(line: string): LedgerEntry | undefined {
  const op = line.startsWith(ATTEMPT_PREFIX) ? 'attempt' : line.startsWith(ACK_PREFIX) ? 'ack' : undefined;
  if (op === undefined) return schemaEntry(line);
  const idStart = op === 'attempt' ? ATTEMPT_PREFIX.length : ACK_PREFIX.length;
  const idEnd = line.indexOf('"', idStart);
  if (idEnd === -1 || !line.startsWith(TIME_INFIX, idEnd) || line.charCodeAt(line.length - 1) !== 0x7d) return schemaEntry(line);
  const id = line.slice(idStart, idEnd);
  const time = line.slice(idEnd + TIME_INFIX.length, line.length - 1);
  if (!isPlainJsonString(id) || !JSON_NUMBER.test(time)) return schemaEntry(line);
  return { op, id, t: Number(time) };
}

/** What a ledger says, event by event, to whoever summarises it (segments, the checker's facts). */
export interface LedgerVisitor {
  start(pid: number, t: number): void;
  attempt(id: string, t: number): void;
  ack(id: string, t: number): void;
  fail(id: string, t: number): void;
  end(t: number): void;
}

/**
 * A visitor that also takes an attempt or ack of a canonical id as its canonicalKey, with no string
 * made and no time read (the checker's facts, which need neither): LedgerLines.lineBytes then reads
 * such lines without decoding them.
 */
export interface KeyedLedgerVisitor extends LedgerVisitor {
  attemptKey(key: number): void;
  ackKey(key: number): void;
}

function isKeyed(visitor: LedgerVisitor): visitor is KeyedLedgerVisitor {
  return 'attemptKey' in visitor;
}

const ATTEMPT_BYTES = Buffer.from(ATTEMPT_PREFIX);
const ACK_BYTES = Buffer.from(ACK_PREFIX);
const TIME_BYTES = Buffer.from(TIME_INFIX);

/** True when `bytes[start, end)` holds `prefix`'s bytes from `start`. */
function startsWithBytes(bytes: Uint8Array, start: number, end: number, prefix: Uint8Array): boolean {
  if (end - start < prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) if (bytes[start + i] !== prefix[i]) return false;
  return true;
}

const isDigit = (c: number | undefined) => c !== undefined && c >= 0x30 && c <= 0x39;

/** True when `bytes[start, end)` is a JSON number: JSON_NUMBER, byte for character. */
function isJsonNumberBytes(bytes: Uint8Array, start: number, end: number): boolean {
  let i = start;
  if (bytes[i] === 0x2d) i++;
  if (i >= end || !isDigit(bytes[i])) return false;
  if (bytes[i] === 0x30) i++;
  else while (i < end && isDigit(bytes[i])) i++;
  if (i < end && bytes[i] === 0x2e) {
    if (++i >= end || !isDigit(bytes[i])) return false;
    while (i < end && isDigit(bytes[i])) i++;
  }
  if (i < end && (bytes[i] === 0x65 || bytes[i] === 0x45)) {
    i++;
    if (i < end && (bytes[i] === 0x2b || bytes[i] === 0x2d)) i++;
    if (i >= end || !isDigit(bytes[i])) return false;
    while (i < end && isDigit(bytes[i])) i++;
  }
  return i === end;
}

/** What keyedLine found: the op of an attempt or ack line of a canonical id (else undefined), and its key. */
let keyedOp: 'attempt' | 'ack' | undefined;
let keyedKey = 0;

/**
 * Reads `bytes[start, end)` when it is an attempt or ack of a canonical id exactly as LedgerWriter
 * writes it: the lines ledgerEntry's fast path takes whose id is canonical, byte for character (such a
 * line is ASCII, so its bytes are its characters). Sets keyedOp (undefined for any other line) and keyedKey.
 */
function keyedLine(bytes: Uint8Array, start: number, end: number): void {
  keyedOp = startsWithBytes(bytes, start, end, ATTEMPT_BYTES) ? 'attempt' : startsWithBytes(bytes, start, end, ACK_BYTES) ? 'ack' : undefined;
  if (keyedOp === undefined) return;
  const idStart = start + (keyedOp === 'attempt' ? ATTEMPT_BYTES.length : ACK_BYTES.length);
  let idEnd = idStart;
  while (idEnd < end && bytes[idEnd] !== 0x22) idEnd++;
  keyedKey = canonicalKeyInBytes(bytes, idStart, idEnd);
  const timeStart = idEnd + TIME_BYTES.length;
  if (keyedKey === -1 || !startsWithBytes(bytes, idEnd, end, TIME_BYTES) || bytes[end - 1] !== 0x7d || !isJsonNumberBytes(bytes, timeStart, end - 1)) keyedOp = undefined;
}

/** Malformed lines of one ledger: torn last lines of dying processes, and the rest. */
export interface LineCounts {
  /** Malformed lines that are not a dying process's torn last line: the ledger cannot be trusted. */
  badLines: number;
  /** Torn last lines of processes that died mid-write (followed by a restart's `start`, or the end of the file). */
  tornLines: number;
}

/**
 * The one ledger parser: fed a ledger's lines in order (blank ones are skipped), it hands each
 * well-formed entry that belongs to a segment to the visitor and counts the malformed ones. A malformed
 * line is torn when it is the last line of a segment still open (no `end`): right before a restart's
 * `start` or the end of the file; it waits for the next line to be told apart.
 */
export class LedgerLines {
  private open = false;
  private pendingTornCandidate: boolean | undefined;
  readonly counts: LineCounts = { badLines: 0, tornLines: 0 };

  private readonly keyed: KeyedLedgerVisitor | undefined;

  constructor(private readonly visitor: LedgerVisitor) {
    this.keyed = isKeyed(visitor) ? visitor : undefined;
  }

  /**
   * A line given as `bytes[start, end)` of UTF-8: for a keyed visitor, the attempts and acks of canonical
   * ids are read from the bytes (keyedLine); every other line is decoded and read as `line` reads it.
   */
  lineBytes(bytes: Buffer, start: number, end: number): void {
    if (this.keyed !== undefined) {
      keyedLine(bytes, start, end);
      if (keyedOp !== undefined) {
        this.settlePending(false);
        if (!this.open) this.counts.badLines++;
        else if (keyedOp === 'attempt') this.keyed.attemptKey(keyedKey);
        else this.keyed.ackKey(keyedKey);
        return;
      }
    }
    this.line(bytes.toString('utf8', start, end));
  }

  line(line: string): void {
    // A line that opens with `{` is not blank; only others need the (allocating) trim.
    if (line.charCodeAt(0) !== 0x7b && !line.trim()) return;
    const entry = ledgerEntry(line);
    this.settlePending(entry?.op === 'start');
    if (!entry) {
      this.pendingTornCandidate = this.open;
      return;
    }
    if (entry.op === 'start') {
      this.open = true;
      this.visitor.start(entry.pid, entry.t);
      return;
    }
    if (!this.open) {
      this.counts.badLines++;
      return;
    }
    if (entry.op === 'attempt') this.visitor.attempt(entry.id, entry.t);
    else if (entry.op === 'ack') this.visitor.ack(entry.id, entry.t);
    else if (entry.op === 'fail') this.visitor.fail(entry.id, entry.t);
    else {
      this.open = false;
      this.visitor.end(entry.t);
    }
  }

  /** The end of the ledger: a malformed last line of an open segment is torn. */
  finish(): LineCounts {
    this.settlePending(true);
    return this.counts;
  }

  private settlePending(nextIsStartOrEnd: boolean): void {
    if (this.pendingTornCandidate === undefined) return;
    if (this.pendingTornCandidate && nextIsStartOrEnd) this.counts.tornLines++;
    else this.counts.badLines++;
    this.pendingTornCandidate = undefined;
  }
}

/** A ledger's segments, and its malformed lines. */
export interface ParsedLedger extends LineCounts {
  segments: LedgerSegment[];
}

/** A visitor that keeps every segment whole: for readers that need ids and times (planSequence, durable-span). */
class SegmentCollector implements LedgerVisitor {
  readonly segments: LedgerSegment[] = [];
  private current!: LedgerSegment;

  start(pid: number, t: number): void {
    this.current = { pid, attempted: [], acked: [], failed: [], ended: false, startedAt: t, lastAt: t, attemptAt: new Map(), ackAt: new Map() };
    this.segments.push(this.current);
  }

  attempt(id: string, t: number): void {
    this.current.lastAt = t;
    this.current.attempted.push(id);
    this.current.attemptAt.set(id, t);
  }

  ack(id: string, t: number): void {
    this.current.lastAt = t;
    this.current.acked.push(id);
    this.current.ackAt.set(id, t);
  }

  fail(id: string, t: number): void {
    this.current.lastAt = t;
    this.current.failed.push(id);
  }

  end(t: number): void {
    this.current.lastAt = t;
    this.current.ended = true;
  }
}

/** Hands every line of `text` to a LedgerLines over `visitor`. */
export function visitLedgerText(text: string, visitor: LedgerVisitor): LineCounts {
  const lines = new LedgerLines(visitor);
  for (const line of text.split('\n')) lines.line(line);
  return lines.finish();
}

/** Small enough that a chunk's text stays a young, short-lived string (a large one would wait for a full GC). */
const CHUNK_BYTES = 1 << 16;

/**
 * Streams the ledger file at `path` through a LedgerLines over `visitor`, a chunk at a time: memory is
 * bounded by the chunk (or the longest line), not the file. Lines are cut at newline bytes, which never
 * fall inside a UTF-8 character, so they are those of the whole file decoded at once.
 */
export function visitLedgerFile(path: string, visitor: LedgerVisitor): LineCounts {
  const lines = new LedgerLines(visitor);
  const fd = openSync(path, 'r');
  try {
    let buffer = Buffer.allocUnsafe(CHUNK_BYTES);
    let held = 0;
    for (;;) {
      if (held === buffer.length) {
        const bigger = Buffer.allocUnsafe(buffer.length * 2);
        buffer.copy(bigger, 0, 0, held);
        buffer = bigger;
      }
      const read = readSync(fd, buffer, held, buffer.length - held, null);
      const filled = held + read;
      if (read === 0) {
        if (filled > 0) lines.lineBytes(buffer, 0, filled);
        break;
      }
      const lastNewline = buffer.lastIndexOf(0x0a, filled - 1);
      if (lastNewline === -1) {
        held = filled;
        continue;
      }
      for (let start = 0; start <= lastNewline;) {
        const newline = buffer.indexOf(0x0a, start);
        lines.lineBytes(buffer, start, newline);
        start = newline + 1;
      }
      held = buffer.copy(buffer, 0, lastNewline + 1, filled);
    }
  } finally {
    closeSync(fd);
  }
  return lines.finish();
}

export function parseLedger(text: string): ParsedLedger {
  const collector = new SegmentCollector();
  return { ...visitLedgerText(text, collector), segments: collector.segments };
}

/** The names of the writers' ledger files under `ledgerDir`, sorted. */
export function ledgerNames(ledgerDir: string): string[] {
  return readdirSync(ledgerDir).filter((n) => n.endsWith('.jsonl')).sort();
}

/** Every writer's ledger under `ledgerDir`, keyed by writer file name. */
export function readLedgers(ledgerDir: string): Map<string, ParsedLedger> {
  const ledgers = new Map<string, ParsedLedger>();
  for (const name of ledgerNames(ledgerDir)) {
    const collector = new SegmentCollector();
    ledgers.set(name, { ...visitLedgerFile(join(ledgerDir, name), collector), segments: collector.segments });
  }
  return ledgers;
}

/**
 * The pids of ledger segments that reached their `end` line: processes that finished their work. A kill
 * logged against such a pid hit nothing live (see judge.ts). Attempt and ack lines are skipped unread.
 */
export function endedPids(ledgerDir: string): Set<number> {
  const ended = new Set<number>();
  let pid = 0;
  const visitor: KeyedLedgerVisitor = {
    start: (p) => { pid = p; }, attempt() {}, ack() {}, fail() {}, attemptKey() {}, ackKey() {},
    end: () => { ended.add(pid); },
  };
  for (const name of ledgerNames(ledgerDir)) visitLedgerFile(join(ledgerDir, name), visitor);
  return ended;
}

/**
 * The writing phase as the ledgers saw it: from the first `start` (or from `from`, the cell's `go`, when
 * its writers waited at a start barrier) to the last line, ms (undefined without ledgers).
 */
export function writingSpanMs(ledgers: ReturnType<typeof readLedgers>, from?: number): number | undefined {
  const segments = [...ledgers.values()].flatMap((l) => l.segments);
  if (segments.length === 0) return undefined;
  return Math.max(...segments.map((s) => s.lastAt)) - (from ?? Math.min(...segments.map((s) => s.startedAt)));
}
