import { fsyncSync, promises as fsp, constants as fsc } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { emptyIoCounters, writeAll, type IoPort } from './io.js';

/**
 * The uninstrumented port: the same operations with the same effects as `createIoPort`, straight to
 * `fs`, with no hook (so no faults), no counting (counters stay zero) and one open per write. It exists
 * to measure what the instrumented port costs (`parquet-chaos bench`); cells never use it otherwise.
 */
export function createRawIoPort(): IoPort {
  // Written and fsynced on the calling thread, as the instrumented port's backend does.
  const write = async (fh: FileHandle, data: Uint8Array, fsync: boolean) => {
    writeAll(fh.fd, data);
    if (fsync) fsyncSync(fh.fd);
  };
  const withFile = async (path: string, flags: number, body: (fh: FileHandle) => Promise<void>) => {
    const fh = await fsp.open(path, flags, 0o644);
    try {
      await body(fh);
    } finally {
      await fh.close();
    }
  };
  return {
    counters: emptyIoCounters(),
    exists: (path) => fsp.access(path).then(() => true, () => false),
    async readFile(path) {
      const data = await fsp.readFile(path);
      return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    },
    writeFile: (path, data, options = {}) =>
      withFile(path, fsc.O_WRONLY | fsc.O_CREAT | fsc.O_TRUNC | (options.exclusive ? fsc.O_EXCL : 0), (fh) => write(fh, data, options.fsync ?? false)),
    appendFile: (path, data, options = {}) =>
      withFile(path, fsc.O_WRONLY | fsc.O_CREAT | fsc.O_APPEND, (fh) => write(fh, data, options.fsync ?? false)),
    async openAppender(path, options = {}) {
      const fh = await fsp.open(path, fsc.O_WRONLY | fsc.O_CREAT | fsc.O_APPEND | (options.exclusive ? fsc.O_EXCL : 0), 0o644);
      return { append: (data, appendOptions = {}) => write(fh, data, appendOptions.fsync ?? false), close: () => fh.close() };
    },
    truncate: (path, length) => fsp.truncate(path, length),
    rename: (from, to) => fsp.rename(from, to),
    unlink: (path) => fsp.unlink(path),
    readdir: async (path) => (await fsp.readdir(path)).sort(),
    mkdir: async (path) => {
      await fsp.mkdir(path, { recursive: true });
    },
    fsyncDir: (path) => withFile(path, fsc.O_RDONLY, (fh) => fh.sync()),
    fsyncFile: (path) => withFile(path, fsc.O_RDONLY, (fh) => fh.sync()),
    size: async (path) => (await fsp.stat(path)).size,
    point: async () => {},
  };
}
