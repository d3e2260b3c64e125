import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseFaultList, type FaultEvent, type Planned, type ProcessFault } from '../harness/sdk/faults.js';
import { planFaults } from '../harness/orchestrate/nemesis/plan.js';
import { Nemesis } from '../harness/orchestrate/nemesis/nemesis.js';
import { faultOutcomes } from '../harness/oracle/judge.js';
import { Random } from '../harness/sdk/random.js';
import { liveProcessCount } from '../harness/orchestrate/supervise.js';
import { scenarios } from '../scenarios/index.js';
import { runSmall } from './support/cell.js';
import { processesMentioning } from './support/processes.js';
import { expectRecountAgrees } from './support/recount.js';

describe('fault lists', () => {
  it('parses every kind from data', () => {
    expect(parseFaultList('kill:target=writer-1,afterAcks=3; pause:target=merger,at=100,duration=2500; io-error:target=writers,op=rename,nth=2,errno=ENOSPC'))
      .toEqual([
        { kind: 'kill', target: 'writer-1', afterAcks: 3 },
        { kind: 'pause', target: 'merger', at: 100, duration: 2500 },
        { kind: 'io-error', target: 'writers', op: 'rename', path: '', errno: 'ENOSPC', probability: 0, nth: 2 },
      ]);
  });

  it('rejects an unknown kind with the list of valid ones', () => {
    expect(() => parseFaultList('flood:target=writer')).toThrow("--faults: got fault kind 'flood', expected one of: kill, pause, latency, drop, partition, slow-io, io-error, crash-point");
  });

  it('rejects a bad field naming it and what is accepted', () => {
    expect(() => parseFaultList('kill:target=writer-1')).toThrow('expected exactly one of at=<ms>, afterAcks=<n>, afterAttempts=<n> or point=<name>');
    expect(() => parseFaultList('slow-io:target=db,delay=5')).toThrow("--faults slow-io:target: got 'db', expected one of: writer, writers, writer-N, merger, consumer");
  });

  it('draws the same default schedule from the same seed', () => {
    const env = () => ({ random: new Random(3), workers: 8, recordsPerWorker: 20, lockStaleMs: 5000 });
    expect(planFaults('default', scenarios['buffer-crash'], env())).toEqual(planFaults('default', scenarios['buffer-crash'], env()));
    expect(planFaults('default', scenarios['buffer-crash'], env()).process).toHaveLength(3);
  });
});

describe('the nemesis', () => {
  it('does not count a kill or pause of a process that has ended, though its pid is not reaped yet, as fired', async () => {
    // Arrange: a zombie (`true` has exited; its parent's event loop is blocked, so it is not reaped), as a
    // writer is between its exit and the moment the orchestrator's event loop reaps it; and a live process.
    const block = "const c = require('node:child_process').spawn('true'); console.log(c.pid); Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 30000)";
    const parent = spawn(process.execPath, ['-e', block], { stdio: ['ignore', 'pipe', 'ignore'] });
    const zombie = Number(await new Promise<string>((resolve) => parent.stdout.once('data', (chunk: Buffer) => resolve(chunk.toString()))));
    const state = () => readFileSync(`/proc/${zombie}/stat`, 'utf8').split(') ')[1]![0];
    while (state() !== 'Z') await new Promise((r) => setTimeout(r, 5));
    const log: Omit<FaultEvent, 'at'>[] = [];
    const nemesis = new Nemesis(new Map([
      ['writer-0', { name: 'writer-0', pid: () => zombie }],
      ['writer-1', { name: 'writer-1', pid: () => parent.pid }],
    ]), (event) => void log.push(event));
    const planned: Planned<ProcessFault>[] = [
      { id: 0, kind: 'kill', target: 'writer-0', at: 0 },
      { id: 1, kind: 'pause', target: 'writer-0', at: 0, duration: 10 },
      { id: 2, kind: 'pause', target: 'writer-1', at: 0, duration: 10 },
    ];

    try {
      // Act
      nemesis.start(planned);
      await new Promise((r) => setTimeout(r, 50));
      nemesis.heal();

      // Assert
      const outcomes = faultOutcomes(planned, log.map((event) => ({ at: 0, ...event })));
      expect(outcomes).toMatchObject([
        { fired: false, reason: 'target not running (it had just ended)' },
        { fired: false, reason: 'target not running (it had just ended)' },
        { fired: true },
      ]);
    } finally {
      parent.kill('SIGKILL');
    }
  });
});

