import { readdirSync, appendFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ScenarioDefinition } from '../sdk/scenario.js';
import { assumptions } from '../sdk/assumptions.js';
import type { BackgroundRoleKind, RoleKind } from '../sdk/strategy.js';
import { emptyVerdict, judgeCell } from '../oracle/checker.js';
import { readLedgers, writingSpanMs } from '../oracle/ledger.js';
import { pluginLabel, type LoadedStrategy } from './load-strategy.js';
import { aggregateSnapshots, readSnapshots } from '../measure/metrics.js';
import { faultPlanRandom, planFaults } from './nemesis/plan.js';
import { Nemesis, type FaultableProcess } from './nemesis/nemesis.js';
import { awaitedPoints, matchesPattern, NO_SUCH_PROCESS, type FaultEvent, type InProcessFault, type Planned, type PowerLossFault } from '../sdk/faults.js';
import { PowerRig } from './power-rig.js';
import type { ModelName } from '../sim/models/index.js';
import type { FaultPlan } from './nemesis/plan.js';
import { logicalBytes, makeRecord } from '../sdk/records.js';
import type { CellError, CellResult, RunConfig } from '../result/result.js';
import { readFaultLog, writeCellRecord } from '../result/cell-record.js';
import { cellPaths, type RoleConfig } from './roles/config.js';
import { max, percentile, round, sum } from '../analyze/stats.js';
import { killProcess, spawnRole, stderrTail, type RoleProcess } from './supervise.js';
import { firstStartAt, parquetCompleteAt } from './durable-span.js';
import { StartBarrier } from './start-barrier.js';
import { startServices, type CellServices } from './services/index.js';
import { FaultProxy } from './services/fault-proxy.js';
import { RedisTarget } from './nemesis/redis-target.js';
import { holdTriggers } from './nemesis/hold.js';
import { writeFailures } from './write-failures.js';
import { isNetworkFault } from '../sdk/faults.js';
import { makeDirs } from '../result/files.js';
import { cellTimeoutMs, describeCellTimeout } from './run-config.js';

export interface CellPlan {
  strategy: LoadedStrategy;
  scenario: ScenarioDefinition;
  cellDir: string;
  config: RunConfig;
  /** This machine's fsync'd-append limit with as many processes as the cell has writers (see measure/append-limit.ts). */
  calibrationOpsPerSec: number;
  /** Roles use the uninstrumented I/O port (no faults, no I/O counts): `bench` compares the two. */
  rawIo?: boolean;
  /** Aborting (Ctrl-C) stops every process of the cell for good: nothing is restarted. */
  signal?: AbortSignal;
  /** Sweeps: which repeat (1-based) this cell belongs to; part of what the fault schedule is drawn from. */
  repeat?: number;
}

const BACKGROUND_GRACE_MS = 10_000;
/** Longest the writers wait at the start barrier for one that does not say ready. */
const READY_TIMEOUT_MS = 30_000;
const FINALIZE_MIN_MS = 30_000;

/** One supervised role: restarted after a fault kills it, as the seed's runner restarts a worker. */
class Slot implements FaultableProcess {
  child: RoleProcess | undefined;
  incarnation = 0;
  restarts = 0;
  stopping = false;
  done: Promise<void> = Promise.resolve();

  constructor(
    readonly name: string,
    readonly kind: RoleKind,
    readonly index: number,
    readonly restartable: boolean,
    readonly ioFaults: Planned<InProcessFault>[],
    readonly ledgerPath?: string,
    readonly processGroup = false,
  ) {}

  /** This process's own proxy to the cell's service, when network faults are planned. */
  proxy: FaultProxy | undefined;

  pid(): number | undefined {
    return this.child?.exitCode === null ? this.child.pid : undefined;
  }

  /** The endpoints this process is given: through its proxy when it has one. */
  endpoints(services: CellServices): CellServices['endpoints'] {
    const redis = services.endpoints.redis;
    return redis && this.proxy ? { ...services.endpoints, redis: { ...redis, url: this.proxy.url } } : services.endpoints;
  }
}

