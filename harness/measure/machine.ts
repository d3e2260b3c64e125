import { readFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { resolve } from 'node:path';
import type { MachineFacts } from '../result/result.js';

/** The file system type holding `dir`: the longest mount point in /proc/mounts that prefixes it. */
function fileSystemOf(dir: string): string {
  try {
    const abs = resolve(dir);
    let best = { mount: '', type: 'unknown' };
    for (const line of readFileSync('/proc/mounts', 'utf8').split('\n')) {
      const [, mount, type] = line.split(' ');
      if (mount && type && (abs === mount || abs.startsWith(mount.endsWith('/') ? mount : `${mount}/`)) && mount.length > best.mount.length) {
        best = { mount, type };
      }
    }
    return best.type;
  } catch {
    return 'unknown';
  }
}

export function machineFacts(runDir: string): MachineFacts {
  const cpuList = cpus();
  return {
    node: process.version,
    platform: process.platform,
    arch: process.arch,
    cpus: cpuList.length,
    cpuModel: cpuList[0]?.model.trim() ?? 'unknown',
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    fileSystem: fileSystemOf(runDir),
  };
}
