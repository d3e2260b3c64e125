import { closeSync, fsyncSync, ftruncateSync, openSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { ChaosError } from '../sdk/errors.js';
import type { Calibration } from '../result/result.js';

/** The calibration file never grows past this: it is cut back to empty and appended to again. */
const MAX_BLOCKS = 64;

/**
 * This machine's limit, measured in the run folder at the start of the run: fsync'd 4 KiB appends
 * per second by one process (at most 256 KiB on disk at a time). Strategy throughput is reported as
 * a fraction of it.
 */
export function calibrate(dir: string, budgetMs = 400, minOps = 20): Calibration {
  const path = join(dir, 'calibration.bin');
  const block = Buffer.alloc(4096, 0x61);
  const started = performance.now();
  let ops = 0;
  try {
    const fd = openSync(path, 'a');
    try {
      while (ops < minOps || performance.now() - started < budgetMs) {
        if (ops > 0 && ops % MAX_BLOCKS === 0) ftruncateSync(fd, 0);
        writeSync(fd, block);
        fsyncSync(fd);
        ops++;
      }
    } finally {
      closeSync(fd);
      rmSync(path, { force: true });
    }
  } catch (error) {
    const e = error as NodeJS.ErrnoException;
    throw new ChaosError('E_DISK', `calibration: ${e.code ?? 'error'} writing ${path} after ${ops} fsync'd 4 KiB appends (${e.message})`, { cause: error });
  }
  const durationMs = performance.now() - started;
  return { method: 'fsync-append-4KiB', ops, durationMs: Math.round(durationMs), opsPerSec: Math.round((ops / durationMs) * 1000) };
}
