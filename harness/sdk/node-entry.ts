import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/**
 * How to run one of the harness's entry files (a role, the watchdog, a checker thread) from the module
 * at `here`: `entryBase` is relative to its folder, without extension. Compiled JS when running from
 * dist/; else the TypeScript source under tsx, loaded with `--import` (never through the `tsx` CLI: it
 * makes two processes and SIGKILL would orphan the real child). tsx is resolved from the harness, not
 * from the working folder, which may be anywhere (a plugin's, say).
 */
export function nodeEntry(here: string, entryBase: string): { entry: string; execArgv: string[] } {
  const path = fileURLToPath(here);
  const fromSource = path.endsWith('.ts');
  const entry = join(dirname(path), `${entryBase}${fromSource ? '.ts' : '.js'}`);
  return { entry, execArgv: fromSource ? ['--import', pathToFileURL(createRequire(here).resolve('tsx')).href] : [] };
}