function countFiles(dir: string): number {
  let n = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) n += entry.isDirectory() ? countFiles(join(dir, entry.name)) : 1;
  return n;
}


/** Logical bytes of the acked records: records of one configuration differ only by a few bytes of id. */
function ackedLogicalBytes(acked: number, config: RunConfig): number {
  return logicalBytes(makeRecord(config.seed, 0, 0, config.payloadBytes, 0n)) * acked;
}

export async function runCell(plan: CellPlan): Promise<CellResult> {
  const { strategy, scenario, cellDir, config } = plan;
  const paths = cellPaths(cellDir);
  for (const [key, dir] of Object.entries(paths)) if (key !== 'faults') makeDirs(dir);
  // Drawn from (seed, scenario, workers, repeat) only: every strategy faces the same schedule.
  const faults = planFaults(config.faults, scenario, {
    random: faultPlanRandom(config.seed, scenario.name, config.workers, plan.repeat), workers: config.workers, recordsPerWorker: config.recordsPerWorker,
    lockStaleMs: config.lockStaleMs,
  });
  // A planned power loss puts data/ and state/ on crashfs, before any service opens a file there.
  const power = faults.all.find((f): f is Planned<PowerLossFault> => f.kind === 'power-loss');
  let rig: PowerRig | undefined;
  if (power) {
    try {
      rig = await PowerRig.mount(cellDir, power.model as ModelName);
    } catch (error) {
      return brokenCell(strategy.spec.label, scenario.name, config, cellDir, { source: 'power-loss', code: 'E_POWER_LOSS', message: (error as Error).message });
    }
  }
  let services: CellServices;
  try {
    services = await startServices(strategy.definition.services?.(strategy.options) ?? {}, { stateDir: paths.state, cellDir, redisUrl: config.redisUrl });
  } catch (error) {
    await rig?.close();
    return brokenCell(strategy.spec.label, scenario.name, config, cellDir, { source: 'services', code: (error as { code?: string }).code ?? 'E_SERVICE', message: (error as Error).message });
  }
  try {
    return { ...(await runCellWith(plan, services, faults, rig)), services: services.info };
  } finally {
    await services.stop();
    await rig?.close();
  }
}

