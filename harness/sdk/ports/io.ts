import { fsyncSync, promises as fsp, constants as fsc, writeSync } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';

/** The operations a strategy can ask of storage. Faults match on these names. */
export const IO_OPS = ['open', 'write', 'read', 'fsync', 'rename', 'readdir', 'unlink', 'mkdir', 'stat', 'truncate'] as const;
export type IoOp = (typeof IO_OPS)[number];

export interface IoCounters {
  bytesWritten: number;
  bytesRead: number;
  writeOps: number;
  readOps: number;
  fsyncs: number;
  renames: number;
  filesCreated: number;
  unlinks: number;
  opens: number;
  readdirs: number;
}

/**
 * Where faults plug in. `before` runs before every operation and may delay it, throw an injected
 * error, or kill the process; `point` is called at named points a strategy marks in its sequence
 * (e.g. "merge:main-written"), so that a crash can be placed between two operations.
 */
export interface IoHook {
  before(op: IoOp, path: string): Promise<void> | void;
  point(name: string): Promise<void> | void;
}

export const noopHook: IoHook = { before() {}, point() {} };

export interface WriteOptions {
  /** fsync the file before closing it. */
  fsync?: boolean;
  /** Fail with EEXIST if the file exists (put-if-absent). */
  exclusive?: boolean;
}

/** A file held open for appending: what a log needs to append many records with one open. */
export interface Appender {
  /** Appends `data` at the end (one write), then fsyncs the file when asked. */
  append(data: Uint8Array, options?: { fsync?: boolean }): Promise<void>;
  close(): Promise<void>;
}

export interface IoPort {
  readonly counters: IoCounters;
  exists(path: string): Promise<boolean>;
  readFile(path: string): Promise<Uint8Array>;
  /** Creates or truncates `path` and writes `data` (open + write + optional fsync + close). */
  writeFile(path: string, data: Uint8Array, options?: WriteOptions): Promise<void>;
  /** Appends to `path`, creating it if needed. */
  appendFile(path: string, data: Uint8Array, options?: { fsync?: boolean }): Promise<void>;
  /**
   * Opens `path` for appending (creating it if needed; with `exclusive`, an existing file fails with
   * EEXIST) and keeps it open: each append is then a write (and an fsync) without an open and a close.
   */
  openAppender(path: string, options?: { exclusive?: boolean }): Promise<Appender>;
  truncate(path: string, length: number): Promise<void>;
  rename(from: string, to: string): Promise<void>;
  unlink(path: string): Promise<void>;
  /** Names in the folder, sorted. */
  readdir(path: string): Promise<string[]>;
  /** Creates the folder and its parents; an existing folder is fine. */
  mkdir(path: string): Promise<void>;
  /** fsync a directory so that a rename or create in it survives a power loss. */
  fsyncDir(path: string): Promise<void>;
  /**
   * fsync an existing file by name (open, fsync, close): makes durable what another process, perhaps
   * one killed before its own fsync, left in the file's page cache.
   */
  fsyncFile(path: string): Promise<void>;
  size(path: string): Promise<number>;
  /** Marks a named point in the strategy's sequence for crash-point faults. */
  point(name: string): Promise<void>;
}

export function emptyIoCounters(): IoCounters {
  return { bytesWritten: 0, bytesRead: 0, writeOps: 0, readOps: 0, fsyncs: 0, renames: 0, filesCreated: 0, unlinks: 0, opens: 0, readdirs: 0 };
}

/**
 * What a storage must offer the instrumented port: plain operations, no hooks, no counting. The real
 * file system (below) and the simulation's (harness/sim/io-port.ts) are two such backends; `instrument`
 * adds the fault hook and the counters to either, the same way. Its methods are called unbound.
 */
