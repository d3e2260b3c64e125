import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openGitSides } from '../harness/orchestrate/git-sides.js';
import { runGate } from '../harness/orchestrate/gate-run.js';
import { defaultRunConfig } from '../harness/orchestrate/run-config.js';
import { GATE_COUNTERS, gateCounterNames, type GateCounter, type Tolerance } from '../harness/analyze/gate.js';
import { GATE_DEFAULTS } from '../harness/cli/commands/gate.js';
import { main } from '../harness/cli/cli.js';

const repo = mkdtempSync(join(tmpdir(), 'parquet-chaos-git-sides-'));
const git = (...args: string[]) => execFileSync('git', ['-C', repo, ...args], { encoding: 'utf8' }).trim();
const write = (path: string, text: string) => {
  mkdirSync(dirname(join(repo, path)), { recursive: true });
  writeFileSync(join(repo, path), text);
};
const commit = (message: string) => {
  git('add', '-A');
  git('-c', 'user.name=test', '-c', 'user.email=test@example.com', 'commit', '--quiet', '-m', message);
};

const GOOD = `export default { name: 'good', options: {}, guarantees: () => ({ noLostAcked: true, noDuplicates: true, noCorruption: true }), writer: () => ({ write: async (r) => [r.id] }) };\n`;

git('init', '--quiet');
write('package.json', '{ "name": "my-writers", "private": true, "type": "module" }\n');
write('plugins/writer.js', 'export default { name: "broken" };\n');
commit('a plugin that is not a strategy');
write('plugins/writer.js', GOOD);
commit('the plugin fixed');

afterAll(() => rmSync(repo, { recursive: true, force: true }));

const leftovers = () => readdirSync(tmpdir()).filter((name) => name.startsWith('parquet-chaos-sides-'));

