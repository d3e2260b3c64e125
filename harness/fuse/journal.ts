/**
 * The journal crashfs.c writes: every change it passed to the backing folder, in the order it took
 * effect. Little-endian records: kind (u8), a and b (u64), the lengths of two paths and of the data
 * (u32 each), then the paths and the data. The last record of a journal whose daemon ended cleanly
 * is `end`.
 */
export type JournalEntry =
  | { kind: 'create'; path: string; flags: number; call: number }
  | { kind: 'open-trunc'; path: string; call: number }
  | { kind: 'write'; path: string; offset: number; call: number; bytes: Uint8Array }
  | { kind: 'truncate'; path: string; length: number }
  | { kind: 'rename'; path: string; to: string }
  | { kind: 'unlink' | 'mkdir' | 'rmdir' | 'fsync' | 'fsyncdir'; path: string };

const KINDS = ['end', 'create', 'open-trunc', 'write', 'truncate', 'rename', 'unlink', 'mkdir', 'rmdir', 'fsync', 'fsyncdir'] as const;
const HEADER = 1 + 8 + 8 + 4 + 4 + 4;
/** Linux's O_EXCL and O_TRUNC (the daemon passes open flags through as they came). */
export const O_EXCL = 0o200;
export const O_TRUNC = 0o1000;

export interface Journal {
  entries: JournalEntry[];
  /** Whether the daemon ended cleanly (the journal is whole). */
  complete: boolean;
}

export function readJournal(buffer: Buffer): Journal {
  const entries: JournalEntry[] = [];
  const text = (start: number, length: number) => buffer.toString('utf8', start, start + length);
  for (let at = 0; at + HEADER <= buffer.length;) {
    const kind = KINDS[buffer.readUInt8(at)];
    const a = Number(buffer.readBigUInt64LE(at + 1));
    const b = Number(buffer.readBigUInt64LE(at + 9));
    const [l1, l2, size] = [buffer.readUInt32LE(at + 17), buffer.readUInt32LE(at + 21), buffer.readUInt32LE(at + 25)];
    const end = at + HEADER + l1 + l2 + size;
    if (kind === undefined || end > buffer.length) break;
    const path = text(at + HEADER, l1);
    const second = text(at + HEADER + l1, l2);
    if (kind === 'end') return { entries, complete: end === buffer.length };
    if (kind === 'create') entries.push({ kind, path, flags: a, call: b });
    else if (kind === 'open-trunc') entries.push({ kind, path, call: b });
    else if (kind === 'write') entries.push({ kind, path, offset: a, call: b, bytes: new Uint8Array(buffer.subarray(end - size, end)) });
    else if (kind === 'truncate') entries.push({ kind, path, length: a });
    else if (kind === 'rename') entries.push({ kind, path, to: second });
    else entries.push({ kind, path });
    at = end;
  }
  return { entries, complete: false };
}
