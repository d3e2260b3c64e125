/**
 * Each side's own harness, for a gate between commits of parquet-chaos itself or of a repository that
 * depends on it through package-lock.json: a slowdown in the harness's shared code (the SDK, the I/O
 * port, the writer loop) is then part of what is compared, so each side's cells must run under that
 * side's code, not the running tool's.
 *
 * Per side: its dependencies, installed once per lockfile hash into a cache (or the repository's own
 * node_modules when its package-lock.json is the same), linked into the checkout as node_modules; for
 * parquet-chaos itself, its dist/ built (`npm run build`), cached by the checkout's source tree. The
 * side's cells then run through its own CLI entry (side-cell.ts).
 */
import { createHash } from 'node:crypto';
import { cpSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { execa } from 'execa';
import { ChaosError } from '../sdk/errors.js';
import type { SideHarnessInfo } from '../result/gate-result.js';
import type { GitSide, GitSides, SideName } from './git-sides.js';

export const PACKAGE = 'parquet-chaos';

/** Whose code a side's own harness is: the checkout itself, or the checkout's node_modules/parquet-chaos. */
export type OwnHarnessKind = SideHarnessInfo['kind'];

const readJson = (path: string): Record<string, unknown> | undefined => {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  } catch {
    return undefined;
  }
};

/** Lockfile entries by install path (`node_modules/better-sqlite3`); empty without a v2/v3 lockfile. */
const lockPackages = (root: string) => (readJson(join(root, 'package-lock.json'))?.packages ?? {}) as Record<string, { version?: string; hasInstallScript?: boolean; dev?: boolean }>;

/** Whether a checkout needs its own harness: it is parquet-chaos (package.json name), or its lockfile installs parquet-chaos. */
export function ownHarnessKind(root: string): OwnHarnessKind | undefined {
  if (readJson(join(root, 'package.json'))?.name === PACKAGE) return 'parquet-chaos itself';
  return `node_modules/${PACKAGE}` in lockPackages(root) ? 'dependency' : undefined;
}

/** A short SHA-256 of a checkout's package-lock.json, or undefined when it has none. */
export function lockfileHash(root: string): string | undefined {
  const path = join(root, 'package-lock.json');
  return existsSync(path) ? createHash('sha256').update(readFileSync(path)).digest('hex').slice(0, 16) : undefined;
}

/** The folder of the gate's caches: under the repository's node_modules/.cache when it has node_modules, else ~/.cache. */
export function harnessCacheRoot(repo: string): string {
  return existsSync(join(repo, 'node_modules')) ? join(repo, 'node_modules', '.cache', PACKAGE) : join(homedir(), '.cache', PACKAGE);
}

/** A cache entry is complete once this file is in it (it is written last, and the entry renamed into place). */
const COMPLETE = '.parquet-chaos-complete';

/**
 * Where a side's dependencies come from: the repository's own node_modules when its package-lock.json
 * hashes the same (installed from the same lockfile), else the cache entry of the side's lockfile
 * hash, installed first when it is not complete.
 */
export function dependencySource(o: { sideHash: string; repositoryHash: string | undefined; repositoryModules: string | undefined; cacheRoot: string }): { from: SideHarnessInfo['dependencies']['from']; dir: string } {
  if (o.repositoryModules !== undefined && o.repositoryHash === o.sideHash) return { from: 'repository', dir: o.repositoryModules };
  const entry = join(o.cacheRoot, 'deps', o.sideHash);
  return { from: existsSync(join(entry, COMPLETE)) ? 'cache' : 'install', dir: join(entry, 'node_modules') };
}

/** The key a built dist/ is cached under: the commit's source tree, its uncommitted changes, its lockfile. */
export function buildKey(tree: string, diffHash: string | undefined, lockHash: string): string {
  return createHash('sha256').update(`${tree}\0${diffHash ?? ''}\0${lockHash}`).digest('hex').slice(0, 16);
}

/** How a side is named in a failure: `base HEAD~1 (1a2b3c4)`. */
const sideName = (name: SideName, side: GitSide) => `${name} ${side.ref ?? 'working tree'} (${side.commit.slice(0, 7)})`;

/** Bad input naming the side and its ref (exit 2, before the first cell). */
function sideError(name: SideName, side: GitSide, what: string, expected: string, cause?: unknown): ChaosError {
  const detail = (cause as { stderr?: string; stdout?: string } | undefined);
  const tail = `${detail?.stderr ?? ''}\n${detail?.stdout ?? ''}`.trim().split('\n').filter(Boolean).slice(-6).join('\n  ');
  return new ChaosError('E_BAD_OPTION', `${sideName(name, side)}: ${what}${tail ? `:\n  ${tail}` : ''}`, {
    option: name === 'base' ? '--base' : '--head', value: side.ref ?? 'the working tree', expected, cause,
  });
}

