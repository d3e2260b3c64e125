import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import type { RunResult } from '../../harness/result/result.js';
import type { GateBaseline, GateResult } from '../../harness/result/gate-result.js';
import { processesMentioning } from '../support/processes.js';

const root = resolve(import.meta.dirname, '../..');

/*
 * The package as another project gets it: `npm pack` (whose `prepare` builds dist/), the tarball
 * installed as a dev dependency of a scratch ES-module project in a temporary folder outside the
 * repository, and that project's own TypeScript plugin run and gated with `npx parquet-chaos`.
 *
 * The install takes the dependencies' tarballs from npm's cache (filled by this project's own `npm ci`)
 * and asks the registry only for what the cache lacks (--prefer-offline), so it also works offline once
 * the cache has seen them. --ignore-scripts skips compiling better-sqlite3 (minutes on a loaded machine):
 * the test then copies the binary this project's `npm ci` built, for the same version and Node. What is
 * tested is this package (its `files`, bin, children, plugin loading), not a C compiler.
 */
const PLUGIN = `
import { join } from 'node:path';
import { defineStrategy, type TestRecord } from 'parquet-chaos';

const fileOf = (dir: string, record: TestRecord): string => join(dir, \`\${record.id}.parquet\`);

export default defineStrategy({
  name: 'one-file-per-record',
  summary: 'each record its own file, renamed into place',
  options: {},
  guarantees: () => ({ noLostAcked: true, noDuplicates: true, noCorruption: true }),
  writer: (ctx) => ({
    async write(record: TestRecord): Promise<string[]> {
      const path = fileOf(ctx.dataDir, record);
      await ctx.io.writeFile(\`\${path}.tmp\`, await ctx.codec.encode([record]), { fsync: true });
      await ctx.io.rename(\`\${path}.tmp\`, path);
      await ctx.io.fsyncDir(ctx.dataDir);
      return [record.id];
    },
  }),
});
`;

const scratch = mkdtempSync(join(tmpdir(), 'parquet-chaos-user-'));
const packed = join(scratch, 'tarball');
const project = join(scratch, 'my-writers');

afterAll(() => {
  expect(processesMentioning(project)).toEqual([]);
  rmSync(scratch, { recursive: true, force: true });
});