describe('the two sides of a gate between commits', () => {
  it('checks the base out detached, resolves a plugin path in each side\'s checkout, leaves built-in names alone, and removes the checkout', () => {
    // Arrange
    const before = leftovers();

    // Act: from a subfolder, as a user in their plugins folder would.
    const sides = openGitSides({ cwd: join(repo, 'plugins'), strategies: ['./writer.js:mode=a', 'realtime'], base: 'HEAD~1' });
    const base = sides.specOf('./writer.js:mode=a', 'base');
    const head = sides.specOf('./writer.js:mode=a', 'head');

    // Assert
    expect(sides.comparison).toMatchObject({
      repository: repo, folder: 'plugins', strategies: ['./writer.js:mode=a', 'realtime'], harness: 'running tool',
      base: { ref: 'HEAD~1', commit: git('rev-parse', 'HEAD~1') }, head: { ref: null, commit: git('rev-parse', 'HEAD') },
    });
    expect(sides.comparison.head.dirty).toBeUndefined();
    expect(sides.own).toBeUndefined();
    expect(base).toBe(join(sides.base.root, 'plugins', 'writer.js:mode=a'));
    expect(head).toBe(join(repo, 'plugins', 'writer.js:mode=a'));
    expect(git('-C', sides.base.root, 'rev-parse', 'HEAD')).toBe(git('rev-parse', 'HEAD~1'));
    expect(sides.specOf('realtime', 'base')).toBe('realtime');

    sides.dispose();
    expect(existsSync(sides.base.root)).toBe(false);
    expect(git('worktree', 'list', '--porcelain').split('\n').filter((l) => l.startsWith('worktree '))).toEqual([`worktree ${repo}`]);
    expect(leftovers()).toEqual(before);
  });

  it('records a dirty working tree as a hash of its changes, the same for the same changes', () => {
    // Arrange
    write('plugins/writer.js', `${GOOD}// tuned\n`);
    write('plugins/new.js', GOOD);

    // Act
    const first = openGitSides({ cwd: repo, strategies: ['./plugins/writer.js'], base: 'HEAD' });
    first.dispose();
    const second = openGitSides({ cwd: repo, strategies: ['./plugins/writer.js'], base: 'HEAD' });
    second.dispose();
    write('plugins/new.js', `${GOOD}// other\n`);
    const third = openGitSides({ cwd: repo, strategies: ['./plugins/writer.js'], base: 'HEAD' });
    third.dispose();
    git('checkout', '--quiet', '--', 'plugins/writer.js');
    rmSync(join(repo, 'plugins/new.js'));

    // Assert
    expect(first.comparison.head.dirty).toEqual({ diffHash: expect.stringMatching(/^[0-9a-f]{16}$/), files: ['plugins/writer.js', 'plugins/new.js'] });
    expect(second.comparison.head.dirty!.diffHash).toBe(first.comparison.head.dirty!.diffHash);
    expect(third.comparison.head.dirty!.diffHash).not.toBe(first.comparison.head.dirty!.diffHash);
  });

  it('refuses a ref that names no commit and a plugin outside the repository before checking anything out', () => {
    // Arrange
    const before = leftovers();

    // Act / Assert
    expect(() => openGitSides({ cwd: repo, strategies: ['./plugins/writer.js'], base: 'no-such-branch' })).toThrow(expect.objectContaining({ code: 'E_BAD_OPTION', option: '--base', value: 'no-such-branch' }));
    expect(() => openGitSides({ cwd: repo, strategies: ['./plugins/writer.js'], base: 'HEAD', head: 'v9' })).toThrow(expect.objectContaining({ option: '--head', value: 'v9' }));
    expect(() => openGitSides({ cwd: repo, strategies: ['../elsewhere.js'], base: 'HEAD' })).toThrow(expect.objectContaining({ code: 'E_BAD_OPTION', option: '--strategy', value: '../elsewhere.js' }));
    expect(() => openGitSides({ cwd: tmpdir(), strategies: ['realtime'], base: 'HEAD' })).toThrow(expect.objectContaining({ code: 'E_USAGE' }));
    expect(leftovers()).toEqual(before);
  });

  it('when the repository depends on parquet-chaos through its lockfile, each side runs its own harness: the working tree is then a snapshot checkout of its own', () => {
    // Arrange: the dependency committed; then an edit, a deletion and an untracked file left uncommitted.
    write('package-lock.json', JSON.stringify({ lockfileVersion: 3, packages: { '': {}, 'node_modules/parquet-chaos': { version: '0.1.0' } } }));
    write('plugins/gone.js', GOOD);
    commit('depends on parquet-chaos');
    write('plugins/writer.js', `${GOOD}// tuned\n`);
    rmSync(join(repo, 'plugins/gone.js'));
    write('plugins/new.js', GOOD);

    // Act
    const sides = openGitSides({ cwd: repo, strategies: ['./plugins/writer.js'], base: 'HEAD~1' });
    const snapshot = (path: string) => (existsSync(join(sides.head.root, path)) ? readFileSync(join(sides.head.root, path), 'utf8') : undefined);
    const seen = { writer: snapshot('plugins/writer.js'), gone: snapshot('plugins/gone.js'), added: snapshot('plugins/new.js') };
    sides.dispose();
    git('checkout', '--quiet', '--', 'plugins/writer.js', 'plugins/gone.js');
    rmSync(join(repo, 'plugins/new.js'));

    // Assert
    expect(sides.own).toBe('dependency');
    expect(sides.comparison.harness).toBe("each side's own");
    expect(sides.head.root).not.toBe(repo);
    expect(sides.specOf('./plugins/writer.js', 'head')).toBe(join(sides.head.root, 'plugins', 'writer.js'));
    expect(seen).toEqual({ writer: `${GOOD}// tuned\n`, gone: undefined, added: GOOD });
    expect(sides.comparison.head).toMatchObject({ ref: null, commit: git('rev-parse', 'HEAD'), dirty: { files: expect.arrayContaining(['plugins/writer.js', 'plugins/gone.js', 'plugins/new.js']) } });
    expect(existsSync(sides.head.root)).toBe(false);
    expect(git('worktree', 'list', '--porcelain').split('\n').filter((l) => l.startsWith('worktree '))).toEqual([`worktree ${repo}`]);
  });

  it('loads every spec of both sides before the first cell: a base commit whose plugin is no strategy is bad input naming the side and the spec', async () => {
    // Arrange: HEAD~2 holds the broken plugin, HEAD the fixed one.
    const sides = openGitSides({ cwd: repo, strategies: ['./plugins/writer.js'], base: 'HEAD~2' });
    const outDir = join(repo, 'runs');
    const { strategies: _s, scenarios: _sc, workers: _w, ...run } = defaultRunConfig();

    // Act
    const gate = runGate({
      base: 'HEAD~2', head: 'working tree', git: sides.comparison, specOf: sides.specOf, scenarios: ['main-file-contention'], workers: [1],
      repeat: 5, maxRepeat: 5, looks: 1, alpha: 0.05, minEffect: GATE_DEFAULTS.minEffect, inconclusiveOk: false, run, outDir, command: 'test',
      tolerances: Object.fromEntries(gateCounterNames.map((k) => [k, GATE_COUNTERS[k].tolerance])) as Record<GateCounter, Tolerance>,
    }).finally(() => sides.dispose());

    // Assert: nothing ran (no gate folder), and the message names the side, its ref and commit, and the spec.
    await expect(gate).rejects.toMatchObject({
      code: 'E_PLUGIN', message: expect.stringMatching(new RegExp(`^base HEAD~2 \\(${git('rev-parse', 'HEAD~2').slice(0, 7)}\\): strategy \\./plugins/writer\\.js \\(.*/base/plugins/writer\\.js\\): strategy plugin .* does not implement the strategy API`)),
    });
    expect(existsSync(outDir)).toBe(false);
  });

  it('with --strategy, --base and --head are refs: --base is required, and a baseline is refused (exit 2 before anything runs)', async () => {
    // Arrange
    const errors: string[] = [];
    const io = { out: () => undefined, err: (text: string) => { errors.push(text); }, isTTY: false, env: {} };

    // Act
    const codes = [
      await main(['gate', '--strategy', './plugin.js'], io),
      await main(['gate', '--strategy', './plugin.js', '--base', 'HEAD', '--save-baseline', join(repo, 'b.json')], io),
      await main(['gate', '--strategy', './plugin.js', '--base', 'HEAD', '--baseline', join(repo, 'b.json')], io),
    ];

    // Assert
    expect(codes).toEqual([2, 2, 2]);
    expect(errors.join('')).toMatch(/--base.*a git ref to compare the working tree/);
    expect(errors.join('')).toMatch(/--save-baseline.*no value with --strategy/);
  });

  it('checks out under the repository\'s node_modules/.cache when it has one, so that a plugin\'s own dependencies resolve from either side', () => {
    // Arrange
    write('.gitignore', 'node_modules/\n');
    commit('ignore node_modules');
    write('node_modules/some-dependency/index.js', 'export const x = 1;\n');

    // Act
    const sides = openGitSides({ cwd: repo, strategies: ['./plugins/writer.js'], base: 'HEAD' });
    const root = sides.base.root;
    sides.dispose();

    // Assert
    expect(root.startsWith(join(repo, 'node_modules', '.cache', 'parquet-chaos-sides-'))).toBe(true);
    expect(sides.comparison.head.dirty).toBeUndefined();
    expect(readdirSync(join(repo, 'node_modules', '.cache'))).toEqual([]);
  });
});
