import { closeSync, fsyncSync, mkdirSync, openSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { Calibration } from '../result/result.js';

/**
 * This machine's limit, measured in the run folder at the start of the run: fsync'd 4 KiB appends
 * per second by one process. Strategy throughput is reported as a fraction of it.
 */
export function calibrate(dir: string, budgetMs = 400, minOps = 20): Calibration {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, 'calibration.bin');
  const block = Buffer.alloc(4096, 0x61);
  const fd = openSync(path, 'a');
  const started = performance.now();
  let ops = 0;
  try {
    while (ops < minOps || performance.now() - started < budgetMs) {
      writeSync(fd, block);
      fsyncSync(fd);
      ops++;
    }
  } finally {
    closeSync(fd);
    rmSync(path, { force: true });
  }
  const durationMs = performance.now() - started;
  return { method: 'fsync-append-4KiB', ops, durationMs: Math.round(durationMs), opsPerSec: Math.round((ops / durationMs) * 1000) };
}
