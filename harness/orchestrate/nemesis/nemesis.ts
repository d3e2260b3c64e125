import { closeSync, openSync, watch, type FSWatcher } from 'node:fs';
import type { FaultEvent, KillFault, NetworkFault, ProcessFault } from '../../sdk/faults.js';
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

  constructor(
    private readonly processes: ReadonlyMap<string, FaultableProcess>,
    private readonly log: (event: Omit<FaultEvent, 'at'>) => void,
  ) {}

  /**
   * Arms every fault: `at` timers count from now; progress triggers watch a writer's ledger (`of`, else
   * the target's own, else writer-0's for a target that keeps none).
   */
  start(faults: readonly ProcessFault[]): void {
    for (const fault of faults) {
      const target = this.processes.get(fault.target);
      if (!target) {
        this.log({ kind: fault.kind, target: fault.target, action: 'skipped', detail: 'no such process in this cell' });
        continue;
      }
      if (fault.at !== undefined) this.timers.push(setTimeout(() => this.fire(fault, target), fault.at));
      else if (fault.afterAttempts !== undefined) this.watchLedger(fault, target, 'attempt', fault.afterAttempts);
      else this.watchLedger(fault, target, 'ack', fault.afterAcks ?? 0);
    }
  }

  private ledgerOf(fault: ProcessFault, target: FaultableProcess): string | undefined {
    if (fault.of) return this.processes.get(fault.of)?.ledgerPath;
    return target.ledgerPath ?? this.processes.get('writer-0')?.ledgerPath;
  }

  /** Fires once a ledger holds `count` lines of a kind: inotify for promptness, a slow poll as a safety net. */
  private watchLedger(fault: ProcessFault, target: FaultableProcess, op: 'attempt' | 'ack', count: number): void {
    const path = this.ledgerOf(fault, target);
    if (!path) {
      this.log({ kind: fault.kind, target: target.name, action: 'skipped', detail: 'afterAcks/afterAttempts need a writer target' });
      return;
    }
    let done = false;
    // Each look reads only what the writer appended since the last one.
    const tail = new LedgerTail(path);
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

  private fire(fault: ProcessFault, target: FaultableProcess): void {
    if (fault.kind === 'latency' || fault.kind === 'drop' || fault.kind === 'partition') {
      this.network(fault, target);
      return;
    }
    const pid = target.pid();
    if (pid === undefined) {
      this.log({ kind: fault.kind, target: target.name, action: 'skipped', detail: 'target not running' });
      return;
    }
    if (fault.kind === 'kill') {
      this.paused.delete(pid);
      if (target.kill) target.kill(fault);
      else {
        this.signal(pid, 'SIGCONT');
        this.signal(pid, 'SIGKILL');
      }
      this.log({ kind: 'kill', target: target.name, pid, action: 'SIGKILL', ...(fault.down === undefined ? {} : { detail: `restart in ${fault.down} ms on the same data folder` }) });
      return;
    }
    this.signal(pid, 'SIGSTOP');
    this.paused.set(pid, target.name);
    this.log({ kind: 'pause', target: target.name, pid, action: 'SIGSTOP', detail: `for ${fault.duration} ms` });
    this.timers.push(setTimeout(() => this.resume(pid, 'pause ended'), fault.duration));
  }

  /** Network faults act on the target's proxy to its service; each timed one ends on its own or at heal. */
  private network(fault: NetworkFault, target: FaultableProcess): void {
    const proxy = target.proxy;
    if (!proxy) {
      this.log({ kind: fault.kind, target: target.name, action: 'skipped', detail: 'no service connection to fault (the strategy uses no service)' });
      return;
    }
    const later = (ms: number, action: string, undo: () => void) => this.timers.push(setTimeout(() => {
      undo();
      this.log({ kind: fault.kind, target: target.name, action, detail: 'ended' });
    }, ms));
    if (fault.kind === 'drop') {
      const before = proxy.dropped;
      proxy.dropConnections();
      this.log({ kind: 'drop', target: target.name, action: 'reset connections', detail: `${proxy.dropped - before} open` });
    } else if (fault.kind === 'latency') {
      proxy.delayMs = fault.delay;
      this.log({ kind: 'latency', target: target.name, action: `delay ${fault.delay} ms`, detail: `for ${fault.duration} ms` });
      later(fault.duration, 'delay 0 ms', () => { proxy.delayMs = 0; });
    } else {
      proxy.setPartitioned(true);
      this.log({ kind: 'partition', target: target.name, action: 'partitioned', detail: `for ${fault.duration} ms` });
      later(fault.duration, 'healed', () => proxy.setPartitioned(false));
    }
  }

  private resume(pid: number, why: string): void {
    const name = this.paused.get(pid);
    if (name === undefined) return;
    this.paused.delete(pid);
    this.signal(pid, 'SIGCONT');
    this.log({ kind: why === 'pause ended' ? 'pause' : 'heal', target: name, pid, action: 'SIGCONT', detail: why });
  }

  private signal(pid: number, signal: NodeJS.Signals): void {
    try {
      process.kill(pid, signal);
    } catch {
      // The process ended in between: nothing to do.
    }
  }

  /** Stops every pending fault and resumes every paused process. */
  heal(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.length = 0;
    for (const close of this.closers) close();
    for (const pid of [...this.paused.keys()]) this.resume(pid, 'healed before the final check');
    for (const target of this.processes.values()) target.proxy?.heal();
  }
}
