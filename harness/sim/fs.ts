import { dirname } from 'node:path';

/**
 * A simulated file system that knows, per file and per folder, what is durable and what lives only in
 * the page cache. Every change is applied to the visible state at once (what processes see, and what a
 * process crash leaves: the kernel keeps its page cache) and appended to a log of pending operations. An
 * fsync makes some of them durable, as the persistence model says; a power loss keeps of the pending
 * ones only what the model allows, chosen group by group (see `crashGroups`), and drops the rest.
 */

export type Node = { kind: 'dir' } | { kind: 'file'; inode: number };

/** One change to a folder's entries: `path` now names `node`, or nothing. */
export interface EntryChange {
  path: string;
  node: Node | undefined;
}

export type PendingOp =
  | {
      seq: number;
      kind: 'entry';
      op: 'create' | 'mkdir' | 'rename' | 'unlink' | 'rmdir';
      /** The folder whose entries change (for a rename, the target's folder). */
      dir: string;
      path: string;
      from?: string;
      changes: EntryChange[];
      /** A rename that replaced an existing file (ext4's auto_da_alloc flushes the source's data first). */
      replaced?: boolean;
      /** A rename from another folder: that folder's entries change too. */
      fromDir?: string;
      /** Folders of a cross-folder rename fsynced so far (a model may need both before it is durable). */
      syncedDirs?: string[];
    }
  | {
      seq: number;
      kind: 'data';
      /** `write`: bytes at `offset` inside or past the end (a real program's pwrite; the ports only append). */
      op: 'truncate' | 'append' | 'write';
      inode: number;
      /** The path the file had when the operation ran (for reports). */
      path: string;
      /** The port call this op belongs to: one writeFile is a truncate and an append. */
      call: number;
      length?: number;
      offset?: number;
      bytes?: Uint8Array;
      /** A truncate to 0 of a file that had data, followed in the same call by its new content. */
      replacesContent?: boolean;
    };

export interface FsState {
  entries: Map<string, Node>;
  data: Map<number, Uint8Array>;
}

/** How much of a group's pending ops one post-crash state keeps: the first `kept` whole, then `tear` bytes of the next. */
export interface CrashOption {
  kept: number;
  tear?: number;
}

/** Pending ops whose survival is decided together (a folder's entries, a file's data, the journal). */
export interface CrashGroup {
  label: string;
  ops: PendingOp[];
  /** From harshest (nothing kept) to mildest (everything kept). */
  options: CrashOption[];
}

/** A named persistence model: what an fsync makes durable, and what a power loss may keep. */
export interface PersistenceModel {
  name: string;
  summary: string;
  /** Which real file systems behave so, with sources. */
  standsFor: string;
  sources: string[];
  /** The pending ops an fsync of this file makes durable (they leave the log in order). */
  fsyncFile(log: readonly PendingOp[], inode: number): PendingOp[];
  /** The pending ops an fsync of this folder makes durable. */
  fsyncDir(log: readonly PendingOp[], dir: string): PendingOp[];
  /**
   * The groups of the pending log, in a fixed order. `kept` tells the fate of ops in groups decided
   * earlier (undefined when not yet decided), so that a model can constrain later groups (ext4: a kept
   * replacing rename forces its file's data).
   */
  crashGroups(log: readonly PendingOp[], kept: (op: PendingOp) => boolean | undefined): CrashGroup[];
}

export interface CrashOutcome {
  op: PendingOp;
  fate: 'kept' | 'dropped' | 'torn';
  /** For torn appends: bytes kept of the op's bytes. */
  keptBytes?: number;
}

export interface CrashReport {
  model: string;
  outcomes: CrashOutcome[];
  /** How many crash groups were decided: the choices this power loss consumed. */
  groups: number;
}

const EMPTY = new Uint8Array(0);

function errno(code: string, op: string, path: string): Error {
  const text: Record<string, string> = {
    ENOENT: 'no such file or directory',
    EEXIST: 'file already exists',
    EISDIR: 'illegal operation on a directory',
    ENOTDIR: 'not a directory',
    ENOTEMPTY: 'directory not empty',
  };
  return Object.assign(new Error(`${code}: ${text[code] ?? code}, ${op} '${path}'`), { code });
}

