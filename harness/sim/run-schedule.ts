import { checkLedgers, type Verdict } from '../oracle/checker.js';
import type { LedgerEntry } from '../oracle/ledger.js';
import type { LoadedStrategy } from '../orchestrate/load-strategy.js';
import { planSequence, runWriterLoop, WriterSession } from '../orchestrate/writer-loop.js';
import { processId } from '../orchestrate/roles/runtime.js';
import type { Codec } from '../sdk/codec/codec.js';
import { Random } from '../sdk/random.js';
import { makeRecord } from '../sdk/records.js';
import type { BackgroundRoleKind, StrategyContext } from '../sdk/strategy.js';
import { SimFs, type CrashOutcome, type PersistenceModel } from './fs.js';
import { excusing, scheduleBreaks } from './assumptions.js';
import { createSimIoPort } from './io-port.js';
import { mutatedPort, type DurabilityProbe } from './mutation.js';
import { createSimLockPort, SimLocks, type SimLockConfig } from './lock-port.js';
import type { SimCrashFate, SimFiredFault, SimStep } from '../result/sim-result.js';
import { SIM_EPOCH_MS, SimWorld, type SimProcess } from './world.js';

/** The simulated cell's folders (made and synced before anything runs). */
export const SIM_CELL = '/sim/cell';
const DATA = `${SIM_CELL}/data`;
const STATE = `${SIM_CELL}/state`;

export const SIM_FAULT_KINDS = ['crash', 'power-loss', 'io-error', 'pause'] as const;
export type SimFaultKind = (typeof SIM_FAULT_KINDS)[number];

/**
 * Where a schedule is when a fault fires: the writers run (with the background roles); the background
 * roles drain after the writers ended; finalize runs; the end (the power loss every schedule ends with).
 */
export const SIM_PHASES = ['writers', 'drain', 'finalize', 'end'] as const;
export type SimPhase = (typeof SIM_PHASES)[number];

/**
 * A fault, as data: it hits the step numbered `step` (1-based, counted over the whole schedule), before
 * that step runs. crash: the process about to take it dies (the page cache survives); power-loss: every
 * process dies and the file system keeps what the model and the crash choices allow; io-error: that
 * I/O operation fails with EIO; pause: the process stops for `ms` of simulated time.
 */
export interface SimFault {
  kind: SimFaultKind;
  step: number;
  ms?: number;
}

/** Everything fast-check generates for one schedule: pick choices, faults, and power-loss choices. */
export interface SchedulePlan {
  /** At each step, which of the ready processes (in spawn order) goes: choice modulo their number; 0 when used up. */
  choices: number[];
  faults: SimFault[];
  /** Consumed one per crash group at each power loss (see SimFs.powerLoss). */
  crash: number[];
  /** A PCT priority schedule: when present it picks the process at every step instead of `choices`. */
  pct?: PctSchedule;
}

/**
 * PCT, probabilistic concurrency testing (Burckhardt, Kothari, Musuvathi, Nagarakatte, ASPLOS 2010): every
 * process gets a priority, the ready process of highest priority takes each step, and at d − 1 change
 * points the process taking that step drops below every initial priority. With the priorities a uniformly
 * random permutation and the change points uniform over the k steps, one schedule finds any bug of depth d
 * (d ordering constraints between steps) among n processes with probability at least 1 / (n · k^(d−1)).
 */
export interface PctSchedule {
  /** Rank of each process (by name, in the order names first appear); a name past the end ranks lowest. */
  ranks: number[];
  /** Steps (1-based) at which the process taking the step drops to priority i (the i-th change point). */
  changes: number[];
}

/** Picks the ready process of highest priority; at a change point lowers the picked one's priority. */
function pctPicker(pct: PctSchedule): (ready: readonly SimProcess[], step: number) => SimProcess {
  const names: string[] = [];
  const lowered = new Map<string, number>();
  const priority = (name: string) => {
    if (!names.includes(name)) names.push(name);
    const rank = pct.ranks[names.indexOf(name)];
    // Initial priorities lie above every change point's level (0 … d − 2).
    return lowered.get(name) ?? pct.changes.length + (rank ?? -1) + 1;
  };
  return (ready, step) => {
    // Names are ranked in the order they are first seen ready, in spawn order.
    for (const p of ready) priority(p.name);
    const proc = ready.reduce((best, p) => (priority(p.name) > priority(best.name) ? p : best));
    const change = pct.changes.indexOf(step);
    if (change !== -1) lowered.set(proc.name, pct.changes.length - 1 - change);
    return proc;
  };
}

