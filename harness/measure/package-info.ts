import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The project root: the nearest folder above this module holding our package.json (from source or dist/). */
export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
}

export function toolVersion(): string {
  return (JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string }).version;
}

/** The folders whose code decides what the tool measures and how it judges it. */
const CODE_FOLDERS = ['harness', 'strategies', 'scenarios'];

let build: string | undefined;

/**
 * A short hash of the running tool's code (every .ts / .js file of its harness, strategies and scenarios,
 * by path and content), so that two checkouts of one package.json version are told apart: a version
 * number alone is the same for every commit between releases.
 */
export function toolBuild(): string {
  if (build !== undefined) return build;
  // The folder holding harness/ as it runs: the project root from source, dist/ when built.
  const codeRoot = dirname(dirname(dirname(fileURLToPath(import.meta.url))));
  const hash = createHash('sha256');
  const walk = (dir: string) => {
    if (!existsSync(dir)) return;
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (/\.(ts|js)$/.test(entry.name) && !entry.name.endsWith('.d.ts')) hash.update(`${relative(codeRoot, path)}\0`).update(readFileSync(path)).update('\0');
    }
  };
  for (const folder of CODE_FOLDERS) walk(join(codeRoot, folder));
  build = hash.digest('hex').slice(0, 12);
  return build;
}

/** What a gate result and baseline record of the tool that measured them. */
export function toolIdentity(): { name: 'parquet-chaos'; version: string; build: string } {
  return { name: 'parquet-chaos', version: toolVersion(), build: toolBuild() };
}
