import { existsSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Guarantees, StrategyDefinition } from '../sdk/strategy.js';
import { resolveOptions } from '../sdk/strategy.js';
import { strategies, strategyNames } from '../../strategies/index.js';
import { isPluginPath, parseStrategySpec, type StrategySpec } from '../sdk/spec.js';
import { badValue, ChaosError } from '../sdk/errors.js';
import { assumedFor, assumptionNames, type AssumptionName } from '../sdk/assumptions.js';
import { resolvePackageForPlugins } from './self-resolve.js';
import { readManifest } from '../foreign/manifest.js';
import { strategyFromManifest, type ForeignInfo } from '../foreign/adapter.js';
import { bundledManifests } from '../foreign/bundled.js';

/** A strategy ready to run: its definition, resolved options and claimed guarantees. */
export interface LoadedStrategy {
  spec: StrategySpec;
  /** Absolute module path for plugins, so that child processes load the same file. */
  modulePath: string | undefined;
  definition: StrategyDefinition<object>;
  options: object;
  guarantees: Guarantees;
  /** What the guarantees rest on (sdk/assumptions.ts): a cell breaking one does not judge the claims resting on it. */
  assumptions: AssumptionName[];
  /** Set for a foreign strategy (a manifest, bundled or given by path): its manifest and where it is. */
  foreign?: ForeignInfo;
}

/** A strategy spec naming a manifest file (`./my-writer.json`) rather than a module. */
function isManifestPath(name: string): boolean {
  return isPluginPath(name) && name.endsWith('.json');
}

function loadManifest(path: string): { definition: StrategyDefinition<object>; foreign: ForeignInfo } {
  if (!existsSync(path)) throw badValue('E_PLUGIN', '--strategy', path, 'a path to an existing strategy manifest (.json)');
  const foreign = { manifest: readManifest(path), path };
  return { definition: strategyFromManifest(foreign) as unknown as StrategyDefinition<object>, foreign };
}

function assertStrategyShape(candidate: unknown, path: string): asserts candidate is StrategyDefinition<object> {
  const c = candidate as Partial<StrategyDefinition<object>> | undefined;
  const problems: string[] = [];
  if (!c || typeof c !== 'object') problems.push('the module exports no strategy object (default export or `strategy`)');
  else {
    if (typeof c.name !== 'string') problems.push('`name` must be a string');
    if (typeof c.writer !== 'function') problems.push('`writer(ctx, options)` must be a function');
    if (typeof c.guarantees !== 'function') problems.push('`guarantees(options)` must be a function');
    if (c.options === undefined || typeof c.options !== 'object') problems.push('`options` must be an object (may be empty)');
  }
  if (problems.length) {
    throw new ChaosError('E_PLUGIN', `strategy plugin ${path} does not implement the strategy API: ${problems.join('; ')}`, {
      option: '--strategy', value: path, expected: 'a module exporting defineStrategy({...}) as default or `strategy`',
    });
  }
}

let typeScriptLoader: Promise<unknown> | undefined;

/**
 * Lets the compiled harness (dist/, as installed in a user's node_modules) import a TypeScript plugin:
 * Node 20 cannot load .ts itself, tsx (a dependency) can. From source the harness already runs under a
 * TypeScript loader (tsx, vitest), so nothing is registered twice.
 */
async function loadsTypeScript(path: string): Promise<void> {
  if (!/\.[cm]?ts$/.test(path) || import.meta.url.endsWith('.ts')) return;
  typeScriptLoader ??= import('tsx/esm/api').then((tsx) => tsx.register());
  await typeScriptLoader;
}

async function importPlugin(path: string): Promise<StrategyDefinition<object>> {
  if (!existsSync(path)) throw badValue('E_PLUGIN', '--strategy', path, 'a path to an existing strategy module');
  // The plugin may live in any folder: its `import … from 'parquet-chaos'` must find this harness.
  resolvePackageForPlugins();
  await loadsTypeScript(path);
  let module: Record<string, unknown>;
  try {
    module = (await import(pathToFileURL(path).href)) as Record<string, unknown>;
  } catch (cause) {
    throw new ChaosError('E_PLUGIN', `strategy plugin ${path} failed to load: ${(cause as Error).message ?? String(cause)}`, {
      option: '--strategy', value: path, expected: 'a module that imports without throwing', cause,
    });
  }
  const candidate = module.default ?? module.strategy;
  assertStrategyShape(candidate, path);
  return candidate;
}

