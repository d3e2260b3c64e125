import { readFileSync } from 'node:fs';

/** The kernel's own account of a process's I/O (/proc/<pid>/io); zeros where it cannot be read. */
export interface ProcIo {
  rchar: number;
  wchar: number;
  syscr: number;
  syscw: number;
  readBytes: number;
  writeBytes: number;
}

export const zeroProcIo: ProcIo = { rchar: 0, wchar: 0, syscr: 0, syscw: 0, readBytes: 0, writeBytes: 0 };

export function readProcIo(pid: number | 'self' = 'self'): ProcIo {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/io`, 'utf8');
  } catch {
    return { ...zeroProcIo };
  }
  const field = (name: string): number => Number(new RegExp(`^${name}:\\s*(\\d+)`, 'm').exec(text)?.[1] ?? 0);
  return {
    rchar: field('rchar'), wchar: field('wchar'), syscr: field('syscr'), syscw: field('syscw'),
    readBytes: field('read_bytes'), writeBytes: field('write_bytes'),
  };
}

export function procIoDelta(after: ProcIo, before: ProcIo): ProcIo {
  return {
    rchar: after.rchar - before.rchar, wchar: after.wchar - before.wchar,
    syscr: after.syscr - before.syscr, syscw: after.syscw - before.syscw,
    readBytes: after.readBytes - before.readBytes, writeBytes: after.writeBytes - before.writeBytes,
  };
}

/** Clock ticks a second in /proc/<pid>/stat (USER_HZ: 100 on Linux whatever the kernel's HZ). */
const USER_HZ = 100;

/**
 * Another process's CPU time so far (user + system, /proc/<pid>/stat), ms, to the 10 ms of a clock tick;
 * undefined when it cannot be read (the process has ended, or no /proc).
 */
export function readProcCpuMs(pid: number): number | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // After the command name in parentheses (which may hold spaces): state is field 3, utime 14, stime 15.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  const [utime, stime] = [Number(fields[11]), Number(fields[12])];
  return Number.isFinite(utime) && Number.isFinite(stime) ? ((utime + stime) * 1000) / USER_HZ : undefined;
}
