import { emptyIoCounters, noopHook, type IoHook, type IoPort } from '../sdk/ports/io.js';
import type { SimFs } from './fs.js';

/**
 * The I/O port over a SimFs: the same contract, hook points and counters as the real port
 * (harness/sdk/ports/io.ts), with the page cache and its durability modelled instead of a kernel.
 * With a hook that lets a scheduler decide when each operation happens, strategies run unchanged in
 * one process and every interleaving is reproducible.
 */
export function createSimIoPort(fs: SimFs, hook: IoHook = noopHook): IoPort {
  const c = emptyIoCounters();

  async function openForWrite(path: string, options: { exclusive?: boolean; truncate?: boolean }): Promise<number> {
    await hook.before('open', path);
    c.opens++;
    const call = fs.beginCall();
    const existed = fs.exists(path);
    fs.open(path, options, call);
    if (!existed) c.filesCreated++;
    return call;
  }

  async function writeAll(path: string, data: Uint8Array, call: number, fsync: boolean): Promise<void> {
    await hook.before('write', path);
    c.writeOps++;
    fs.append(path, data, call);
    c.bytesWritten += data.byteLength;
    if (fsync) {
      await hook.before('fsync', path);
      c.fsyncs++;
      fs.fsyncFile(path);
    }
  }

  return {
    counters: c,
    async exists(path) {
      await hook.before('stat', path);
      return fs.exists(path);
    },
    async readFile(path) {
      await hook.before('read', path);
      c.readOps++;
      const data = fs.read(path);
      c.bytesRead += data.byteLength;
      return data.slice();
    },
    async writeFile(path, data, options = {}) {
      const call = await openForWrite(path, { exclusive: options.exclusive, truncate: true });
      await writeAll(path, data, call, options.fsync ?? false);
    },
    async appendFile(path, data, options = {}) {
      const call = await openForWrite(path, {});
      await writeAll(path, data, call, options.fsync ?? false);
    },
    async truncate(path, length) {
      await hook.before('truncate', path);
      c.writeOps++;
      fs.truncate(path, length);
    },
    async rename(from, to) {
      await hook.before('rename', to);
      c.renames++;
      fs.rename(from, to);
    },
    async unlink(path) {
      await hook.before('unlink', path);
      c.unlinks++;
      fs.unlink(path);
    },
    async readdir(path) {
      await hook.before('readdir', path);
      c.readdirs++;
      return fs.readdir(path);
    },
    async mkdir(path) {
      await hook.before('mkdir', path);
      fs.mkdir(path);
    },
    async fsyncDir(path) {
      await hook.before('fsync', path);
      c.fsyncs++;
      fs.fsyncDir(path);
    },
    async size(path) {
      await hook.before('stat', path);
      return fs.read(path, 'stat').byteLength;
    },
    async point(name) {
      await hook.point(name);
    },
  };
}