export interface SimSetup {
  strategy: LoadedStrategy;
  workers: number;
  records: number;
  payloadBytes: number;
  thinkMs: number;
  seed: number;
  codec: Codec;
  model: PersistenceModel;
  lock: SimLockConfig;
  /** A schedule longer than this many steps ends with verdict unknown. */
  maxSteps: number;
  /** Mutation testing only (harness/sim/mutation.ts): count durability sites, mutate one. Off when absent. */
  durability?: DurabilityProbe;
}

export type FiredFault = SimFiredFault;

export interface ScheduleOutcome {
  status: 'complete' | 'stuck' | 'step-budget';
  verdict: Verdict;
  trace: SimStep[];
  fired: FiredFault[];
  /** Processes that failed other than by an injected fault: the check cannot be trusted. */
  errors: string[];
  /** Step at which each acked id was acked (for the report of lost ids). */
  ackedAt: Record<string, { step: number; process: string }>;
}

const relative = (path: string) => (path.startsWith(`${SIM_CELL}/`) ? path.slice(SIM_CELL.length + 1) : path);

function describeCrash(outcomes: readonly CrashOutcome[]): SimCrashFate[] {
  return outcomes.map(({ op, fate, keptBytes }) => ({
    op: op.kind === 'entry' ? (op.op === 'rename' ? `rename ${relative(op.from!)} →` : op.op) : op.op === 'truncate' ? `truncate to ${op.length}` : 'write',
    path: relative(op.path),
    fate,
    ...(keptBytes !== undefined ? { keptBytes } : {}),
    ...(op.kind === 'data' && op.bytes ? { bytes: op.bytes.byteLength } : {}),
  }));
}

