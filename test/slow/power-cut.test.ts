import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fuseProblem } from '../../harness/fuse/requirements.js';
import { readMounts } from '../../harness/fuse/mounts.js';
import type { CellResult } from '../../harness/result/result.js';
import { runSmall } from '../support/cell.js';

const fixture = (name: string) => resolve(import.meta.dirname, '../fixtures', `${name}.ts`);
const problem = fuseProblem();
const crashfsMounts = () => readMounts().filter((m) => m.type === 'fuse.crashfs');

/** The power-loss events of a cell's fault log, as `action: detail`. */
const powerEvents = (cell: CellResult) => cell.faults.log.filter((e) => e.kind === 'power-loss').map((e) => e.action);

/**
 * Real processes over crashfs. One writer, 6 records; the power goes as the writer starts its 4th
 * record (the `record:begin` point, nth=4): records 0–2 are acked by then. `state=harshest` keeps
 * nothing that was not made durable, so each broken fixture loses exactly what it never made durable,
 * and each twin nothing.
 */
describe.skipIf(problem !== undefined)(`power-cut (real processes on crashfs)${problem ? ` — skipped: ${problem}` : ''}`, () => {
  const faults = 'power-loss:of=writer-0,point=record:begin,nth=4,state=harshest';

  it('never-fsync and rename-without-folder-sync lose the 3 records acked before the cut; the synced twin keeps them', async () => {
    const specs = [`${fixture('publish-sync')}:sync=none`, `${fixture('publish-sync')}:sync=file`, `${fixture('publish-sync')}:sync=all`];
    const result = await runSmall({ strategies: [specs.join(',')], scenarios: ['power-cut'], workers: 1, recordsPerWorker: 6, thinkMs: 0, faults });
    const [none, file, all] = result.cells;
    for (const cell of [none!, file!, all!]) {
      expect(cell.errors).toEqual([]);
      expect(cell.faults.outcomes).toMatchObject([{ kind: 'power-loss', fired: true }]);
      expect(powerEvents(cell)).toEqual(['SIGSTOP self', 'power cut', 'post-crash state', 'post-crash state', 'rebooted']);
    }
    expect(none!.verdict).toMatchObject({ valid: false, acked: 6, lost: 3, broken: ['noLostAcked'] });
    expect(none!.verdict.evidence.lost).toEqual(['w0-0', 'w0-1', 'w0-2']);
    expect(file!.verdict).toMatchObject({ valid: false, acked: 6, lost: 3, broken: ['noLostAcked'] });
    expect(all!.verdict).toMatchObject({ valid: true, acked: 6, lost: 0 });
    expect(crashfsMounts()).toEqual([]);
  });

  it('an ack before the fsync loses the one record acked but not yet synced; acking after the fsync loses none', async () => {
    const specs = [fixture('ack-before-fsync'), `${fixture('ack-before-fsync')}:ack=after-fsync`];
    const result = await runSmall({ strategies: [specs.join(',')], scenarios: ['power-cut'], workers: 1, recordsPerWorker: 6, thinkMs: 0, faults });
    const [before, after] = result.cells;
    for (const cell of [before!, after!]) {
      expect(cell.errors).toEqual([]);
      expect(cell.faults.outcomes).toMatchObject([{ kind: 'power-loss', fired: true }]);
    }
    expect(before!.verdict).toMatchObject({ valid: false, acked: 6, lost: 1 });
    expect(before!.verdict.evidence.lost).toEqual(['w0-2']);
    expect(after!.verdict).toMatchObject({ valid: true, acked: 6, lost: 0 });
    expect(crashfsMounts()).toEqual([]);
  });
});

describe('power-cut where FUSE is missing', () => {
  it('exits 2 before the first cell, naming what is needed; power-cut is not in the default scenario list', async () => {
    const { execa } = await import('execa');
    const { mkdtempSync, readdirSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { defaultScenarioNames } = await import('../../scenarios/index.js');
    const out = mkdtempSync(join(tmpdir(), 'pc-nofuse-'));
    // An empty PATH: no fusermount3, gcc nor pkg-config to be found, as on a machine without them.
    const result = await execa(process.execPath, ['--import', 'tsx', resolve(import.meta.dirname, '../../harness/cli/main.ts'), 'run',
      '--strategy', 'realtime', '--scenario', 'power-cut', '--out', out], { reject: false, env: { PATH: '' } });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(/--scenario power-cut .*power loss needs a FUSE file system, and this machine lacks: .*fusermount3 \(Debian package fuse3\).*gcc/);
    expect(readdirSync(out)).toEqual([]);
    expect(defaultScenarioNames).not.toContain('power-cut');
  });
});
