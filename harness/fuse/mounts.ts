import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** The file system type crashfs mounts show in /proc/mounts. */
export const CRASHFS_TYPE = 'fuse.crashfs';

export interface MountEntry {
  source: string;
  mountpoint: string;
  type: string;
}

/** Octal escapes of /proc/mounts (\040 for a space). */
const unescape = (text: string) => text.replace(/\\([0-7]{3})/g, (_, code: string) => String.fromCharCode(parseInt(code, 8)));

export function readMounts(): MountEntry[] {
  let text: string;
  try {
    text = readFileSync('/proc/mounts', 'utf8');
  } catch {
    return [];
  }
  return text.split('\n').filter(Boolean).map((line) => {
    const [source = '', mountpoint = '', type = ''] = line.split(' ');
    return { source: unescape(source), mountpoint: unescape(mountpoint), type };
  });
}

/** crashfs mounts at or under `dir`. */
export function crashfsMountsUnder(dir: string): MountEntry[] {
  return readMounts().filter((m) => m.type === CRASHFS_TYPE && (m.mountpoint === dir || m.mountpoint.startsWith(`${dir}/`)));
}

/** The pid of the daemon serving a crashfs mount (its fsname is `crashfs-<pid>`), if it still runs. */
export function daemonOf(mount: MountEntry): number | undefined {
  const pid = Number(/^crashfs-(\d+)$/.exec(mount.source)?.[1]);
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  try {
    process.kill(pid, 0);
    return pid;
  } catch {
    return undefined;
  }
}

/** Unmounts at once, lazily if busy (a process still holds a file there). */
export function forceUnmount(mountpoint: string): void {
  try {
    execFileSync('fusermount3', ['-u', '-z', mountpoint], { stdio: 'ignore' });
  } catch {
    // Already gone.
  }
}

/**
 * Stale crashfs mounts under `dir` (left by a run that was killed before it could unmount, had its
 * auto-unmount helper not done so): those whose daemon is gone are unmounted; those whose daemon
 * still runs belong to a live run and are left alone. Returns what was found, for the run to report.
 */
export function cleanStaleMounts(dir: string): { cleaned: string[]; live: string[] } {
  const cleaned: string[] = [];
  const live: string[] = [];
  for (const mount of crashfsMountsUnder(dir)) {
    if (daemonOf(mount) !== undefined) live.push(mount.mountpoint);
    else {
      forceUnmount(mount.mountpoint);
      cleaned.push(mount.mountpoint);
    }
  }
  return { cleaned, live };
}
