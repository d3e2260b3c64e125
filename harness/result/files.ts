/**
 * The files the harness keeps for itself (result.json, cell.json, the space reserve): folders made
 * one level at a time, files replaced by temp + fsync + rename, and disk errors told apart.
 */
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

/** Errors that mean the disk, not the harness, failed: a run stops cleanly on them. */
const DISK_ERRORS = ['ENOSPC', 'EDQUOT', 'EIO', 'EROFS'];

export function isDiskError(error: unknown): error is NodeJS.ErrnoException {
  return DISK_ERRORS.includes((error as NodeJS.ErrnoException | null)?.code ?? '');
}

/**
 * `mkdir -p`, one level at a time. (Node 20's recursive mkdirSync never returns for a path under
 * /proc, where mkdir answers ENOENT for a parent that exists; here that is an ENOENT error.)
 */
export function makeDirs(path: string): void {
  const missing: string[] = [];
  for (let dir = resolve(path); !existsSync(dir); dir = dirname(dir)) {
    missing.unshift(dir);
    if (dirname(dir) === dir) break;
  }
  for (const dir of missing) mkdirSync(dir);
}

function fsyncPath(path: string): void {
  const fd = openSync(path, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Replaces `path` with `content` so that a crash or a full disk leaves the old file or the new one, never a part. */
export function writeFileAtomic(path: string, content: string | Uint8Array): void {
  const temp = `${path}.${process.pid}.tmp`;
  try {
    const fd = openSync(temp, 'w');
    try {
      writeFileSync(fd, content);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, path);
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
  fsyncPath(dirname(path));
}

/**
 * Space set aside on the run's disk, so that the last result.json can still be written after the
 * disk fills: `release()` deletes the reserve (it is then safe to call again).
 */
export function reserveSpace(path: string, bytes: number): { release(): void } {
  writeFileAtomic(path, Buffer.alloc(bytes));
  return { release: () => rmSync(path, { force: true }) };
}
