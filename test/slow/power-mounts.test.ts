import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { crashfsBinary } from '../../harness/fuse/build.js';
import { cleanStaleMounts, crashfsMountsUnder, daemonOf } from '../../harness/fuse/mounts.js';
import { fuseProblem } from '../../harness/fuse/requirements.js';
import { processesMentioning } from '../support/processes.js';

const problem = fuseProblem();
const cliMain = resolve(import.meta.dirname, '../../harness/cli/main.ts');
const fixture = (name: string) => resolve(import.meta.dirname, '../fixtures', `${name}.ts`);

/** Polls until `check` holds (each step waits for the machine, not a race against it); gives up after `ms`. */
async function until(check: () => boolean, ms = 60_000): Promise<boolean> {
  for (const end = Date.now() + ms; Date.now() < end; await new Promise((r) => setTimeout(r, 100))) if (check()) return true;
  return check();
}

/** A CLI run over crashfs whose writers hang (the power loss, at 10 min, never comes). */
function hangingRun(out: string) {
  return execa(process.execPath, ['--import', 'tsx', cliMain, 'run', '--strategy', fixture('hanging'), '--scenario', 'power-cut',
    '--workers', '2', '--records', '5', '--faults', 'power-loss:at=600000', '--out', out], { reject: false });
}

describe.skipIf(problem !== undefined)(`no stale mounts${problem ? ` — skipped: ${problem}` : ''}`, () => {
  it('Ctrl-C of a run over crashfs: exit 130, nothing mounted, no daemon left', async () => {
    const out = mkdtempSync(join(tmpdir(), 'pc-mounts-int-'));
    const cli = hangingRun(out);
    expect(await until(() => crashfsMountsUnder(out).length === 2)).toBe(true);
    cli.kill('SIGINT');
    const result = await cli;
    expect(result.exitCode).toBe(130);
    expect(crashfsMountsUnder(out)).toEqual([]);
    expect(processesMentioning(out)).toEqual([]);
    rmSync(out, { recursive: true, force: true });
  });

  it('SIGKILL of the CLI: its daemons die with it and their mounts go', async () => {
    const out = mkdtempSync(join(tmpdir(), 'pc-mounts-kill-'));
    const cli = hangingRun(out);
    expect(await until(() => crashfsMountsUnder(out).length === 2)).toBe(true);
    const daemons = crashfsMountsUnder(out).map(daemonOf);
    expect(daemons.every((pid) => pid !== undefined)).toBe(true);
    cli.kill('SIGKILL');
    await cli;
    // The daemons' PR_SET_PDEATHSIG ends them; their auto-unmount helpers then take the mounts away.
    expect(await until(() => crashfsMountsUnder(out).length === 0 && processesMentioning(out).length === 0)).toBe(true);
    rmSync(out, { recursive: true, force: true });
  });

  it('a crashed daemon: its mount goes, the cell says why and is not a pass', async () => {
    const out = mkdtempSync(join(tmpdir(), 'pc-mounts-crash-'));
    const cli = execa(process.execPath, ['--import', 'tsx', cliMain, 'run', '--strategy', `${fixture('publish-sync')}:sync=all`, '--scenario', 'power-cut',
      '--workers', '1', '--records', '40', '--think-ms', '100', '--faults', 'power-loss:at=600000', '--out', out], { reject: false });
    expect(await until(() => crashfsMountsUnder(out).length === 2)).toBe(true);
    const data = crashfsMountsUnder(out).find((m) => m.mountpoint.endsWith('/data'))!;
    process.kill(daemonOf(data)!, 'SIGKILL');
    const result = await cli;
    expect(result.exitCode).not.toBe(0);
    expect(crashfsMountsUnder(out)).toEqual([]);
    const [runId] = readdirSync(out);
    const saved = JSON.parse(readFileSync(join(out, runId!, 'result.json'), 'utf8'));
    expect(saved.cells[0].verdict.valid).not.toBe(true);
    expect(saved.cells[0].errors.map((e: { code: string }) => e.code)).toContain('E_POWER_LOSS');
    expect(processesMentioning(out)).toEqual([]);
    rmSync(out, { recursive: true, force: true });
  });

  it('a stale mount left by an earlier run (its daemon gone, no auto-unmount) is cleaned before the next run', async () => {
    const out = mkdtempSync(join(tmpdir(), 'pc-mounts-stale-'));
    for (const dir of ['mnt', 'backing']) mkdirSync(join(out, dir));
    const daemon = spawn(crashfsBinary(), [join(out, 'mnt'), '-f', '-s', '-o', `backing=${join(out, 'backing')},journal=${join(out, 'journal')}`], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise((ready) => daemon.stdout!.once('data', ready));
    daemon.kill('SIGKILL');
    await new Promise((exited) => daemon.once('close', exited));
    expect(crashfsMountsUnder(out).map((m) => m.mountpoint)).toEqual([join(out, 'mnt')]);
    expect(cleanStaleMounts(out)).toEqual({ cleaned: [join(out, 'mnt')], live: [] });
    expect(crashfsMountsUnder(out)).toEqual([]);
    rmSync(out, { recursive: true, force: true });
  });
});