export async function loadStrategy(specText: string | StrategySpec, cwd = process.cwd()): Promise<LoadedStrategy> {
  const spec = typeof specText === 'string' ? parseStrategySpec(specText) : specText;
  let definition: StrategyDefinition<object>;
  let modulePath: string | undefined;
  let foreign: ForeignInfo | undefined;
  // A built-in's name wins over a bundled manifest's.
  const bundled = isPluginPath(spec.name) || spec.name in strategies ? undefined : bundledManifests().get(spec.name);
  if (isManifestPath(spec.name) || bundled) {
    // A manifest by path runs in role processes by its absolute path; a bundled one by its name.
    const path = bundled ?? (isAbsolute(spec.name) ? spec.name : resolve(cwd, spec.name));
    if (!bundled) modulePath = path;
    ({ definition, foreign } = loadManifest(path));
  } else if (isPluginPath(spec.name)) {
    modulePath = isAbsolute(spec.name) ? spec.name : resolve(cwd, spec.name);
    definition = await importPlugin(modulePath);
  } else {
    const builtIn = (strategies as Record<string, StrategyDefinition<object>>)[spec.name];
    if (!builtIn) {
      throw badValue('E_UNKNOWN_STRATEGY', '--strategy', spec.name,
        `one of: ${[...strategyNames, ...bundledManifests().keys()].join(', ')}, or a module or manifest (.json) path starting with ./ or /`);
    }
    definition = builtIn;
  }
  const options = resolveOptions(definition, spec.options);
  let claimed: unknown;
  try {
    claimed = definition.guarantees(options);
  } catch (cause) {
    throw new ChaosError('E_PLUGIN', `strategy ${spec.label}: guarantees() threw: ${String((cause as Error)?.message ?? cause)}`, { cause });
  }
  const guarantees = checkedGuarantees(claimed, spec.label);
  return {
    spec, modulePath, definition, options, guarantees, assumptions: assumedFor(checkedAssumptions(definition, options, spec.label), guarantees),
    ...(foreign ? { foreign } : {}),
  };
}

/**
 * What a table calls a strategy given by path (a plugin module or a manifest): its definition's `name`
 * in place of the path, options kept (`./phantom.js:bug=off` → `phantom:bug=off`). Undefined for a
 * built-in or bundled one, whose spec already is its name.
 */
export function pluginLabel(loaded: LoadedStrategy): string | undefined {
  if (!isPluginPath(loaded.spec.name)) return undefined;
  return `${loaded.definition.name}${loaded.spec.label.slice(loaded.spec.name.length)}`;
}

const GUARANTEE_NAMES: readonly (keyof Guarantees)[] = ['noLostAcked', 'noDuplicates', 'noCorruption'];

/**
 * What guarantees() returned, held to its type before anything runs: an object with a boolean for each
 * guarantee. A Promise (an async guarantees()), a truthy string or a missing key would otherwise be read
 * as a claim (or its absence) that the strategy never made.
 */
function checkedGuarantees(claimed: unknown, label: string): Guarantees {
  const expected = `an object with a boolean for each of ${GUARANTEE_NAMES.join(', ')} (returned synchronously)`;
  const fail = (what: string) => new ChaosError('E_PLUGIN', `strategy ${label}: guarantees() returned ${what}; expected ${expected}`, { option: '--strategy', value: label, expected });
  if (claimed instanceof Promise || typeof (claimed as { then?: unknown })?.then === 'function') throw fail('a Promise');
  if (typeof claimed !== 'object' || claimed === null) throw fail(claimed === null || claimed === undefined ? String(claimed) : `a ${typeof claimed}`);
  const record = claimed as Record<string, unknown>;
  const wrong = GUARANTEE_NAMES.filter((name) => typeof record[name] !== 'boolean');
  if (wrong.length) throw fail(wrong.map((name) => `${name}: ${record[name] === undefined ? 'missing' : JSON.stringify(record[name]) ?? typeof record[name]}`).join(', '));
  return claimed as Guarantees;
}

/** What assumes() returned, held to the registry's names before anything runs (none when it is absent). */
function checkedAssumptions(definition: StrategyDefinition<object>, options: object, label: string): AssumptionName[] {
  if (definition.assumes === undefined) return [];
  const expected = `an array of assumption names, each one of: ${assumptionNames.join(', ')} (returned synchronously)`;
  let named: unknown;
  try {
    named = definition.assumes(options);
  } catch (cause) {
    throw new ChaosError('E_PLUGIN', `strategy ${label}: assumes() threw: ${String((cause as Error)?.message ?? cause)}`, { cause });
  }
  const bad = !Array.isArray(named) ? [named] : named.filter((name) => !(assumptionNames as readonly unknown[]).includes(name));
  if (bad.length > 0) {
    const shown = bad[0] instanceof Promise ? 'a Promise' : JSON.stringify(bad[0]) ?? typeof bad[0];
    throw new ChaosError('E_PLUGIN', `strategy ${label}: assumes() returned ${shown}; expected ${expected}`, { option: '--strategy', value: label, expected });
  }
  return named as AssumptionName[];
}