async function runCellWith(plan: CellPlan, services: CellServices, faults: FaultPlan, rig: PowerRig | undefined): Promise<CellResult> {
  const { strategy, scenario, cellDir, config } = plan;
  const paths = cellPaths(cellDir);
  // What `parquet-chaos check DIR` needs to judge this cell again later; completed (schedule, errors,
  // verdict) when the cell ends: until then acked records may still wait in the strategy's state.
  writeCellRecord(cellDir, { strategy: strategy.spec.label, scenario: scenario.name, guarantees: strategy.guarantees, restart: config.restart, completed: false });
  const errors: CellError[] = [];
  const deadline = Date.now() + cellTimeoutMs(config);
  let startedAt = Date.now();
  const logEvent = (event: Omit<FaultEvent, 'at'>) => appendFileSync(paths.faults, `${JSON.stringify({ at: Date.now() - startedAt, ...event })}\n`);

  const backgroundKinds = scenario.backgroundRoles.filter((k): k is BackgroundRoleKind => Boolean(strategy.definition.roles?.[k]));
  // A power loss at a point stops its writer (`of`, default writer-0) there; the rest name their target.
  const carrierOf = (f: Planned<InProcessFault>) => (f.kind === 'power-loss' ? f.of ?? 'writer-0' : f.target);
  const ioFaultsFor = (name: string, kind: RoleKind) => faults.inProcess.filter((f) => carrierOf(f) === name || (f.target === 'writers' && kind === 'writer'));
  // A foreign strategy's role process leads a group with the process it starts: faults take both.
  const group = strategy.foreign !== undefined;
  const writerSlots = Array.from({ length: config.workers }, (_, i) =>
    new Slot(`writer-${i}`, 'writer', i, config.restart !== 'none', ioFaultsFor(`writer-${i}`, 'writer'), join(paths.ledger, `writer-${i}.jsonl`), group));
  const backgroundSlots = backgroundKinds.map((kind) => new Slot(kind, kind, 0, true, ioFaultsFor(kind, kind), undefined, group));
  const finalizeSlot = new Slot('finalize', 'finalize', 0, false, [], undefined, group);
  const present = new Set([...writerSlots, ...backgroundSlots].map((s) => s.name));
  for (const fault of faults.inProcess) {
    if (fault.target !== 'writers' && !present.has(carrierOf(fault))) logEvent({ kind: fault.kind, target: fault.target, action: 'skipped', detail: NO_SUCH_PROCESS, fault: fault.id });
  }

  const awaited = awaitedPoints([...faults.inProcess, ...faults.process]);
  const roleConfig = (slot: Slot): RoleConfig => ({
    role: slot.kind, index: slot.index, name: slot.name, incarnation: slot.incarnation, startedAt, cellDir,
    strategy: strategy.modulePath ? strategy.spec.label.replace(strategy.spec.name, strategy.modulePath) : strategy.spec.label,
    codec: config.codec, seed: config.seed, recordsPerWorker: config.recordsPerWorker, payloadBytes: config.payloadBytes,
    thinkMs: config.thinkMs ?? scenario.thinkMs, lockStaleMs: config.lockStaleMs, lockTimeoutMs: config.lockTimeoutMs,
    metricsEveryMs: 250, restart: config.restart, services: slot.endpoints(services),
    // Faults belong to a process's first life only: a restarted process runs clean (healed).
    ioFaults: slot.incarnation === 0 ? slot.ioFaults : [],
    ...(slot.incarnation === 0 && slot.kind !== 'finalize' && awaited.length > 0 ? { awaitedPoints: awaited } : {}),
    // Progress triggers count the ledger over every life, so each life carries them (nemesis/hold.ts).
    ...(slot.kind === 'writer' ? { holds: holdTriggers(faults.process, slot.name) } : {}),
    ...(plan.rawIo ? { rawIo: true } : {}),
    ...(slot.processGroup ? { processGroup: true } : {}),
    // A writer's, merger's or consumer's first life waits for `go`: a restarted one goes on at once, and
    // finalize runs after everything.
    ...(slot.kind !== 'finalize' && slot.incarnation === 0 ? { startBarrier: true } : {}),
  });
  const barrier = new StartBarrier();

  /** Runs a slot's process, restarting it after a SIGKILL (a fault) while allowed. */
  const supervise = async (slot: Slot): Promise<void> => {
    for (;;) {
      const config = roleConfig(slot);
      const child = spawnRole(config);
      slot.child = child;
      if (config.startBarrier) barrier.add(child);
      const result = await child;
      if (result.exitCode === 0 || slot.stopping) return;
      // Only faults send SIGKILL here (the timeout sets `stopping` first): a death to account for, not an error.
      if (result.signal === 'SIGKILL') {
        // After a power loss, nothing restarts before the folders are back; nothing at all if they are not.
        if (rig && !(await rig.rebooted())) {
          logEvent({ kind: 'restart', target: slot.name, action: 'not restarted', detail: 'the reboot after the power loss failed' });
          return;
        }
        if (slot.stopping) return;
        if (!slot.restartable || Date.now() >= deadline) {
          logEvent({ kind: 'restart', target: slot.name, action: 'not restarted', detail: slot.restartable ? 'past the cell deadline' : '--restart none' });
          return;
        }
        slot.incarnation++;
        slot.restarts++;
        logEvent({ kind: 'restart', target: slot.name, action: `restart #${slot.restarts}`, detail: `previous pid ${child.pid} died by SIGKILL` });
        continue;
      }
      errors.push(roleError(slot.name, result.signal ?? `code ${result.exitCode}`, String(result.stderr ?? '')));
      return;
    }
  };

  /** Waits for slots until the deadline; then kills what is left and says so. */
  const awaitSlots = async (slots: readonly Slot[], until: number): Promise<number> => {
    let timedOut = 0;
    const timer = setTimeout(() => {
      const running = slots.filter((slot) => slot.child && slot.child.exitCode === null);
      for (const slot of slots) slot.stopping = true;
      for (const slot of running) killProcess(slot.child!);
      timedOut = running.length;
      // One line for all of them, with the rule and the flag that raises it.
      if (running.length) {
        errors.push({
          source: running.length === 1 ? running[0]!.name : `${running.length} processes`, code: 'E_CELL_TIMEOUT',
          message: `${running.map((r) => r.name).join(', ')} still running at the cell timeout (${describeCellTimeout(config)}); killed with SIGKILL. Raise it with --timeout SECONDS`,
        });
      }
    }, Math.max(0, until - Date.now()));
    await Promise.all(slots.map((s) => s.done));
    clearTimeout(timer);
    return timedOut;
  };

  const stopAll = () => {
    for (const slot of [...writerSlots, ...backgroundSlots, finalizeSlot]) {
      slot.stopping = true;
      if (slot.child) killProcess(slot.child);
    }
  };
  plan.signal?.addEventListener('abort', stopAll, { once: true });

  // Network faults go through a proxy per process between it and the service; a started server is a target itself.
  if (services.redis && faults.process.some(isNetworkFault)) {
    const upstream = new URL(services.redis.url);
    for (const slot of [...writerSlots, ...backgroundSlots]) slot.proxy = await FaultProxy.start(upstream.hostname, Number(upstream.port));
  }
  const redisTarget = services.redis?.managed
    ? new RedisTarget(services.redis, logEvent, (message) => errors.push({ source: 'redis', code: 'E_SERVICE', message }))
    : undefined;
  const targets: FaultableProcess[] = [...writerSlots, ...backgroundSlots, ...(redisTarget ? [redisTarget] : []), ...(rig ? [rig] : [])];
  rig?.attach({
    random: faultPlanRandom(config.seed, scenario.name, config.workers, plan.repeat).fork('power-loss'),
    log: logEvent,
    killEverything: async () => {
      const live = [...writerSlots, ...backgroundSlots, finalizeSlot].filter((slot) => slot.child && slot.child.exitCode === null);
      const running = live.map((slot) => slot.child!);
      // SIGKILL alone: it ends a stopped process too, and a writer held at the trigger takes no step more.
      // A foreign strategy's role leads a process group with its child: the power goes for both.
      for (const slot of live) {
        try {
          process.kill(slot.processGroup ? -slot.child!.pid! : slot.child!.pid!, 'SIGKILL');
        } catch { /* ended meanwhile */ }
      }
      const redis = services.redis?.managed ? services.redis : undefined;
      const redisPid = redis?.pid();
      await Promise.all([...running.map((child) => child.catch(() => undefined)), redis?.kill()]);
      return [...running.map((child) => child.pid!), ...(redisPid === undefined ? [] : [redisPid])];
    },
    afterReboot: async () => {
      if (services.redis?.managed) await services.redis.restart();
    },
  });
  const nemesis = new Nemesis(new Map(targets.map((s) => [s.name, s])), logEvent);
  // The orchestrator's own CPU while the cell's processes run: it competes with them for the cores.
  const [cpuAtSpawn, wallAtSpawn] = [process.cpuUsage(), performance.now()];
  // Pauses at a point: the target stops itself there, the nemesis resumes it after the duration. Progress
  // triggers: the writer stops itself there, the nemesis carries out the fault and lets it go on.
  // A stop until another process reaches a point the strategy never marks could only end at its cap: skipped.
  const declared = strategy.definition.points;
  const unreachable = (f: Planned) => {
    const until = f.kind === 'pause' ? f.until : undefined;
    return until?.op === 'point' && declared !== undefined && !declared.some((p) => matchesPattern(until.point, p));
  };
  for (const fault of faults.process.filter(unreachable)) logEvent({ kind: fault.kind, target: fault.target, action: 'skipped', detail: 'the strategy marks no point its until= waits for', fault: fault.id });
  const processFaults = faults.process.filter((f) => !unreachable(f));
  nemesis.watchFaultLog(paths.faults, new Map(faults.inProcess.flatMap((f) => (f.kind === 'pause' ? [[f.id, { duration: f.duration, until: f.until }] as const] : []))),
    new Map(faults.inProcess.flatMap((f) => (f.kind === 'power-loss' ? [[f.id, f] as const] : []))));
  for (const slot of backgroundSlots) slot.done = supervise(slot);
  startedAt = Date.now();
  for (const slot of writerSlots) slot.done = supervise(slot);
  // Progress-triggered faults are armed at once; timed ones count from `go`, when every process has started
  // and opened (spawning takes 60–200 ms a process), as does the throughput window.
  nemesis.start(processFaults.filter((f) => f.at === undefined));
  const released = barrier.release(Math.min(READY_TIMEOUT_MS, deadline - Date.now()), plan.signal).then(() => {
    if (plan.signal?.aborted) return;
    logEvent({ kind: 'start', target: 'writers', action: 'all running', detail: 'go: writers start writing; timed faults and throughput count from here' });
    nemesis.start(processFaults.filter((f) => f.at !== undefined));
  });
  let timedOut = await awaitSlots(writerSlots, deadline);
  await released;
  const orchestratorCpu = process.cpuUsage(cpuAtSpawn);
  const harness = { orchestratorCpuMs: round((orchestratorCpu.user + orchestratorCpu.system) / 1000), windowMs: round(performance.now() - wallAtSpawn) };
  const wallMs = writingSpanMs(readLedgers(paths.ledger), barrier.goAt) ?? Date.now() - startedAt;

  // Heal before the final check: pending faults cancelled, paused processes resumed, the network
  // clean again, a killed server serving again.
  nemesis.heal();
  await redisTarget?.settle();
  // A power loss under way finishes (its restarted processes then run to their end like the others).
  if (rig) {
    await rig.rebooted();
    timedOut += await awaitSlots(writerSlots, deadline);
  }
  for (const slot of backgroundSlots) {
    slot.stopping = true;
    slot.child?.kill('SIGTERM');
  }
  timedOut += await awaitSlots(backgroundSlots, Math.min(deadline, Date.now() + BACKGROUND_GRACE_MS));
  nemesis.stop();

  const finalizeStarted = Date.now();
  if (strategy.definition.finalize && !plan.signal?.aborted) {
    finalizeSlot.done = supervise(finalizeSlot);
    timedOut += await awaitSlots([finalizeSlot], Math.max(deadline, Date.now() + FINALIZE_MIN_MS));
  }
  const finalizeMs = Date.now() - finalizeStarted;
  // The check reads plain folders: the mounts go (their last journals checked against the folders).
  if (rig) {
    await rig.close();
    for (const message of rig.errors) errors.push({ source: 'power-loss', code: 'E_POWER_LOSS', message });
  }

  plan.signal?.removeEventListener('abort', stopAll);
  await Promise.all([...writerSlots, ...backgroundSlots].map((slot) => slot.proxy?.close()));

  // A strategy that could not run as planned, or a fault that did not fire, has not shown its guarantees hold.
  const faultLog = readFaultLog(paths.faults);
  const generation = { seed: config.seed, payloadBytes: config.payloadBytes };
  const m = aggregateSnapshots(readSnapshots(paths.metrics));
  // What the claims assume, and what this cell did to it (a lease lost under a holder).
  const assumed = { assumptions: strategy.assumptions, lockStaleMs: config.lockStaleMs, leasesLost: m.lockCompromised };
  const judged = await judgeCell(cellDir, strategy.guarantees, generation, {
    planned: faults.all, log: faultLog, errors: [...errors], restart: config.restart, writers: config.workers,
    assumptions: assumed.assumptions, assumptionEvidence: { lockStaleMs: assumed.lockStaleMs, leasesLost: assumed.leasesLost },
  });
  const verdict = judged.verdict;
  if (verdict.error) errors.push({ source: 'check', code: 'E_CHECK', message: verdict.error });
  // What `check DIR` re-judges with: the run's own errors, schedule and verdict.
  writeCellRecord(cellDir, {
    strategy: strategy.spec.label, scenario: scenario.name, guarantees: strategy.guarantees, ...assumed, restart: config.restart, completed: !plan.signal?.aborted, generation, writers: config.workers,
    planned: faults.all, errors, valid: verdict.valid, unknownReasons: verdict.unknownReasons,
  });
  // What the strategy threw, shown with the cell's errors; not judged (a write that threw was not acked,
  // and the checker already counts it), so neither the verdict nor `check DIR` depends on it.
  errors.push(...writeFailures(paths.ledger));

  const logical = ackedLogicalBytes(verdict.acked, config);
  const ackedPerSec = wallMs > 0 ? (verdict.acked / wallMs) * 1000 : 0;
  const finalLedgers = readLedgers(paths.ledger);
  const [firstStart, complete] = [barrier.goAt ?? firstStartAt(finalLedgers), parquetCompleteAt(paths.data, finalLedgers)];
  const parquetMs = firstStart !== undefined && complete !== undefined ? Math.max(0, Math.round(complete - firstStart)) : null;
  // Acked records that are in the dataset: what actually became durable in Parquet.
  const inParquet = verdict.acked - verdict.lost;
  const allSlots = [...writerSlots, ...backgroundSlots, finalizeSlot];
  const label = pluginLabel(strategy);
  return {
    strategy: strategy.spec.label,
    ...(label === undefined ? {} : { label }),
    scenario: scenario.name,
    workers: config.workers,
    recordsPerWorker: config.recordsPerWorker,
    dir: cellDir,
    guarantees: strategy.guarantees,
    ...(strategy.assumptions.length ? { assumptions: strategy.assumptions.map((name) => ({ name, says: assumptions[name].says })) } : {}),
    verdict,
    io: {
      bytesWritten: m.proc.wchar,
      bytesRead: m.proc.rchar,
      writeOps: m.io.writeOps,
      fsyncs: m.io.fsyncs,
      renames: m.io.renames,
      filesCreated: m.io.filesCreated,
      writeAmplification: logical > 0 ? round(m.proc.wchar / logical) : null,
      filesInData: countFiles(paths.data),
      portBytesWritten: m.io.bytesWritten,
    },
    locks: {
      acquisitions: m.lockAcquisitions,
      waitMsTotal: round(sum(m.lockWaitsMs)),
      waitMsP50: nullable(percentile(m.lockWaitsMs, 50)),
      waitMsP99: nullable(percentile(m.lockWaitsMs, 99)),
      waitMsMax: nullable(max(m.lockWaitsMs)),
      timeouts: m.lockTimeouts,
      compromised: m.lockCompromised,
      staleTakeovers: m.lockStaleTakeovers,
    },
    throughput: {
      ackedPerSec: round(ackedPerSec, 1),
      wallMs,
      ackLatencyMsP50: nullable(percentile(m.ackLatenciesMs, 50)),
      ackLatencyMsP99: nullable(percentile(m.ackLatenciesMs, 99)),
      fractionOfLimit: plan.calibrationOpsPerSec > 0 ? round(ackedPerSec / plan.calibrationOpsPerSec, 4) : null,
      finalizeMs,
      parquetPerSec: parquetMs ? round((inParquet / parquetMs) * 1000, 1) : 0,
      parquetMs,
    },
    counters: m.counters,
    processes: {
      spawned: allSlots.filter((s) => s.child).length + sum(allSlots.map((s) => s.restarts)),
      failed: errors.filter((e) => e.code === 'E_ROLE_FAILED' || e.code === 'E_STRATEGY_CONTRACT' || e.code === 'E_PROTOCOL').length,
      timedOut,
    },
    faults: {
      planned: faults.all,
      outcomes: judged.faults,
      kills: faultLog.filter((e) => e.kind === 'kill' && e.action.startsWith('SIGKILL')).length,
      crashPoints: faultLog.filter((e) => e.kind === 'crash-point' && e.action === 'SIGKILL self').length,
      pauses: faultLog.filter((e) => e.kind === 'pause' && e.action.startsWith('SIGSTOP')).length,
      ioErrors: faultLog.filter((e) => e.kind === 'io-error' && e.action.startsWith('fail')).length,
      restarts: sum(allSlots.map((s) => s.restarts)) + (redisTarget?.restarts ?? 0),
      log: faultLog,
    },
    errors,
    harness,
    cpu: Object.fromEntries(Object.entries(m.cpu).map(([role, c]) => [role, { readyMs: round(c.readyMs), workMs: round(c.workMs), processes: c.processes }])),
    memory: {
      orchestratorPeakRssMiB: round(process.resourceUsage().maxRSS / 1024, 1),
      rolePeakRssMiB: round(m.maxRssKiB / 1024, 1),
      rolesPeakRssSumMiB: round(m.rssSumKiB / 1024, 1),
      processes: m.processes,
    },
  };
}