/** Seconds each step took, printed at the end (the test's timings in the report). */
const timings: string[] = [];
async function step<T>(name: string, work: () => Promise<T>): Promise<T> {
  const started = Date.now();
  try {
    return await work();
  } finally {
    timings.push(`${name} ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }
}

/** `npx parquet-chaos …` in the scratch project, never fetching the package from a registry. */
const npx = (args: string[]) => execa('npx', ['--no-install', 'parquet-chaos', ...args], { cwd: project, reject: false, env: { NO_COLOR: '1' } });

describe('installed from an npm pack tarball into another project (real processes)', () => {
  it('runs and gates that project\'s own TypeScript plugin with npx', async () => {
    // Arrange: the tarball.
    mkdirSync(packed);
    const pack = await step('npm pack (prepare builds dist/)', () => execa('npm', ['pack', '--json', '--pack-destination', packed], { cwd: root, reject: false }));
    expect(pack.exitCode, pack.stderr).toBe(0);
    const [tarball] = JSON.parse(pack.stdout.slice(pack.stdout.indexOf('\n[') + 1)) as { filename: string; files: { path: string }[] }[];
    const files = tarball!.files.map((f) => f.path);
    // What children and commands need at runtime is shipped; the tests are not.
    expect(files).toEqual(expect.arrayContaining(['bin/parquet-chaos.js', 'dist/harness/index.js', 'dist/harness/index.d.ts', 'dist/harness/orchestrate/roles/main.js',
      'dist/test/fixtures/early-ack.js', 'harness/fuse/crashfs.c', 'strategies/python/parquet_chaos_kit.py', 'schema/result.schema.json']));
    expect(files.filter((f) => f.startsWith('test/') || f.endsWith('.test.ts') || f.startsWith('dist/scripts/'))).toEqual([]);

    // Arrange: the other project, its plugin, the package as a dev dependency.
    mkdirSync(project);
    writeFileSync(join(project, 'package.json'), `${JSON.stringify({ name: 'my-writers', private: true, type: 'module' }, null, 2)}\n`);
    writeFileSync(join(project, 'strategy.ts'), PLUGIN);
    const install = await step('npm install', () => execa('npm', ['install', '--save-dev', '--prefer-offline', '--ignore-scripts', '--no-audit', '--no-fund', join(packed, tarball!.filename)], { cwd: project, reject: false }));
    expect(install.exitCode, `${install.stderr}\n(npm reaches ${(await execa('npm', ['config', 'get', 'registry'])).stdout} and its cache)`).toBe(0);
    const sqlite = dirname(createRequire(import.meta.url).resolve('better-sqlite3/package.json'));
    const binary = join('build', 'Release', 'better_sqlite3.node');
    mkdirSync(join(project, 'node_modules', 'better-sqlite3', 'build', 'Release'), { recursive: true });
    copyFileSync(join(sqlite, binary), join(project, 'node_modules', 'better-sqlite3', binary));
    expect(JSON.parse(readFileSync(join(project, 'package.json'), 'utf8'))).toMatchObject({ devDependencies: { 'parquet-chaos': expect.stringContaining('parquet-chaos-') } });

    // Act: a run of the plugin.
    const run = await step('npx parquet-chaos run', () => npx(['run', '--strategy', './strategy.ts', '--scenario', 'main-file-contention', '--workers', '2', '--records', '3',
      '--faults', 'none', '--json', 'run.json']));

    // Assert: exit 0, every record acked by the plugin and found; labelled by its name, its path kept.
    expect(run.exitCode, run.stderr).toBe(0);
    const cell = (JSON.parse(readFileSync(join(project, 'run.json'), 'utf8')) as RunResult).cells[0]!;
    expect(cell).toMatchObject({ strategy: './strategy.ts', label: 'one-file-per-record', errors: [] });
    expect(cell.verdict).toMatchObject({ attempted: 6, acked: 6, present: 6, lost: 0, valid: true });
    expect(run.stdout).toContain('one-file-per-record');
    expect(run.stdout).not.toContain('./strategy.ts ×');

    // Act: the gate, saving the plugin's baseline (its positive controls run from the installed package).
    const gate = await step('npx parquet-chaos gate', () => npx(['gate', '--head', './strategy.ts', '--workers', '1', '--records', '3', '--payload-bytes', '32', '--repeat', '5',
      '--save-baseline', 'baseline.json']));

    // Assert: exit 0, the verdict printed, every control caught, the plugin's five repeats in the baseline.
    expect(gate.exitCode, gate.stderr).toBe(0);
    expect(gate.stdout).not.toContain('NOT CAUGHT');
    expect(gate.stdout.match(/positive control, .*: caught/g)).toHaveLength(4);
    const baseline = JSON.parse(readFileSync(join(project, 'baseline.json'), 'utf8')) as GateBaseline;
    expect(baseline).toMatchObject({ kind: 'gate-baseline', strategy: './strategy.ts', workers: [1], repeat: 5 });
    expect(baseline.samples.map((s) => s.seed)).toEqual([1, 2, 3, 4, 5]);
    expect(existsSync(join(project, 'runs'))).toBe(true);

    // Act: the project as a git repository gating its plugin between two commits; it depends on
    // parquet-chaos through its lockfile, so each side runs the parquet-chaos its own lockfile installs.
    writeFileSync(join(project, '.gitignore'), 'node_modules/\nruns/\n*.json\n!package.json\n!package-lock.json\n');
    const git = (...args: string[]) => execa('git', ['-C', project, ...args]);
    await git('init', '--quiet');
    await git('add', '-A');
    await git('-c', 'user.name=t', '-c', 'user.email=t@e', 'commit', '--quiet', '-m', 'my plugin');
    const between = await step('npx parquet-chaos gate --strategy (each side\'s own harness)', () => npx(['gate', '--strategy', './strategy.ts', '--base', 'HEAD',
      '--workers', '1', '--records', '3', '--payload-bytes', '32', '--repeat', '7', '--max-repeat', '7', '--json', 'between.json']));

    // Assert: both sides ran under the parquet-chaos of their lockfile (the project's own node_modules, the same lockfile), through its CLI.
    const result = JSON.parse(readFileSync(join(project, 'between.json'), 'utf8')) as GateResult;
    expect(between.stderr).toMatch(/a dependent of parquet-chaos \(package-lock\.json\): each side runs its own commit's harness/);
    expect(result.config.git?.harness).toBe("each side's own");
    for (const side of ['base', 'head'] as const) {
      expect(result.config.git![side].harness).toMatchObject({ kind: 'dependency', dependencies: { from: 'repository', dir: join(project, 'node_modules') } });
      expect(result.config.git![side].harness!.bin).toMatch(new RegExp(`/parquet-chaos-sides-[^/]+/${side}/node_modules/parquet-chaos/bin/parquet-chaos\\.js$`));
      expect(result.cells[0]!.samples.filter((s) => s.side === side).every((s) => s.dir.startsWith(join(result.gateDir, side)))).toBe(true);
    }
    expect(result.cells[0]!.samples.map((s) => s.valid)).toEqual(Array(14).fill(true));
    // A verdict, whichever (an A/A at the default minimum effects may be inconclusive): not bad usage, not an internal error.
    expect([0, 1, 3], `${between.stdout}\n${between.stderr}`).toContain(between.exitCode);
    console.log(`pack-install timings: ${timings.join(', ')}`);
  }, 1_500_000);
});
