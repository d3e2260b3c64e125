/**
 * The two sides of `gate --strategy SPEC,… --base REF [--head REF]`: each a commit of the repository the
 * command runs in, checked out detached with `git worktree add` into a temporary folder (the head, when
 * no --head is given, is the working tree itself, uncommitted changes included and hashed), and a
 * strategy spec's paths resolved inside each side's checkout. The checkouts are removed when the gate
 * ends, is interrupted, or the process exits. When each side runs its own harness (side-harness.ts), the
 * working tree is copied into a checkout of its own too (HEAD with its uncommitted changes applied), so
 * that building its harness leaves the working tree's dist/ alone and an edit during the gate changes nothing.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { badValue, ChaosError } from '../sdk/errors.js';
import { isPluginPath, parseStrategySpec } from '../sdk/spec.js';
import type { GitComparison, GitSideInfo } from '../result/gate-result.js';
import { ownHarnessKind, type OwnHarnessKind } from './side-harness.js';

export type SideName = 'base' | 'head';

/** One side as checked out: what the result records, and the folder its specs resolve in. */
export interface GitSide extends GitSideInfo {
  /** The checkout's top folder (the working tree's own for a head without --head). */
  root: string;
}

export interface GitSides {
  comparison: GitComparison;
  base: GitSide;
  head: GitSide;
  /**
   * Set when each side runs its own harness (the repository is parquet-chaos, or depends on it through
   * package-lock.json): then the head without --head is a checkout too, a snapshot of the working tree.
   */
  own?: OwnHarnessKind;
  /** A spec as written (relative to the command's folder) as it runs on one side: its path inside that side's checkout. */
  specOf(spec: string, side: SideName): string;
  /** Removes the temporary checkouts (idempotent). */
  dispose(): void;
}

