import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import type { SimSearch } from '../harness/result/sim-result.js';
import { runSim, SIM_DEFAULTS, unearned, type SimOptions } from '../harness/sim/run-sim.js';

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
    const result = await runSim({ ...SIM_DEFAULTS, faults: [], strategy: fixture('finalize-no-fsync.ts'), workers: 1, records: 1, runs: 30, outDir, command: 'test' });
    const ce = result.sim!.searches[0]!.counterexample!;
    expect(result.sim!.verdict).toBe('violation');
    expect(ce.lost.map((l) => l.id)).toEqual(['w0-0']);
    expect(ce.fired).toEqual([expect.objectContaining({ kind: 'power-loss', phase: 'end' })]);
    expect(ce.fired[0]!.crash!.filter((c) => c.fate === 'dropped').map((c) => `${c.op} ${c.path}`)).toEqual(['create data/all.parquet', 'write data/all.parquet']);
  });
});

describe('a sim pass must be earned (issue 21 item 2)', () => {
  const search = (over: Partial<SimSearch>): SimSearch => ({ target: 'claimed', schedules: 10, judged: 10, vacuous: 0, unknown: 0, shrinks: 0, elapsedMs: 1, coverage: {}, ...over });
  const options = { ...SIM_DEFAULTS, faults: ['crash', 'pause'], strategy: 'x', outDir, command: 'test' } as SimOptions;
  const fired = { planned: 3, fired: 2, byPhase: { writers: 2 } };

  it('unknown when a searched fault kind never fired in a judged schedule, or too few schedules were judged', () => {
    expect(unearned(search({ coverage: { crash: fired, pause: fired } }), options)).toEqual([]);
    expect(unearned(search({ coverage: { crash: fired, pause: { planned: 4, fired: 0, byPhase: {} } } }), options)).toEqual(['no pause fault fired in a judged schedule']);
    expect(unearned(search({ judged: 7, unknown: 3, coverage: { crash: fired, pause: fired } }), options)).toEqual(['7 of 10 schedules judged, below the required 80%']);
    expect(unearned(search({ judged: 0, unknown: 10 }), options)).toEqual(['no schedule could be judged (nothing acked, or every schedule stuck or failed)']);
  });

  it('the default faults include pause, and a search reports what fired per kind and phase', async () => {
    expect(SIM_DEFAULTS.faults).toContain('pause');
    const result = await runSim({ ...SIM_DEFAULTS, faults: [...SIM_DEFAULTS.faults], strategy: fixture('per-writer-file.js'), workers: 2, records: 2, runs: 30, outDir, command: 'test' });
    const { coverage } = result.sim!.searches[0]!;
    expect(result.sim!.verdict).toBe('pass');
    expect(Object.keys(coverage).sort()).toEqual(['crash', 'io-error', 'pause', 'power-loss']);
    for (const c of Object.values(coverage)) expect(c.fired).toBe(Object.values(c.byPhase).reduce((a, b) => a + b, 0));
    expect(Object.values(coverage).every((c) => c.fired > 0 && c.fired <= c.planned)).toBe(true);
  });
});
