import { closeSync, openSync, readdirSync, readFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import * as v from 'valibot';
import { parseJsonLines } from '../sdk/json-lines.js';
import { parseOrUndefined } from '../sdk/schema.js';

/**
 * The oracle: what a writer was told. One JSON object per line, one write() per line (so a SIGKILL
 * never tears a line), no fsync (faults here kill processes, not the kernel).
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
    this.fd = openSync(path, 'a');
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

export function parseLedger(text: string): { segments: LedgerSegment[]; badLines: number } {
  const segments: LedgerSegment[] = [];
  // A line that does not match counts as bad, like a torn one.
  const lines = parseJsonLines(text, (value) => parseOrUndefined(LedgerEntrySchema, value));
  let badLines = lines.badLines;
  let current: LedgerSegment | undefined;
  for (const entry of lines.values) {
    if (entry.op === 'start') {
      current = { pid: entry.pid, attempted: [], acked: [], failed: [], ended: false, startedAt: entry.t, lastAt: entry.t, attemptAt: new Map(), ackAt: new Map() };
      segments.push(current);
      continue;
    }
    if (!current) {
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
    else if (entry.op === 'end') current.ended = true;
  }
  return { segments, badLines };
}

/** Every writer's ledger under `ledgerDir`, keyed by writer file name. */
export function readLedgers(ledgerDir: string): Map<string, ReturnType<typeof parseLedger>> {
  const ledgers = new Map<string, ReturnType<typeof parseLedger>>();
  for (const name of readdirSync(ledgerDir).filter((n) => n.endsWith('.jsonl')).sort()) {
    ledgers.set(name, parseLedger(readFileSync(join(ledgerDir, name), 'utf8')));
  }
  return ledgers;
}

/** The writing phase as the ledgers saw it: first `start` to last line, ms (undefined without ledgers). */
export function writingSpanMs(ledgers: ReturnType<typeof readLedgers>): number | undefined {
  const segments = [...ledgers.values()].flatMap((l) => l.segments);
  if (segments.length === 0) return undefined;
  return Math.max(...segments.map((s) => s.lastAt)) - Math.min(...segments.map((s) => s.startedAt));
}
