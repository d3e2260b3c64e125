import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import type { GateResult } from '../../harness/result/gate-result.js';
import { GATE_DEFAULTS } from '../../harness/cli/commands/gate.js';
import { processesMentioning } from '../support/processes.js';

const root = resolve(import.meta.dirname, '../..');
const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

/**
 * A user's repository of one plugin (one Parquet file per record, renamed into place, after a 300 ms
 * round trip standing for a remote store's), committed three times: as it is; with every save taking
 * twice as long (after saving it waits as long again as the save took); and acking every 10th record
 * without saving it. The fixed round trip keeps a save's time from being all fsync: on this shared
 * 2-core machine (load averages of 50–80 while the other suites run) an fsync-only save varied so much
 * from cell to cell that 5 pairs left even a 44% drop in acked/s inconclusive ([×0.07, ×1.87]).
 */
const plugin = (change: 'none' | 'slow' | 'lossy') => `
import { join } from 'node:path';
import { defineStrategy } from 'parquet-chaos';

export default defineStrategy({
  name: 'one-file-per-record',
  summary: 'each record in its own Parquet file, renamed into place',
  options: {},
  guarantees: () => ({ noLostAcked: true, noDuplicates: true, noCorruption: true }),
  writer: (ctx) => {
    let seen = 0;
    return {
      async write(record) {
        seen += 1;
        ${change === 'lossy' ? 'if (seen % 10 === 0) return [record.id];' : ''}
        const started = performance.now();
        await new Promise((done) => setTimeout(done, 300));
        const path = join(ctx.dataDir, record.id + '.parquet');
        await ctx.io.writeFile(path + '.tmp', await ctx.codec.encode([record]), { fsync: true });
        await ctx.io.rename(path + '.tmp', path);
        await ctx.io.fsyncDir(ctx.dataDir);
        ${change === 'slow' ? 'await new Promise((done) => setTimeout(done, performance.now() - started));' : ''}
        return [record.id];
      },
    };
  },
});
`;

const repo = mkdtempSync(join(tmpdir(), 'parquet-chaos-repo-'));
const outDir = join(repo, '.runs');
const git = (...args: string[]) => execFileSync('git', ['-C', repo, ...args], { encoding: 'utf8' }).trim();

function commit(change: 'none' | 'slow' | 'lossy', message: string): void {
  writeFileSync(join(repo, 'plugin.js'), plugin(change));
  git('add', 'plugin.js', 'package.json', '.gitignore');
  git('-c', 'user.name=test', '-c', 'user.email=test@example.com', 'commit', '--quiet', '-m', message);
}

writeFileSync(join(repo, 'package.json'), '{ "name": "my-writers", "private": true, "type": "module" }\n');
writeFileSync(join(repo, '.gitignore'), '.runs/\n*.json.out\n');
git('init', '--quiet');

afterAll(() => {
  expect(processesMentioning(repo)).toEqual([]);
  rmSync(repo, { recursive: true, force: true });
});

/**
 * The gate as a user runs it, in the repository, from source, at its defaults: no --min-effect, no
 * --repeat, no --inconclusive-ok (4 workers × 20 records, main-file-contention; 8 pairs at the first
 * look, then the cell sized from the noise those pairs measured, up to 80 pairs over 3 looks).
 */
async function gate(name: string, refs: string[]): Promise<{ exitCode: number; stdout: string; stderr: string; result: GateResult; seconds: number }> {
  const json = join(repo, `${name}.json.out`);
  const started = Date.now();
  const run = await execa(process.execPath, ['--import', tsx, join(root, 'harness/cli/main.ts'), 'gate', '--strategy', './plugin.js', ...refs, '--out', outDir, '--json', json], { cwd: repo, reject: false });
  return { exitCode: run.exitCode ?? -1, stdout: run.stdout, stderr: run.stderr, result: JSON.parse(readFileSync(json, 'utf8')) as GateResult, seconds: (Date.now() - started) / 1000 };
}

/** No checkout of either side may outlive its gate. */
const worktrees = () => git('worktree', 'list', '--porcelain').split('\n').filter((l) => l.startsWith('worktree ')).length;

