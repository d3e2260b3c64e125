import { closeSync, existsSync, openSync, readFileSync, readSync, watch, type FSWatcher } from 'node:fs';
import { HELD_AT_TRIGGER, matchesPattern, NO_SUCH_PROCESS, REACHED, untilText, type FaultEvent, type KillFault, type NetworkFault, type PauseFault, type Planned, type PowerLossFault, type ProcessFault } from '../../sdk/faults.js';
import { SELF_STOP } from './io-faults.js';
import type { FaultProxy } from '../services/fault-proxy.js';
import { LedgerTail } from '../ledger-tail.js';
import { countingWriter } from './hold.js';

/** What the nemesis needs to know of a supervised process (or of the cell's service). */
export interface FaultableProcess {
  readonly name: string;
  /** The live child's pid, or undefined between lives / after it ended. */
  pid(): number | undefined;
  ledgerPath?: string;
  /** A target killed its own way (the Redis server: SIGKILL, then a restart on the same data after `down`). */
  kill?(fault: KillFault): void;
  /** The process's proxy to its service: where network faults land. */
  proxy?: FaultProxy;
  /** The whole cell (target `cell`): cuts the power, logs what it did, and reboots the cell. */
  powerLoss?(fault: Planned<PowerLossFault>): void;
  /** The process leads a process group (a foreign strategy's role and its child): kills and pauses take the group. */
  readonly processGroup?: boolean;
}


/** The state letter of `pid` in /proc (R, S, T, Z, …); undefined when gone, or where there is no /proc. */
function procState(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The state follows the command name, which is in parentheses and may itself hold any character.
    return stat[stat.lastIndexOf(')') + 2];
  } catch {
    return undefined;
  }
}

const hasProc = () => existsSync('/proc/self/stat');

/**
 * Whether `pid` is a process that can still be killed or paused: it exists and is not a zombie. A child
 * that has exited stays a zombie until the orchestrator's event loop reaps it, and until then its pid
 * takes signals without effect: a kill sent then must not be logged as one that fired.
 */
function isLive(pid: number): boolean {
  const state = procState(pid);
  // Gone, where /proc tells; where there is no /proc (not Linux), a signal is all there is to go by.
  if (state === undefined) return !hasProc();
  return state !== 'Z' && state !== 'X';
}

/**
 * Resolves once `pid` has stopped (a writer holding at its trigger logs the hold, then stops itself: the
 * nemesis must not act, nor send its SIGCONT, before the stop has landed), or is gone.
 */
