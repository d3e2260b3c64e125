import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { SimFs, type CrashReport, type PersistenceModel } from '../sim/fs.js';
import type { Random } from '../sdk/random.js';
import { crashfsBinary } from './build.js';
import { readJournal } from './journal.js';
import { forceUnmount, readMounts } from './mounts.js';
import { replayJournal } from './replay.js';

const run = promisify(execFile);
const MOUNT_TIMEOUT_MS = 10_000;
const UNMOUNT_TRIES = 50;

export class PowerLossError extends Error {
  readonly code = 'E_POWER_LOSS';
}

/** What one power loss left, for the fault log. */
export interface PowerLossOutcome {
  report: CrashReport;
  /** The choice made for each crash group, with the group's label and how many options it had. */
  choices: { group: string; option: number; options: number }[];
  /** Pending operations at the power loss, and how many of them survived (whole or torn). */
  pending: number;
  survived: number;
}

/**
 * One crashfs mount: `mountpoint` shows `backing` through the daemon, which journals every change.
 * The journal of each life of the mount is replayed, when it is unmounted, into a simulated file
 * system under the persistence model, which thus knows at every moment what is durable. A power loss
 * unmounts, lets the model keep one allowed state (chosen from `random`), writes that state into the
 * backing folder and mounts again: what the programs find after the reboot.
 */
export class CrashMount {
  private readonly fs: SimFs;
  private readonly calls = new Map<number, number>();
  private daemon: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();
  private life = 0;
  private stderr = '';

  constructor(
    readonly mountpoint: string,
    readonly backing: string,
    /** Where the journals and the daemon's logs go (outside the mount). */
    readonly workDir: string,
    model: PersistenceModel,
  ) {
    // The backing folder starts empty: its root is the one durable folder.
    this.fs = new SimFs(model, ['/']);
  }

  private journalPath(): string {
    return join(this.workDir, `journal-${this.life}.bin`);
  }

  get mounted(): boolean {
    return this.daemon !== undefined;
  }