/** Every fault kind on real processes, against the realtime strategy (locked, so it claims everything). */
describe('fault injection (real processes)', () => {
  const small = { strategies: ['realtime'], scenarios: ['main-file-contention'], workers: 3, recordsPerWorker: 8, lockStaleMs: 2000 };

  // Kills and pauses on a writer's progress are sent from outside once its ledger shows the ack: 30 ms on
  // average after each record keep a victim (at most 3 acks into 8) running at least 90 ms longer on top of
  // its own work, so that it has not finished before a loaded orchestrator reacts.
  const thinkMs = 30;

  it('kills and pauses writers, restarts them, and nothing acked is lost', async () => {
    const result = await runSmall({ ...small, thinkMs, faults: 'kill:target=writer-0,afterAcks=2;kill:target=writer-1,afterAcks=3;pause:target=writer-2,afterAcks=1,duration=150' });
    const cell = result.cells[0]!;
    // (Whole outcomes, so that a failure shows why a fault did not fire.)
    expect(cell.faults).toMatchObject({ kills: 2, pauses: 1, restarts: 2, outcomes: [{ fired: true }, { fired: true }, { fired: true }] });
    expect(cell.faults.log.filter((e) => e.action === 'SIGCONT')).toHaveLength(1);
    expect(cell.verdict).toMatchObject({ crashedProcesses: 2, lost: 0, duplicates: 0, valid: true, acked: 24 });
    expect(processesMentioning(cell.dir)).toEqual([]);
  });

  it('never acks a write whose I/O failed (io-error), and delays matching ops (slow-io)', async () => {
    const result = await runSmall({ ...small, faults: 'io-error:target=writer-0,op=rename,nth=2,errno=ENOSPC;slow-io:target=writers,op=fsync,delay=3' });
    const cell = result.cells[0]!;
    expect(cell.faults.ioErrors).toBe(1);
    expect(cell.faults.log.some((e) => e.kind === 'slow-io')).toBe(true);
    expect(cell.verdict).toMatchObject({ attempted: 24, acked: 23, unackedLost: 1, lost: 0, valid: true });
  });

  it('crashes a writer at a named point (temp written, not renamed); it resumes and retries', async () => {
    const result = await runSmall({ ...small, faults: 'crash-point:target=writer-1,point=publish:temp-written,nth=3' });
    const cell = result.cells[0]!;
    expect(cell.faults).toMatchObject({ crashPoints: 1, restarts: 1 });
    expect(cell.verdict).toMatchObject({ crashedProcesses: 1, unackedAtCrash: 1, retried: 1, lost: 0, duplicates: 0, acked: 24, valid: true });
    // The dead writer's temp file stays behind, outside the dataset (it does not end in .parquet).
    expect(readdirSync(join(cell.dir, 'data')).filter((n) => n.endsWith('.tmp'))).toHaveLength(1);
  });

  it('with --restart none a killed writer stays dead and its unsaved ids are reported, not lost', async () => {
    const result = await runSmall({ ...small, thinkMs, restart: 'none', faults: 'kill:target=writer-0,afterAcks=2' });
    const cell = result.cells[0]!;
    expect(cell.faults).toMatchObject({ kills: 1, restarts: 0, outcomes: [{ fired: true }] });
    expect(cell.verdict.acked).toBeLessThan(24);
    expect(cell.verdict).toMatchObject({ lost: 0, valid: true });
    expect(cell.verdict.unackedLost + cell.verdict.acked).toBeLessThanOrEqual(24);
  });

  it('under a pause longer than the lock stale time, the verdict matches the data whatever it is', async () => {
    const result = await runSmall({ ...small, workers: 4, faults: 'pause:target=writers,afterAcks=2,duration=2600' });
    const cell = result.cells[0]!;
    await expectRecountAgrees(cell);
    expect(cell.verdict.valid).toBe(cell.verdict.lost === 0 && cell.verdict.duplicates === 0 && cell.verdict.corruptFiles === 0);
    expect(liveProcessCount()).toBe(0);
  });
});
