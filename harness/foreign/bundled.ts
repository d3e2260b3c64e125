import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../measure/package-info.js';
import { readManifest } from './manifest.js';

/** Where the bundled foreign strategies' manifests live (the seed's own Python writers). */
export function bundledDir(): string {
  return join(packageRoot(), 'strategies', 'python');
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
