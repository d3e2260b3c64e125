import { instrument, noopHook, type IoHook, type IoPort, type StorageBackend } from '../sdk/ports/io.js';
import type { SimFs } from './fs.js';

/**
 * A SimFs as a storage backend. A write handle is the SimFs call that opened the file and the file it
 * opened: writes and fsyncs through it go to that file even after it was renamed or unlinked, as
 * through a file descriptor.
 */
export function simBackend(fs: SimFs): StorageBackend<{ call: number; inode: number }> {
  return {
    async openForWrite(path, mode) {
      const call = fs.beginCall();
      const existed = fs.exists(path);
      fs.open(path, { exclusive: mode.exclusive, truncate: mode.truncate }, call);
      return { handle: { call, inode: fs.inodeOf(path) }, created: !existed };
    },
    async write(handle, path, data) {
      fs.appendTo(handle.inode, path, data, handle.call);
    },
    async sync(handle) {
      fs.fsyncInode(handle.inode);
    },
    async close() {},
    exists: async (path) => fs.exists(path),
    readFile: async (path) => fs.read(path).slice(),
    truncate: async (path, length) => fs.truncate(path, length),
    rename: async (from, to) => fs.rename(from, to),
    unlink: async (path) => fs.unlink(path),
    readdir: async (path) => fs.readdir(path),
    mkdir: async (path) => fs.mkdir(path),
    fsyncDir: async (path) => fs.fsyncDir(path),
    fsyncFile: async (path) => fs.fsyncFile(path),
    size: async (path) => fs.read(path, 'stat').byteLength,
  };
}

/**
 * The I/O port over a SimFs: the real port's instrumentation (harness/sdk/ports/io.ts: the same hook
 * points and counters) over the simulated file system, with the page cache and its durability modelled
 * instead of a kernel. With a hook that lets a scheduler decide when each operation happens, strategies
 * run unchanged in one process and every interleaving is reproducible.
 */
export function createSimIoPort(fs: SimFs, hook: IoHook = noopHook): IoPort {
  return instrument(simBackend(fs), hook);
}
