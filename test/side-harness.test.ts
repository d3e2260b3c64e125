import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildKey, dependencySource, harnessCacheRoot, lockfileHash, ownHarnessKind, prepareSideHarness } from '../harness/orchestrate/side-harness.js';
import { sideRunArguments } from '../harness/orchestrate/side-cell.js';
import { defaultRunConfig } from '../harness/orchestrate/run-config.js';
import type { GitSide } from '../harness/orchestrate/git-sides.js';
import * as fc from 'fast-check';
import { renderGateTable } from '../reports/gate.js';
import type { GitComparison, SideHarnessInfo } from '../harness/result/gate-result.js';
import { gateResultArb } from './support/result-arbitraries.js';

const scratch = mkdtempSync(join(tmpdir(), 'parquet-chaos-side-harness-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** A folder with these files (paths relative to it). */
function folder(name: string, files: Record<string, string>): string {
  const dir = join(scratch, name);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

const lockfile = (packages: Record<string, object>) => JSON.stringify({ name: 'x', lockfileVersion: 3, requires: true, packages: { '': { name: 'x' }, ...packages } });

describe('which harness a side runs, and where its dependencies come from', () => {
  it('is its own for parquet-chaos itself (package.json name) and for a repository whose lockfile installs parquet-chaos; none otherwise', () => {
    // Arrange
    const itself = folder('itself', { 'package.json': '{ "name": "parquet-chaos" }' });
    const dependent = folder('dependent', { 'package.json': '{ "name": "my-writers" }', 'package-lock.json': lockfile({ 'node_modules/parquet-chaos': { version: '0.1.0' } }) });
    const plugins = folder('plugins', { 'package.json': '{ "name": "my-writers" }', 'package-lock.json': lockfile({ 'node_modules/hyparquet': { version: '1.0.0' } }) });
    const nothing = folder('nothing', { 'README.md': '' });

    // Act / Assert
    expect([itself, dependent, plugins, nothing].map(ownHarnessKind)).toEqual(['parquet-chaos itself', 'dependency', undefined, undefined]);
  });

  it('reuses the repository\'s node_modules when the side\'s lockfile hashes the same; else the cache entry of its hash, installed first when not complete', () => {
    // Arrange
    const cacheRoot = join(scratch, 'cache');
    mkdirSync(join(cacheRoot, 'deps', 'bbbb'), { recursive: true });
    writeFileSync(join(cacheRoot, 'deps', 'bbbb', '.parquet-chaos-complete'), '');
    mkdirSync(join(cacheRoot, 'deps', 'cccc'), { recursive: true });
    const source = (sideHash: string, repositoryHash: string | undefined, repositoryModules: string | undefined) => dependencySource({ sideHash, repositoryHash, repositoryModules, cacheRoot });

    // Act / Assert
    expect(source('aaaa', 'aaaa', '/repo/node_modules')).toEqual({ from: 'repository', dir: '/repo/node_modules' });
    expect(source('aaaa', 'aaaa', undefined)).toEqual({ from: 'install', dir: join(cacheRoot, 'deps', 'aaaa', 'node_modules') });
    expect(source('bbbb', 'aaaa', '/repo/node_modules')).toEqual({ from: 'cache', dir: join(cacheRoot, 'deps', 'bbbb', 'node_modules') });
    // An entry without its completion mark (an interrupted install) is installed again.
    expect(source('cccc', 'aaaa', '/repo/node_modules')).toEqual({ from: 'install', dir: join(cacheRoot, 'deps', 'cccc', 'node_modules') });
  });

  it('hashes a lockfile by content, keys a build by tree, uncommitted changes and lockfile, and caches under the repository\'s node_modules when it has one', () => {
    // Arrange
    const a = folder('lock-a', { 'package-lock.json': lockfile({}) });
    const b = folder('lock-b', { 'package-lock.json': lockfile({ 'node_modules/x': { version: '1.0.0' } }) });
    const withModules = folder('with-modules', { 'node_modules/.keep': '' });

    // Act / Assert
    expect(lockfileHash(a)).toMatch(/^[0-9a-f]{16}$/);
    expect(lockfileHash(a)).not.toBe(lockfileHash(b));
    expect(lockfileHash(folder('no-lock', { 'package.json': '{}' }))).toBeUndefined();
    expect(new Set([buildKey('t1', undefined, 'l1'), buildKey('t2', undefined, 'l1'), buildKey('t1', 'd1', 'l1'), buildKey('t1', undefined, 'l2')]).size).toBe(4);
    expect(buildKey('t1', 'd1', 'l1')).toBe(buildKey('t1', 'd1', 'l1'));
    expect(harnessCacheRoot(withModules)).toBe(join(withModules, 'node_modules', '.cache', 'parquet-chaos'));
  });

  it('passes every run setting to the side\'s run explicitly (its defaults may differ); a timeout only when fixed', () => {
    // Arrange
    const { strategies: _s, scenarios: _c, workers: _w, ...run } = defaultRunConfig();
    const cell = { strategy: '/co/base/plugin.js:x=1', scenario: 'buffer-crash', workers: 2, seed: 7 };

    // Act
    const growing = sideRunArguments(cell, run);
    const fixed = sideRunArguments(cell, { ...run, thinkMs: 5, cellTimeoutMs: 30_000, cellTimeoutPerRecordMs: 0, redisUrl: 'redis://127.0.0.1:6379' });

    // Assert
    expect(growing).toEqual(['run', '--strategy', '/co/base/plugin.js:x=1', '--scenario', 'buffer-crash', '--workers', '2', '--records', '20', '--seed', '7',
      '--payload-bytes', '256', '--codec', 'hyparquet', '--lock-stale', '5000', '--lock-timeout', '60000', '--restart', 'retry', '--faults', 'default']);
    expect(fixed).toEqual(expect.arrayContaining(['--think-ms', '5', '--timeout', '30', '--redis-url', 'redis://127.0.0.1:6379']));
  });
});

describe('readying a side\'s own harness (real npm, a package without dependencies)', () => {
  /** A checkout of a tiny "parquet-chaos": no dependencies, a build that writes dist/ (or fails), a bin. */
  function checkout(name: string, build: string): GitSide {
    const root = folder(name, {
      'package.json': JSON.stringify({ name: 'parquet-chaos', version: '9.9.9', scripts: { build } }),
      'package-lock.json': JSON.stringify({ name: 'parquet-chaos', version: '9.9.9', lockfileVersion: 3, requires: true, packages: { '': { name: 'parquet-chaos', version: '9.9.9' } } }),
      'bin/parquet-chaos.js': '',
      'src.txt': name,
    });
    execFileSync('git', ['-C', root, 'init', '--quiet']);
    execFileSync('git', ['-C', root, 'add', '-A']);
    execFileSync('git', ['-C', root, '-c', 'user.name=t', '-c', 'user.email=t@e', 'commit', '--quiet', '-m', 'x']);
    return { ref: 'HEAD~1', commit: execFileSync('git', ['-C', root, 'rev-parse', 'HEAD'], { encoding: 'utf8' }).trim(), root };
  }
  const repo = folder('repo', { 'node_modules/.keep': '', 'package-lock.json': lockfile({ 'node_modules/other': { version: '1.0.0' } }) });

  it('installs the lockfile into the cache, links it, builds dist/ once and takes it from the build cache the next time', async () => {
    // Arrange
    const lines: string[] = [];
    const first = checkout('side-1', 'node -e "require(\'fs\').mkdirSync(\'dist\');require(\'fs\').writeFileSync(\'dist/built\',\'yes\')"');

    // Act
    const prepared = await prepareSideHarness('base', first, { repo, kind: 'parquet-chaos itself', log: (line) => lines.push(line) });
    rmSync(join(first.root, 'dist'), { recursive: true });
    const again = await prepareSideHarness('base', { ...first, root: first.root }, { repo, kind: 'parquet-chaos itself', log: () => undefined });

    // Assert
    const entry = join(repo, 'node_modules', '.cache', 'parquet-chaos', 'deps', lockfileHash(first.root)!);
    expect(prepared.info).toMatchObject({
      kind: 'parquet-chaos itself', bin: join(first.root, 'bin', 'parquet-chaos.js'), version: '9.9.9', commit: first.commit,
      dependencies: { from: 'install', lockfileHash: lockfileHash(first.root), dir: join(entry, 'node_modules') }, build: { from: 'built' },
    });
    expect(existsSync(join(entry, '.parquet-chaos-complete'))).toBe(true);
    expect(readlinkSync(join(first.root, 'node_modules'))).toBe(join(entry, 'node_modules'));
    expect(again.info).toMatchObject({ dependencies: { from: 'cache' }, build: { from: 'cache', key: prepared.info.build!.key } });
    expect(readFileSync(join(first.root, 'dist', 'built'), 'utf8')).toBe('yes');
    expect(lines.join('\n')).toMatch(/base HEAD~1 \([0-9a-f]{7}\): installing its dependencies/);
  }, 60_000);

  it('a side whose harness does not build, or that has no lockfile, is bad input naming the side and its ref', async () => {
    // Arrange
    const broken = checkout('side-broken', 'node -e "console.error(\'TS2345: no such thing\'); process.exit(1)"');
    const unlocked = checkout('side-unlocked', 'true');
    rmSync(join(unlocked.root, 'package-lock.json'));

    // Act / Assert
    await expect(prepareSideHarness('head', { ...broken, ref: 'feature' }, { repo, kind: 'parquet-chaos itself', log: () => undefined })).rejects.toMatchObject({
      code: 'E_BAD_OPTION', option: '--head', value: 'feature', message: expect.stringMatching(/^head feature \([0-9a-f]{7}\): its harness did not build \(npm run build\):[^]*TS2345: no such thing/),
    });
    await expect(prepareSideHarness('base', unlocked, { repo, kind: 'parquet-chaos itself', log: () => undefined })).rejects.toMatchObject({
      code: 'E_BAD_OPTION', option: '--base', value: 'HEAD~1', message: expect.stringMatching(/^base HEAD~1 \([0-9a-f]{7}\): has no package-lock\.json/),
    });
  }, 60_000);
});

describe('the gate report names whose harness ran each side', () => {
  it('each side\'s own (version, the commit it was built from, or the lockfile it was installed from), or the running tool for both', () => {
    // Arrange
    const [result] = fc.sample(gateResultArb, { numRuns: 1, seed: 7 });
    const own = (commit?: string): SideHarnessInfo => ({
      kind: commit ? 'parquet-chaos itself' : 'dependency', bin: '/co/bin/parquet-chaos.js', version: '0.1.0', ...(commit ? { commit } : {}),
      dependencies: { lockfileHash: '0123456789abcdef', from: 'cache', dir: '/c' }, seconds: 1,
    });
    const git = (harness: GitComparison['harness'], base?: SideHarnessInfo, head?: SideHarnessInfo): GitComparison => ({
      repository: '/r', folder: '', strategies: ['realtime'], harness,
      base: { ref: 'main', commit: 'a'.repeat(40), ...(base ? { harness: base } : {}) },
      head: { ref: null, commit: 'b'.repeat(40), dirty: { diffHash: 'd', files: ['x'] }, ...(head ? { harness: head } : {}) },
    });
    const render = (g: GitComparison) => renderGateTable({ ...result!, config: { ...result!.config, git: g } }).replace(/\n/g, ' ');

    // Act / Assert
    expect(render(git("each side's own", own('1234567abc'), own('89abcdef01')))).toContain("harness: each side's own (base: parquet-chaos 0.1.0 built from 1234567; head: parquet-chaos 0.1.0 built from 89abcde + uncommitted changes; controls: the running tool)");
    expect(render(git("each side's own", own(), own()))).toContain('base: parquet-chaos 0.1.0 from its package-lock.json (0123456789abcdef)');
    expect(render(git('running tool'))).toContain('harness: the running tool for both sides');
  });
});