function cloneState(state: FsState): FsState {
  return { entries: new Map(state.entries), data: new Map(state.data) };
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const joined = new Uint8Array(a.byteLength + b.byteLength);
  joined.set(a);
  joined.set(b, a.byteLength);
  return joined;
}

/** `data` cut or zero-extended to `length` bytes (truncate(2) both shrinks and grows). */
function resized(data: Uint8Array, length: number): Uint8Array {
  if (length <= data.byteLength) return data.slice(0, length);
  const grown = new Uint8Array(length);
  grown.set(data);
  return grown;
}

function writtenAt(data: Uint8Array, offset: number, bytes: Uint8Array): Uint8Array {
  const out = resized(data, Math.max(data.byteLength, offset + bytes.byteLength));
  out.set(bytes, offset);
  return out;
}

/** Applies one op (an append possibly torn to `tear` bytes) to a state. */
function applyOp(state: FsState, op: PendingOp, tear?: number): void {
  if (op.kind === 'entry') {
    for (const change of op.changes) {
      if (change.node) state.entries.set(change.path, change.node);
      else state.entries.delete(change.path);
    }
    return;
  }
  const current = state.data.get(op.inode) ?? EMPTY;
  if (op.op === 'truncate') state.data.set(op.inode, resized(current, op.length!));
  else if (op.op === 'write') state.data.set(op.inode, writtenAt(current, op.offset!, op.bytes!));
  else state.data.set(op.inode, concat(current, tear === undefined ? op.bytes! : op.bytes!.subarray(0, tear)));
}

/** Drops entries whose folder is gone, and data no entry names. */
function prune(state: FsState): void {
  const paths = [...state.entries.keys()].sort((a, b) => a.length - b.length);
  for (const path of paths) {
    const parent = dirname(path);
    if (parent !== path && !state.entries.has(parent)) state.entries.delete(path);
  }
  const live = new Set([...state.entries.values()].flatMap((n) => (n.kind === 'file' ? [n.inode] : [])));
  for (const inode of [...state.data.keys()]) if (!live.has(inode)) state.data.delete(inode);
}

/** Representative tears of an append of `length` bytes: 1 byte, half, all but one (bounded, distinct). */
export function tearPoints(length: number): number[] {
  return [...new Set([1, Math.floor(length / 2), length - 1])].filter((t) => t > 0 && t < length).sort((a, b) => a - b);
}

/** Prefix options for ops that survive in order: none, one, … all (appends also torn, unless `atomic`). */
export function prefixOptions(ops: readonly PendingOp[], atomic: (op: PendingOp, index: number) => boolean = () => false): CrashOption[] {
  const options: CrashOption[] = [{ kept: 0 }];
  ops.forEach((op, i) => {
    if (op.kind === 'data' && op.op === 'append' && !atomic(op, i)) {
      for (const tear of tearPoints(op.bytes!.byteLength)) options.push({ kept: i, tear });
    }
    options.push({ kept: i + 1 });
  });
  return options;
}

export class SimFs {
  private visible: FsState = { entries: new Map(), data: new Map() };
  private durable: FsState = { entries: new Map(), data: new Map() };
  private log: PendingOp[] = [];
  /** Writes whose writeback failed (an fsync returned EIO): no later fsync makes them durable. */
  private failed = new Set<PendingOp>();
  private seq = 0;
  private nextInode = 1;
  private nextCall = 1;

  /** `dirs` exist and are durable from the start (the cell's folders, made and synced by the harness). */
  constructor(readonly model: PersistenceModel, dirs: readonly string[] = []) {
    for (const dir of dirs) {
      for (let p = dir; ; p = dirname(p)) {
        this.visible.entries.set(p, { kind: 'dir' });
        this.durable.entries.set(p, { kind: 'dir' });
        if (dirname(p) === p) break;
      }
    }
  }

  // ---- what processes see -------------------------------------------------------------------

  node(path: string): Node | undefined {
    return this.visible.entries.get(path);
  }

  exists(path: string): boolean {
    return this.visible.entries.has(path);
  }

  read(path: string, op = 'open'): Uint8Array {
    const node = this.fileNode(path, op);
    return this.visible.data.get(node.inode) ?? EMPTY;
  }

