import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import type { AppendLimit } from '../result/result.js';
import { ChaosError } from '../sdk/errors.js';

/**
 * One process's loop, as plain JavaScript (no TypeScript loader, so it starts fast): opens its file,
 * says it is ready, waits for "go" on stdin, appends 4 KiB + fsync until the budget is spent, prints its count.
 * The file is cut back to empty every 64 appends: at most 256 KiB a process on disk at a time.
 */
const LOOP = `
const fs = require('node:fs');
const [path, budgetMs] = [process.argv[1], Number(process.argv[2])];
const block = Buffer.alloc(4096, 0x61);
const fd = fs.openSync(path, 'a');
process.stdin.once('data', () => {
  const begun = Date.now();
  let ops = 0;
  while (Date.now() < begun + budgetMs) {
    if (ops > 0 && ops % 64 === 0) fs.ftruncateSync(fd, 0);
    fs.writeSync(fd, block); fs.fsyncSync(fd); ops++;
  }
  fs.closeSync(fd);
  process.stdout.write(JSON.stringify({ ops, ms: Date.now() - begun }));
  process.exit(0);
});
process.stdout.write('ready\\n');
`;

/**
 * Measures the limit in `dir` (the folder the cells write in) with `processes` processes appending for
 * `budgetMs` together. Every process is spawned and ready before any starts (spawning is not measured);
 * the rate is the summed appends over the longest process's time.
 */
export async function measureAppendLimit(dir: string, processes: number, budgetMs = 500): Promise<AppendLimit> {
  const folder = join(dir, `append-limit-${process.pid}-${Date.now()}`);
  mkdirSync(folder, { recursive: true });
  const children = Array.from({ length: processes }, (_, i) =>
    execa(process.execPath, ['-e', LOOP, join(folder, `p${i}.bin`), String(budgetMs)], { stdin: 'pipe', buffer: true, cleanup: true }));
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
      throw new ChaosError('E_DISK', `append limit: ${errno} writing in ${folder} with ${processes} processes (at most 256 KiB each)`, { cause: error });
    }
    const results = finished.map((r) => JSON.parse(String(r.stdout).replace(/^ready\n/, '')) as { ops: number; ms: number });
    const ops = results.reduce((n, r) => n + r.ops, 0);
    const durationMs = Math.max(...results.map((r) => r.ms));
    return { method: 'fsync-append-4KiB', processes, ops, durationMs, opsPerSec: Math.round((ops / durationMs) * 1000) };
  } finally {
    for (const child of children) child.kill('SIGKILL');
    // Wait for every child to be gone before removing their files: when one failed, Promise.all above
    // rejected while the others still ran, holding their files open (a tmpfs could not be unmounted).
    await Promise.allSettled(children);
    rmSync(folder, { recursive: true, force: true });
  }
}