export interface StorageBackend<Handle> extends Pick<IoPort, 'exists' | 'readFile' | 'truncate' | 'rename' | 'unlink' | 'readdir' | 'mkdir' | 'fsyncDir' | 'fsyncFile' | 'size'> {
  /**
   * Opens `path` for writing, creating it when absent; with `exclusive`, an existing file fails with
   * EEXIST. `created` says whether this call created the file.
   */
  openForWrite(path: string, mode: { exclusive: boolean; truncate: boolean }): Promise<{ handle: Handle; created: boolean }>;
  /**
   * Writes all of `data` at the handle's position (the end, for a handle opened without truncate). A
   * backend that writes synchronously returns nothing: the port then does not await it (see `instrument`).
   */
  write(handle: Handle, path: string, data: Uint8Array): Promise<void> | void;
  sync(handle: Handle, path: string): Promise<void> | void;
  close(handle: Handle): Promise<void>;
}

/**
 * The instrumented port over a backend: every operation first passes the hook (where faults strike)
 * and is counted, so every byte and syscall a strategy causes is seen, on real files or simulated ones.
 *
 * On the per-record path (a write and its fsync) the hook's and the backend's results are awaited only
 * when they are promises: with the no-fault hook and the real backend, both synchronous, an append does
 * what the raw port's does. Awaiting all four every time cost a writer process of a cell ~17% more CPU a
 * record than the raw port, mostly V8 compiling that four-times-suspending async function when it got
 * hot (README, "The harness's own cost").
 */
export function instrument<Handle>(backend: StorageBackend<Handle>, hook: IoHook = noopHook): IoPort {
  const c = emptyIoCounters();

  /** Passes the hook, writes, and (when asked) passes it again and fsyncs: the per-record path. */
  async function writeAndSync(handle: Handle, path: string, data: Uint8Array, fsync: boolean): Promise<void> {
    let pending = hook.before('write', path);
    if (pending) await pending;
    c.writeOps++;
    pending = backend.write(handle, path, data);
    if (pending) await pending;
    c.bytesWritten += data.byteLength;
    if (!fsync) return;
    pending = hook.before('fsync', path);
    if (pending) await pending;
    c.fsyncs++;
    pending = backend.sync(handle, path);
    if (pending) await pending;
  }

  async function writeWhole(path: string, data: Uint8Array, mode: { exclusive: boolean; truncate: boolean }, fsync: boolean): Promise<void> {
    await hook.before('open', path);
    c.opens++;
    const { handle, created } = await backend.openForWrite(path, mode);
    if (created) c.filesCreated++;
    try {
      await writeAndSync(handle, path, data, fsync);
    } finally {
      await backend.close(handle);
    }
  }

  async function openAppender(path: string, options: { exclusive?: boolean } = {}): Promise<Appender> {
    await hook.before('open', path);
    c.opens++;
    const { handle, created } = await backend.openForWrite(path, { exclusive: options.exclusive ?? false, truncate: false });
    if (created) c.filesCreated++;
    return {
      append: (data, appendOptions = {}) => writeAndSync(handle, path, data, appendOptions.fsync ?? false),
      close: () => backend.close(handle),
    };
  }

  /** An operation that passes the hook as `op` on its path (the target, for a rename), then is counted. */
  const step = <A extends [string, ...unknown[]], R>(op: IoOp, counter: keyof IoCounters | undefined, run: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      await hook.before(op, op === 'rename' ? String(args[1]) : args[0]);
      if (counter) c[counter]++;
      return run(...args);
    };

  return {
    counters: c,
    exists: step('stat', undefined, backend.exists),
    async readFile(path) {
      await hook.before('read', path);
      c.readOps++;
      const data = await backend.readFile(path);
      c.bytesRead += data.byteLength;
      return data;
    },
    writeFile: (path, data, options = {}) => writeWhole(path, data, { exclusive: options.exclusive ?? false, truncate: true }, options.fsync ?? false),
    appendFile: (path, data, options = {}) => writeWhole(path, data, { exclusive: false, truncate: false }, options.fsync ?? false),
    openAppender,
    // A truncate changes the file's content: counted as a write.
    truncate: step('truncate', 'writeOps', backend.truncate),
    rename: step('rename', 'renames', backend.rename),
    unlink: step('unlink', 'unlinks', backend.unlink),
    readdir: step('readdir', 'readdirs', backend.readdir),
    mkdir: step('mkdir', undefined, backend.mkdir),
    fsyncDir: step('fsync', 'fsyncs', backend.fsyncDir),
    fsyncFile: step('fsync', 'fsyncs', backend.fsyncFile),
    size: step('stat', undefined, backend.size),
    async point(name) {
      // Marked after every append: awaited only when the hook returns a promise, as on the per-record path.
      const pending = hook.point(name);
      if (pending) await pending;
    },
  };
}

