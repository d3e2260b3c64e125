import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import type { GateResult } from '../../harness/result/gate-result.js';
import { processesMentioning } from '../support/processes.js';

const root = resolve(import.meta.dirname, '../..');
const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

/*
 * The project's own self-gate: a scratch clone of this repository (its committed HEAD) with a second
 * commit that slows the shared writer loop (harness/orchestrate/writer-loop.ts: after each save it waits
 * three times as long again as the save took, so a save takes 4× as long). The strategy (realtime) is the same code on both sides: only each
 * side running its own commit's harness can see the slowdown.
 *
 * Cost kept bounded: the clone's node_modules is a folder of links to this checkout's packages, so
 * both sides' lockfiles hash as the repository's and reuse it (no install); each side is built once
 * (`npm run build`, about 90 s each on a loaded 2-core machine), the second gate takes both builds
 * from the build cache. The gate: 1 writer × 30 records, 5 pairs and a second look of 5 more when
 * inconclusive, a 25% minimum effect. Measured with a doubled save (as long again) on this loaded
 * machine, 5 pairs left ×0.52 [×0.34, ×0.82] inconclusive (Holm-adjusted p 0.11) in one gate and found
 * ×0.39 [×0.28, ×0.70] regressed in another: the 4× save is what these few pairs tell every time.
 */
const scratch = mkdtempSync(join(tmpdir(), 'parquet-chaos-self-'));
const repo = join(scratch, 'parquet-chaos');
const git = (...args: string[]) => execFileSync('git', ['-C', repo, ...args], { encoding: 'utf8' }).trim();

afterAll(() => {
  expect(processesMentioning(scratch)).toEqual([]);
  rmSync(scratch, { recursive: true, force: true });
});

/** The clone, its node_modules linked package by package (its cache then lives in the clone), and the slowing commit. */
function arrange(): void {
  execFileSync('git', ['clone', '--quiet', root, repo]);
  const modules = realpathSync(join(root, 'node_modules'));
  mkdirSync(join(repo, 'node_modules'));
  for (const entry of readdirSync(modules)) if (entry !== '.cache') symlinkSync(join(modules, entry), join(repo, 'node_modules', entry));
  const loop = join(repo, 'harness', 'orchestrate', 'writer-loop.ts');
  const before = readFileSync(loop, 'utf8');
  const save = '      written = { returned: await this.handle.write(record) };\n';
  writeFileSync(loop, before.replace(save, `${save}      await new Promise((done) => setTimeout(done, 3 * (this.clock.now() - t)));\n`));
  expect(readFileSync(loop, 'utf8')).not.toBe(before);
  git('-c', 'user.name=test', '-c', 'user.email=test@example.com', 'commit', '--quiet', '-am', 'every save in the writer loop waits three times as long again as it took');
}

const GATE = ['--strategy', 'realtime', '--scenario', 'main-file-contention', '--workers', '1', '--records', '30', '--think-ms', '0', '--faults', 'none',
  '--repeat', '8', '--max-repeat', '8'];

/** The gate as a developer runs it in the clone, the running tool from this checkout's source. */
const gate = (refs: string[], json: string) => execa(process.execPath, ['--import', tsx, join(root, 'harness/cli/main.ts'), 'gate', ...GATE, ...refs,
  '--out', join(scratch, 'runs'), '--json', json], { cwd: repo, reject: false, env: { NO_COLOR: '1' } });

const worktrees = () => git('worktree', 'list', '--porcelain').split('\n').filter((l) => l.startsWith('worktree ')).length;