export interface PrepareOptions {
  repo: string;
  kind: OwnHarnessKind;
  signal?: AbortSignal;
  /** One line of progress (to stderr). */
  log(line: string): void;
}

/** What a prepared side runs its cells through. */
export interface SideHarness {
  /** The side's CLI entry: `node <bin> run …`. */
  bin: string;
  info: SideHarnessInfo;
}

/**
 * Runs npm in a process group of its own, so that an interrupted gate ends npm and everything it
 * started (a script's shell, tsc, a compiler): SIGTERM to the group on abort, SIGKILL to what is left
 * when npm has ended or the orchestrator exits.
 */
async function npm(args: string[], cwd: string, signal: AbortSignal | undefined): Promise<void> {
  if (signal?.aborted) throw new Error('interrupted');
  const child = execa('npm', args, { cwd, detached: true, stdin: 'ignore', env: { npm_config_update_notifier: 'false', npm_config_fund: 'false' } });
  const group = (sig: NodeJS.Signals) => {
    try {
      if (child.pid !== undefined) process.kill(-child.pid, sig);
    } catch {
      // Gone already.
    }
  };
  const onAbort = () => group('SIGTERM');
  const onExit = () => group('SIGKILL');
  signal?.addEventListener('abort', onAbort, { once: true });
  process.once('exit', onExit);
  try {
    await child;
  } finally {
    signal?.removeEventListener('abort', onAbort);
    process.off('exit', onExit);
    group('SIGKILL');
  }
}

/**
 * Installs one lockfile's dependencies into a new cache entry: `npm ci --prefer-offline --ignore-scripts`
 * (tarballs from npm's cache, the registry only for what it lacks), then each package with an install
 * script (a native module such as better-sqlite3, compiled from source in minutes) copied from the
 * repository's node_modules when it holds the same version, built there, else rebuilt (`npm rebuild`).
 * Installed in a temporary folder renamed into place: an interrupted install leaves no entry that looks complete.
 */
async function installDependencies(root: string, entry: string, repositoryModules: string | undefined, signal: AbortSignal | undefined): Promise<void> {
  mkdirSync(dirname(entry), { recursive: true });
  const temp = mkdtempSync(`${entry}.partial-`);
  try {
    for (const file of ['package.json', 'package-lock.json']) cpSync(join(root, file), join(temp, file));
    await npm(['ci', '--prefer-offline', '--ignore-scripts', '--no-audit', '--no-fund'], temp, signal);
    const rebuild: string[] = [];
    for (const [path, meta] of Object.entries(lockPackages(root))) {
      if (!meta.hasInstallScript || !path.startsWith('node_modules/')) continue;
      const name = path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length);
      const built = repositoryModules === undefined ? undefined : join(repositoryModules, path.slice('node_modules/'.length));
      if (built && readJson(join(built, 'package.json'))?.version === meta.version) cpSync(built, join(temp, path), { recursive: true, force: true, dereference: true });
      else rebuild.push(name);
    }
    if (rebuild.length) await npm(['rebuild', ...rebuild], temp, signal);
    // A lockfile without dependencies installs no folder: the link needs one.
    mkdirSync(join(temp, 'node_modules'), { recursive: true });
    writeFileSync(join(temp, COMPLETE), `${new Date().toISOString()}\n`);
    try {
      renameSync(temp, entry);
    } catch (error) {
      // Another gate completed the same entry meanwhile: theirs is kept.
      if (!existsSync(join(entry, COMPLETE))) throw error;
    }
  } finally {
    rmSync(temp, { recursive: true, force: true });
  }
}

/** Builds parquet-chaos's dist/ in a checkout, or copies it from the build cache entry of the same source. */
async function buildOrReuse(root: string, cacheRoot: string, key: string, signal: AbortSignal | undefined): Promise<'built' | 'cache'> {
  const entry = join(cacheRoot, 'builds', key);
  if (existsSync(join(entry, COMPLETE))) {
    cpSync(join(entry, 'dist'), join(root, 'dist'), { recursive: true });
    return 'cache';
  }
  await npm(['run', 'build'], root, signal);
  mkdirSync(dirname(entry), { recursive: true });
  const temp = mkdtempSync(`${entry}.partial-`);
  try {
    cpSync(join(root, 'dist'), join(temp, 'dist'), { recursive: true });
    writeFileSync(join(temp, COMPLETE), `${new Date().toISOString()}\n`);
    try {
      renameSync(temp, entry);
    } catch {
      // Another gate cached the same build meanwhile: this one is not needed.
    }
  } finally {
    rmSync(temp, { recursive: true, force: true });
  }
  return 'built';
}

const lstatOrUndefined = (path: string) => {
  try {
    return lstatSync(path);
  } catch {
    return undefined;
  }
};

const gitTree = async (root: string) => (await execa('git', ['-C', root, 'rev-parse', 'HEAD^{tree}'])).stdout.trim();

