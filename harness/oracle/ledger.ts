import { closeSync, fstatSync, openSync, readdirSync, readFileSync, readSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import * as v from 'valibot';
import { parseOrUndefined } from '../sdk/schema.js';

/**
 * The oracle: what a writer was told. One JSON object per line, one write() per line, no fsync (faults
 * here kill processes, not the kernel). A SIGKILL can still cut a process's last write short (a torn
 * line): the checker tolerates and counts that, and a restarted process never glues onto it.
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

/** The entry a line holds, or undefined when it is not a well-formed ledger entry. */
function entryOf(line: string): LedgerEntry | undefined {
  try {
    return parseOrUndefined(LedgerEntrySchema, JSON.parse(line));
  } catch {
    return undefined;
  }
}

export interface ParsedLedger {
  segments: LedgerSegment[];
  /** Malformed lines that are not a dying process's torn last line: the ledger cannot be trusted. */
  badLines: number;
  /** Torn last lines of processes that died mid-write (followed by a restart's `start`, or the end of the file). */
  tornLines: number;
}

export function parseLedger(text: string): ParsedLedger {
  const segments: LedgerSegment[] = [];
  let badLines = 0;
  let tornLines = 0;
  let current: LedgerSegment | undefined;
  const lines = text.split('\n').filter((line) => line.trim());
  for (const [i, line] of lines.entries()) {
    const entry = entryOf(line);
    if (!entry) {
      // Torn: the last line of a segment still open (no `end`), right before a restart or the end of the file.
      const next = lines[i + 1];
      const lastOfSegment = next === undefined || entryOf(next)?.op === 'start';
      if (current && !current.ended && lastOfSegment) tornLines++;
      else badLines++;
      continue;
    }
    if (entry.op === 'start') {
      current = { pid: entry.pid, attempted: [], acked: [], failed: [], ended: false, startedAt: entry.t, lastAt: entry.t, attemptAt: new Map(), ackAt: new Map() };
      segments.push(current);
      continue;
    }
    if (!current || current.ended) {
      badLines++;
      continue;
    }
    current.lastAt = entry.t;
    if (entry.op === 'attempt') {
      current.attempted.push(entry.id);
      current.attemptAt.set(entry.id, entry.t);
    } else if (entry.op === 'ack') {
      current.acked.push(entry.id);
      current.ackAt.set(entry.id, entry.t);
    } else if (entry.op === 'fail') current.failed.push(entry.id);
    else current.ended = true;
  }
  return { segments, badLines, tornLines };
}

/** Every writer's ledger under `ledgerDir`, keyed by writer file name. */
export function readLedgers(ledgerDir: string): Map<string, ParsedLedger> {
  const ledgers = new Map<string, ParsedLedger>();
  for (const name of readdirSync(ledgerDir).filter((n) => n.endsWith('.jsonl')).sort()) {
    ledgers.set(name, parseLedger(readFileSync(join(ledgerDir, name), 'utf8')));
  }
  return ledgers;
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
