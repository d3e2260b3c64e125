import { prefixOptions, type CrashGroup, type PendingOp, type PersistenceModel } from '../fs.js';

const byDir = (log: readonly PendingOp[]) => {
  const groups = new Map<string, PendingOp[]>();
  for (const op of log) if (op.kind === 'entry') groups.set(op.dir, [...(groups.get(op.dir) ?? []), op]);
  return groups;
};

const byInode = (log: readonly PendingOp[]) => {
  const groups = new Map<number, PendingOp[]>();
  for (const op of log) if (op.kind === 'data') groups.set(op.inode, [...(groups.get(op.inode) ?? []), op]);
  return groups;
};

/**
 * Only what was fsynced survives. An fsync of a file makes its data durable, not its name; an fsync of a
 * folder makes its entries durable (creates, renames into it, unlinks, subfolders), not their data. After
 * a power loss each folder keeps any prefix of its un-synced entry changes (so an un-synced rename may be
 * undone, an un-synced create may vanish with whatever was written to the file), and each file keeps
 * any prefix of its un-synced writes, the last one possibly torn (un-synced appends survive as any
 * prefix). Folders and files are decided independently of one another. A rename across folders is
 * durable only once both folders have been fsynced (it is listed with its target folder's entries).
 */
export const posixModel = {
  name: 'posix',
  summary: 'only fsynced data and fsynced folder entries survive; un-synced renames may be undone, un-synced appends survive as any prefix',
  standsFor: 'what POSIX and Linux fsync(2) promise and nothing more: a portable program may rely on no more than this; '
    + 'it is the weakest of the persistence models ALICE measured (ext2; ext4 data=writeback and btrfs for un-synced data) and what LazyFS\'s clear-cache fault leaves',
  sources: [
    'POSIX.1-2017 fsync(): https://pubs.opengroup.org/onlinepubs/9699919799/functions/fsync.html',
    'Linux fsync(2): "Calling fsync() does not necessarily ensure that the entry in the directory containing the file has also reached disk. For that an explicit fsync() on a file descriptor for the directory is also needed." https://man7.org/linux/man-pages/man2/fsync.2.html',
    'Pillai et al., All File Systems Are Not Created Equal (ALICE), OSDI 2014: https://www.usenix.org/conference/osdi14/technical-sessions/presentation/pillai',
    'LazyFS (clear-cache fault): https://github.com/dsrhaslab/lazyfs',
    'a rename across folders changes both folders: Linux fsync(2) asks for an fsync of the folder whose entry changed, and ALICE (Pillai et al., table 1) found cross-folder renames persisted non-atomically in some file systems, so the portable rule is an fsync of both folders',
  ],
  fsyncFile: (log, inode) => log.filter((op) => op.kind === 'data' && op.inode === inode),
  fsyncDir(log, dir) {
    return log.filter((op) => {
      if (op.kind !== 'entry' || (op.dir !== dir && op.fromDir !== dir)) return false;
      if (op.fromDir === undefined) return true;
      // A rename across folders changes two folders' entries: durable once both are fsynced.
      op.syncedDirs = [...new Set([...(op.syncedDirs ?? []), dir])];
      return op.syncedDirs.includes(op.dir) && op.syncedDirs.includes(op.fromDir);
    });
  },
  crashGroups(log) {
    const groups: CrashGroup[] = [];
    for (const [dir, ops] of [...byDir(log)].sort(([a], [b]) => (a < b ? -1 : 1))) {
      groups.push({ label: `entries of ${dir}/`, ops, options: prefixOptions(ops) });
    }
    for (const ops of byInode(log).values()) groups.push({ label: `data of ${ops[0]!.path}`, ops, options: prefixOptions(ops) });
    return groups;
  },
} satisfies PersistenceModel;
