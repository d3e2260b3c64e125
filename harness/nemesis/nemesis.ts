import { readFileSync } from 'node:fs';
import type { FaultEvent, ProcessFault } from './faults.js';

/** What the nemesis needs to know of a supervised process. */
export interface FaultableProcess {
  readonly name: string;
  /** The live child's pid, or undefined between lives / after it ended. */
  pid(): number | undefined;
  ledgerPath?: string;
}

const ACK = '"op":"ack"';

function countAcks(path: string): number {
  try {
    return readFileSync(path, 'utf8').split(ACK).length - 1;
  } catch {
    return 0;
  }
}

/**
 * Carries out process faults (kill, pause) against real processes on their triggers, logs each, and
 * heals: every paused process is resumed when its pause ends or when `heal()` is called.
 */
export class Nemesis {
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly paused = new Map<number, string>();

  constructor(
    private readonly processes: ReadonlyMap<string, FaultableProcess>,
    private readonly log: (event: Omit<FaultEvent, 'at'>) => void,
  ) {}

  start(faults: readonly ProcessFault[]): void {
    for (const fault of faults) {
      const target = this.processes.get(fault.target);
      if (!target) {
        this.log({ kind: fault.kind, target: fault.target, action: 'skipped', detail: 'no such process in this cell' });
        continue;
      }
      if (fault.at !== undefined) this.timers.push(setTimeout(() => this.fire(fault, target), fault.at));
      else this.watchAcks(fault, target, fault.afterAcks ?? 0);
    }
  }

  private watchAcks(fault: ProcessFault, target: FaultableProcess, acks: number): void {
    if (!target.ledgerPath) {
      this.log({ kind: fault.kind, target: target.name, action: 'skipped', detail: 'afterAcks needs a writer target' });
      return;
    }
    const poll = setInterval(() => {
      if (countAcks(target.ledgerPath!) >= acks) {
        clearInterval(poll);
        this.fire(fault, target);
      }
    }, 5);
    this.timers.push(poll);
  }

  private fire(fault: ProcessFault, target: FaultableProcess): void {
    const pid = target.pid();
    if (pid === undefined) {
      this.log({ kind: fault.kind, target: target.name, action: 'skipped', detail: 'target not running' });
      return;
    }
    if (fault.kind === 'kill') {
      this.signal(pid, 'SIGCONT');
      this.signal(pid, 'SIGKILL');
      this.paused.delete(pid);
      this.log({ kind: 'kill', target: target.name, pid, action: 'SIGKILL' });
      return;
    }
    this.signal(pid, 'SIGSTOP');
    this.paused.set(pid, target.name);
    this.log({ kind: 'pause', target: target.name, pid, action: 'SIGSTOP', detail: `for ${fault.duration} ms` });
    this.timers.push(setTimeout(() => this.resume(pid, 'pause ended'), fault.duration));
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
    for (const pid of [...this.paused.keys()]) this.resume(pid, 'healed before the final check');
  }
}
