import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

// The folders' import rules (harness/README.md): strategies and scenarios see only harness/sdk; the
// sdk sees only itself; the oracle, on which every verdict rests, sees only itself and the sdk.
const root = resolve(import.meta.dirname, '..');

function sourceFiles(folder: string): string[] {
  return readdirSync(join(root, folder), { recursive: true, encoding: 'utf8' })
    .filter((f) => /\.(ts|js)$/.test(f) && !f.endsWith('.d.ts'))
    .map((f) => join(folder, f));
}

/** Every relative import of a file, as a path from the project's root. */
function relativeImports(file: string): string[] {
  const source = readFileSync(join(root, file), 'utf8');
  const specs = [...source.matchAll(/(?:from|import)\s*\(?\s*['"](\.{1,2}\/[^'"]+)['"]/g)].map((m) => m[1]!);
  return specs.map((spec) => relative(root, resolve(root, dirname(file), spec)));
}

function violations(folder: string, allowed: string[]): string[] {
  return sourceFiles(folder).flatMap((file) =>
    relativeImports(file)
      .filter((target) => !allowed.some((prefix) => target.startsWith(prefix)))
      .map((target) => `${file} imports ${target}`));
}

describe('layout: who may import what', () => {
  it('strategies/ import only harness/sdk and their own folder', () => {
    expect(violations('strategies', ['harness/sdk/', 'strategies/'])).toEqual([]);
  });

  it('scenarios/ import only harness/sdk and their own folder', () => {
    expect(violations('scenarios', ['harness/sdk/', 'scenarios/'])).toEqual([]);
  });

  it('harness/sdk imports nothing outside itself', () => {
    expect(violations('harness/sdk', ['harness/sdk/'])).toEqual([]);
  });

  it('harness/oracle imports only itself and harness/sdk', () => {
    expect(violations('harness/oracle', ['harness/oracle/', 'harness/sdk/'])).toEqual([]);
  });

  it('harness/fuse imports only itself, harness/sdk, the simulation\'s file system and models, and /proc readers', () => {
    expect(violations('harness/fuse', ['harness/fuse/', 'harness/sdk/', 'harness/sim/fs', 'harness/sim/models/', 'harness/measure/proc-io'])).toEqual([]);
  });

  it('harness/foreign imports only itself, harness/sdk and harness/measure: a foreign strategy is an ordinary StrategyDefinition', () => {
    expect(violations('harness/foreign', ['harness/foreign/', 'harness/sdk/', 'harness/measure/'])).toEqual([]);
  });

  it('the writer loop imports only harness/sdk, harness/oracle and the result types, so a simulation can drive it', () => {
    const file = 'harness/orchestrate/writer-loop.ts';
    expect(relativeImports(file).filter((t) => !['harness/sdk/', 'harness/oracle/', 'harness/result/'].some((p) => t.startsWith(p)))).toEqual([]);
  });

  it('the rule itself sees a forbidden import (a file of the orchestrator imports the oracle)', () => {
    expect(violations('harness/orchestrate', ['harness/orchestrate/', 'harness/sdk/']).length).toBeGreaterThan(0);
  });
});
