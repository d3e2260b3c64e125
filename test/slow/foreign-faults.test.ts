import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { runSmall } from '../support/cell.js';
import { processesMentioning } from '../support/processes.js';

// Faults on real foreign processes: a kill or a pause takes the harness role process and the foreign
// child together (one process group), crash points go through the protocol, and nothing of the run
// outlives it, even when the CLI is interrupted or SIGKILLed. The manifest lives in a folder of its
// own and passes that folder to the child as an argument, so every foreign child is found by it.
const marker = mkdtempSync(join(tmpdir(), 'parquet-chaos-foreign-'));
const manifest = join(marker, 'correct.json');
const base = JSON.parse(readFileSync(resolve(import.meta.dirname, '../fixtures/foreign/correct.json'), 'utf8'));
writeFileSync(manifest, JSON.stringify({ ...base, roles: { writer: { command: ['node', resolve(import.meta.dirname, '../fixtures/foreign/correct.mjs'), marker] } } }));

afterAll(() => {
  expect(processesMentioning(marker)).toEqual([]);
  rmSync(marker, { recursive: true, force: true });
});

const until = async (what: () => boolean, ms: number) => {
  for (const end = Date.now() + ms; Date.now() < end && !what();) await new Promise((r) => setTimeout(r, 50));
  return what();
};

describe('faults on a foreign writer (real processes)', () => {
  it('buffer-crash: kills and a pause of the whole group, restarts, every acked record kept, no foreign process left', async () => {
    // Act
    const result = await runSmall({ strategies: [manifest], scenarios: ['buffer-crash'], workers: 3, recordsPerWorker: 10, faults: 'default' });

    // Assert
    const [cell] = result.cells;
    expect(cell!.errors).toEqual([]);
    expect(cell!.faults.kills).toBe(2);
    expect(cell!.faults.pauses).toBe(1);
    expect(cell!.faults.restarts).toBe(2);
    expect(cell!.verdict.valid).toBe(true);
    expect(cell!.verdict.acked).toBe(30);
    expect(processesMentioning(marker)).toEqual([]);
  }, 180_000);

  it('a crash point and a pause at a point, announced over the protocol, are carried out on the group', async () => {
    // Act
    const faults = 'crash-point:target=writer-0,point=js:before-rename,nth=2;pause:target=writer-1,point=js:before-rename,nth=3,duration=300';
    const result = await runSmall({ strategies: [manifest], scenarios: ['main-file-contention'], workers: 2, recordsPerWorker: 6, faults });

    // Assert
    const [cell] = result.cells;
    expect(cell!.errors).toEqual([]);
    expect(cell!.faults.crashPoints).toBe(1);
    expect(cell!.faults.log.filter((e) => e.kind === 'pause').map((e) => e.action)).toEqual(['SIGSTOP self', 'SIGCONT']);
    expect(cell!.faults.restarts).toBe(1);
    expect(cell!.verdict.valid).toBe(true);
    expect(cell!.verdict.acked).toBe(12);
  }, 180_000);

  it('refuses, before anything runs, I/O faults a foreign process cannot take, naming the faults it can', async () => {
    await expect(runSmall({ strategies: [manifest], scenarios: ['main-file-contention'], workers: 1, recordsPerWorker: 1, faults: 'io-error:target=writer-0,op=rename' }))
      .rejects.toThrow(/io-error.*cannot reach.*js-file-per-record.*kill, pause, crash-point/s);
  });

  it.each([['SIGINT', 'interrupted'], ['SIGKILL', 'killed']])('the CLI %s while a foreign writer group is SIGSTOPped leaves no process behind', async (signal) => {
    // Arrange: writer-0 (its role process and its foreign child) paused for a minute after its first
    // attempt; the children stay even when their stdin ends (linger): only a kill of the group ends them.
    const out = mkdtempSync(join(tmpdir(), 'parquet-chaos-foreign-out-'));
    const cli = execa(process.execPath, ['--import', 'tsx', resolve(import.meta.dirname, '../../harness/cli/main.ts'), 'run',
      '--strategy', `${manifest}:linger=true`, '--scenario', 'main-file-contention', '--workers', '2', '--records', '50', '--think-ms', '20', '--out', out,
      '--faults', 'pause:target=writer-0,afterAttempts=1,duration=60000',
    ], { reject: false });
    const faultLog = () => {
      const path = existsSync(out) ? readdirSync(out, { recursive: true, encoding: 'utf8' }).find((f) => f.endsWith('faults.jsonl')) : undefined;
      return path ? readFileSync(join(out, path), 'utf8') : '';
    };
    expect(await until(() => faultLog().includes('SIGSTOP'), 60_000), faultLog()).toBe(true);
    expect(processesMentioning(marker).length).toBeGreaterThan(0);

    // Act
    cli.kill(signal as NodeJS.Signals);
    await cli;

    // Assert
    expect(await until(() => processesMentioning(marker).length === 0 && processesMentioning(out).length === 0, 5000),
      [...processesMentioning(marker), ...processesMentioning(out)].join('\n')).toBe(true);
    rmSync(out, { recursive: true, force: true });
  }, 120_000);
});
