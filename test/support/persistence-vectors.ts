import type { ModelName } from '../../harness/sim/models/index.js';

/**
 * The persistence models' one definition as data: sequences of file-system operations, each with
 * exactly the states a power loss right after it may leave, per model. The simulation's file system
 * (harness/sim/fs.ts) and the crashfs layer that real processes write through (harness/fuse/) must
 * both give these sets. A state lists the files under the root (`name=content`, folders `name/`), sorted.
 */
export type VectorOp =
  | { op: 'write'; path: string; text: string }
  | { op: 'append'; path: string; text: string }
  | { op: 'fsync'; path: string }
  | { op: 'fsyncdir'; path: string }
  | { op: 'rename'; from: string; to: string }
  | { op: 'unlink'; path: string }
  | { op: 'mkdir'; path: string };

export interface PersistenceVector {
  name: string;
  ops: VectorOp[];
  states: Record<ModelName, string[]>;
}

const synced = (path: string, text: string): VectorOp[] => [{ op: 'write', path, text }, { op: 'fsync', path }, { op: 'fsyncdir', path: '/' }];

export const persistenceVectors: PersistenceVector[] = [
  {
    name: 'a created file, its folder synced, its data not: any prefix of the data survives',
    ops: [{ op: 'write', path: '/f', text: 'ab' }, { op: 'fsyncdir', path: '/' }],
    states: { posix: ['f=', 'f=a', 'f=ab'], 'ext4-ordered': ['f=', 'f=a', 'f=ab'] },
  },
  {
    name: 'a file fsynced but not its folder: posix may lose the name, ext4\'s journal commit keeps it',
    ops: [{ op: 'write', path: '/f', text: 'x' }, { op: 'fsync', path: '/f' }],
    states: { posix: ['', 'f=x'], 'ext4-ordered': ['f=x'] },
  },
  {
    name: 'a rename whose folder is not synced may be undone',
    ops: [...synced('/t', 'x'), { op: 'rename', from: '/t', to: '/f' }],
    states: { posix: ['f=x', 't=x'], 'ext4-ordered': ['f=x', 't=x'] },
  },
  {
    name: 'an unlink whose folder is not synced may be undone',
    ops: [...synced('/f', 'x'), { op: 'unlink', path: '/f' }],
    states: { posix: ['', 'f=x'], 'ext4-ordered': ['', 'f=x'] },
  },
  {
    name: 'replace by rename without fsync: posix may publish a torn or empty file, ext4 (auto_da_alloc) the old or the whole new one',
    ops: [...synced('/f', 'old'), { op: 'write', path: '/t', text: 'new' }, { op: 'rename', from: '/t', to: '/f' }],
    states: {
      posix: ['f=', 'f=n', 'f=ne', 'f=new', 'f=old', 'f=old t=', 'f=old t=n', 'f=old t=ne', 'f=old t=new'],
      'ext4-ordered': ['f=new', 'f=old', 'f=old t=', 'f=old t=n', 'f=old t=ne', 'f=old t=new'],
    },
  },
  {
    name: 'the safe publish: temp written and fsynced, renamed, folder fsynced: only the new file',
    ops: [...synced('/f', 'old'), { op: 'write', path: '/t', text: 'new' }, { op: 'fsync', path: '/t' }, { op: 'rename', from: '/t', to: '/f' }, { op: 'fsyncdir', path: '/' }],
    states: { posix: ['f=new'], 'ext4-ordered': ['f=new'] },
  },
  {
    name: 'appends to a synced file, the last one not synced: the synced part survives whole',
    ops: [...synced('/f', 'a'), { op: 'append', path: '/f', text: 'b' }, { op: 'fsync', path: '/f' }, { op: 'append', path: '/f', text: 'cd' }],
    states: { posix: ['f=ab', 'f=abc', 'f=abcd'], 'ext4-ordered': ['f=ab', 'f=abc', 'f=abcd'] },
  },
  {
    name: 'a file in a new folder: the folder\'s own entry needs its parent synced (posix)',
    ops: [{ op: 'mkdir', path: '/d' }, { op: 'write', path: '/d/f', text: 'x' }, { op: 'fsync', path: '/d/f' }, { op: 'fsyncdir', path: '/d' }],
    states: { posix: ['', 'd/ d/f=x'], 'ext4-ordered': ['d/ d/f=x'] },
  },
];

/** A snapshot (SimFs.snapshot or a folder read back) in the vectors' notation. */
export function showState(snapshot: Record<string, string>): string {
  return Object.entries(snapshot)
    .filter(([path]) => path !== '/' && path !== '//')
    .map(([path, content]) => (path.endsWith('/') ? path.slice(1) : `${path.slice(1)}=${content}`))
    .sort()
    .join(' ');
}