async function stopped(pid: number): Promise<void> {
  if (!hasProc()) return;
  for (;;) {
    const state = procState(pid);
    if (state === undefined || state === 'T' || state === 't' || state === 'Z' || state === 'X') return;
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
}

/** Whether a writer's ledger ends with its `end` line: its process has finished its work. */
function ledgerEnded(path: string): boolean {
  const tail = new LedgerTail(path);
  tail.poll();
  return !tail.open;
}

/** Watches a file that may not exist yet (the writer creates its ledger when it starts). */
function watchFile(path: string, onChange: () => void): FSWatcher | undefined {
  try {
    closeSync(openSync(path, 'a'));
    return watch(path, onChange);
  } catch {
    return undefined;
  }
}


/** How often a timed fault looks again for a target that is between two lives. */
const TARGET_RETRY_MS = 20;

/**
 * Carries out process faults (kill, pause) against real processes on their triggers, logs each, and
 * heals: every paused process is resumed when its pause ends or when `heal()` is called.
 */
export class Nemesis {
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly paused = new Map<number, string>();
  /** Writers stopped at a progress trigger, waiting for the nemesis to act (nemesis/hold.ts). */
  /** Writers held at a progress trigger: pid → target name. */
  private readonly held = new Map<number, string>();
  private readonly closers: (() => void)[] = [];
  /** Stops waiting for another process to reach a point (`until=point:`): each hears every `reached` event. */
  private readonly reachedListeners: ((event: FaultEvent) => void)[] = [];
  /** Faults armed and not fired yet: why each has not fired, as of now. */
  private readonly pending = new Map<number, { fault: Planned<ProcessFault>; why: () => string }>();
  private healed = false;
  /** The fault-log watch outlives heal(): a background role may still stop itself while it winds down. */
  private stopWatchingFaultLog = () => {};

  constructor(
    private readonly processes: ReadonlyMap<string, FaultableProcess>,
    private readonly log: (event: Omit<FaultEvent, 'at'>) => void,
  ) {}

  /**
   * Arms every fault: `at` timers count from now; progress triggers wait for the writer whose ledger
   * they count (`of`, else the target itself, else writer-0 for a target that keeps none) to hold at
   * the trigger and say so in the fault log (see watchFaultLog and nemesis/hold.ts).
   */
  start(faults: readonly Planned<ProcessFault>[]): void {
    for (const fault of faults) {
      const target = this.processes.get(fault.target);
      if (!target) {
        this.log({ kind: fault.kind, target: fault.target, action: 'skipped', detail: NO_SUCH_PROCESS, fault: fault.id });
        continue;
      }
      if (fault.at !== undefined) {
        this.pending.set(fault.id, { fault, why: () => `the writers ended before at=${fault.at} ms` });
        this.timers.push(setTimeout(() => this.fire(fault, target), fault.at));
      }
      else if (fault.afterAttempts !== undefined) this.awaitHold(fault, target, 'attempt', fault.afterAttempts);
      else this.awaitHold(fault, target, 'ack', fault.afterAcks ?? 0);
    }
  }

  private awaitHold(fault: Planned<ProcessFault>, target: FaultableProcess, op: 'attempt' | 'ack', count: number): void {
    const path = this.processes.get(countingWriter(fault))?.ledgerPath;
    if (!path) {
      this.log({ kind: fault.kind, target: target.name, action: 'skipped', detail: 'afterAcks/afterAttempts need a writer target', fault: fault.id });
      return;
    }
    // A trigger at 0 is reached before the first line: nothing to hold for.
    if (count === 0) {
      this.fire(fault, target);
      return;
    }
    const tail = new LedgerTail(path);
    this.pending.set(fault.id, { fault, why: () => `the ledger it counts reached ${(tail.poll(), tail.counts[op])} of the ${count} ${op}s that trigger it` });
  }

  /** A writer held at a progress trigger: once it has stopped, the fault is carried out, then the writer goes on. */
  private async onHeld(event: FaultEvent): Promise<void> {
    const pid = event.pid!;
    this.held.set(pid, event.target);
    await stopped(pid);
    const pending = event.fault === undefined ? undefined : this.pending.get(event.fault);
    const target = pending && this.processes.get(pending.fault.target);
    const keeps = pending && target ? this.fire(pending.fault, target, pid) : false;
    if (!this.held.delete(pid) || keeps) return;
    this.signal(pid, 'SIGCONT', event.target);
  }

  /**
   * Carries out a fault on its target. `heldPid`: the writer holding at the fault's trigger, stopped;
   * returns true when the fault itself keeps that process stopped or ends it (a pause or kill of it).
   */
  private fire(fault: Planned<ProcessFault>, target: FaultableProcess, heldPid?: number): boolean {
    this.pending.delete(fault.id);
    if (fault.kind === 'latency' || fault.kind === 'drop' || fault.kind === 'partition') {
      this.network(fault, target);
      return false;
    }
    if (fault.kind === 'power-loss') {
      if (!target.powerLoss) {
        this.log({ kind: fault.kind, target: target.name, action: 'skipped', detail: 'the cell is not mounted through crashfs', fault: fault.id });
        return false;
      }
      // The power loss kills every process of the cell, a writer held at the trigger too (stopped till then).
      target.powerLoss(fault);
      return heldPid !== undefined;
    }
    const pid = target.pid();
    const live = pid !== undefined && isLive(pid);
    // (A writer whose ledger has its end line has finished for good: no next life to wait for.)
    if (!live && fault.at !== undefined && heldPid === undefined && !this.healed && !(target.ledgerPath && ledgerEnded(target.ledgerPath))) {
      // A timed fault whose target is between two lives (crashed by another fault, restarting) hits
      // its next life: the trigger acts where the target is. Not fired by the end: logged by heal().
      this.pending.set(fault.id, { fault, why: () => `${target.name} was not running from at=${fault.at} ms until the writers ended` });
      this.timers.push(setTimeout(() => this.fire(fault, target), TARGET_RETRY_MS));
      return false;
    }
    if (!live) {
      this.log({ kind: fault.kind, target: target.name, action: 'skipped', detail: pid === undefined ? 'target not running' : 'target not running (it had just ended)', fault: fault.id });
      return false;
    }
    // A kill or pause counts only if it hits live work: a writer that wrote its `end` line has none left.
    if (pid !== heldPid && target.ledgerPath && ledgerEnded(target.ledgerPath)) {
      this.log({ kind: fault.kind, target: target.name, pid, action: 'skipped', detail: 'target had finished its work (its ledger holds its end line)', fault: fault.id });
      return false;
    }
    const isHeld = pid === heldPid;
    if (fault.kind === 'kill') {
      this.paused.delete(pid);
      if (target.kill) target.kill(fault);
      else {
        // A writer held at its trigger is stopped, and SIGKILL ends a stopped process: no SIGCONT, so that
        // it cannot take one more step first.
        if (!isHeld) this.signal(pid, 'SIGCONT', target.name);
        this.signal(pid, 'SIGKILL', target.name);
      }
      this.log({ kind: 'kill', target: target.name, pid, action: 'SIGKILL', fault: fault.id, ...(fault.down === undefined ? {} : { detail: `restart in ${fault.down} ms on the same data folder` }) });
      return isHeld;
    }
    this.signal(pid, 'SIGSTOP', target.name);
    this.log({ kind: 'pause', target: target.name, pid, action: 'SIGSTOP', detail: fault.until ? `until ${untilText(fault.until)}, at most ${fault.duration} ms` : `for ${fault.duration} ms`, fault: fault.id });
    this.resumeLater(pid, target.name, fault);
    return isHeld;
  }

  /** Resumes a stopped process after its pause: its duration, or (`until`) once another process has made progress, capped by the duration. */
  private resumeLater(pid: number, name: string, pause: Pick<PauseFault, 'duration' | 'until'>): void {
    this.paused.set(pid, name);
    if (this.healed) {
      this.resume(pid, 'healed before the final check');
      return;
    }
    const { until } = pause;
    if (!until) {
      this.timers.push(setTimeout(() => this.resume(pid, 'pause ended'), pause.duration));
      return;
    }
    const progress = until.op === 'point' ? this.pointProgress(pid, until.point) : this.ledgerProgress(name, until.op);
    const poll = setInterval(() => {
      if (progress() < until.count) return;
      end();
      this.resume(pid, 'pause ended', `after ${untilText(until)}`);
    }, 10);
    const cap = setTimeout(() => {
      end();
      const made = until.op === 'point' ? 'no other process reached it' : `another writer made ${progress()} of ${until.count} ${until.op}s`;
      this.resume(pid, 'pause ended', `cap of ${pause.duration} ms reached without the progress it waited for: ${made}`);
    }, pause.duration);
    const end = () => {
      clearInterval(poll);
      clearTimeout(cap);
    };
    this.closers.push(end);
  }

  /** The most `op` lines any other writer's ledger gained since now (counted per writer). */
  private ledgerProgress(stopped: string, op: 'attempt' | 'ack'): () => number {
    const others = [...this.processes.values()].filter((p) => p.ledgerPath && p.name !== stopped).map((p) => new LedgerTail(p.ledgerPath!));
    for (const tail of others) tail.poll();
    const base = others.map((tail) => tail.counts[op]);
    return () => {
      for (const tail of others) tail.poll();
      return Math.max(0, ...others.map((tail, i) => tail.counts[op] - base[i]!));
    };
  }

  /** How many times another process has reported reaching a point matching `point` since now (watchFaultLog's `reached` events). */
  private pointProgress(stopped: number, point: string): () => number {
    let reached = 0;
    this.reachedListeners.push((event) => {
      if (event.pid !== stopped && matchesPattern(point, event.detail ?? '')) reached++;
    });
    return () => reached;
  }

  /**
   * Watches the cell's fault log for what processes say of themselves: a pause at a point (`SIGSTOP
   * self`), resumed after its duration, and a writer held at a progress trigger, for which the fault is
   * carried out now.
   */
  watchFaultLog(faultLogPath: string, pauses: ReadonlyMap<number, Pick<PauseFault, 'duration' | 'until'>>, powerLosses: ReadonlyMap<number, Planned<PowerLossFault>> = new Map()): void {
    let offset = 0;
    let rest = '';
    const check = () => {
      let fd: number;
      try {
        fd = openSync(faultLogPath, 'r');
      } catch {
        return;
      }
      try {
        const buffer = Buffer.alloc(64 * 1024);
        for (let n; (n = readSync(fd, buffer, 0, buffer.length, offset)) > 0;) {
          offset += n;
          rest += buffer.toString('utf8', 0, n);
        }
      } finally {
        closeSync(fd);
      }
      const lines = rest.split('\n');
      rest = lines.pop() ?? '';
      for (const line of lines) {
        if (!line.includes(SELF_STOP) && !line.includes(HELD_AT_TRIGGER) && !line.includes(`"action":"${REACHED}"`)) continue;
        const event = JSON.parse(line) as FaultEvent;
        if (event.pid === undefined) continue;
        if (event.action === REACHED) {
          for (const listener of this.reachedListeners) listener(event);
          continue;
        }
        if (event.action === HELD_AT_TRIGGER) {
          void this.onHeld(event);
          continue;
        }
        // A writer stopped at a power loss's point: the power goes now (it kills the stopped writer too).
        const power = event.fault === undefined ? undefined : powerLosses.get(event.fault);
        const cell = this.processes.get(power?.target ?? '');
        if (event.action === SELF_STOP && power && cell) {
          this.fire(power, cell, event.pid);
          continue;
        }
        const pause = event.fault === undefined ? undefined : pauses.get(event.fault);
        if (event.action === SELF_STOP && pause !== undefined) this.resumeLater(event.pid, event.target, pause);
      }
    };
    const watcher = watchFile(faultLogPath, check);
    const poll = setInterval(check, 20);
    this.stopWatchingFaultLog = () => {
      clearInterval(poll);
      watcher?.close();
    };
  }

  /** Network faults act on the target's proxy to its service; each timed one ends on its own or at heal. */
  private network(fault: Planned<NetworkFault>, target: FaultableProcess): void {
    const proxy = target.proxy;
    if (!proxy) {
      this.log({ kind: fault.kind, target: target.name, action: 'skipped', detail: 'no service connection to fault (the strategy uses no service)', fault: fault.id });
      return;
    }
    const later = (ms: number, action: string, undo: () => void) => this.timers.push(setTimeout(() => {
      undo();
      this.log({ kind: fault.kind, target: target.name, action, detail: 'ended' });
    }, ms));
    if (fault.kind === 'drop') {
      const before = proxy.dropped;
      proxy.dropConnections();
      const dropped = proxy.dropped - before;
      // A drop counts only if it cut live traffic.
      if (dropped === 0) this.log({ kind: 'drop', target: target.name, action: 'skipped', detail: 'no open connection to drop', fault: fault.id });
      else this.log({ kind: 'drop', target: target.name, action: 'reset connections', detail: `${dropped} open`, fault: fault.id });
    } else if (fault.kind === 'latency') {
      proxy.delayMs = fault.delay;
      this.log({ kind: 'latency', target: target.name, action: `delay ${fault.delay} ms`, detail: `for ${fault.duration} ms`, fault: fault.id });
      later(fault.duration, 'delay 0 ms', () => { proxy.delayMs = 0; });
    } else {
      proxy.setPartitioned(true);
      this.log({ kind: 'partition', target: target.name, action: 'partitioned', detail: `for ${fault.duration} ms`, fault: fault.id });
      later(fault.duration, 'healed', () => proxy.setPartitioned(false));
    }
  }

  private resume(pid: number, why: string, how?: string): void {
    const name = this.paused.get(pid);
    if (name === undefined) return;
    this.paused.delete(pid);
    this.signal(pid, 'SIGCONT', name);
    this.log({ kind: why === 'pause ended' ? 'pause' : 'heal', target: name, pid, action: 'SIGCONT', detail: how ? `${why}: ${how}` : why });
  }

  /** Signals a target's process, or its whole group when it leads one. */
  private signal(pid: number, signal: NodeJS.Signals, name: string): void {
    try {
      process.kill(this.processes.get(name)?.processGroup ? -pid : pid, signal);
    } catch {
      // The process ended in between: nothing to do.
    }
  }

  /** Stops every pending fault (logging each as not fired, with why) and resumes every paused process. */
  heal(): void {
    this.healed = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.length = 0;
    for (const close of this.closers) close();
    for (const { fault, why } of this.pending.values()) {
      this.log({ kind: fault.kind, target: fault.target, action: 'not fired', detail: why(), fault: fault.id });
    }
    this.pending.clear();
    for (const pid of [...this.paused.keys()]) this.resume(pid, 'healed before the final check');
    // A writer still held at a trigger (its fault could not be carried out) goes on.
    for (const [pid, name] of this.held) this.signal(pid, 'SIGCONT', name);
    this.held.clear();
    for (const target of this.processes.values()) target.proxy?.heal();
  }

  /** Ends the fault-log watch, once every process the faults could stop has ended. */
  stop(): void {
    this.stopWatchingFaultLog();
  }
}
