import { dirname } from 'node:path';
import { emptyIoCounters, noopHook, type IoHook, type IoPort } from '../sdk/ports/io.js';

function enoent(op: string, path: string): Error {
  return Object.assign(new Error(`ENOENT: no such file or directory, ${op} '${path}'`), { code: 'ENOENT' });
}

/** A shared in-memory file system: what several simulated processes see. */
export class MemoryFs {
  readonly files = new Map<string, Uint8Array>();
  readonly dirs = new Set<string>();
}

/**
 * The I/O port over a MemoryFs: same contract and counters as the real one, no kernel underneath. With
 * a hook that lets a scheduler decide when each operation happens (fast-check's `fc.scheduler()`),
 * strategies run unchanged in one process and every interleaving is reproducible from a seed.
 */
export function createMemoryIoPort(fs: MemoryFs, hook: IoHook = noopHook): IoPort {
  const c = emptyIoCounters();
  const read = (path: string, op: string) => {
    const data = fs.files.get(path);
    if (!data) throw enoent(op, path);
    return data;
  };
  const put = (path: string, data: Uint8Array, exclusive: boolean) => {
    if (exclusive && fs.files.has(path)) throw Object.assign(new Error(`EEXIST: file already exists, open '${path}'`), { code: 'EEXIST' });
    if (!fs.files.has(path)) c.filesCreated++;
    fs.files.set(path, data);
  };
  return {
    counters: c,
    async exists(path) {
      await hook.before('stat', path);
      return fs.files.has(path) || fs.dirs.has(path);
    },
    async readFile(path) {
      await hook.before('read', path);
      c.readOps++;
      const data = read(path, 'open');
      c.bytesRead += data.byteLength;
      return data;
    },
    async writeFile(path, data, options = {}) {
      await hook.before('open', path);
      c.opens++;
      put(path, new Uint8Array(0), options.exclusive ?? false);
      await hook.before('write', path);
      c.writeOps++;
      c.bytesWritten += data.byteLength;
      fs.files.set(path, data.slice());
      if (options.fsync) {
        await hook.before('fsync', path);
        c.fsyncs++;
      }
    },
    async appendFile(path, data, options = {}) {
      await hook.before('open', path);
      c.opens++;
      const before = fs.files.get(path) ?? new Uint8Array(0);
      if (!fs.files.has(path)) put(path, before, false);
      await hook.before('write', path);
      c.writeOps++;
      c.bytesWritten += data.byteLength;
      const current = fs.files.get(path) ?? new Uint8Array(0);
      const joined = new Uint8Array(current.byteLength + data.byteLength);
      joined.set(current);
      joined.set(data, current.byteLength);
      fs.files.set(path, joined);
      if (options.fsync) {
        await hook.before('fsync', path);
        c.fsyncs++;
      }
    },
    async truncate(path, length) {
      await hook.before('truncate', path);
      c.writeOps++;
      fs.files.set(path, read(path, 'truncate').slice(0, length));
    },
    async rename(from, to) {
      await hook.before('rename', to);
      c.renames++;
      fs.files.set(to, read(from, 'rename'));
      fs.files.delete(from);
    },
    async unlink(path) {
      await hook.before('unlink', path);
      c.unlinks++;
      read(path, 'unlink');
      fs.files.delete(path);
    },
    async readdir(path) {
      await hook.before('readdir', path);
      c.readdirs++;
      const names = new Set<string>();
      for (const p of [...fs.files.keys(), ...fs.dirs]) if (dirname(p) === path) names.add(p.slice(path.length + 1));
      return [...names].sort();
    },
    async mkdir(path) {
      await hook.before('mkdir', path);
      for (let p = path; p !== dirname(p); p = dirname(p)) fs.dirs.add(p);
    },
    async fsyncDir(path) {
      await hook.before('fsync', path);
      c.fsyncs++;
    },
    async size(path) {
      await hook.before('stat', path);
      return read(path, 'stat').byteLength;
    },
    async point(name) {
      await hook.point(name);
    },
  };
}