/** Runs one schedule of the whole pipeline (writers, background roles, faults, restarts, finalize) and judges it. */
export async function runSchedule(setup: SimSetup, plan: SchedulePlan): Promise<ScheduleOutcome> {
  const { strategy } = setup;
  const world = new SimWorld();
  const fs = new SimFs(setup.model, [DATA, STATE]);
  const locks = new SimLocks(world, setup.lock);
  const ledgers = new Map<number, string>();
  const ackedAt: ScheduleOutcome['ackedAt'] = {};
  const errors: string[] = [];
  const fired: FiredFault[] = [];
  const pendingFaults = [...plan.faults].sort((a, b) => a.step - b.step);
  const injected = new Set<SimProcess>();
  const aborts = new Map<SimProcess, AbortController>();
  let choice = 0;
  let crashChoice = 0;
  const pct = plan.pct ? pctPicker(plan.pct) : undefined;
  let phase: SimPhase = 'writers';

  /** What each process's port still owes when its body ends (a `late` durability mutant). */
  const settles = new Map<SimProcess, () => Promise<void>>();
  function context(proc: SimProcess): StrategyContext {
    const hook = { before: (op: string, path: string) => world.step(proc, op, relative(path)), point: () => {} };
    const { io, settle } = mutatedPort(createSimIoPort(fs, hook), fs, hook, setup.durability);
    settles.set(proc, settle);
    return {
      io,
      lock: createSimLockPort(locks, proc),
      clock: world.clock(proc),
      codec: setup.codec,
      dataDir: DATA,
      stateDir: STATE,
      role: { kind: proc.kind, index: proc.index, pid: proc.pid, processId: processId(proc.pid, new Date(world.now)) },
      random: new Random(setup.seed).fork(`${proc.name}#${proc.incarnation}`),
      // A service (Redis) is not simulated: a strategy that needs one fails here, and its schedules are unknown.
      services: {},
      count: () => {},
      log: () => {},
    };
  }

  // ---- the processes ---------------------------------------------------------------------------

  /** A process whose body, once it ends, still does what a `late` mutant deferred (its last step's fsync). */
  const spawn = (spec: Parameters<SimWorld['spawn']>[0], body: (proc: SimProcess) => Promise<void>) => world.spawn(spec, async (proc) => {
    await body(proc);
    await settles.get(proc)?.();
  });

  const writers: SimProcess[] = [];
  const background: SimProcess[] = [];

  async function startWriter(index: number, incarnation: number): Promise<void> {
    writers[index] = await spawn({ name: `writer-${index}`, kind: 'writer', index, incarnation }, async (proc) => {
      const ctx = context(proc);
      const previous = ledgers.get(index) ?? '';
      const ledger = {
        append(entry: LedgerEntry) {
          ledgers.set(index, `${ledgers.get(index) ?? ''}${JSON.stringify(entry)}\n`);
          if (entry.op === 'ack') ackedAt[entry.id] ??= { step: world.steps, process: proc.name };
        },
      };
      // A simulated process never dies by throwing: a crash just stops it at a step. Every failed write is survived.
      const session = new WriterSession(strategy.definition.writer(ctx, strategy.options), ledger, { clock: ctx.clock, pid: proc.pid, survives: () => true });
      await runWriterLoop(session, {
        seqs: planSequence(previous, setup.records, index, 'retry'),
        record: (seq) => makeRecord(setup.seed, index, seq, setup.payloadBytes, ctx.clock.nowMicros()),
        thinkMs: setup.thinkMs,
        random: ctx.random,
      }, ctx.clock);
    });
  }

  const roleKinds = Object.keys(strategy.definition.roles ?? {}) as BackgroundRoleKind[];

  async function startBackground(kind: BackgroundRoleKind, incarnation: number): Promise<void> {
    const stop = new AbortController();
    const slot = roleKinds.indexOf(kind);
    background[slot] = await spawn({ name: kind, kind, index: 0, incarnation }, async (proc) => {
      aborts.set(proc, stop);
      await strategy.definition.roles![kind]!(context(proc), strategy.options).run(stop.signal);
    });
  }

  // ---- faults ----------------------------------------------------------------------------------

  /**
   * A process hit by a fault is healed as the orchestrator would: a writer and a finalize start again; a
   * background role too while the writers run (once they have ended it was being stopped anyway, and
   * finalize does what is left).
   */
  async function restart(proc: SimProcess): Promise<void> {
    if (proc.kind === 'writer') await startWriter(proc.index, proc.incarnation + 1);
    else if (proc.kind === 'finalize') await startFinalize(proc.incarnation + 1);
    else if (phase === 'writers') await startBackground(proc.kind as BackgroundRoleKind, proc.incarnation + 1);
  }

  /** Applies a fault due at the step `proc` is about to take; true when the step is still to be taken. */
  async function applyFault(fault: SimFault, proc: SimProcess): Promise<{ take: boolean; error?: Error }> {
    const gate = proc.gate!;
    const base = { kind: fault.kind, step: world.steps + 1, phase, process: proc.name, op: gate.op, path: gate.path };
    const note = (text: string) => world.trace.push({ step: world.steps + 1, t: world.now - SIM_EPOCH_MS, process: fault.kind === 'power-loss' ? 'machine' : proc.name, op: gate.op, path: gate.path, fault: text });
    switch (fault.kind) {
      case 'crash':
        fired.push(base);
        note('crash: the process dies here (the page cache survives)');
        world.kill(proc);
        locks.changed();
        await restart(proc);
        return { take: false };
      case 'power-loss': {
        const alive = world.processes.filter((p) => p.status === 'alive');
        for (const p of alive) world.kill(p);
        const report = fs.powerLoss(plan.crash.slice(crashChoice));
        crashChoice += report.groups;
        fired.push({ ...base, crash: describeCrash(report.outcomes) });
        note(`power loss (${setup.model.name}): every process dies; the page cache is dropped as the model allows`);
        locks.clear();
        world.now += setup.lock.staleMs;
        for (const p of alive) await restart(p);
        return { take: false };
      }
      case 'io-error':
        if (gate.op === 'lock' || gate.op === 'unlock') return { take: true };
        fired.push(base);
        injected.add(proc);
        // An fsync that fails may have dropped the file's dirty pages: a retry that succeeds proves nothing.
        if (gate.op === 'fsync') fs.failWriteback(gate.path.startsWith('/') ? gate.path : `${SIM_CELL}/${gate.path}`);
        return { take: true, error: Object.assign(new Error(`EIO: i/o error (injected), ${gate.op} '${gate.path}'`), { code: 'EIO' }) };
      case 'pause':
        fired.push({ ...base, ms: fault.ms });
        note(`pause ${fault.ms} ms`);
        world.pause(proc, fault.ms ?? 0);
        locks.changed();
        return { take: false };
    }
  }

  // ---- the driver --------------------------------------------------------------------------------

  /** A process that failed: after an injected fault it is restarted (healed), otherwise it is an error. */
  async function reap(): Promise<void> {
    for (const p of world.processes) {
      if (p.status !== 'failed' || (p as { reaped?: boolean }).reaped) continue;
      (p as { reaped?: boolean }).reaped = true;
      if (injected.has(p)) await restart(p);
      else errors.push(`${p.name}: ${String((p.error as Error)?.message ?? p.error)}`);
    }
  }

  async function drive(done: () => boolean): Promise<'ok' | 'stuck' | 'step-budget'> {
    for (;;) {
      while (await world.wakeDue()) await reap();
      await reap();
      if (done()) return 'ok';
      const ready = world.ready();
      if (ready.length === 0) {
        const next = world.nextWakeAt();
        if (next === undefined) return 'stuck';
        world.now = Math.max(world.now, next);
        continue;
      }
      if (world.steps >= setup.maxSteps) return 'step-budget';
      const proc = pct ? pct(ready, world.steps + 1) : ready[(plan.choices[choice++] ?? 0) % ready.length]!;
      const fault = pendingFaults[0] && pendingFaults[0].step <= world.steps + 1 ? pendingFaults.shift() : undefined;
      const applied = fault ? await applyFault(fault, proc) : { take: true };
      if (applied.take) await world.take(proc, applied.error ? { error: applied.error, note: `io-error: ${applied.error.message}` } : undefined);
    }
  }

  const finished = (p: SimProcess | undefined) => p === undefined || p.status === 'done' || (p.status === 'failed' && !injected.has(p));

  let finalize: SimProcess | undefined;
  async function startFinalize(incarnation: number): Promise<void> {
    finalize = await spawn({ name: 'finalize', kind: 'finalize', index: 0, incarnation }, (proc) => strategy.definition.finalize!(context(proc), strategy.options));
  }

  for (let i = 0; i < setup.workers; i++) await startWriter(i, 0);
  for (const kind of roleKinds) await startBackground(kind, 0);
  let status = await drive(() => writers.every(finished));
  if (status === 'ok') {
    // Writers are done: background roles are stopped as the orchestrator's SIGTERM would; faults go on.
    phase = 'drain';
    await world.interrupt(() => {
      for (const p of background) if (p.status === 'alive') aborts.get(p)?.abort();
    });
    status = await drive(() => background.every((p) => p.status !== 'alive'));
  }
  if (status === 'ok' && strategy.definition.finalize) {
    phase = 'finalize';
    await startFinalize(0);
    status = await drive(() => finalize!.status !== 'alive');
  }
  if (status === 'ok') {
    // Every schedule ends with a power loss: what finalize left only in the page cache is not the dataset.
    phase = 'end';
    const report = fs.powerLoss(plan.crash.slice(crashChoice));
    crashChoice += report.groups;
    fired.push({ kind: 'power-loss', step: world.steps + 1, phase, process: 'machine', op: 'end', path: '', crash: describeCrash(report.outcomes) });
    world.trace.push({ step: world.steps + 1, t: world.now - SIM_EPOCH_MS, process: 'machine', op: 'end', path: '', fault: `power loss after the end (${setup.model.name}): the dataset is what survives` });
  }

  let verdict: Verdict;
  errors.push(...world.refusals);
  if (status !== 'ok') {
    const waiting = world.processes.filter((p) => p.status === 'alive').map((p) => `${p.name} (${p.gate ? `at ${p.gate.op} ${p.gate.path}` : p.timer?.channel ?? 'asleep'})`);
    errors.push(status === 'stuck' ? `no process can move: ${waiting.join(', ')}` : `more than ${setup.maxSteps} steps`);
  }
  const files = fs.filesUnder(DATA).filter((p) => p.endsWith('.parquet')).map((p) => ({ name: p.slice(DATA.length + 1), bytes: fs.read(p) }));
  verdict = await checkLedgers(ledgers.values(), files, strategy.guarantees);
  // A claim resting on an assumption this schedule broke (a lease lost under a paused holder) is not judged.
  verdict = excusing(verdict, scheduleBreaks(strategy.assumptions, fired, { lockStaleMs: setup.lock.staleMs, leasesLost: locks.leasesLost }, verdict));
  if (errors.length > 0 && verdict.valid === true) verdict = { ...verdict, valid: 'unknown', error: errors.join('; ') };
  // A schedule in which nothing was acked proves nothing: not a pass.
  if (verdict.acked === 0 && verdict.valid === true) verdict = { ...verdict, valid: 'unknown', error: 'nothing was acked' };
  return { status: status === 'ok' ? 'complete' : status, verdict, trace: world.trace, fired, errors, ackedAt };
}
