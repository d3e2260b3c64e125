/** Output locations checked before the first cell: a run never measures for an hour to fail at the end. */
import { rmSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { badValue } from '../sdk/errors.js';
import { makeDirs, writeFileAtomic } from '../result/files.js';

const reason = (error: unknown) => {
  const e = error as NodeJS.ErrnoException;
  return e.code ? `${e.code}: ${e.message.replace(/^\w+: /, '')}` : String(e.message ?? e);
};

/** Writes and removes a small file in `dir`: proof that files can be created there. */
function probe(dir: string): void {
  const path = join(dir, `.parquet-chaos-probe-${process.pid}`);
  writeFileAtomic(path, 'probe\n');
  rmSync(path, { force: true });
}

/** A folder the run can create (like mkdir -p) and write to. */
export function checkOutDir(flag: string, dir: string): void {
  try {
    makeDirs(dir);
    probe(resolve(dir));
  } catch (error) {
    throw badValue('E_OUTPUT', flag, dir, `a folder that can be created and written to; here ${reason(error)}`, error);
  }
}

/** A file path whose folder exists and takes new files, and that is not itself a folder. */
export function checkOutFile(flag: string, file: string): void {
  const path = resolve(file);
  try {
    if (statSync(path, { throwIfNoEntry: false })?.isDirectory()) throw new Error('it is a folder');
    const folder = statSync(dirname(path), { throwIfNoEntry: false });
    if (!folder) throw new Error(`its folder ${dirname(path)} does not exist`);
    if (!folder.isDirectory()) throw new Error(`${dirname(path)} is not a folder`);
    probe(dirname(path));
  } catch (error) {
    throw badValue('E_OUTPUT', flag, file, `a file path that can be written; here ${reason(error)}`, error);
  }
}
