import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { runSim, SIM_DEFAULTS } from '../harness/sim/run-sim.js';

/**
 * Issue 21 item 0: `sim` never ends without a verdict. Concurrent I/O within one simulated process is
 * refused with a clear error (the schedule is unknown, never a pass), and an entry point whose event
 * loop drains before it has its result exits non-zero and says why.
 */

const outDir = mkdtempSync(join(tmpdir(), 'parquet-chaos-sim-end-'));
afterAll(() => rmSync(outDir, { recursive: true, force: true }));
const fixture = (name: string) => resolve(import.meta.dirname, 'fixtures', name);
const cli = (args: string[]) => execa(process.execPath, ['--import', 'tsx', resolve(import.meta.dirname, '../harness/cli/main.ts'), ...args], { reject: false });

describe('sim never ends without a verdict', () => {
  it('a finalize that reads files with Promise.all: every schedule unknown, with the refusal named', async () => {
    const result = await runSim({ ...SIM_DEFAULTS, faults: [], strategy: fixture('parallel-finalize.ts'), workers: 2, records: 1, runs: 3, outDir, command: 'test' });
    const search = result.sim!.searches[0]!;
    expect(result.sim!.verdict).toBe('unknown');
    expect({ judged: search.judged, unknown: search.unknown }).toEqual({ judged: 0, unknown: 3 });
    expect(search.firstError).toMatch(/finalize started read data\/own-1\.parquet while its read data\/own-0\.parquet was still pending: concurrent operations/);
  });

  it('the CLI: the Promise.all finalize exits 1 with UNKNOWN printed', async () => {
    const run = await cli(['sim', '--strategy', fixture('parallel-finalize.ts'), '--workers', '2', '--records', '1', '--runs', '2', '--faults', 'none', '--out', outDir]);
    expect(run.exitCode).toBe(1);
    expect(run.stdout).toContain('UNKNOWN');
    expect(run.stdout).toContain('concurrent operations within one simulated process');
  });

  it('the CLI: a finalize awaiting a promise nothing settles exits 1 and says the command ended without a result', async () => {
    const run = await cli(['sim', '--strategy', fixture('never-settles.ts'), '--workers', '1', '--records', '1', '--runs', '1', '--faults', 'none', '--out', outDir]);
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toContain('the command ended without a result');
  });
});

describe('faults do not stop when the writers finish', () => {
  it('a finalize that never fsyncs fails: the schedule ends with a power loss, checked on what survives', async () => {
    const result = await runSim({ ...SIM_DEFAULTS, faults: [], strategy: fixture('finalize-no-fsync.ts'), workers: 1, records: 1, runs: 1, outDir, command: 'test' });
    const ce = result.sim!.searches[0]!.counterexample!;
    expect(result.sim!.verdict).toBe('violation');
    expect(ce.lost.map((l) => l.id)).toEqual(['w0-0']);
    expect(ce.fired).toEqual([expect.objectContaining({ kind: 'power-loss', phase: 'end' })]);
    expect(ce.fired[0]!.crash!.filter((c) => c.fate === 'dropped').map((c) => `${c.op} ${c.path}`)).toEqual(['create data/all.parquet', 'write data/all.parquet']);
  });
});
