import { closeSync, existsSync, openSync, readFileSync, readSync, watch, type FSWatcher } from 'node:fs';
import { NO_SUCH_PROCESS, type FaultEvent, type KillFault, type NetworkFault, type Planned, type ProcessFault } from '../../sdk/faults.js';
import { SELF_STOP } from './io-faults.js';
import type { FaultProxy } from '../services/fault-proxy.js';
import { LedgerTail } from '../ledger-tail.js';

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
  /** The process leads a process group (a foreign strategy's role and its child): kills and pauses take the group. */
  readonly processGroup?: boolean;
}


/**
 * Whether `pid` is a process that can still be killed or paused: it exists and is not a zombie. A child
 * that has exited stays a zombie until the orchestrator's event loop reaps it, and until then its pid
 * takes signals without effect: a loaded orchestrator often sees a fast writer's triggering ack only
 * after the writer has finished, and a kill sent then must not be logged as one that fired.
 */
function isLive(pid: number): boolean {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    // Gone, where /proc tells; where there is no /proc (not Linux), a signal is all there is to go by.
    return !existsSync('/proc/self/stat');
  }
  // The state follows the command name, which is in parentheses and may itself hold any character.
  const state = stat[stat.lastIndexOf(')') + 2];
  return state !== 'Z' && state !== 'X';
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


/**
 * Carries out process faults (kill, pause) against real processes on their triggers, logs each, and
 * heals: every paused process is resumed when its pause ends or when `heal()` is called.
 */
export class Nemesis {
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly paused = new Map<number, string>();
  private readonly closers: (() => void)[] = [];
  /** Faults armed and not fired yet: why each has not fired, as of now. */
  private readonly pending = new Map<number, { fault: Planned<ProcessFault>; why: () => string }>();
  private healed = false;
  /** The self-stop watch outlives heal(): a background role may still stop itself while it winds down. */
  private stopWatchingSelfStops = () => {};

  constructor(
    private readonly processes: ReadonlyMap<string, FaultableProcess>,
    private readonly log: (event: Omit<FaultEvent, 'at'>) => void,
  ) {}

  /**
   * Arms every fault: `at` timers count from now; progress triggers watch a writer's ledger (`of`, else
   * the target's own, else writer-0's for a target that keeps none).
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
      else if (fault.afterAttempts !== undefined) this.watchLedger(fault, target, 'attempt', fault.afterAttempts);
      else this.watchLedger(fault, target, 'ack', fault.afterAcks ?? 0);
    }
  }

  private ledgerOf(fault: ProcessFault, target: FaultableProcess): string | undefined {
    if (fault.of) return this.processes.get(fault.of)?.ledgerPath;
    return target.ledgerPath ?? this.processes.get('writer-0')?.ledgerPath;
  }

  /** Fires once a ledger holds `count` lines of a kind: inotify for promptness, a slow poll as a safety net. */
  private watchLedger(fault: Planned<ProcessFault>, target: FaultableProcess, op: 'attempt' | 'ack', count: number): void {
    const path = this.ledgerOf(fault, target);
    if (!path) {
      this.log({ kind: fault.kind, target: target.name, action: 'skipped', detail: 'afterAcks/afterAttempts need a writer target', fault: fault.id });
      return;
    }
    let done = false;
    // Each look reads only what the writer appended since the last one.
    const tail = new LedgerTail(path);
    this.pending.set(fault.id, { fault, why: () => `the ledger it counts reached ${(tail.poll(), tail.counts[op])} of the ${count} ${op}s that trigger it` });
    const check = () => {
      if (done) return;
      tail.poll();
      if (tail.counts[op] < count) return;
      done = true;
      watcher?.close();
      clearInterval(poll);
      this.fire(fault, target);
    };
    const watcher = watchFile(path, check);
    const poll = setInterval(check, 20);
    this.timers.push(poll);
    this.closers.push(() => watcher?.close());
  }

  private fire(fault: Planned<ProcessFault>, target: FaultableProcess): void {
    this.pending.delete(fault.id);
    if (fault.kind === 'latency' || fault.kind === 'drop' || fault.kind === 'partition') {
      this.network(fault, target);
      return;
    }
    const pid = target.pid();
    if (pid === undefined || !isLive(pid)) {
      this.log({ kind: fault.kind, target: target.name, action: 'skipped', detail: pid === undefined ? 'target not running' : 'target not running (it had just ended)', fault: fault.id });
      return;
    }
    if (fault.kind === 'kill') {
      this.paused.delete(pid);
      if (target.kill) target.kill(fault);
      else {
        this.signal(pid, 'SIGCONT', target.name);
        this.signal(pid, 'SIGKILL', target.name);
      }
      this.log({ kind: 'kill', target: target.name, pid, action: 'SIGKILL', fault: fault.id, ...(fault.down === undefined ? {} : { detail: `restart in ${fault.down} ms on the same data folder` }) });
      return;
    }
    this.signal(pid, 'SIGSTOP', target.name);
    this.log({ kind: 'pause', target: target.name, pid, action: 'SIGSTOP', detail: `for ${fault.duration} ms`, fault: fault.id });
    this.resumeLater(pid, target.name, fault.duration);
  }

  private resumeLater(pid: number, name: string, duration: number): void {
    this.paused.set(pid, name);
    if (this.healed) this.resume(pid, 'healed before the final check');
    else this.timers.push(setTimeout(() => this.resume(pid, 'pause ended'), duration));
  }

  /**
   * Resumes processes that stopped themselves at a point (pause faults with `point=`): they log a
   * SIGSTOP-self event to the cell's fault log, which is watched here.
   */
  watchSelfStops(faultLogPath: string, durations: ReadonlyMap<number, number>): void {
    if (durations.size === 0) return;
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
        if (!line.includes(SELF_STOP)) continue;
        const event = JSON.parse(line) as FaultEvent;
        const duration = event.fault === undefined ? undefined : durations.get(event.fault);
        if (event.action === SELF_STOP && event.pid !== undefined && duration !== undefined) this.resumeLater(event.pid, event.target, duration);
      }
    };
    const watcher = watchFile(faultLogPath, check);
    const poll = setInterval(check, 20);
    this.stopWatchingSelfStops = () => {
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
      this.log({ kind: 'drop', target: target.name, action: 'reset connections', detail: `${proxy.dropped - before} open`, fault: fault.id });
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

  private resume(pid: number, why: string): void {
    const name = this.paused.get(pid);
    if (name === undefined) return;
    this.paused.delete(pid);
    this.signal(pid, 'SIGCONT', name);
    this.log({ kind: why === 'pause ended' ? 'pause' : 'heal', target: name, pid, action: 'SIGCONT', detail: why });
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
    for (const target of this.processes.values()) target.proxy?.heal();
  }

  /** Ends the self-stop watch, once every process the faults could stop has ended. */
  stop(): void {
    this.stopWatchingSelfStops();
  }
}