  readdir(path: string): string[] {
    const node = this.visible.entries.get(path);
    if (!node) throw errno('ENOENT', 'scandir', path);
    if (node.kind !== 'dir') throw errno('ENOTDIR', 'scandir', path);
    const prefix = path === '/' ? '/' : `${path}/`;
    const names: string[] = [];
    for (const p of this.visible.entries.keys()) {
      if (p.startsWith(prefix) && p !== path && !p.slice(prefix.length).includes('/')) names.push(p.slice(prefix.length));
    }
    return names.sort();
  }

  /** Every file path under `dir`, recursively, sorted. */
  filesUnder(dir: string): string[] {
    const prefix = `${dir}/`;
    return [...this.visible.entries].filter(([p, n]) => n.kind === 'file' && p.startsWith(prefix)).map(([p]) => p).sort();
  }

  // ---- changes -------------------------------------------------------------------------------

  /** A port call's id: the ops of one writeFile share it. */
  beginCall(): number {
    return this.nextCall++;
  }

  /** open(O_CREAT [| O_EXCL] [| O_TRUNC]) */
  open(path: string, options: { exclusive?: boolean; truncate?: boolean }, call: number): void {
    const node = this.visible.entries.get(path);
    if (node) {
      if (options.exclusive) throw errno('EEXIST', 'open', path);
      if (node.kind === 'dir') throw errno('EISDIR', 'open', path);
      const size = (this.visible.data.get(node.inode) ?? EMPTY).byteLength;
      if (options.truncate) this.record({ kind: 'data', op: 'truncate', inode: node.inode, path, call, length: 0, replacesContent: size > 0 });
      return;
    }
    this.parentDir(path, 'open');
    const inode = this.nextInode++;
    this.record({ kind: 'entry', op: 'create', dir: dirname(path), path, changes: [{ path, node: { kind: 'file', inode } }] });
  }

  append(path: string, bytes: Uint8Array, call: number): void {
    this.appendTo(this.fileNode(path, 'write').inode, path, bytes, call);
  }

  /**
   * An append through an open handle: to the file the handle holds, renamed or unlinked since (write(2)
   * goes by file descriptor, not by name). `path` is the name it was opened by, for reports.
   */
  appendTo(inode: number, path: string, bytes: Uint8Array, call: number): void {
    this.record({ kind: 'data', op: 'append', inode, path, call, bytes: bytes.slice() });
  }

  /** The file `path` names now (ENOENT, EISDIR otherwise): what an open handle holds from then on. */
  inodeOf(path: string): number {
    return this.fileNode(path, 'open').inode;
  }

  /** A write at `offset` (pwrite): an append when it lands exactly at the end, else a `write` op. */
  writeAt(path: string, offset: number, bytes: Uint8Array, call: number): void {
    const node = this.fileNode(path, 'write');
    if (offset === (this.visible.data.get(node.inode) ?? EMPTY).byteLength) this.append(path, bytes, call);
    else this.record({ kind: 'data', op: 'write', inode: node.inode, path, call, offset, bytes: bytes.slice() });
  }

  truncate(path: string, length: number): void {
    const node = this.fileNode(path, 'truncate');
    this.record({ kind: 'data', op: 'truncate', inode: node.inode, path, call: this.beginCall(), length });
  }

  rename(from: string, to: string): void {
    const node = this.visible.entries.get(from);
    if (!node) throw errno('ENOENT', 'rename', from);
    if (node.kind === 'dir') throw errno('EISDIR', 'rename (folders are not modelled)', from);
    const target = this.visible.entries.get(to);
    if (target?.kind === 'dir') throw errno('EISDIR', 'rename', to);
    this.parentDir(to, 'rename');
    if (from === to) return;
    this.record({
      kind: 'entry', op: 'rename', dir: dirname(to), path: to, from, replaced: target !== undefined,
      ...(dirname(from) !== dirname(to) ? { fromDir: dirname(from) } : {}),
      changes: [{ path: from, node: undefined }, { path: to, node }],
    });
  }

  unlink(path: string): void {
    const node = this.visible.entries.get(path);
    if (!node) throw errno('ENOENT', 'unlink', path);
    if (node.kind === 'dir') throw errno('EISDIR', 'unlink', path);
    this.record({ kind: 'entry', op: 'unlink', dir: dirname(path), path, changes: [{ path, node: undefined }] });
  }