function git(cwd: string, args: string[], input?: string): string {
  return execFileSync('git', ['-C', cwd, ...args], { encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'], maxBuffer: 256 * 1024 * 1024, ...(input === undefined ? {} : { input }) });
}

/** The top folder of the repository `cwd` is in; bad usage when it is in none (or git is missing). */
export function repositoryRoot(cwd: string): string {
  try {
    return git(cwd, ['rev-parse', '--show-toplevel']).trim();
  } catch (cause) {
    throw new ChaosError('E_USAGE', `--base names a git ref, but ${cwd} is not inside a git repository (or git is not installed)`, {
      option: '--base', value: cwd, expected: 'to run gate --strategy … --base REF inside the repository whose commits are compared', cause,
    });
  }
}

/** The commit a ref names; bad usage naming the flag when it names none. */
export function resolveCommit(repo: string, ref: string, flag: string): string {
  try {
    return git(repo, ['rev-parse', '--verify', '--quiet', '--end-of-options', `${ref}^{commit}`]).trim();
  } catch (cause) {
    throw new ChaosError('E_BAD_OPTION', `${flag} ${ref}: no such commit in ${repo}`, {
      option: flag, value: ref, expected: `a git ref of the repository at ${repo} (a commit, branch, tag, HEAD~1, origin/main; fetch it first in a shallow clone)`, cause,
    });
  }
}

/**
 * The working tree's changes against HEAD, or undefined when it is clean: the files changed or added
 * (untracked ones not ignored) and a SHA-256 over the binary diff and every untracked file's path and
 * contents, so that two gates of the same dirty tree record the same hash.
 */
export function workingTreeChanges(repo: string): GitSideInfo['dirty'] {
  const files = git(repo, ['status', '--porcelain', '--untracked-files=all']).split('\n').filter(Boolean).map((line) => line.slice(3));
  if (files.length === 0) return undefined;
  const hash = createHash('sha256').update(git(repo, ['diff', 'HEAD', '--binary']));
  for (const path of git(repo, ['ls-files', '--others', '--exclude-standard', '-z']).split('\0').filter(Boolean).sort()) {
    hash.update(`\0${path}\0`);
    const full = join(repo, path);
    if (existsSync(full)) hash.update(readFileSync(full));
  }
  return { diffHash: hash.digest('hex').slice(0, 16), files };
}

/**
 * Where the checkouts go: under the repository's node_modules/.cache when it has node_modules, so that
 * a plugin's own imports (its dependencies) resolve from a checkout as they do from the working tree
 * (Node looks for node_modules in the folders above the importer); else the system's temporary folder.
 */
function checkoutsParent(repo: string): string {
  if (!existsSync(join(repo, 'node_modules'))) return tmpdir();
  const cache = join(repo, 'node_modules', '.cache');
  mkdirSync(cache, { recursive: true });
  return cache;
}

/** Removes one temporary checkout and git's record of it; never throws (it runs on the way out). */
function removeCheckout(repo: string, dir: string): void {
  try {
    git(repo, ['worktree', 'remove', '--force', dir]);
  } catch {
    // Already gone or never registered: the folder and git's record are removed below.
  }
  rmSync(dir, { recursive: true, force: true });
  try {
    git(repo, ['worktree', 'prune']);
  } catch {
    // Nothing to prune.
  }
}

/**
 * Checks out both sides. `base` is a ref; `head` a ref, or undefined for the working tree. Refs are
 * resolved first (a bad one: exit 2 before anything is checked out).
 */
export function openGitSides(options: { cwd: string; strategies: readonly string[]; base: string; head?: string }): GitSides {
  const cwd = resolve(options.cwd);
  const repo = repositoryRoot(cwd);
  const folder = relative(repo, cwd);
  const baseCommit = resolveCommit(repo, options.base, '--base');
  const headCommit = resolveCommit(repo, options.head ?? 'HEAD', '--head');
  for (const spec of options.strategies) insideRepository(spec, cwd, repo);

  // Before any checkout exists, so that none can count as a change.
  const dirty = options.head === undefined ? workingTreeChanges(repo) : undefined;
  const parent = mkdtempSync(join(checkoutsParent(repo), 'parquet-chaos-sides-'));
  const made: string[] = [];
  const dispose = () => {
    for (const dir of made.splice(0)) removeCheckout(repo, dir);
    rmSync(parent, { recursive: true, force: true });
    process.off('exit', dispose);
  };
  // The gate's own Ctrl-C handling ends in the caller's finally; this covers an exit from anywhere else.
  process.on('exit', dispose);
  const checkout = (name: SideName, commit: string): string => {
    const dir = join(parent, name);
    made.push(dir);
    try {
      git(repo, ['worktree', 'add', '--detach', '--quiet', dir, commit]);
    } catch (cause) {
      dispose();
      throw new ChaosError('E_USAGE', `could not check out the ${name} side (${commit}) with git worktree add: ${(cause as { stderr?: string }).stderr?.trim() || String(cause)}`, {
        option: `--${name}`, value: commit, expected: 'a commit git can check out into a new worktree', cause,
      });
    }
    return dir;
  };

  // Whose harness runs the sides is decided by the working tree's package files (what the user runs the gate in).
  const own = ownHarnessKind(repo);
  const base: GitSide = { ref: options.base, commit: baseCommit, root: checkout('base', baseCommit) };
  const head: GitSide = options.head !== undefined
    ? { ref: options.head, commit: headCommit, root: checkout('head', headCommit) }
    : { ref: null, commit: headCommit, root: own ? snapshot(repo, checkout('head', headCommit), dirty) : repo, ...(dirty ? { dirty } : {}) };
  const info = ({ root: _root, ...side }: GitSide): GitSideInfo => side;
  const comparison: GitComparison = {
    repository: repo, folder, strategies: [...options.strategies], base: info(base), head: info(head), harness: own ? "each side's own" : 'running tool',
  };
  const sides = { base, head };
  return {
    comparison, base, head, dispose, ...(own ? { own } : {}),
    specOf: (spec, side) => {
      const parsed = parseStrategySpec(spec);
      if (!isPluginPath(parsed.name)) return spec;
      const inRepo = relative(repo, resolve(cwd, parsed.name));
      return join(sides[side].root, inRepo) + spec.slice(parsed.name.length);
    },
  };
}

/**
 * Makes a checkout of HEAD the working tree as it is: its uncommitted changes applied (the binary diff
 * against HEAD: edits, deletions, staged or not) and its untracked files (not ignored) copied, the same
 * changes `workingTreeChanges` hashed.
 */
function snapshot(repo: string, dir: string, dirty: GitSideInfo['dirty']): string {
  if (!dirty) return dir;
  const diff = git(repo, ['diff', 'HEAD', '--binary']);
  if (diff.trim() !== '') git(dir, ['apply', '--whitespace=nowarn'], diff);
  for (const path of git(repo, ['ls-files', '--others', '--exclude-standard', '-z']).split('\0').filter(Boolean)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    copyFileSync(join(repo, path), join(dir, path));
  }
  return dir;
}

/** A plugin or manifest path must lie inside the repository: only then does each commit have its own copy. */
function insideRepository(spec: string, cwd: string, repo: string): void {
  const { name } = parseStrategySpec(spec);
  if (!isPluginPath(name)) return;
  const inRepo = relative(repo, resolve(cwd, name));
  if (inRepo === '' || inRepo === '..' || inRepo.startsWith(`..${sep}`) || isAbsolute(inRepo)) {
    throw badValue('E_BAD_OPTION', '--strategy', spec, `a built-in name, or a plugin or manifest path inside the repository at ${repo} (each commit's copy of it is run)`);
  }
}

/** How a side is named in messages: `base HEAD~1 (1a2b3c4)`, `head working tree (5d6e7f8 + changes 0a1b…)`. */
export function describeSide(name: SideName, side: GitSideInfo): string {
  return `${name} ${side.ref ?? 'working tree'} (${side.commit.slice(0, 7)}${side.dirty ? ` + uncommitted changes ${side.dirty.diffHash}` : ''})`;
}