describe('the self-gate: parquet-chaos gating its own commits, each side under its own harness (real processes)', () => {
  it('builds each commit\'s harness, runs each side\'s cells through it, and fails the commit that slowed the writer loop', async () => {
    // Arrange
    arrange();
    const json = join(scratch, 'slow.json');
    const started = Date.now();

    // Act
    const run = await gate(['--base', 'HEAD~1'], json);

    // Assert: each side ran its own commit's harness, built from that commit, on the repository's node_modules.
    const seconds = Math.round((Date.now() - started) / 1000);
    const result = JSON.parse(readFileSync(json, 'utf8')) as GateResult;
    const { base, head, harness } = result.config.git!;
    console.log(`self-gate: exit ${run.exitCode}, ${seconds} s (builds ${base.harness?.build?.seconds} s, ${head.harness?.build?.seconds} s)\n${result.reasons.join('\n')}`);
    expect(harness).toBe("each side's own");
    for (const [side, commit] of [[base, git('rev-parse', 'HEAD~1')], [head, git('rev-parse', 'HEAD')]] as const) {
      expect(side.harness).toMatchObject({ kind: 'parquet-chaos itself', commit, version: expect.any(String), dependencies: { from: 'repository', dir: join(repo, 'node_modules') }, build: { from: 'built' } });
      expect(side.harness!.bin).toMatch(/\/node_modules\/\.cache\/parquet-chaos-sides-[^/]+\/(base|head)\/bin\/parquet-chaos\.js$/);
    }
    expect(run.stderr).toMatch(/each side runs its own commit's harness/);
    expect(run.stdout).toMatch(/harness: each side's own \(base: parquet-chaos \S+ built from [0-9a-f]{7}; head: parquet-chaos \S+ built from [0-9a-f]{7}; controls: the running tool\)/);
    // Each side's cells ran in runs of its own (one per cell), under the gate folder.
    const samples = result.cells[0]!.samples;
    expect(samples.filter((s) => s.side === 'base').every((s) => s.dir.startsWith(join(result.gateDir, 'base')))).toBe(true);
    expect(samples.filter((s) => s.side === 'head').every((s) => s.dir.startsWith(join(result.gateDir, 'head')))).toBe(true);
    expect(result.controls.map((c) => c.caught)).toEqual([true, true, true, true]);

    // Assert: the slower writer loop is a regression of acked/s.
    const acked = result.cells[0]!.metrics.find((m) => m.metric === 'ackedPerSec')!;
    expect(acked.head.median).toBeLessThan(acked.base.median * 0.75);
    expect({ exitCode: run.exitCode, outcome: result.outcome }, run.stdout).toEqual({ exitCode: 1, outcome: 'regressed' });
    expect(run.stdout).toMatch(/REGRESSED: realtime × main-file-contention, 1 workers, 8 pairs: acked\/s [\d.]+ → [\d.]+ \(ratio ×0\.\d+ \[×\d\.\d+, ×0\.\d+\]/);
    expect(worktrees()).toBe(1);
  }, 1_500_000);

  it('takes both builds from the cache the next time, and leaves no process and no checkout when interrupted with Ctrl-C while a side\'s own run is under way', async () => {
    // Arrange: interrupt once a side's own harness has started its first run (the preflight of the spec).
    const child = gate(['--base', 'HEAD~1'], join(scratch, 'interrupted.json'));
    const cache = join(repo, 'node_modules', '.cache');
    const underWay = () => readdirSync(cache).filter((d) => d.startsWith('parquet-chaos-sides-')).some((d) => existsSync(join(cache, d, 'base', '.parquet-chaos-preflight')));
    const deadline = Date.now() + 300_000;
    while (!underWay() && child.exitCode === null && Date.now() < deadline) await new Promise((done) => setTimeout(done, 200));
    expect(underWay()).toBe(true);

    // Act
    child.kill('SIGINT');
    const ended = await child;

    // Assert
    expect(ended.stderr).toMatch(/base HEAD~1 \([0-9a-f]{7}\): its own harness \S+ \(build from the cache\)/);
    expect(ended.stderr).toMatch(/head working tree \([0-9a-f]{7}\): its own harness \S+ \(build from the cache\)/);
    expect(ended.exitCode, ended.stderr).toBe(130);
    expect(worktrees()).toBe(1);
    expect(readdirSync(cache).filter((d) => d.startsWith('parquet-chaos-sides-'))).toEqual([]);
    expect(processesMentioning(scratch)).toEqual([]);
  }, 600_000);
});
