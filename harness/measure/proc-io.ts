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

/** Clock ticks a second for /proc/<pid>/stat's utime and stime: 100 on every Linux Node runs on. */
const TICKS_PER_SECOND = 100;

/** The CPU a process has used (utime + stime from /proc/<pid>/stat), ms; undefined where it cannot be read. */
export function readProcCpuMs(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (in parentheses, which may hold anything): utime is the 12th, stime the 13th.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND;
  } catch {
    return undefined;
  }
}

export function procIoDelta(after: ProcIo, before: ProcIo): ProcIo {
  return {
    rchar: after.rchar - before.rchar, wchar: after.wchar - before.wchar,
    syscr: after.syscr - before.syscr, syscw: after.syscw - before.syscw,
    readBytes: after.readBytes - before.readBytes, writeBytes: after.writeBytes - before.writeBytes,
  };
}

export function procIoSum(a: ProcIo, b: ProcIo): ProcIo {
  return {
    rchar: a.rchar + b.rchar, wchar: a.wchar + b.wchar, syscr: a.syscr + b.syscr, syscw: a.syscw + b.syscw,
    readBytes: a.readBytes + b.readBytes, writeBytes: a.writeBytes + b.writeBytes,
  };
}
