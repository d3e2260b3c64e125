import { spawn } from 'node:child_process';
import { appendFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { awaitedPoints, matchesPattern, parseFaultList, REACHED, type FaultEvent, type Planned, type ProcessFault } from '../harness/sdk/faults.js';
import { planFaults } from '../harness/orchestrate/nemesis/plan.js';
import { Nemesis } from '../harness/orchestrate/nemesis/nemesis.js';
import { createFaultHook, SELF_STOP } from '../harness/orchestrate/nemesis/io-faults.js';
import { faultOutcomes } from '../harness/oracle/judge.js';
import { endedPids } from '../harness/oracle/ledger.js';
import { holdingSink, holdTriggers } from '../harness/orchestrate/nemesis/hold.js';
import type { FaultProxy } from '../harness/orchestrate/services/fault-proxy.js';
import type { LedgerEntry } from '../harness/oracle/ledger.js';
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
    expect(() => parseFaultList('flood:target=writer')).toThrow("--faults: got fault kind 'flood', expected one of: kill, pause, latency, drop, partition, slow-io, io-error, power-loss, crash-point");
  });

  it('rejects a bad field naming it and what is accepted', () => {
    expect(() => parseFaultList('kill:target=writer-1')).toThrow('expected exactly one of at=<ms>, afterAcks=<n>, afterAttempts=<n> or point=<name>');
    expect(() => parseFaultList('slow-io:target=db,delay=5')).toThrow("--faults slow-io:target: got 'db', expected one of: writer, writers, writer-N, merger, consumer");
  });

  it('parses a stop held until another writer has made progress, and rejects a bad one', () => {
    expect(parseFaultList('pause:target=merger,point=merge:main-published,duration=1000,until=acks:2;pause:target=writers,point=p,duration=50,until=attempts:1')).toEqual([
      { kind: 'pause', target: 'merger', point: 'merge:main-published', nth: 1, duration: 1000, until: { op: 'ack', count: 2 } },
      { kind: 'pause', target: 'writers', point: 'p', nth: 1, duration: 50, until: { op: 'attempt', count: 1 } },
    ]);
    for (const bad of ['acks:0', 'acks', 'fails:2', 'acks:-1', 'point:']) {
      expect(() => parseFaultList(`pause:target=merger,at=1,duration=10,until=${bad}`)).toThrow(`--faults pause:until: got '${bad}', expected acks:<n> or attempts:<n>`);
    }
  });

  it('parses a stop held until another process reaches a point, and names the point each pause waits for', () => {
    const [atPoint, afterAttempts] = parseFaultList('pause:target=writers,point=shared-buffer:committed,duration=50,until=point:shared-buffer:appended;pause:target=writer-2,afterAttempts=1,duration=50,until=point:shared-buffer:*');
    expect(atPoint).toEqual({ kind: 'pause', target: 'writers', point: 'shared-buffer:committed', nth: 1, duration: 50, until: { op: 'point', point: 'shared-buffer:appended', count: 1 } });
    expect(afterAttempts).toMatchObject({ until: { op: 'point', point: 'shared-buffer:*', count: 1 } });
    expect(awaitedPoints([atPoint!, afterAttempts!, atPoint!, { kind: 'pause', target: 'merger', at: 1, duration: 9, until: { op: 'ack', count: 1 } }]))
      .toEqual(['shared-buffer:appended', 'shared-buffer:*']);
  });

  it('matches a point against a pattern whose * stands for any characters', () => {
    expect(['merge:inputs-read', 'merge:segments-read', 'merge:-read'].every((name) => matchesPattern('merge:*-read', name))).toBe(true);
    expect(['merge:main-published', 'merge:read-x', 'consume:inputs-read', 'merge:read'].some((name) => matchesPattern('merge:*-read', name))).toBe(false);
    expect(matchesPattern('merge:*', 'merge:input-deleted')).toBe(true);
    expect(matchesPattern('merge:*', 'merger')).toBe(false);
    expect(matchesPattern('rename', 'rename')).toBe(true);
  });

  it('draws the same default schedule from the same seed', () => {
    const env = () => ({ random: new Random(3), workers: 8, recordsPerWorker: 20, lockStaleMs: 5000 });
    expect(planFaults('default', scenarios['buffer-crash'], env())).toEqual(planFaults('default', scenarios['buffer-crash'], env()));
    // Two kills, a pause of the third writer, and the two killed writers held from their first attempt (the shared buffer's window).
    expect(planFaults('default', scenarios['buffer-crash'], env()).process).toHaveLength(5);
  });
});