  async mount(): Promise<void> {
    mkdirSync(this.workDir, { recursive: true });
    mkdirSync(this.backing, { recursive: true });
    mkdirSync(this.mountpoint, { recursive: true });
    const binary = crashfsBinary();
    const options = `backing=${this.backing},journal=${this.journalPath()},auto_unmount`;
    const daemon = spawn(binary, [this.mountpoint, '-f', '-s', '-o', options], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.daemon = daemon;
    this.stderr = '';
    daemon.stderr!.on('data', (chunk: Buffer) => { this.stderr = (this.stderr + chunk.toString()).slice(-4000); });
    this.exited = new Promise((resolve) => daemon.once('close', () => resolve()));
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => fail(`no 'ready' within ${MOUNT_TIMEOUT_MS} ms`), MOUNT_TIMEOUT_MS);
      const fail = (why: string) => {
        clearTimeout(timer);
        daemon.kill('SIGKILL');
        this.daemon = undefined;
        reject(new PowerLossError(`crashfs could not mount ${this.mountpoint}: ${why}${this.stderr ? `: ${this.stderr.trim()}` : ''}`));
      };
      daemon.once('error', (error) => fail(error.message));
      daemon.once('exit', (code, signal) => fail(`the daemon exited (${signal ?? `code ${code}`})`));
      daemon.stdout!.on('data', (chunk: Buffer) => {
        if (!chunk.toString().includes('ready')) return;
        clearTimeout(timer);
        daemon.removeAllListeners('exit');
        resolve();
      });
    });
  }

  /**
   * Unmounts (retrying while files are still being closed, lazily in the end), waits for the daemon,
   * and replays its journal into the model. Throws when the journal is not whole (the daemon died) or
   * the model cannot follow it.
   */
  async unmount(): Promise<void> {
    const daemon = this.daemon;
    if (!daemon) return;
    this.daemon = undefined;
    for (let i = 0; i < UNMOUNT_TRIES && this.isMounted(); i++) {
      try {
        await run('fusermount3', ['-u', this.mountpoint]);
      } catch {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    }
    if (this.isMounted()) forceUnmount(this.mountpoint);
    await this.exited;
    const journal = readJournal(readFileSync(this.journalPath()));
    if (!journal.complete) throw new PowerLossError(`crashfs at ${this.mountpoint} ended without closing its journal (the daemon died${this.stderr ? `: ${this.stderr.trim()}` : ''}); what was durable is unknown`);
    try {
      replayJournal(this.fs, journal.entries, this.calls);
    } catch (error) {
      throw new PowerLossError(`crashfs at ${this.mountpoint}: the persistence model could not follow an operation (${(error as Error).message})`);
    }
    rmSync(this.journalPath(), { force: true });
    this.life++;
    this.verifyBacking();
  }

  private isMounted(): boolean {
    return readMounts().some((m) => m.mountpoint === this.mountpoint);
  }

  /** The model's view must be the backing folder's: otherwise an operation escaped the journal. */
  private verifyBacking(): void {
    const { dirs, files } = this.fs.image();
    const seen = listTree(this.backing);
    const expected = [...dirs.filter((d) => d !== '/').map((d) => `${d}/`), ...files.keys()].sort();
    const actual = [...seen.keys()].sort();
    const differ = expected.find((p, i) => p !== actual[i]) ?? actual.find((p, i) => p !== expected[i]);
    if (differ !== undefined || expected.length !== actual.length) {
      throw new PowerLossError(`crashfs at ${this.mountpoint}: the journal's replay and the backing folder differ at ${differ ?? '(count)'}`);
    }
    for (const [path, bytes] of files) {
      if (!Buffer.from(bytes).equals(readFileSync(join(this.backing, path)))) {
        throw new PowerLossError(`crashfs at ${this.mountpoint}: the journal's replay and the backing folder differ in the content of ${path}`);
      }
    }
  }

  /**
   * The power loss: (every process using the mount is already dead) unmount, keep one state the
   * model allows, chosen group by group from `random`, write it to the backing folder, mount again.
   * With `harshest`, every group keeps its harshest option (nothing un-synced survives).
   */
  async powerLoss(random: Random, harshest = false): Promise<PowerLossOutcome> {
    await this.unmount();
    const pending = this.fs.pending().length;
    const choices: number[] = [];
    for (;;) {
      const groups = this.fs.crashGroups(choices);
      const next = groups[choices.length];
      if (!next) break;
      choices.push(harshest ? 0 : random.int(next.options.length));
    }
    const groups = this.fs.crashGroups(choices);
    const report = this.fs.powerLoss(choices);
    const { dirs, files } = this.fs.image();
    rmSync(this.backing, { recursive: true, force: true });
    mkdirSync(this.backing, { recursive: true });
    for (const dir of dirs) mkdirSync(join(this.backing, dir), { recursive: true });
    for (const [path, bytes] of files) writeFileSync(join(this.backing, path), bytes);
    // The written state is the disk after the reboot; the model already holds it as durable.
    await this.mount();
    return {
      report,
      choices: groups.map((g, i) => ({ group: g.label, option: choices[i]!, options: g.options.length })),
      pending,
      survived: report.outcomes.filter((o) => o.fate !== 'dropped').length,
    };
  }

  /** Every state a power loss now may leave (as SimFs.crashStates; call when unmounted, for tests). */
  possibleStates(limit?: number): Record<string, string>[] {
    return this.fs.crashStates(limit).map((s) => s.snapshot);
  }

  /** Unmounts for good (the model's last replay included); the backing folder holds the final state. */
  async close(): Promise<void> {
    await this.unmount();
  }

  /** Ends the daemon and the mount at once, whatever state they are in (Ctrl-C, a failed cell). */
  async kill(): Promise<void> {
    const daemon = this.daemon;
    this.daemon = undefined;
    forceUnmount(this.mountpoint);
    daemon?.kill('SIGKILL');
    await this.exited;
  }
}

/** Every folder (with a trailing /) and file under `root`, as absolute-in-root paths. */
function listTree(root: string): Map<string, 'dir' | 'file'> {
  const out = new Map<string, 'dir' | 'file'>();
  const walk = (dir: string, prefix: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = `${prefix}/${entry.name}`;
      if (entry.isDirectory()) {
        out.set(`${path}/`, 'dir');
        walk(join(dir, entry.name), path);
      } else out.set(path, 'file');
    }
  };
  walk(root, '');
  return out;
}
