import { readFileSync } from 'node:fs';
import { readProcCpuMs, readProcIo, zeroProcIo, type ProcIo } from '../measure/proc-io.js';

/**
 * The kernel's account of the foreign processes this role process started (/proc/<pid>/io and the CPU
 * in /proc/<pid>/stat), so that a cell's I/O and CPU include what the foreign writer did itself. A
 * process is read while it lives; its last reading stands for it once it is gone (a SIGKILLed child
 * loses at most what it did since the last metrics snapshot).
 */
interface Usage {
  io: ProcIo;
  cpuMs: number;
}

const children = new Map<number, Usage>();
/** Reads a child's usage now, if it can still be read; keeps the last reading either way. */
export function sampleChild(pid: number): void {
  const cpuMs = readProcCpuMs(pid);
  if (cpuMs === undefined) return;
  // Counters only grow: a field that reads lower (a zombie's unreadable io reads as zeros) keeps its last value.
  const last = children.get(pid) ?? { io: { ...zeroProcIo }, cpuMs: 0 };
  const now = readProcIo(pid);
  const io = Object.fromEntries(Object.entries(now).map(([key, n]) => [key, Math.max(n, last.io[key as keyof ProcIo])])) as unknown as ProcIo;
  children.set(pid, { io, cpuMs: Math.max(cpuMs, last.cpuMs) });
}

export function trackChild(pid: number): void {
  children.set(pid, { io: { ...zeroProcIo }, cpuMs: 0 });
  sampleChild(pid);
}

/** Every foreign child's usage summed, each read afresh where it still runs. */
export function childUsage(): Usage {
  const total: Usage = { io: { ...zeroProcIo }, cpuMs: 0 };
  for (const pid of children.keys()) {
    sampleChild(pid);
    const { io, cpuMs } = children.get(pid)!;
    for (const key of Object.keys(total.io) as (keyof ProcIo)[]) total.io[key] += io[key];
    total.cpuMs += cpuMs;
  }
  return total;
}