/** A stopped process's /proc state is T; waits for `want` (true: stopped, false: running again). */
async function untilStopped(pid: number, want: boolean): Promise<void> {
  const state = () => readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]![0];
  while ((state() === 'T') !== want) await new Promise((r) => setTimeout(r, 5));
}

describe('progress triggers held at the trigger', () => {
  it('a writer stops itself right after the ledger line that reaches a trigger, counting earlier lives too', () => {
    // Arrange: an earlier life attempted w0-0 and w0-1 and acked w0-0; triggers at the 3rd attempt and the 2nd ack.
    const previous = [{ op: 'start', pid: 1, t: 0 }, { op: 'attempt', id: 'w0-0', t: 1 }, { op: 'ack', id: 'w0-0', t: 2 }, { op: 'attempt', id: 'w0-1', t: 3 }]
      .map((l) => JSON.stringify(l)).join('\n');
    const planned: Planned<ProcessFault>[] = [
      { id: 0, kind: 'kill', target: 'writer-0', afterAttempts: 3 },
      { id: 1, kind: 'pause', target: 'merger', afterAcks: 2, of: 'writer-0', duration: 10 },
      { id: 2, kind: 'kill', target: 'writer-0', afterAttempts: 1 },
      { id: 3, kind: 'kill', target: 'writer-1', afterAcks: 1 },
      { id: 4, kind: 'kill', target: 'redis', afterAcks: 1 },
      { id: 5, kind: 'kill', target: 'writer-0', at: 5 },
    ];
    const seen: string[] = [];
    const sink = holdingSink({ append: (e: LedgerEntry) => void seen.push(e.op === 'attempt' || e.op === 'ack' ? `${e.op} ${e.id}` : e.op) }, holdTriggers(planned, 'writer-0'), previous,
      (event) => void seen.push(`${event.action} #${event.fault}`), () => void seen.push('STOP'));

    // Act: the second life retries w0-1 and goes on.
    for (const entry of [{ op: 'start', pid: 2, t: 4 }, { op: 'attempt', id: 'w0-1', t: 5 }, { op: 'ack', id: 'w0-1', t: 6 }, { op: 'attempt', id: 'w0-2', t: 7 }] as LedgerEntry[]) sink.append(entry);

    // Assert: writer-0 counts faults 0, 1 (of=writer-0), 2 (reached in the earlier life: not again) and 4
    // (redis keeps no ledger: writer-0's counts); writer-1's own trigger is not writer-0's.
    expect(holdTriggers(planned, 'writer-0').map((h) => h.fault)).toEqual([0, 1, 2, 4]);
    expect(seen).toEqual(['start', 'attempt w0-1', 'held at trigger #0', 'STOP', 'ack w0-1', 'held at trigger #1', 'STOP', 'attempt w0-2']);
  });

  it('the nemesis carries out the fault while the writer holds, then lets it go on; a kill of the held writer lands there', async () => {
    // Arrange: two writers that log a hold to the fault log and stop themselves, as nemesis/hold.ts does; a
    // third process to pause. writer-0's hold is for a pause of writer-2; writer-1's for its own kill.
    const dir = mkdtempSync(join(tmpdir(), 'parquet-chaos-hold-'));
    const faultLog = join(dir, 'faults.jsonl');
    const holder = (target: string, fault: number) => spawn(process.execPath, ['-e', `
      require('node:fs').appendFileSync(${JSON.stringify(faultLog)}, JSON.stringify({ at: 0, kind: 'kill', target: '${target}', pid: process.pid, action: 'held at trigger', fault: ${fault} }) + '\\n');
      process.kill(process.pid, 'SIGSTOP');
      console.log('went on');`], { stdio: ['ignore', 'pipe', 'ignore'] });
    const other = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
    const log: Omit<FaultEvent, 'at'>[] = [];
    const ledger = (name: string) => {
      const path = join(dir, `${name}.jsonl`);
      writeFileSync(path, '');
      return path;
    };
    const processes = new Map([
      ['writer-0', { name: 'writer-0', pid: () => undefined as number | undefined, ledgerPath: ledger('writer-0') }],
      ['writer-1', { name: 'writer-1', pid: () => undefined as number | undefined, ledgerPath: ledger('writer-1') }],
      ['writer-2', { name: 'writer-2', pid: () => other.pid, ledgerPath: ledger('writer-2') }],
    ]);
    const nemesis = new Nemesis(processes, (event) => void log.push(event));
    const planned: Planned<ProcessFault>[] = [
      { id: 0, kind: 'pause', target: 'writer-2', afterAcks: 2, of: 'writer-0', duration: 60_000 },
      { id: 1, kind: 'kill', target: 'writer-1', afterAttempts: 4 },
    ];
    appendFileSync(join(dir, 'writer-2.jsonl'), `${JSON.stringify({ op: 'start', pid: other.pid, t: 0 })}\n`);

    try {
      // Act
      nemesis.watchFaultLog(faultLog, new Map());
      nemesis.start(planned);
      const writer0 = holder('writer-0', 0);
      const writer1 = holder('writer-1', 1);
      processes.get('writer-1')!.pid = () => writer1.pid;
      let out0 = '';
      let out1 = '';
      writer0.stdout.on('data', (chunk: Buffer) => { out0 += chunk.toString(); });
      writer1.stdout.on('data', (chunk: Buffer) => { out1 += chunk.toString(); });
      const [exit0, exit1] = await Promise.all([writer0, writer1].map((child) => new Promise<[number | null, string | null]>((resolve) => child.once('exit', (code, signal) => resolve([code, signal])))));
      await untilStopped(other.pid!, true);
      nemesis.heal();
      await untilStopped(other.pid!, false);
      nemesis.stop();

      // Assert: writer-2 paused while writer-0 held, which then went on; writer-1 killed where it held.
      expect(exit0).toEqual([0, null]);
      expect(out0).toBe('went on\n');
      expect(exit1).toEqual([null, 'SIGKILL']);
      expect(out1).toBe('');
      expect(faultOutcomes(planned, log.map((event) => ({ at: 0, ...event })))).toMatchObject([{ fired: true, events: 1 }, { fired: true, events: 1 }]);
    } finally {
      other.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('a stop held until another writer has made progress (pause until=)', () => {
  /** A process that stops itself at a point as io-faults.ts does (logs SIGSTOP self), and says when it went on. */
  const selfStopper = (faultLog: string, target: string) => spawn(process.execPath, ['-e', `
    require('node:fs').appendFileSync(${JSON.stringify(faultLog)}, JSON.stringify({ at: 0, kind: 'pause', target: '${target}', pid: process.pid, action: 'SIGSTOP self', fault: 0 }) + '\\n');
    process.kill(process.pid, 'SIGSTOP');
    console.log('went on');`], { stdio: ['ignore', 'pipe', 'ignore'] });
  const exited = (child: ReturnType<typeof spawn>) => new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

  it('resumes once one other writer\'s ledger holds K more lines, not on the stopped writer\'s own or on K spread over writers', async () => {
    // Arrange: writer-0 stops itself until 2 acks by another writer, capped at 60 s.
    const dir = mkdtempSync(join(tmpdir(), 'parquet-chaos-until-'));
    const faultLog = join(dir, 'faults.jsonl');
    const ledgers = ['writer-0', 'writer-1', 'writer-2'].map((name) => join(dir, `${name}.jsonl`));
    ledgers.forEach((path, i) => writeFileSync(path, `${JSON.stringify({ op: 'start', pid: 100 + i, t: 0 })}\n`));
    const ack = (writer: number, id: string) => appendFileSync(ledgers[writer]!, `${JSON.stringify({ op: 'ack', id, t: 1 })}\n`);
    const log: Omit<FaultEvent, 'at'>[] = [];
    const stopper = selfStopper(faultLog, 'writer-0');
    const processes = new Map(ledgers.map((ledgerPath, i) => [`writer-${i}`, { name: `writer-${i}`, pid: () => (i === 0 ? stopper.pid : undefined), ledgerPath }]));
    const nemesis = new Nemesis(processes, (event) => void log.push(event));
    let out = '';
    stopper.stdout!.on('data', (chunk: Buffer) => { out += chunk.toString(); });
    const exit = exited(stopper);
    try {
      // Act: progress that does not count (its own acks; one ack each by two others), then one writer's 2nd ack.
      nemesis.watchFaultLog(faultLog, new Map([[0, { duration: 60_000, until: { op: 'ack' as const, count: 2 } }]]));
      await untilStopped(stopper.pid!, true);
      await new Promise((r) => setTimeout(r, 100)); // the nemesis's look at the fault log (every 20 ms)
      ack(0, 'w0-0'); ack(0, 'w0-1'); ack(1, 'w1-0'); ack(2, 'w2-0');
      await new Promise((r) => setTimeout(r, 300));
      const stillStopped = readFileSync(`/proc/${stopper.pid}/stat`, 'utf8').split(') ')[1]![0] === 'T';
      ack(2, 'w2-1');

      // Assert: stopped until writer-2's 2nd ack, then resumed, saying why.
      expect(await exit).toBe(0);
      expect(stillStopped).toBe(true);
      expect(out).toBe('went on\n');
      expect(log).toContainEqual(expect.objectContaining({ target: 'writer-0', action: 'SIGCONT', detail: 'pause ended: after 2 acks by another writer' }));
    } finally {
      nemesis.heal();
      nemesis.stop();
      stopper.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('ends at its cap when nobody makes progress, and the fault log says so', async () => {
    // Arrange: a stop until 1 attempt by another writer, capped at 150 ms; the other writer never attempts.
    const dir = mkdtempSync(join(tmpdir(), 'parquet-chaos-until-'));
    const faultLog = join(dir, 'faults.jsonl');
    const ledgers = ['writer-0', 'writer-1'].map((name) => join(dir, `${name}.jsonl`));
    for (const path of ledgers) writeFileSync(path, '');
    const log: Omit<FaultEvent, 'at'>[] = [];
    const stopper = selfStopper(faultLog, 'writer-1');
    const processes = new Map(ledgers.map((ledgerPath, i) => [`writer-${i}`, { name: `writer-${i}`, pid: () => (i === 1 ? stopper.pid : undefined), ledgerPath }]));
    const nemesis = new Nemesis(processes, (event) => void log.push(event));
    try {
      // Act
      nemesis.watchFaultLog(faultLog, new Map([[0, { duration: 150, until: { op: 'attempt' as const, count: 1 } }]]));
      const code = await exited(stopper);

      // Assert
      expect(code).toBe(0);
      expect(log).toContainEqual(expect.objectContaining({
        target: 'writer-1', action: 'SIGCONT', detail: 'pause ended: cap of 150 ms reached without the progress it waited for: another writer made 0 of 1 attempts',
      }));
    } finally {
      nemesis.heal();
      nemesis.stop();
      stopper.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('a stop held until another process reaches a point (pause until=point:)', () => {
  it('the I/O hook reports reaching an awaited point before its own stop there, and never an op', async () => {
    // Arrange: this process waits at `shared-buffer:committed` (pause 7) and others wait for it to reach a `shared-buffer:` point.
    const logged: Omit<FaultEvent, 'at' | 'target' | 'pid'>[] = [];
    const signals: string[] = [];
    const hook = createFaultHook([{ id: 7, kind: 'pause', target: 'writers', point: 'shared-buffer:committed', nth: 1, duration: 50 }], {
      random: new Random(1), clock: { now: () => 0, nowMicros: () => 0n, sleep: async () => {} }, log: (event) => void logged.push(event), beforeCrash: () => {}, signalSelf: (signal) => void signals.push(signal),
    }, ['shared-buffer:*']);

    // Act
    await hook.before('write', 'state/shared-buffer.jsonl');
    await hook.point('shared-buffer:appended');
    await hook.point('shared-buffer:committed');

    // Assert
    expect(logged.map((e) => [e.action, e.fault, e.action === REACHED ? e.detail : undefined])).toEqual([
      [REACHED, undefined, 'shared-buffer:appended'], [REACHED, undefined, 'shared-buffer:committed'], [SELF_STOP, 7, undefined],
    ]);
    expect(signals).toEqual(['SIGSTOP']);
  });

  it('the nemesis resumes the stop when another process reports the point, not on its own report or another point', async () => {
    // Arrange: writer-0 stops itself (pause 0) until another process reaches shared-buffer:appended, capped at 60 s.
    const dir = mkdtempSync(join(tmpdir(), 'parquet-chaos-until-point-'));
    const faultLog = join(dir, 'faults.jsonl');
    const reached = (pid: number, point: string) => appendFileSync(faultLog, `${JSON.stringify({ at: 1, kind: 'pause', target: 'writer-x', pid, action: REACHED, detail: point })}\n`);
    const stopper = spawn(process.execPath, ['-e', `
      require('node:fs').appendFileSync(${JSON.stringify(faultLog)}, JSON.stringify({ at: 0, kind: 'pause', target: 'writer-0', pid: process.pid, action: 'SIGSTOP self', fault: 0 }) + '\\n');
      process.kill(process.pid, 'SIGSTOP');`], { stdio: 'ignore' });
    const exit = new Promise<number | null>((resolve) => stopper.once('exit', (code) => resolve(code)));
    const log: Omit<FaultEvent, 'at'>[] = [];
    const nemesis = new Nemesis(new Map([['writer-0', { name: 'writer-0', pid: () => stopper.pid }]]), (event) => void log.push(event));
    try {
      // Act: reports that do not count (its own; another point), then another process's.
      nemesis.watchFaultLog(faultLog, new Map([[0, { duration: 60_000, until: { op: 'point' as const, point: 'shared-buffer:appended', count: 1 as const } }]]));
      await untilStopped(stopper.pid!, true);
      await new Promise((r) => setTimeout(r, 100)); // the nemesis's look at the fault log (every 20 ms)
      reached(stopper.pid!, 'shared-buffer:appended');
      reached(999_999, 'shared-buffer:committed');
      await new Promise((r) => setTimeout(r, 300));
      const stillStopped = readFileSync(`/proc/${stopper.pid}/stat`, 'utf8').split(') ')[1]![0] === 'T';
      reached(999_999, 'shared-buffer:appended');

      // Assert
      expect(await exit).toBe(0);
      expect(stillStopped).toBe(true);
      expect(log).toContainEqual(expect.objectContaining({ target: 'writer-0', action: 'SIGCONT', detail: 'pause ended: after another process at shared-buffer:appended' }));
    } finally {
      nemesis.heal();
      nemesis.stop();
      stopper.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('a kill or pause counts only if it hit live work', () => {
  it('a kill logged against a writer whose ledger segment has its end line did not fire', () => {
    // Arrange: pid 41 finished (its `end` line), then a kill was logged for it; pid 42 was killed mid-work.
    const dir = mkdtempSync(join(tmpdir(), 'parquet-chaos-ended-'));
    const lines = (...entries: object[]) => entries.map((e) => `${JSON.stringify(e)}\n`).join('');
    writeFileSync(join(dir, 'writer-0.jsonl'), lines({ op: 'start', pid: 41, t: 0 }, { op: 'attempt', id: 'w0-0', t: 1 }, { op: 'ack', id: 'w0-0', t: 2 }, { op: 'end', t: 3 }));
    writeFileSync(join(dir, 'writer-1.jsonl'), lines({ op: 'start', pid: 42, t: 0 }, { op: 'attempt', id: 'w1-0', t: 1 }));
    const planned: Planned[] = [{ id: 0, kind: 'kill', target: 'writer-0', at: 10 }, { id: 1, kind: 'kill', target: 'writer-1', at: 10 }];
    const log: FaultEvent[] = [
      { at: 10, kind: 'kill', target: 'writer-0', pid: 41, action: 'SIGKILL', fault: 0 },
      { at: 10, kind: 'kill', target: 'writer-1', pid: 42, action: 'SIGKILL', fault: 1 },
    ];

    try {
      // Act
      const outcomes = faultOutcomes(planned, log, endedPids(dir));

      // Assert
      expect(outcomes).toMatchObject([
        { fired: false, blocking: true, reason: 'it hit no live work: writer-0 (pid 41) had already written its end line' },
        { fired: true, blocking: false },
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the nemesis skips a timed kill of a writer that has written its end line, and a drop with no open connection', async () => {
    // Arrange: a live process whose ledger ends with `end` (it finished and has not exited yet), and a
    // proxy with no connection open.
    const dir = mkdtempSync(join(tmpdir(), 'parquet-chaos-ended-'));
    const ledgerPath = join(dir, 'writer-0.jsonl');
    const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
    writeFileSync(ledgerPath, [{ op: 'start', pid: child.pid, t: 0 }, { op: 'end', t: 1 }].map((e) => `${JSON.stringify(e)}\n`).join(''));
    const proxy = { dropped: 0, dropConnections() {}, heal() {} } as unknown as FaultProxy;
    const log: Omit<FaultEvent, 'at'>[] = [];
    const nemesis = new Nemesis(new Map([['writer-0', { name: 'writer-0', pid: () => child.pid, ledgerPath, proxy }]]), (event) => void log.push(event));
    const planned: Planned<ProcessFault>[] = [
      { id: 0, kind: 'kill', target: 'writer-0', at: 0 },
      { id: 1, kind: 'pause', target: 'writer-0', at: 0, duration: 10 },
      { id: 2, kind: 'drop', target: 'writer-0', at: 0 },
    ];

    try {
      // Act
      nemesis.start(planned);
      await new Promise((r) => setTimeout(r, 50));
      nemesis.heal();

      // Assert
      expect(faultOutcomes(planned, log.map((event) => ({ at: 0, ...event })))).toMatchObject([
        { fired: false, reason: 'target had finished its work (its ledger holds its end line)' },
        { fired: false, reason: 'target had finished its work (its ledger holds its end line)' },
        { fired: false, reason: 'no open connection to drop' },
      ]);
    } finally {
      child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
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
        { fired: false, reason: 'writer-0 was not running from at=0 ms until the writers ended' },
        { fired: false, reason: 'writer-0 was not running from at=0 ms until the writers ended' },
        { fired: true },
      ]);
    } finally {
      parent.kill('SIGKILL');
    }
  });

  it('a timed fault whose target is between two lives (crashed, restarting) hits its next life', async () => {
    // Arrange: the consumer is dead at the fault's time (another fault crashed it) and back 60 ms later.
    const next = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)'], { stdio: 'ignore' });
    let back = false;
    setTimeout(() => { back = true; }, 60);
    const log: Omit<FaultEvent, 'at'>[] = [];
    const nemesis = new Nemesis(new Map([['consumer', { name: 'consumer', pid: () => (back ? next.pid : undefined) }]]), (event) => void log.push(event));
    const planned: Planned<ProcessFault>[] = [{ id: 0, kind: 'pause', target: 'consumer', at: 0, duration: 10 }];

    try {
      // Act
      nemesis.start(planned);
      await new Promise((r) => setTimeout(r, 150));
      nemesis.heal();

      // Assert: stopped in its next life, not skipped as "not running"
      expect(faultOutcomes(planned, log.map((event) => ({ at: 0, ...event })))).toMatchObject([{ fired: true }]);
      expect(log.find((e) => e.action === 'SIGSTOP')).toMatchObject({ target: 'consumer', pid: next.pid });
    } finally {
      next.kill('SIGKILL');
    }
  });
});

/** Every fault kind on real processes, against the realtime strategy (locked, so it claims everything). */
describe('fault injection (real processes)', () => {
  const small = { strategies: ['realtime'], scenarios: ['main-file-contention'], workers: 3, recordsPerWorker: 8, lockStaleMs: 2000 };

  it('kills and pauses writers, restarts them, and nothing acked is lost', async () => {
    const result = await runSmall({ ...small, faults: 'kill:target=writer-0,afterAcks=2;kill:target=writer-1,afterAcks=3;pause:target=writer-2,afterAcks=1,duration=150' });
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
    const result = await runSmall({ ...small, restart: 'none', faults: 'kill:target=writer-0,afterAcks=2' });
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
