import { execFileSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { ChaosError } from '../sdk/errors.js';
import { packageRoot } from '../measure/package-info.js';
import { bundledDir } from './bundled.js';
import type { ForeignInfo } from './adapter.js';

/** Whether `program` (a command's argv[0]) can be run: a path relative to the manifest, or a name on PATH. */
function findProgram(program: string, manifestDir: string): boolean {
  const candidates = program.includes('/')
    ? [isAbsolute(program) ? program : resolve(manifestDir, program)]
    : (process.env.PATH ?? '').split(delimiter).filter(Boolean).map((dir) => join(dir, program));
  return candidates.some((path) => {
    try {
      accessSync(path, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/** `>=3.9` against `3.11.2`. */
function satisfies(version: string, constraint: string): boolean {
  const want = constraint.slice(2).split('.').map(Number);
  const have = version.split('.').map(Number);
  for (let i = 0; i < want.length; i++) {
    if ((have[i] ?? 0) !== want[i]) return (have[i] ?? 0) > want[i]!;
  }
  return true;
}

/** What is missing for a manifest here, in words; empty when it can run. */
export function missingRequirements(info: ForeignInfo): string[] {
  const { manifest } = info;
  const dir = dirname(info.path);
  const missing: string[] = [];
  const programs = [...new Set(Object.values(manifest.roles).map((role) => role.command[0]!))];
  for (const program of programs) if (!findProgram(program, dir)) missing.push(`the program '${program}' (not found${program.includes('/') ? '' : ' on PATH'})`);
  const requires = manifest.requires;
  if (!requires || (!requires.python3 && !requires.modules?.length)) return missing;
  let version: string;
  try {
    version = execFileSync('python3', ['-c', 'import sys; print("%d.%d.%d" % sys.version_info[:3])'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return [...missing, `python3${requires.python3 ? ` ${requires.python3}` : ''} (not found on PATH)`];
  }
  if (requires.python3 && !satisfies(version, requires.python3)) missing.push(`python3 ${requires.python3} (found ${version})`);
  const modules = requires.modules ?? [];
  if (modules.length) {
    const absent = execFileSync('python3', ['-c', 'import importlib.util, sys\nprint(" ".join(m for m in sys.argv[1:] if importlib.util.find_spec(m) is None))', ...modules],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    if (absent) missing.push(`the python3 module${absent.includes(' ') ? 's' : ''} ${absent.split(' ').join(', ')}`);
  }
  return missing;
}

/** How to install what a manifest needs: its own words, the bundled requirements file, or pip for its modules. */
export function installHint(info: ForeignInfo): string {
  const requires = info.manifest.requires;
  if (requires?.install) return requires.install;
  if (dirname(info.path) === bundledDir()) return `pip install -r ${relative(process.cwd(), join(bundledDir(), 'requirements.txt')) || join(packageRoot(), 'strategies/python/requirements.txt')}`;
  return requires?.modules?.length ? `pip install ${requires.modules.join(' ')}` : 'install the programs its manifest runs';
}

/** Refuses, before any cell, a foreign strategy that cannot run here, saying what to install (exit 2). */
export function checkRequirements(info: ForeignInfo, label: string): void {
  const missing = missingRequirements(info);
  if (missing.length === 0) return;
  throw new ChaosError('E_REQUIRES', `strategy ${label} cannot run here: it needs ${missing.join('; ')}. Install with: ${installHint(info)}`, {
    option: '--strategy', value: label, expected: `a strategy whose requirements are met (${installHint(info)})`,
  });
}
