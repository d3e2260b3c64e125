import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { SimCounterexample, SimSection } from '../harness/result/sim-result.js';
import { runSim, SIM_DEFAULTS, type SimOptions } from '../harness/sim/run-sim.js';

/**
 * Deterministic simulation end to end: the whole pipeline (writers, background roles, faults, restarts,
 * finalize) in one process, judged by the same checker as real runs. Each test-only strategy below is
 * wrong in one way that real processes cannot show; `sim` must find it, shrink it, and replay the very
 * same counterexample from the printed seed and path. Budgets are small: the search stops at the first
 * counterexample.
 */

const outDir = mkdtempSync(join(tmpdir(), 'parquet-chaos-sim-'));
afterAll(() => rmSync(outDir, { recursive: true, force: true }));

const fixture = (name: string) => resolve(import.meta.dirname, 'fixtures', name);

async function sim(overrides: Partial<SimOptions> & { strategy: string }): Promise<SimSection> {
  const result = await runSim({ ...SIM_DEFAULTS, faults: [...SIM_DEFAULTS.faults], runs: 60, outDir, command: 'test', ...overrides });
  return result.sim!;
}

/** Runs the printed replay (same settings, seed and path) and expects the identical schedule and loss. */
async function expectReplays(options: Partial<SimOptions> & { strategy: string }, found: SimSection): Promise<SimCounterexample> {
  const search = found.searches.find((s) => s.counterexample)!;
  const ce = search.counterexample!;
  expect(ce.replay).toContain(`--replay ${ce.path}`);
  const again = await sim({ ...options, replay: { target: search.target, path: ce.path } });
  const replayed = again.searches[0]!.counterexample!;
  expect(replayed.steps).toEqual(ce.steps);
  expect(replayed.fired).toEqual(ce.fired);
  expect(replayed.lost).toEqual(ce.lost);
  return ce;
}

