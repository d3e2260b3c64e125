import { promises as fsp, constants as fsc } from 'node:fs';
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

export interface IoPort {
  readonly counters: IoCounters;
  exists(path: string): Promise<boolean>;
  readFile(path: string): Promise<Uint8Array>;
  /** Creates or truncates `path` and writes `data` (open + write + optional fsync + close). */
  writeFile(path: string, data: Uint8Array, options?: WriteOptions): Promise<void>;
  /** Appends to `path`, creating it if needed. */
  appendFile(path: string, data: Uint8Array, options?: { fsync?: boolean }): Promise<void>;
  truncate(path: string, length: number): Promise<void>;
  rename(from: string, to: string): Promise<void>;
  unlink(path: string): Promise<void>;
  readdir(path: string): Promise<string[]>;
  mkdir(path: string): Promise<void>;
  /** fsync a directory so that a rename or create in it survives a power loss. */
  fsyncDir(path: string): Promise<void>;
  size(path: string): Promise<number>;
  /** Marks a named point in the strategy's sequence for crash-point faults. */
  point(name: string): Promise<void>;
}

export function emptyIoCounters(): IoCounters {
  return { bytesWritten: 0, bytesRead: 0, writeOps: 0, readOps: 0, fsyncs: 0, renames: 0, filesCreated: 0, unlinks: 0, opens: 0, readdirs: 0 };
}

/** The real, instrumented port: every byte and syscall a strategy causes passes through here. */
export function createIoPort(hook: IoHook = noopHook): IoPort {
  const c = emptyIoCounters();

  async function openForWrite(path: string, flags: number): Promise<FileHandle> {
    await hook.before('open', path);
    c.opens++;
    // Try to create first so that file creations are counted exactly.
    try {
      const fh = await fsp.open(path, flags | fsc.O_CREAT | fsc.O_EXCL, 0o644);
      c.filesCreated++;
      return fh;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || (flags & fsc.O_EXCL) !== 0) throw error;
      return fsp.open(path, flags, 0o644);
    }
  }

  async function writeAll(fh: FileHandle, path: string, data: Uint8Array, fsync: boolean): Promise<void> {
    await hook.before('write', path);
    c.writeOps++;
    let offset = 0;
    while (offset < data.byteLength) {
      const { bytesWritten } = await fh.write(data, offset, data.byteLength - offset);
      offset += bytesWritten;
    }
    c.bytesWritten += data.byteLength;
    if (fsync) {
      await hook.before('fsync', path);
      c.fsyncs++;
      await fh.sync();
    }
  }

  return {
    counters: c,
    async exists(path) {
      await hook.before('stat', path);
      try {
        await fsp.access(path);
        return true;
      } catch {
        return false;
      }
    },
    async readFile(path) {
      await hook.before('read', path);
      c.readOps++;
      const data = await fsp.readFile(path);
      c.bytesRead += data.byteLength;
      return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    },
    async writeFile(path, data, options = {}) {
      const flags = fsc.O_WRONLY | fsc.O_TRUNC | (options.exclusive ? fsc.O_EXCL : 0);
      const fh = await openForWrite(path, flags);
      try {
        await writeAll(fh, path, data, options.fsync ?? false);
      } finally {
        await fh.close();
      }
    },
    async appendFile(path, data, options = {}) {
      const fh = await openForWrite(path, fsc.O_WRONLY | fsc.O_APPEND);
      try {
        await writeAll(fh, path, data, options.fsync ?? false);
      } finally {
        await fh.close();
      }
    },
    async truncate(path, length) {
      await hook.before('truncate', path);
      c.writeOps++;
      await fsp.truncate(path, length);
    },
    async rename(from, to) {
      await hook.before('rename', to);
      c.renames++;
      await fsp.rename(from, to);
    },
    async unlink(path) {
      await hook.before('unlink', path);
      c.unlinks++;
      await fsp.unlink(path);
    },
    async readdir(path) {
      await hook.before('readdir', path);
      c.readdirs++;
      return (await fsp.readdir(path)).sort();
    },
    async mkdir(path) {
      await hook.before('mkdir', path);
      await fsp.mkdir(path, { recursive: true });
    },
    async fsyncDir(path) {
      await hook.before('fsync', path);
      c.fsyncs++;
      const fh = await fsp.open(path, fsc.O_RDONLY);
      try {
        await fh.sync();
      } finally {
        await fh.close();
      }
    },
    async size(path) {
      await hook.before('stat', path);
      return (await fsp.stat(path)).size;
    },
    async point(name) {
      await hook.point(name);
    },
  };
}
