import { accessSync, constants, existsSync, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';

/** Where a command is on PATH, if anywhere. */
export function onPath(command: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    const candidate = join(dir, command);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

const HEADER = '/usr/include/fuse3/fuse.h';

/**
 * What this machine lacks to run the power-loss layer, one item each (empty: nothing). The daemon is
 * compiled on first use from harness/fuse/crashfs.c, so the compiler and libfuse3's headers count.
 */
export function missingForFuse(): string[] {
  if (process.platform !== 'linux') return [`Linux (this is ${process.platform})`];
  const missing: string[] = [];
  try {
    accessSync('/dev/fuse', constants.R_OK | constants.W_OK);
  } catch {
    missing.push(existsSync('/dev/fuse') ? 'read-write access to /dev/fuse (root or the fuse group)' : '/dev/fuse (the fuse kernel module; in a container: --device /dev/fuse --cap-add SYS_ADMIN)');
  }
  const fusermount = onPath('fusermount3');
  if (!fusermount) missing.push('fusermount3 (Debian package fuse3)');
  // Without root, mounting goes through fusermount3, which must then be setuid root.
  else if (process.getuid?.() !== 0 && (statSync(fusermount).mode & 0o4000) === 0) missing.push('root, or a setuid-root fusermount3');
  if (!existsSync(HEADER)) missing.push(`${HEADER} (Debian package libfuse3-dev)`);
  if (!onPath('gcc')) missing.push('gcc (Debian package gcc)');
  if (!onPath('pkg-config')) missing.push('pkg-config (Debian package pkg-config)');
  return missing;
}

/** One sentence naming what is missing, or undefined when the layer can run here. */
export function fuseProblem(): string | undefined {
  const missing = missingForFuse();
  if (missing.length === 0) return undefined;
  return `power loss needs a FUSE file system, and this machine lacks: ${missing.join('; ')}. `
    + 'On Debian or Ubuntu, as root: apt-get install fuse3 libfuse3-dev gcc pkg-config';
}