  rmdir(path: string): void {
    const node = this.visible.entries.get(path);
    if (!node) throw errno('ENOENT', 'rmdir', path);
    if (node.kind !== 'dir') throw errno('ENOTDIR', 'rmdir', path);
    if (this.readdir(path).length > 0) throw errno('ENOTEMPTY', 'rmdir', path);
    this.record({ kind: 'entry', op: 'rmdir', dir: dirname(path), path, changes: [{ path, node: undefined }] });
  }

  /** mkdir -p */
  mkdir(path: string): void {
    const missing: string[] = [];
    for (let p = path; !this.visible.entries.has(p); p = dirname(p)) missing.unshift(p);
    for (const p of missing) this.record({ kind: 'entry', op: 'mkdir', dir: dirname(p), path: p, changes: [{ path: p, node: { kind: 'dir' } }] });
    const node = this.visible.entries.get(path);
    if (node?.kind !== 'dir') throw errno('ENOTDIR', 'mkdir', path);
  }

  fsyncFile(path: string): void {
    const node = this.fileNode(path, 'fsync');
    this.commit(this.model.fsyncFile(this.log, node.inode));
  }

  /** An fsync through a handle: the file it holds, whatever its name is now (or if it has none). */
  fsyncInode(inode: number): void {
    this.commit(this.model.fsyncFile(this.log, inode));
  }

  /**
   * An fsync of `path` that returned EIO. Linux marks the pages whose writeback failed clean (their
   * content stays visible until evicted) and reports the error once: a retried fsync succeeds without
   * writing them (the 2018 "fsyncgate" finding, PostgreSQL's data loss; Rebello et al., Can Applications
   * Recover from fsync Failures?, USENIX ATC 2020). So the file's un-synced writes are never made durable
   * by a later fsync: a power loss keeps what its model allows of them (any of them may have reached the
   * disk before the error, or none), and writes that a later fsync does make durable leave zeros where
   * the failed ones were (a hole), never their bytes.
   */
  failWriteback(path: string): void {
    const node = this.visible.entries.get(path);
    if (node?.kind !== 'file') return;
    for (const op of this.log) if (op.kind === 'data' && op.op !== 'truncate' && op.inode === node.inode) this.failed.add(op);
  }

  fsyncDir(path: string): void {
    const node = this.visible.entries.get(path);
    if (!node) throw errno('ENOENT', 'fsync', path);
    if (node.kind !== 'dir') throw errno('ENOTDIR', 'fsync', path);
    this.commit(this.model.fsyncDir(this.log, path));
  }

  // ---- durability ----------------------------------------------------------------------------

  /** Operations applied but not yet durable, oldest first. */
  pending(): readonly PendingOp[] {
    return this.log;
  }

  /** The groups a power loss decides, in order, given the choices for earlier groups. */
  crashGroups(choices: readonly number[] = []): CrashGroup[] {
    return this.decide(choices).groups;
  }

  /**
   * A power loss: of the pending ops, each group keeps what `choices` pick (choice i, modulo the number
   * of options, for group i; missing choices pick 0, the harshest; -1 the mildest), the rest is dropped. Afterwards the
   * visible state is the durable one and nothing is pending.
   */
  powerLoss(choices: readonly number[]): CrashReport {
    const { state, outcomes, groups } = this.decide(choices);
    this.visible = state;
    this.durable = cloneState(state);
    this.log = [];
    this.failed.clear();
    return { model: this.model.name, outcomes, groups: groups.length };
  }

  /**
   * Every distinct post-crash state the model allows (bounded by `limit`), as readable snapshots, with
   * the choices that produce each. Tears are the representative ones of `tearPoints`.
   */
  crashStates(limit = 1024): { choices: number[]; snapshot: Record<string, string> }[] {
    const found = new Map<string, { choices: number[]; snapshot: Record<string, string> }>();
    const explore = (prefix: number[]) => {
      if (found.size >= limit) return;
      const { groups, state } = this.decide(prefix);
      if (prefix.length === groups.length) {
        const snapshot = snapshotOf(state);
        const key = JSON.stringify(snapshot);
        if (!found.has(key)) found.set(key, { choices: prefix, snapshot });
        return;
      }
      const group = groups[prefix.length]!;
      for (let i = 0; i < group.options.length; i++) explore([...prefix, i]);
    };
    explore([]);
    return [...found.values()];
  }

