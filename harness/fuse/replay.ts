import { O_EXCL, O_TRUNC, type JournalEntry } from './journal.js';
import type { SimFs } from '../sim/fs.js';

/**
 * Carries a crashfs journal out on the simulation's file system, so that the named persistence
 * model (harness/sim/models/) decides what each fsync made durable and what a power loss may keep:
 * one definition of the models for the simulation and for real processes. `calls` maps the daemon's
 * per-open call ids to the file system's (ext4's replace-by-truncate is judged per call) and lives
 * as long as the file system does.
 */
export function replayJournal(fs: SimFs, entries: readonly JournalEntry[], calls = new Map<number, number>()): void {
  const callOf = (call: number) => {
    if (!calls.has(call)) calls.set(call, fs.beginCall());
    return calls.get(call)!;
  };
  for (const entry of entries) {
    switch (entry.kind) {
      case 'create':
        fs.open(entry.path, { exclusive: (entry.flags & O_EXCL) !== 0, truncate: (entry.flags & O_TRUNC) !== 0 }, callOf(entry.call));
        break;
      case 'open-trunc':
        fs.open(entry.path, { truncate: true }, callOf(entry.call));
        break;
      case 'write':
        fs.writeAt(entry.path, entry.offset, entry.bytes, callOf(entry.call));
        break;
      case 'truncate':
        fs.truncate(entry.path, entry.length);
        break;
      case 'rename':
        fs.rename(entry.path, entry.to);
        break;
      case 'unlink':
        fs.unlink(entry.path);
        break;
      case 'mkdir':
        fs.mkdir(entry.path);
        break;
      case 'rmdir':
        fs.rmdir(entry.path);
        break;
      case 'fsync':
        fs.fsyncFile(entry.path);
        break;
      case 'fsyncdir':
        fs.fsyncDir(entry.path);
        break;
    }
  }
}
