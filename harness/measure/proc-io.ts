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

export function procIoSum(a: ProcIo, b: ProcIo): ProcIo {
  return {
    rchar: a.rchar + b.rchar, wchar: a.wchar + b.wchar, syscr: a.syscr + b.syscr, syscw: a.syscw + b.syscw,
    readBytes: a.readBytes + b.readBytes, writeBytes: a.writeBytes + b.writeBytes,
  };
}
