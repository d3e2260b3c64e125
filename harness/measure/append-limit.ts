import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import type { AppendLimit, AppendLimitMethod, AppendLimitMethodName } from '../result/result.js';
import { ChaosError } from '../sdk/errors.js';

/** Every method keeps at most this many 4 KiB blocks on disk per process (1 MiB): a fast device must not fill the disk. */
const BLOCKS = 256;

/**
 * The ways of making 4 KiB durable that the limit is the best of. Each is the body of one process's
 * loop, as plain JavaScript (no TypeScript loader, so it starts fast), run between `begin()` and the
 * end of the budget; `fd` is opened by `open`. Which wins depends on the file system and the device:
 * on ext4, an fsync of an append also commits the file's new size (a journal transaction), where an
 * fdatasync of a block inside a preallocated file need not.
 */
const METHODS: Record<AppendLimitMethodName, { describe: string; open: string; step: string }> = {
  'append-fsync': {
    describe: 'plain append + fsync (the file grows; a new file every 256 appends)',
    open: `fs.openSync(path, 'a')`,
    step: `if (ops > 0 && ops % ${BLOCKS} === 0) fd = renew(fd, 'a'); fs.writeSync(fd, block); fs.fsyncSync(fd);`,
  },
  'prealloc-fdatasync': {
    describe: 'writes into a preallocated 1 MiB file + fdatasync (the size never changes)',
    open: `(() => { const f = fs.openSync(path, 'w'); fs.writeSync(f, Buffer.alloc(4096 * ${BLOCKS})); fs.fsyncSync(f); return f; })()`,
    step: `fs.writeSync(fd, block, 0, 4096, (ops % ${BLOCKS}) * 4096); fs.fdatasyncSync(fd);`,
  },
  'o-dsync': {
    describe: 'appends to a file opened with O_DSYNC, each write durable when it returns (a new file every 256 appends)',
    open: `fs.openSync(path, DSYNC_FLAGS)`,
    step: `if (ops > 0 && ops % ${BLOCKS} === 0) fd = renew(fd, DSYNC_FLAGS); fs.writeSync(fd, block);`,
  },
  'truncating-append-fsync': {
    describe: 'append + fsync, the file cut back to empty every 64 appends (at most 256 KiB on disk)',
    open: `fs.openSync(path, 'a')`,
    step: `if (ops > 0 && ops % 64 === 0) fs.ftruncateSync(fd, 0); fs.writeSync(fd, block); fs.fsyncSync(fd);`,
  },
};

export const APPEND_LIMIT_METHODS = Object.keys(METHODS) as AppendLimitMethodName[];

export function describeAppendLimitMethod(method: AppendLimitMethodName): string {
  return METHODS[method].describe;
}

/** One process: opens its file, says it is ready, waits for "go" on stdin, runs the method until the budget is spent, prints its count. */
const loop = (method: AppendLimitMethodName) => `
const fs = require('node:fs');
const [path, budgetMs] = [process.argv[1], Number(process.argv[2])];
const block = Buffer.alloc(4096, 0x61);
const DSYNC_FLAGS = fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_APPEND | fs.constants.O_DSYNC;
// A growing file is replaced by a new one, which costs one unlink and one create per ${BLOCKS} writes.
const renew = (old, flags) => { fs.closeSync(old); fs.unlinkSync(path); return fs.openSync(path, flags); };
let fd = ${METHODS[method].open};
process.stdin.once('data', () => {
  const begun = Date.now();
  let ops = 0;
  while (Date.now() < begun + budgetMs) { ${METHODS[method].step} ops++; }
  fs.closeSync(fd);
  process.stdout.write(JSON.stringify({ ops, ms: Date.now() - begun }));
  process.exit(0);
});
process.stdout.write('ready\\n');
`;

/**
 * One method with `processes` processes at once for `budgetMs`. Every process is spawned and ready
 * before any starts (spawning is not measured); the rate is the summed count over the longest time.
 */
async function measureMethod(folder: string, method: AppendLimitMethodName, processes: number, budgetMs: number): Promise<AppendLimitMethod> {
  const children = Array.from({ length: processes }, (_, i) =>
    execa(process.execPath, ['-e', loop(method), join(folder, `${method}-p${i}.bin`), String(budgetMs)], { stdin: 'pipe', buffer: true, cleanup: true }));
  try {
    await Promise.all(children.map((child) => new Promise<void>((resolve, reject) => {
      child.stdout.once('data', () => resolve());
      child.catch(reject);
    })));
    for (const child of children) child.stdin.end('go');
    let finished;
    try {
      finished = await Promise.all(children);
    } catch (error) {
      // A disk that fills or fails here is the run's disk: say so in a line, not with a child's stack.
      const errno = /\b(ENOSPC|EDQUOT|EIO|EROFS)\b/.exec(String((error as { stderr?: unknown }).stderr ?? ''))?.[1];
      if (!errno) throw error;
      throw new ChaosError('E_DISK', `append limit: ${errno} writing in ${folder} with ${processes} processes (at most 1 MiB each, method ${method})`, { cause: error });
    }
    const results = finished.map((r) => JSON.parse(String(r.stdout).replace(/^ready\n/, '')) as { ops: number; ms: number });
    const ops = results.reduce((n, r) => n + r.ops, 0);
    const durationMs = Math.max(...results.map((r) => r.ms));
    return { method, ops, durationMs, opsPerSec: Math.round((ops / durationMs) * 1000) };
  } finally {
    for (const child of children) child.kill('SIGKILL');
    // Wait for every child to be gone before their files are removed: when one failed, Promise.all above
    // rejected while the others still ran, holding their files open (a tmpfs could not be unmounted).
    await Promise.allSettled(children);
  }
}

/**
 * Measures the limit in `dir` (the folder the cells write in) with `processes` processes: every method
 * of METHODS in turn, each for `budgetMs`. The limit is the highest rate, so that a strategy's ratio
 * to it is never flattered by a slow way of measuring; every method's rate is kept beside it.
 */
export async function measureAppendLimit(dir: string, processes: number, budgetMs = 400, methods = APPEND_LIMIT_METHODS): Promise<AppendLimit> {
  const folder = join(dir, `append-limit-${process.pid}-${Date.now()}`);
  mkdirSync(folder, { recursive: true });
  try {
    const measured: AppendLimitMethod[] = [];
    for (const method of methods) {
      measured.push(await measureMethod(folder, method, processes, budgetMs));
      rmSync(folder, { recursive: true, force: true });
      mkdirSync(folder, { recursive: true });
    }
    const best = measured.reduce((a, b) => (b.opsPerSec > a.opsPerSec ? b : a));
    return { method: best.method, processes, ops: best.ops, durationMs: best.durationMs, opsPerSec: best.opsPerSec, methods: measured };
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}
