import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execFileSync } from 'node:child_process';

/** The package's root: the folder above this module that holds package.json (from src or dist/). */
function packageRoot(): string {
  for (let dir = dirname(fileURLToPath(import.meta.url)); ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) throw new Error('crashfs: no package.json above the harness');
  }
}

export const CRASHFS_SOURCE = join(packageRoot(), 'harness', 'fuse', 'crashfs.c');

/**
 * The crashfs daemon's binary, compiled from the project's own source on first use and cached by the
 * source's hash under .cache/ (git-ignored), so an edited source is rebuilt and nothing is downloaded.
 * Compiled to a temporary name and renamed, so concurrent first uses do not see half a binary.
 */
export function crashfsBinary(): string {
  const source = readFileSync(CRASHFS_SOURCE);
  const hash = createHash('sha256').update(source).digest('hex').slice(0, 12);
  const dir = join(packageRoot(), '.cache', 'crashfs');
  const binary = join(dir, `crashfs-${hash}`);
  if (existsSync(binary)) return binary;
  mkdirSync(dir, { recursive: true });
  const flags = execFileSync('pkg-config', ['fuse3', '--cflags', '--libs'], { encoding: 'utf8' }).trim().split(/\s+/).filter(Boolean);
  const temporary = `${binary}.${process.pid}.tmp`;
  try {
    execFileSync('gcc', ['-O2', '-Wall', '-o', temporary, CRASHFS_SOURCE, ...flags], { stdio: ['ignore', 'ignore', 'pipe'] });
    renameSync(temporary, binary);
  } finally {
    rmSync(temporary, { force: true });
  }
  return binary;
}
