import { closeSync, fsyncSync, mkdtempSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { readProcCpuMs } from '../measure/proc-io.js';
import { persistenceModels } from '../sim/models/index.js';
import { CrashMount } from './mount.js';
import { readMounts } from './mounts.js';

/** One round: fsync'd appends of `bytes` to a fresh file in `dir`, as fast as they go. */
function appendRound(dir: string, appends: number, bytes: number): { perSec: number; cpuMs: number } {
  const block = Buffer.alloc(bytes, 7);
  const path = join(dir, `appends-${process.hrtime.bigint()}`);
  const cpu = process.cpuUsage();
  const start = performance.now();
  const fd = openSync(path, 'a');
  for (let i = 0; i < appends; i++) {
    writeSync(fd, block);
    fsyncSync(fd);
  }
  closeSync(fd);
  const ms = performance.now() - start;
  const used = process.cpuUsage(cpu);
  rmSync(path);
  return { perSec: (appends / ms) * 1000, cpuMs: (used.user + used.system) / 1000 };
}

/** The daemon's CPU so far, ms: it runs for the whole measurement, so an unreadable /proc is an error. */
function daemonCpuMs(pid: number): number {
  const ms = readProcCpuMs(pid);
  if (ms === undefined) throw new Error(`crashfs daemon ${pid}: /proc/${pid}/stat cannot be read`);
  return ms;
}

export interface LayerCost {
  rounds: number;
  appendsPerRound: number;
  bytes: number;
  direct: number[];
  layer: number[];
  /** The daemon's CPU per append through the layer (its journal included), in µs. */
  daemonCpuUsPerAppend: number;
  /** The writing process's own CPU per append, direct and through the layer, in µs. */
  writerCpuUsPerAppend: { direct: number; layer: number };
}

/**
 * fsync'd appends per second straight into a folder and through crashfs over the same folder's
 * file system, in interleaved rounds of one run (so load drifts hit both alike), and the CPU the
 * layer costs: its daemon's, and the writer's own.
 */
export async function measureLayerCost(baseDir: string, rounds = 5, appendsPerRound = 200, bytes = 4096): Promise<LayerCost> {
  const work = mkdtempSync(join(resolve(baseDir), 'crashfs-cost-'));
  const mount = new CrashMount(join(work, 'mnt'), join(work, 'backing'), join(work, 'journal'), persistenceModels.posix);
  await mount.mount();
  const daemon = Number(/^crashfs-(\d+)$/.exec(readMounts().find((m) => m.mountpoint === mount.mountpoint)?.source ?? '')?.[1]);
  const direct: number[] = [];
  const layer: number[] = [];
  const writerCpu = { direct: 0, layer: 0 };
  let daemonCpu = 0;
  try {
    for (let r = 0; r < rounds; r++) {
      const plain = appendRound(work, appendsPerRound, bytes);
      direct.push(plain.perSec);
      writerCpu.direct += plain.cpuMs;
      const before = daemonCpuMs(daemon);
      const through = appendRound(mount.mountpoint, appendsPerRound, bytes);
      daemonCpu += daemonCpuMs(daemon) - before;
      layer.push(through.perSec);
      writerCpu.layer += through.cpuMs;
    }
  } finally {
    await mount.kill();
    rmSync(work, { recursive: true, force: true });
  }
  const total = rounds * appendsPerRound;
  return {
    rounds, appendsPerRound, bytes, direct, layer,
    daemonCpuUsPerAppend: (daemonCpu / total) * 1000,
    writerCpuUsPerAppend: { direct: (writerCpu.direct / total) * 1000, layer: (writerCpu.layer / total) * 1000 },
  };
}