/**
 * Readies one side's own harness in its checkout: dependencies linked (installed first when no cache
 * entry has them), dist/ built for parquet-chaos itself, the CLI entry found. Any failure is bad input
 * naming the side and its ref, raised before the first cell.
 */
export async function prepareSideHarness(name: SideName, side: GitSide, options: PrepareOptions): Promise<SideHarness> {
  const { repo, kind, signal, log } = options;
  const started = Date.now();
  const hash = lockfileHash(side.root);
  if (hash === undefined) throw sideError(name, side, 'has no package-lock.json', 'a commit with a package-lock.json: its own harness is installed from it (npm ci)');
  const cacheRoot = harnessCacheRoot(repo);
  const repositoryModules = existsSync(join(repo, 'node_modules')) ? join(repo, 'node_modules') : undefined;
  const source = dependencySource({ sideHash: hash, repositoryHash: lockfileHash(repo), repositoryModules, cacheRoot });
  if (source.from === 'install') {
    log(`${sideName(name, side)}: installing its dependencies (package-lock.json ${hash}) into ${dirname(source.dir)}…`);
    try {
      await installDependencies(side.root, dirname(source.dir), repositoryModules, signal);
    } catch (cause) {
      if (signal?.aborted) throw cause;
      throw sideError(name, side, 'its dependencies did not install (npm ci)', 'a commit whose package-lock.json installs with npm ci', cause);
    }
  }
  const modules = join(side.root, 'node_modules');
  // A checkout has no node_modules of its own (git does not hold it); a link left by an earlier preparation is replaced.
  const present = lstatOrUndefined(modules);
  if (present && !present.isSymbolicLink()) throw sideError(name, side, `its checkout already has a node_modules folder (${modules})`, 'a fresh checkout');
  if (present) unlinkSync(modules);
  symlinkSync(source.dir, modules, 'dir');

  let build: SideHarnessInfo['build'];
  if (kind === 'parquet-chaos itself') {
    const key = buildKey(await gitTree(side.root), side.dirty?.diffHash, hash);
    const buildStarted = Date.now();
    log(`${sideName(name, side)}: building its harness (npm run build, or the build cache ${key})…`);
    try {
      build = { from: await buildOrReuse(side.root, cacheRoot, key, signal), key, seconds: 0 };
    } catch (cause) {
      if (signal?.aborted) throw cause;
      throw sideError(name, side, 'its harness did not build (npm run build)', 'a commit whose harness builds with npm run build', cause);
    }
    build.seconds = Math.round((Date.now() - buildStarted) / 100) / 10;
  }
  const packageRoot = kind === 'parquet-chaos itself' ? side.root : join(modules, PACKAGE);
  const bin = join(packageRoot, 'bin', 'parquet-chaos.js');
  const version = readJson(join(packageRoot, 'package.json'))?.version;
  if (!existsSync(bin) || typeof version !== 'string') {
    throw sideError(name, side, `has no parquet-chaos CLI at ${bin}`, kind === 'dependency' ? 'a lockfile installing a published parquet-chaos (with its bin/ and dist/)' : 'a commit of parquet-chaos with bin/parquet-chaos.js');
  }
  const info: SideHarnessInfo = {
    kind, bin, version, ...(kind === 'parquet-chaos itself' ? { commit: side.commit } : {}),
    dependencies: { lockfileHash: hash, from: source.from, dir: source.dir }, ...(build ? { build } : {}),
    seconds: Math.round((Date.now() - started) / 100) / 10,
  };
  log(`${sideName(name, side)}: its own harness ${version}${build ? ` (build ${build.from === 'cache' ? 'from the cache' : `${build.seconds} s`})` : ''}, dependencies ${describeSource(info.dependencies)}`);
  return { bin, info };
}

/** `the repository's node_modules (same package-lock.json)`, `the cache (package-lock.json 1a2b…)`, `installed (…)`. */
export function describeSource(deps: SideHarnessInfo['dependencies']): string {
  if (deps.from === 'repository') return 'from the repository\'s node_modules (same package-lock.json)';
  return `${deps.from === 'cache' ? 'from the cache' : 'installed'} (package-lock.json ${deps.lockfileHash})`;
}

/**
 * Readies both sides' own harnesses, base first, and records each in the comparison; returns what the
 * gate runs each side's cells through (the command's folder in the side's checkout as the working folder).
 */
export async function prepareSides(sides: GitSides, options: Omit<PrepareOptions, 'repo' | 'kind'>): Promise<Record<SideName, { bin: string; cwd: string }>> {
  const kind = sides.own!;
  const prepared = {} as Record<SideName, { bin: string; cwd: string }>;
  for (const name of ['base', 'head'] as const) {
    const { bin, info } = await prepareSideHarness(name, sides[name], { ...options, repo: sides.comparison.repository, kind });
    sides.comparison[name].harness = info;
    prepared[name] = { bin, cwd: join(sides[name].root, sides.comparison.folder) };
  }
  return prepared;
}
