import { prefixOptions, type CrashGroup, type PendingOp, type PersistenceModel } from '../fs.js';

/** Journaled in ext4: folder entries and size changes by truncate. Appended data is not (delayed allocation). */
const isJournaled = (op: PendingOp) => op.kind === 'entry' || op.op === 'truncate';

/**
 * Data a journal commit writes although nobody fsynced it: auto_da_alloc forces the data of a file
 * renamed over another, and of a file truncated to 0 and written again (the same open), to disk before
 * the commit that holds the rename or the truncate (ext4 documentation, auto_da_alloc: "the data blocks of
 * the new file are forced to disk before the rename() operation is committed"); and writes older than a
 * committed truncate of their file are settled by it (the truncate dropped those pages). Without this,
 * an unrelated fsync committed a replacing rename without its data (a torn replacement ext4 never
 * shows), and two in-place versions could survive glued together, each truncate durable, the data
 * before it still pending.
 */
function forcedByCommit(log: readonly PendingOp[], journal: readonly PendingOp[]): Set<PendingOp> {
  const forced = new Set<PendingOp>();
  for (const op of log) {
    if (op.kind !== 'data' || op.op === 'truncate') continue;
    const forcing = journal.some((j) => (j.kind === 'entry' && j.op === 'rename' && j.replaced && j.seq > op.seq
      && j.changes.some((c) => c.node?.kind === 'file' && c.node.inode === op.inode))
      || (j.kind === 'data' && j.op === 'truncate' && j.inode === op.inode && (j.seq > op.seq || (j.replacesContent && j.call === op.call))));
    if (forcing) forced.add(op);
  }
  return forced;
}

/** What any fsync commits: the whole journal, the data it forces, and `also` (the fsynced file's data). */
function committed(log: readonly PendingOp[], also: (op: PendingOp) => boolean): PendingOp[] {
  const forced = forcedByCommit(log, log.filter(isJournaled));
  return log.filter((op) => isJournaled(op) || forced.has(op) || also(op));
}

/**
 * ext4 mounted data=ordered (its default) with auto_da_alloc (also default). Metadata (creates, renames,
 * unlinks, mkdirs, truncates) goes through one journal, so a power loss keeps a prefix of all
 * un-committed metadata changes in the order they happened, across folders; any fsync, of a file or a
 * folder, commits the whole journal. File data is not journaled: an fsync makes the synced file's data
 * durable, and un-synced appends survive as any prefix, never as garbage (data=ordered writes data before
 * the metadata that exposes it). auto_da_alloc: renaming a file over an existing one, or truncating a
 * file to 0 and writing it again, flushes the new data before that metadata commits, so the replaced
 * file is the old one or the complete new one.
 */
export const ext4OrderedModel = {
  name: 'ext4-ordered',
  summary: 'one journal for all metadata (kept as an ordered prefix; any fsync commits it); data survives as a prefix; replace-by-rename and replace-by-truncate are all-or-nothing',
  standsFor: 'Linux ext4 with its default mount options (data=ordered, auto_da_alloc), the file system of this project\'s test machine; '
    + 'ALICE found XFS and btrfs differ in places, so this is not a model of every journaling file system',
  sources: [
    'Linux kernel ext4 documentation, mount options data=ordered and auto_da_alloc: https://www.kernel.org/doc/html/latest/admin-guide/ext4.html',
    'Pillai et al., All File Systems Are Not Created Equal (ALICE), OSDI 2014, table of persistence properties: https://www.usenix.org/conference/osdi14/technical-sessions/presentation/pillai',
    'Linux fsync(2): https://man7.org/linux/man-pages/man2/fsync.2.html',
    'Mohan et al., Finding Crash-Consistency Bugs with Bounded Black-Box Crash Testing (CrashMonkey), OSDI 2018: https://www.usenix.org/conference/osdi18/presentation/mohan',
  ],
  fsyncFile: (log, inode) => committed(log, (op) => op.kind === 'data' && op.inode === inode),
  fsyncDir: (log) => committed(log, () => false),
  crashGroups(log, kept) {
    const journal = log.filter(isJournaled);
    const groups: CrashGroup[] = [{ label: 'the journal (all metadata, in order)', ops: journal, options: prefixOptions(journal) }];
    if (journal.length === 0) groups.pop();
    const appends = new Map<number, PendingOp[]>();
    // Writes inside a file (pwrite) are data like appends: not journaled, kept as a prefix.
    for (const op of log) if (op.kind === 'data' && op.op !== 'truncate') appends.set(op.inode, [...(appends.get(op.inode) ?? []), op]);
    for (const ops of appends.values()) {
      // auto_da_alloc: data a kept replacing rename or replacing truncate depends on is kept whole.
      let forced = 0;
      ops.forEach((op, i) => {
        if (op.kind !== 'data') return;
        const renamedOver = journal.some((j) => j.kind === 'entry' && j.op === 'rename' && j.replaced && j.seq > op.seq
          && j.changes.some((c) => c.node?.kind === 'file' && c.node.inode === op.inode) && kept(j));
        const rewritten = journal.some((j) => j.kind === 'data' && j.op === 'truncate' && j.replacesContent && j.call === op.call && kept(j));
        if (renamedOver || rewritten) forced = i + 1;
      });
      // Data written after a truncate lands only if the truncate did (it was written at the new size).
      const cut = ops.findIndex((op) => journal.some((j) => j.kind === 'data' && j.op === 'truncate' && j.inode === (op as { inode: number }).inode
        && j.seq < op.seq && !kept(j)));
      const most = cut === -1 ? ops.length : cut;
      const options = prefixOptions(ops).filter((o) => o.kept >= forced && (o.kept < most || (o.kept === most && o.tear === undefined)));
      groups.push({ label: `data of ${ops[0]!.path}`, ops, options });
    }
    return groups;
  },
} satisfies PersistenceModel;