/**
 * A role's failure as a cell error. A strategy that broke the strategy API's contract, or a foreign one the
 * writer protocol (the role says so with `[E_STRATEGY_CONTRACT]` / `[E_PROTOCOL]`), is the strategy's
 * error, not the harness's.
 */
function roleError(name: string, how: string, stderr: string): CellError {
  const contract = /\[(E_STRATEGY_CONTRACT|E_PROTOCOL)\]: (.*)/.exec(stderr);
  if (contract) return { source: 'strategy', code: contract[1]!, message: `${name}: ${contract[2]!}` };
  return { source: name, code: 'E_ROLE_FAILED', message: `${name} exited with ${how}: ${stderrTail(stderr) || 'no output'}` };
}

function nullable(value: number | undefined): number | null {
  return value === undefined ? null : round(value);
}

/** A cell that could not run at all: nothing measured, verdict "unknown", the error kept. */
export function brokenCell(strategy: string, scenario: string, config: RunConfig, cellDir: string, error: CellError): CellResult {
  return {
    strategy, scenario, workers: config.workers, recordsPerWorker: config.recordsPerWorker, dir: cellDir,
    guarantees: { noLostAcked: false, noDuplicates: false, noCorruption: false },
    verdict: { ...emptyVerdict(), valid: 'unknown', error: error.message },
    io: { bytesWritten: 0, bytesRead: 0, writeOps: 0, fsyncs: 0, renames: 0, filesCreated: 0, writeAmplification: null, filesInData: 0, portBytesWritten: 0 },
    locks: { acquisitions: 0, waitMsTotal: 0, waitMsP50: null, waitMsP99: null, waitMsMax: null, timeouts: 0, compromised: 0, staleTakeovers: 0 },
    throughput: { ackedPerSec: 0, wallMs: 0, ackLatencyMsP50: null, ackLatencyMsP99: null, fractionOfLimit: null, finalizeMs: 0, parquetPerSec: 0, parquetMs: null },
    counters: {},
    processes: { spawned: 0, failed: 0, timedOut: 0 },
    faults: { planned: [], outcomes: [], kills: 0, crashPoints: 0, pauses: 0, ioErrors: 0, restarts: 0, log: [] },
    errors: [error],
  };
}