/** Writes all of `data` to `fd` at its position (the end, for a file opened to append). */
export function writeAll(fd: number, data: Uint8Array): void {
  for (let offset = 0; offset < data.byteLength;) offset += writeSync(fd, data, offset, data.byteLength - offset);
}

/** The real file system through node:fs: appends with O_APPEND, a created file is told by O_EXCL. */
/** Opens `path` read-only (a file or a folder), fsyncs it and closes it. */
async function syncByName(path: string): Promise<void> {
  const fh = await fsp.open(path, fsc.O_RDONLY);
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

export const nodeBackend: StorageBackend<FileHandle> = {
  /**
   * Says exactly whether it created the file, with one open() in the usual case: files written whole
   * are usually new (create first, reopen on EEXIST), appended ones usually exist (open first, create
   * on ENOENT). Creating first for appends cost a second open per append, which `bench` measured as
   * part of the instrumented port's overhead.
   */
  async openForWrite(path, mode) {
    const flags = fsc.O_WRONLY | (mode.truncate ? fsc.O_TRUNC : fsc.O_APPEND);
    const code = (error: unknown) => (error as NodeJS.ErrnoException).code;
    if (!mode.truncate && !mode.exclusive) {
      try {
        return { handle: await fsp.open(path, flags, 0o644), created: false };
      } catch (error) {
        if (code(error) !== 'ENOENT') throw error;
      }
    }
    try {
      return { handle: await fsp.open(path, flags | fsc.O_CREAT | fsc.O_EXCL, 0o644), created: true };
    } catch (error) {
      // Created by another process in between (or it existed): open it as it is, unless exclusivity was asked.
      if (code(error) !== 'EEXIST' || mode.exclusive) throw error;
      return { handle: await fsp.open(path, flags, 0o644), created: false };
    }
  },
  // Writes and fsyncs run on the calling thread: a strategy's process waits for each anyway, and a hop
  // through libuv's thread pool costs a wake-up and two context switches that the measured processes
  // pay for on shared cores (`bench` measured it; the limit's loop calls them the same way).
  write(fh, _path, data) {
    writeAll(fh.fd, data);
  },
  sync(fh) {
    fsyncSync(fh.fd);
  },
  close: (fh) => fh.close(),
  exists: (path) => fsp.access(path).then(() => true, () => false),
  async readFile(path) {
    const data = await fsp.readFile(path);
    return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  },
  truncate: (path, length) => fsp.truncate(path, length),
  rename: (from, to) => fsp.rename(from, to),
  unlink: (path) => fsp.unlink(path),
  readdir: async (path) => (await fsp.readdir(path)).sort(),
  async mkdir(path) {
    await fsp.mkdir(path, { recursive: true });
  },
  fsyncDir: (path) => syncByName(path),
  fsyncFile: (path) => syncByName(path),
  size: async (path) => (await fsp.stat(path)).size,
};

/** The real, instrumented port: every byte and syscall a strategy causes passes through here. */
export function createIoPort(hook: IoHook = noopHook): IoPort {
  return instrument(nodeBackend, hook);
}