describe('gate between two commits of a user\'s repository (real processes)', () => {
  it('fails a commit whose saves take twice as long, naming the slowed metric and its ratio interval; passes a commit against itself', async () => {
    // Arrange
    commit('none', 'a plugin');
    commit('slow', 'every save waits as long again as it took');

    // Act
    const slower = await gate('slower', ['--base', 'HEAD~1']);
    const same = await gate('same', ['--base', 'HEAD']);

    // Assert: the slowdown, against the commit before it.
    console.log(`slowdown gate: exit ${slower.exitCode}, ${slower.seconds} s\n${slower.result.reasons.join('\n')}`);
    expect(slower.result.config.git).toMatchObject({ strategies: ['./plugin.js'], base: { ref: 'HEAD~1', commit: git('rev-parse', 'HEAD~1') }, head: { ref: null, commit: git('rev-parse', 'HEAD') } });
    expect(slower.result.config.git!.head.dirty).toBeUndefined();
    expect(slower.result.controls.map((c) => c.caught)).toEqual([true, true, true, true]);
    expect({ exitCode: slower.exitCode, outcome: slower.result.outcome }, slower.stderr).toEqual({ exitCode: 1, outcome: 'regressed' });
    expect(slower.result.config).toMatchObject({ repeat: 8, maxRepeat: GATE_DEFAULTS.maxPairs, looks: 3, minEffect: GATE_DEFAULTS.minEffect, inconclusiveOk: false });
    expect(slower.stdout).toMatch(/REGRESSED: \.\/plugin\.js × main-file-contention, 4 workers, \d+ pairs: (acked\/s|durable in Parquet\/s|ack p99 ms) [\d.]+ → [\d.]+ \(ratio ×\d\.\d+ \[×\d\.\d+, ×\d\.\d+\]/);
    // A halved rate: the paired interval of acked/s lies wholly beyond its 10% minimum effect.
    const acked = slower.result.cells[0]!.metrics.find((m) => m.metric === 'ackedPerSec')!;
    expect(acked).toMatchObject({ test: 'paired', scale: 'ratio', answer: 'regressed' });
    expect(acked.changeHi).toBeLessThan(-0.1);
    // Each side ran its own commit's plugin, each from its own checkout.
    const strategies = (side: string) => new Set(slower.result.cells[0]!.samples.filter((s) => s.side === side).map((s) => s.strategy));
    expect([...strategies('base')]).toEqual([expect.stringMatching(/parquet-chaos-sides-.*\/base\/plugin\.js$/)]);
    expect([...strategies('head')]).toEqual([join(repo, 'plugin.js')]);

    // Assert: A/A, the same commit on both sides.
    console.log(`A/A gate: exit ${same.exitCode}, ${same.seconds} s, ${same.result.cells[0]!.pairs} pairs\n${same.stderr.split('\n').filter((l) => l.startsWith('gate:')).join('\n')}\n${same.result.reasons.join('\n')}`);
    expect(same.result.cells[0]!.metrics.map((m) => m.answer)).not.toContain('regressed');
    // It was sized from its own noise, and said so.
    expect(same.stderr).toMatch(/gate: \.\/plugin\.js × main-file-contention, 4 workers: within-pair noise σ of log\(head ÷ base\): acked\/s [\d.]+/);
    expect({ exitCode: same.exitCode, outcome: same.result.outcome }, same.stdout).toEqual({ exitCode: 0, outcome: 'pass' });
    expect(worktrees()).toBe(1);
  }, 2_700_000);

  it('fails a commit that acks every 10th record without saving it, naming the lost records and the replay in that commit', async () => {
    // Arrange
    commit('lossy', 'every 10th record acked, not saved');

    // Act
    const lossy = await gate('lossy', ['--base', 'HEAD~2', '--head', 'HEAD']);

    // Assert: the writer lost its 10th record in every head cell.
    console.log(`lossy gate: exit ${lossy.exitCode}, ${lossy.seconds} s\n${lossy.result.reasons.join('\n')}`);
    expect({ exitCode: lossy.exitCode, outcome: lossy.result.outcome }, lossy.stderr).toEqual({ exitCode: 1, outcome: 'correctness' });
    const failures = lossy.result.cells[0]!.correctness;
    expect(failures.length).toBeGreaterThan(0);
    // 4 writers × 20 records, each acking its 10th and 20th unsaved: 8 lost in each head cell.
    expect(failures.every((f) => f.side === 'head' && f.problems.includes('8 lost'))).toBe(true);
    expect(lossy.stdout).toMatch(new RegExp(`CORRECTNESS: head .*plugin\\.js × main-file-contention, 4 workers, repeat \\d \\(seed \\d\\): \\d+ lost\\. Replay: git -C ${repo} worktree add --detach \\S+ ${git('rev-parse', 'HEAD').slice(0, 12)} && cd \\S+ && npx parquet-chaos run --strategy \\./plugin\\.js`));
    expect(worktrees()).toBe(1);
  }, 600_000);

  it('removes its checkouts when interrupted with Ctrl-C mid-gate', async () => {
    // Arrange: a gate between two checked-out commits, interrupted once its first cell has started.
    commit('none', 'the plugin again');
    commit('slow', 'slowed again');
    const child = execa(process.execPath, ['--import', tsx, join(root, 'harness/cli/main.ts'), 'gate', '--strategy', './plugin.js', '--base', 'HEAD~1', '--head', 'HEAD',
      '--out', outDir], { cwd: repo, reject: false });
    let stderr = '';
    await new Promise<void>((started) => child.stderr!.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      if (/\[1\/\d+\]/.test(stderr)) started();
    }));
    const checkouts = readdirSync(tmpdir()).filter((n) => n.startsWith('parquet-chaos-sides-'));
    expect(checkouts.length).toBeGreaterThan(0);

    // Act
    child.kill('SIGINT');
    const ended = await child;

    // Assert
    expect(ended.exitCode, ended.stderr).toBe(130);
    expect(worktrees()).toBe(1);
    expect(readdirSync(tmpdir()).filter((n) => checkouts.includes(n))).toEqual([]);
  }, 300_000);
});
