import { closeSync, fstatSync, openSync, readSync } from 'node:fs';

/**
 * Follows one ledger as its writer appends to it, reading only the bytes added since the last look,
 * and counts its `attempt` and `ack` lines: what the orchestrator needs while a cell runs (has a
 * progress-triggered fault's trigger been reached?). Re-reading whole ledgers on every
 * poll cost the orchestrator CPU that the measured processes needed; this costs one fstat per look
 * when nothing changed. Only complete lines are counted; a partial last line waits for its newline.
 */
export class LedgerTail {
  private offset = 0;
  private partial = '';
  readonly counts = { attempt: 0, ack: 0 };

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
      const complete = text.slice(0, end);
      for (const op of ['attempt', 'ack'] as const) this.counts[op] += countOf(complete, `"op":"${op}"`);
      return read > 0;
    } finally {
      closeSync(fd);
    }
  }
}

function countOf(text: string, needle: string): number {
  let n = 0;
  for (let i = text.indexOf(needle); i !== -1; i = text.indexOf(needle, i + needle.length)) n++;
  return n;
}