describe('sim: finds, shrinks and replays', () => {
  it('realtime:lock=none (3 writers × 2 records): a lost update, shown as unclaimed, one writer reading main before another publishes', async () => {
    // Arrange
    const options = { strategy: 'realtime:lock=none', workers: 3, records: 2, faults: [], runs: 20 };

    // Act
    const found = await sim(options);

    // Assert: no claimed guarantee broken (it does not claim noLostAcked), the lost update shown.
    expect(found.verdict).toBe('pass');
    const ce = await expectReplays(options, found);
    expect(ce.broken).toEqual(['noLostAcked']);
    expect(ce.lost.length).toBeGreaterThan(0);
    // The loser's read of main comes before the winner's publish, and its own publish after it.
    const loser = ce.lost[0]!.by;
    const other = ce.steps.find((s) => s.op === 'stat' && s.process !== loser)!;
    const loserRename = ce.steps.find((s) => s.process === loser && s.op === 'rename')!;
    const overwrite = ce.steps.find((s) => s.process === other.process && s.op === 'rename' && s.step > loserRename.step)!;
    expect(other.step).toBeLessThan(loserRename.step);
    expect(overwrite).toBeDefined();
  });

  it('(a) a strategy that never fsyncs: caught by a power loss under posix', async () => {
    const options = { strategy: fixture('never-fsync.js'), workers: 2, records: 2, faults: ['power-loss' as const] };
    const found = await sim(options);
    expect(found.verdict).toBe('violation');
    const ce = await expectReplays(options, found);
    expect(ce.broken).toContain('noLostAcked');
    // The power loss every schedule ends with is enough: the shrunk plan needs no fault of its own.
    expect(ce.plan.faults).toEqual([]);
    expect(ce.fired).toEqual([expect.objectContaining({ kind: 'power-loss', phase: 'end' })]);
    expect(ce.fired[0]!.crash!.some((c) => c.fate === 'dropped')).toBe(true);
  });

  it('(b) a rename whose folder is never fsynced: the power loss undoes it', async () => {
    const options = { strategy: `${fixture('publish-sync.ts')}:sync=file`, workers: 2, records: 2, faults: ['power-loss' as const] };
    const found = await sim(options);
    expect(found.verdict).toBe('violation');
    const ce = await expectReplays(options, found);
    expect(ce.fired[0]!.crash!.filter((c) => c.fate === 'dropped').map((c) => c.op)).toContain('rename data/own-0.parquet.tmp →');
  });

  it('(c) an ack before the fsync: the acked journal line is dropped', async () => {
    const options = { strategy: fixture('ack-before-fsync.ts'), workers: 2, records: 2, faults: ['power-loss' as const] };
    const found = await sim(options);
    expect(found.verdict).toBe('violation');
    const ce = await expectReplays(options, found);
    expect(ce.lost.length).toBeGreaterThan(0);
  });

  it('(d) a lost update that needs three writers interleaving just so (ABA on a parity check); two writers never lose', async () => {
    const three = { strategy: fixture('parity-check.ts'), workers: 3, records: 1, faults: [] };
    const found = await sim(three);
    expect(found.verdict).toBe('violation');
    const ce = await expectReplays(three, found);
    // The stale writer's copy overwrote the two commits that restored the parity.
    expect(ce.lost).toHaveLength(2);
    expect(new Set(ce.steps.filter((s) => s.process !== 'machine').map((s) => s.process)).size).toBe(3);

    const two = await sim({ ...three, workers: 2, runs: 40 });
    expect(two.verdict).toBe('pass');
    expect(two.searches[0]!.judged).toBe(40);
  });

  it('the per-writer-file example plugin passes with crashes, power loss and I/O errors (posix)', async () => {
    const found = await sim({ strategy: fixture('per-writer-file.js'), workers: 2, records: 3, runs: 40 });
    expect(found.verdict).toBe('pass');
    expect(found.searches).toHaveLength(1);
    expect(found.searches[0]!.judged).toBeGreaterThan(30);
  });

  it('a lease lock (lock=file) loses its holder to a pause past the stale time; a kernel lock (lock=fcntl) and a fenced lease (lock=redis-fenced) do not; a checked lease (lock=redis) only to a pause between its check and its rename', async () => {
    const base = { workers: 2, records: 1, faults: ['pause' as const], lockStaleMs: 100, runs: 60 };
    // The same strategy, claiming no lost ack without the lease's assumption: the pause is a violation.
    const lease = await sim({ ...base, strategy: fixture('realtime-unassuming.ts') });
    expect(lease.verdict).toBe('violation');
    expect(lease.searches[0]!.counterexample!.fired.map((f) => `${f.kind} ${f.phase}`)).toEqual(['pause writers', 'power-loss end']);
    // Stating it (as realtime does), the schedules that break it are not judged on that claim: as in a
    // real run (test/slow/lease-assumption.test.ts), neither a violation nor a pass.
    const assumed = await sim({ ...base, strategy: 'realtime:lock=file' });
    expect(assumed.verdict).toBe('unknown');
    expect(assumed.searches[0]!.counterexample).toBeUndefined();
    expect(assumed.searches[0]!.assumptionBroken).toBeGreaterThan(0);
    expect(assumed.searches[0]!.firstAssumptionBroken).toMatch(/^pause of writer-\d before step \d+: a \d+ ms pause of writer-\d against a 100 ms lease, and 1 holder\(s\) lost their lease$/);
    expect(assumed.unknownReasons).toEqual([expect.stringMatching(/ schedules judged, below the required 80%; \d+ broke an assumption a claim rests on/)]);
    const kernel = await sim({ ...base, strategy: 'realtime:lock=fcntl' });
    expect(kernel.verdict).toBe('pass');
    // The same lease, with its token checked at commit: a paused holder's stale publish is refused.
    const fenced = await sim({ ...base, strategy: 'realtime:lock=redis-fenced' });
    expect(fenced.verdict).toBe('pass');
    expect(fenced.searches[0]!.judged).toBeGreaterThan(30);
    // The lease checked by token at commit refuses a holder paused before the check; one paused between
    // the check and the rename still publishes its stale main (the gap its claim's assumption rules out).
    const checked = await sim({ ...base, strategy: fixture('realtime-unassuming.ts') + ':lock=redis' });
    expect(checked.verdict).toBe('violation');
    const steps = checked.searches[0]!.counterexample!.steps;
    const paused = steps.findIndex((s) => s.fault?.startsWith('pause'));
    const before = steps.slice(0, paused).filter((s) => s.process === steps[paused]!.process).at(-1);
    expect([before?.op, steps[paused]!.op]).toEqual(['lease check', 'rename']);
  });

  it('a strategy whose storage bypasses the I/O port (SQLite) cannot be judged: unknown, never a pass', async () => {
    const found = await sim({ strategy: 'queue', workers: 1, records: 1, runs: 3, faults: [] });
    expect(found.verdict).toBe('unknown');
    expect(found.searches[0]!.judged).toBe(0);
  });
});
