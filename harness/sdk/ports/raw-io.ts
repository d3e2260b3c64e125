import { promises as fsp, constants as fsc } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { emptyIoCounters, type IoPort } from './io.js';

/**
 * The uninstrumented port: the same operations with the same effects as `createIoPort`, straight to
 * `fs`, with no hook (so no faults), no counting (counters stay zero) and one open per write. It exists
 * to measure what the instrumented port costs (`parquet-chaos bench`); cells never use it otherwise.
 */
export function createRawIoPort(): IoPort {
  const write = async (fh: FileHandle, data: Uint8Array, fsync: boolean) => {
    for (let offset = 0; offset < data.byteLength;) offset += (await fh.write(data, offset, data.byteLength - offset)).bytesWritten;
    if (fsync) await fh.sync();
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
    truncate: (path, length) => fsp.truncate(path, length),
    rename: (from, to) => fsp.rename(from, to),
    unlink: (path) => fsp.unlink(path),
    readdir: async (path) => (await fsp.readdir(path)).sort(),
    mkdir: async (path) => {
      await fsp.mkdir(path, { recursive: true });
    },
    fsyncDir: (path) => withFile(path, fsc.O_RDONLY, (fh) => fh.sync()),
    size: async (path) => (await fsp.stat(path)).size,
    point: async () => {},
  };
}
