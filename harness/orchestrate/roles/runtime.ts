import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RoleKind, StrategyContext } from '../../sdk/strategy.js';
import { getCodec } from '../../sdk/codec/index.js';
import { loadStrategy, type LoadedStrategy } from '../load-strategy.js';
import { realClock } from '../../sdk/ports/clock.js';
import { createIoPort, noopHook, type IoHook } from '../../sdk/ports/io.js';
import { ChaosError } from '../../sdk/errors.js';
import { createRawIoPort } from '../../sdk/ports/raw-io.js';
import { createLockPort, LOCK_ACQUIRED } from '../../sdk/ports/lock.js';
import { Random } from '../../sdk/random.js';
import { cellPaths, type RoleConfig } from './config.js';
import type { FaultEvent } from '../../sdk/faults.js';
import { createFaultHook } from '../nemesis/io-faults.js';

/** The seed system's process id: `{pid}_{YYYYmmdd_HHMMSS}`. */
export function processId(pid: number, at: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${pid}_${at.getUTCFullYear()}${p(at.getUTCMonth() + 1)}${p(at.getUTCDate())}_${p(at.getUTCHours())}${p(at.getUTCMinutes())}${p(at.getUTCSeconds())}`;
}

/** Signals this role process, or its whole process group when it leads one (a foreign strategy's role). */
export function signalSelf(config: Pick<RoleConfig, 'processGroup'>, signal: NodeJS.Signals): void {
  process.kill(config.processGroup ? -process.pid : process.pid, signal);
}

/** Dies with the parent: a role whose orchestrator is gone (even by SIGKILL) must not linger, nor its group. */
export function exitWithParent(config: Pick<RoleConfig, 'processGroup'>): void {
  const parent = process.ppid;
  setInterval(() => {
    if (process.ppid !== parent) signalSelf(config, 'SIGKILL');
  }, 300).unref();
}

export interface RoleRuntime {
  loaded: LoadedStrategy;
  ctx: StrategyContext;
  /** The strategy's named counters (ctx.count), for the metrics snapshots. */
  counters: Record<string, number>;
  /** Registers what to do right before a crash-point kills this process. */
  beforeCrash(fn: () => void): void;
}

/** Appends one fault event to the cell's faults.jsonl (one write per line, like the ledger). */
export function logFaultEvent(config: RoleConfig, event: Omit<FaultEvent, 'at' | 'target' | 'pid'>): void {
  const line: FaultEvent = { at: Date.now() - config.startedAt, target: config.name, pid: process.pid, ...event };
  // Paths inside the cell are logged relative to it: shorter, and the same from run to run.
  if (line.detail) line.detail = line.detail.replaceAll(`${config.cellDir}/`, '');
  appendFileSync(cellPaths(config.cellDir).faults, `${JSON.stringify(line)}\n`);
}

function faultHook(config: RoleConfig, random: Random, onCrash: { fn: () => void }): IoHook {
  const awaited = config.awaitedPoints ?? [];
  if (config.ioFaults.length === 0 && awaited.length === 0) return noopHook;
  return createFaultHook(config.ioFaults, {
    random, clock: realClock, log: (event) => logFaultEvent(config, event), beforeCrash: () => onCrash.fn(),
    signalSelf: (signal) => signalSelf(config, signal),
  }, awaited);
}

export async function createRuntime(config: RoleConfig, kind: RoleKind): Promise<RoleRuntime> {
  const paths = cellPaths(config.cellDir);
  const loaded = await loadStrategy(config.strategy);
  const logFile = join(paths.logs, `${kind}-${config.index}-${process.pid}.log`);
  const onCrash = { fn: () => {} };
  const counters: Record<string, number> = {};
  const random = new Random(config.seed).fork(`${config.name}#${config.incarnation}`);
  const io = config.rawIo ? createRawIoPort() : createIoPort(faultHook(config, random.fork('faults'), onCrash));
  const declared = loaded.definition.points;
  // The harness's own points (lock:acquired) are marked past the strategy's declared list.
  const mark = io.point;
  if (declared) {
    // A point the definition does not declare could be named by no fault check: keep the list true.
    io.point = async (name) => {
      if (!declared.includes(name)) throw new ChaosError('E_PLUGIN', `strategy ${loaded.definition.name} marks point '${name}', which its definition's points do not list`);
      await mark(name);
    };
  }
  const codec = getCodec(config.codec);
  await codec.ready();
  const count = (name: string, n = 1) => {
    counters[name] = (counters[name] ?? 0) + n;
  };
  const log = (message: string) => appendFileSync(logFile, `${new Date().toISOString()} ${message}\n`);
  const ctx: StrategyContext = {
    io,
    // `lock:acquired` is a fault point: a pause there stops a process while it holds a lock.
    lock: createLockPort({
      dir: join(paths.state, 'locks'), staleMs: config.lockStaleMs, defaultTimeoutMs: config.lockTimeoutMs, onAcquired: () => mark(LOCK_ACQUIRED),
      services: config.services, log, count, ioCounters: io.counters,
    }, realClock),
    clock: realClock,
    codec,
    dataDir: paths.data,
    stateDir: paths.state,
    role: { kind, index: config.index, pid: process.pid, processId: processId(process.pid, new Date()) },
    services: config.services,
    random,
    count,
    log,
  };
  return { loaded, ctx, counters, beforeCrash: (fn) => { onCrash.fn = fn; } };
}
