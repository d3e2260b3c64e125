import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../measure/package-info.js';
import { readManifest } from './manifest.js';

/** Where the bundled foreign strategies' manifests live (the seed's own Python writers). */
export function bundledDir(): string {
  return join(packageRoot(), 'strategies', 'python');
}

/**
 * The PYTHONPATH of every foreign role process: the bundled folder first (it holds the Python kit, so a
 * user's writer anywhere can `import parquet_chaos_kit`), then the caller's own PYTHONPATH.
 */
export function kitPythonPath(): string {
  return [bundledDir(), process.env.PYTHONPATH].filter(Boolean).join(':');
}

/** Every bundled manifest, by its `name` (the name a spec refers to it by). */
export function bundledManifests(): Map<string, string> {
  const dir = bundledDir();
  const found = new Map<string, string>();
  if (!existsSync(dir)) return found;
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.json')).sort()) {
    const path = join(dir, file);
    found.set(readManifest(path).name, path);
  }
  return found;
}
