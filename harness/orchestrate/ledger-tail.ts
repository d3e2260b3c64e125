import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { LedgerLines } from '../oracle/ledger.js';

/**
 * Follows one ledger as its writer appends to it, reading only the bytes added since the last look,
 * and counts its `attempt` and `ack` lines: what the orchestrator needs while a cell runs (has a
 * progress-triggered fault's trigger been reached?). Re-reading whole ledgers on every
 * poll cost the orchestrator CPU that the measured processes needed; this costs one fstat per look
 * when nothing changed. Only complete lines are counted; a partial last line waits for its newline.
 * Lines go through the checker's own parser, so a count is of entries the checker will also count.
 */
export class LedgerTail {
  private offset = 0;
  private partial = '';
  readonly counts = { attempt: 0, ack: 0 };
  /** Whether the last segment read is open: its process started and has not written its `end` line. */
  open = false;
  private readonly lines = new LedgerLines({
    start: () => { this.open = true; },
    attempt: () => this.counts.attempt++,
    ack: () => this.counts.ack++,
    fail: () => {},
    end: () => { this.open = false; },
  });

  constructor(readonly path: string) {}

  /** Reads what was appended since the last call; false when nothing was (or the file does not exist yet). */
  poll(): boolean {
    let fd: number;
    try {
      fd = openSync(this.path, 'r');
    } catch {
      return false;
    }
    try {
      const size = fstatSync(fd).size;
      if (size <= this.offset) return false;
      const chunk = Buffer.alloc(size - this.offset);
      const read = readSync(fd, chunk, 0, chunk.length, this.offset);
      this.offset += read;
      const text = this.partial + chunk.toString('utf8', 0, read);
      const end = text.lastIndexOf('\n') + 1;
      this.partial = text.slice(end);
      if (end > 0) for (const line of text.slice(0, end - 1).split('\n')) this.lines.line(line);
      return read > 0;
    } finally {
      closeSync(fd);
    }
  }
}