  /** The visible state with its bytes: every folder, and every file's content. */
  image(): { dirs: string[]; files: Map<string, Uint8Array> } {
    const dirs: string[] = [];
    const files = new Map<string, Uint8Array>();
    for (const [path, node] of [...this.visible.entries].sort(([a], [b]) => (a < b ? -1 : 1))) {
      if (node.kind === 'dir') dirs.push(path);
      else files.set(path, this.visible.data.get(node.inode) ?? EMPTY);
    }
    return { dirs, files };
  }

  /** The visible state as `path → content` (folders end in `/`), for tests and reports. */
  snapshot(): Record<string, string> {
    return snapshotOf(this.visible);
  }

  // ---- internals -----------------------------------------------------------------------------

  private decide(choices: readonly number[]): { groups: CrashGroup[]; state: FsState; outcomes: CrashOutcome[] } {
    const fate = new Map<PendingOp, CrashOutcome>();
    const groups: CrashGroup[] = [];
    // Groups are revealed one at a time, each constrained by the fates already decided.
    for (;;) {
      const all = this.model.crashGroups(this.log, (op) => (fate.has(op) ? fate.get(op)!.fate !== 'dropped' : undefined));
      const next = all[groups.length];
      if (!next) break;
      groups.push(next);
      // A negative choice counts from the mildest end, as Array.at does (the crash points' way to keep a group whole).
      const option = next.options.at((choices[groups.length - 1] ?? 0) % next.options.length)!;
      next.ops.forEach((op, i) => {
        if (i < option.kept) fate.set(op, { op, fate: 'kept' });
        else if (i === option.kept && option.tear !== undefined) fate.set(op, { op, fate: 'torn', keptBytes: option.tear });
        else fate.set(op, { op, fate: 'dropped' });
      });
    }
    const state = cloneState(this.durable);
    const outcomes: CrashOutcome[] = [];
    for (const op of this.log) {
      const outcome = fate.get(op) ?? { op, fate: 'dropped' as const };
      outcomes.push(outcome);
      if (outcome.fate !== 'dropped') applyOp(state, op, outcome.keptBytes);
    }
    prune(state);
    return { groups, state, outcomes };
  }

  private record(op: Omit<Extract<PendingOp, { kind: 'entry' }>, 'seq'> | Omit<Extract<PendingOp, { kind: 'data' }>, 'seq'>): void {
    const full = { ...op, seq: this.seq++ } as PendingOp;
    applyOp(this.visible, full);
    this.log.push(full);
  }

  private commit(ops: readonly PendingOp[]): void {
    const chosen = new Set(ops.filter((op) => !this.failed.has(op)));
    if (chosen.size === 0) return;
    // A failed write before a committed write of the same file: settled as the hole it leaves.
    const holes = new Set(this.log.filter((op) => this.failed.has(op) && op.kind === 'data'
      && [...chosen].some((c) => c.kind === 'data' && c.inode === op.inode && c.seq > op.seq)));
    for (const op of this.log) {
      if (chosen.has(op)) applyOp(this.durable, op);
      else if (holes.has(op) && op.kind === 'data') applyOp(this.durable, { ...op, bytes: new Uint8Array(op.bytes!.byteLength) });
    }
    this.log = this.log.filter((op) => !chosen.has(op) && !holes.has(op));
  }

  private fileNode(path: string, op: string): Extract<Node, { kind: 'file' }> {
    const node = this.visible.entries.get(path);
    if (!node) throw errno('ENOENT', op, path);
    if (node.kind !== 'file') throw errno('EISDIR', op, path);
    return node;
  }

  private parentDir(path: string, op: string): void {
    const parent = this.visible.entries.get(dirname(path));
    if (!parent) throw errno('ENOENT', op, path);
    if (parent.kind !== 'dir') throw errno('ENOTDIR', op, path);
  }
}

function snapshotOf(state: FsState): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [path, node] of [...state.entries].sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (node.kind === 'dir') out[`${path}/`] = '';
    else out[path] = new TextDecoder().decode(state.data.get(node.inode) ?? EMPTY);
  }
  return out;
}
