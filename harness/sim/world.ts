import type { ClockPort } from '../sdk/ports/clock.js';
import type { RoleKind } from '../sdk/strategy.js';
import type { SimStep } from '../result/sim-result.js';

/**
 * Simulated processes on a simulated clock, one running at a time. A process runs until it reaches a
 * gate: an I/O or lock step (which waits for the scheduler to pick it), a sleep, or a wait for a lock
 * (which wait for simulated time or a notification). The scheduler picks among the processes waiting
 * at a step; a choice sequence makes every pick, so one sequence is one interleaving, replayable.
 * Time advances by STEP_MS per step and jumps to the next timer when nothing is ready.
 */

/** Simulated time one I/O or lock step takes, ms. */
export const STEP_MS = 1;

/** Simulated wall-clock origin (2026-01-01T00:00:00Z): record timestamps and file names derive from it. */
export const SIM_EPOCH_MS = Date.UTC(2026, 0, 1);

export interface Gate {
  op: string;
  path: string;
  resume: () => void;
  fail: (error: Error) => void;
}

export interface SimProcess {
  /** writer-0 … writer-N, merger, consumer, finalize */
  name: string;
  kind: RoleKind;
  index: number;
  incarnation: number;
  pid: number;
  status: 'alive' | 'done' | 'failed' | 'dead';
  error?: unknown;
  /** When it died or was paused (a lease holder stops refreshing then). */
  diedAt?: number;
  pausedAt?: number;
  /** The step it waits at for the scheduler. */
  gate?: Gate;
  /** A sleep or lock wait: wakes at `at` (or earlier when its channel is notified). */
  timer?: { at: number; channel?: string; wake: () => void };
  /** Paused (SIGSTOP-like) until this time: takes no step, wakes from no timer. */
  pausedUntil?: number;
}

export class SimWorld {
  now = SIM_EPOCH_MS;
  readonly processes: SimProcess[] = [];
  readonly trace: SimStep[] = [];
  steps = 0;
  /** Concurrent operations refused (see `step`): a schedule with any cannot be judged. */
  readonly refusals: string[] = [];
  private signal: () => void = () => {};
  private nextPid = 1000;

  /** A clock port for `proc`: time is the world's, sleeps are timers. */
  clock(proc: SimProcess): ClockPort {
    return {
      now: () => this.now,
      nowMicros: () => BigInt(Math.round(this.now * 1000)),
      sleep: (ms) => this.waitUntil(proc, this.now + Math.max(0, ms)),
    };
  }

  /** Starts a process; resolves once it reaches its first gate (or ends). */
  async spawn(spec: Pick<SimProcess, 'name' | 'kind' | 'index' | 'incarnation'>, body: (proc: SimProcess) => Promise<void>): Promise<SimProcess> {
    const proc: SimProcess = { ...spec, pid: this.nextPid++, status: 'alive' };
    this.processes.push(proc);
    await this.resume(() => {
      body(proc).then(
        () => this.settle(proc, 'done'),
        (error: unknown) => this.settle(proc, 'failed', error),
      );
    });
    return proc;
  }

  /**
   * Called by the running process: wait here until the scheduler picks this step. A process that asks
   * for a step while it already waits at one (or sleeps) runs operations concurrently (Promise.all
   * over I/O): one simulated process takes one step at a time, so the second is refused with
   * E_SIM_CONCURRENT, and the refusal is kept in `refusals` so that the schedule cannot be judged
   * even if the process catches it.
   */
  step(proc: SimProcess, op: string, path: string): Promise<void> {
    const refused = this.refuseConcurrent(proc, `${op} ${path}`);
    if (refused) return refused;
    return new Promise<void>((resume, fail) => {
      proc.timer = undefined;
      proc.gate = { op, path, resume, fail };
      this.signal();
    });
  }

  /** Called by the running process: sleep until `at`, or until `channel` is notified. */
  waitUntil(proc: SimProcess, at: number, channel?: string): Promise<void> {
    const refused = this.refuseConcurrent(proc, channel ?? 'a sleep');
    if (refused) return refused;
    return new Promise<void>((wake) => {
      proc.gate = undefined;
      proc.timer = { at, channel, wake };
      this.signal();
    });
  }

  /** Wakes every process waiting on `channel` now. */
  notify(channel: string): void {
    for (const p of this.processes) if (p.status === 'alive' && p.timer?.channel === channel) p.timer.at = Math.min(p.timer.at, this.now);
  }

  /** Alive processes waiting at a step, not paused, in spawn order: what the scheduler picks from. */
  ready(): SimProcess[] {
    return this.processes.filter((p) => p.status === 'alive' && p.gate && !(p.pausedUntil! > this.now));
  }

  /** Wakes due timers, in time then spawn order; false when nothing is due. */
  async wakeDue(): Promise<boolean> {
    const due = this.processes
      .filter((p) => p.status === 'alive' && p.timer && p.timer.at <= this.now && !(p.pausedUntil! > this.now))
      .sort((a, b) => a.timer!.at - b.timer!.at);
    for (const p of due) {
      if (p.status !== 'alive' || !p.timer) continue;
      const { wake } = p.timer;
      p.timer = undefined;
      await this.resume(wake);
    }
    return due.length > 0;
  }

  /** The next time something becomes ready by time alone (a timer, the end of a pause), if any. */
  nextWakeAt(): number | undefined {
    const times = this.processes
      .filter((p) => p.status === 'alive')
      .flatMap((p) => [p.timer ? Math.max(p.timer.at, p.pausedUntil ?? 0) : undefined, p.gate && p.pausedUntil! > this.now ? p.pausedUntil : undefined])
      .filter((t): t is number => t !== undefined && Number.isFinite(t));
    return times.length ? Math.min(...times) : undefined;
  }

  /** Lets `proc` take its step (or fails the step with `error`), and runs it to its next gate. */
  async take(proc: SimProcess, fault?: { error?: Error; note?: string }): Promise<void> {
    const gate = proc.gate!;
    proc.gate = undefined;
    this.steps++;
    this.now += STEP_MS;
    this.trace.push({ step: this.steps, t: this.now - SIM_EPOCH_MS, process: proc.name, op: gate.op, path: gate.path, ...(fault?.note ? { fault: fault.note } : {}) });
    await this.resume(() => (fault?.error ? gate.fail(fault.error) : gate.resume()));
  }

  /** The process dies where it stands: it never takes another step. */
  kill(proc: SimProcess): void {
    proc.status = 'dead';
    proc.diedAt = this.now;
    proc.gate = undefined;
    proc.timer = undefined;
  }

  /** Pauses the process (SIGSTOP-like) for `ms` of simulated time. */
  pause(proc: SimProcess, ms: number): void {
    proc.pausedAt = this.now;
    proc.pausedUntil = this.now + ms;
  }

  /** Runs `start` (which may wake processes outside the scheduler, e.g. an abort) and lets them reach their next gate. */
  async interrupt(start: () => void): Promise<void> {
    start();
    await new Promise<void>((settled) => setImmediate(settled));
  }

  /** A rejection when `proc` already waits at a step or a timer (see `step`), else undefined. */
  private refuseConcurrent(proc: SimProcess, what: string): Promise<never> | undefined {
    // A plain sleep the process stopped waiting for (a sleep raced with an abort signal, as a background
    // role's poll does when it is stopped) is abandoned, not concurrent: it never wakes.
    if (!proc.gate && proc.timer && proc.timer.channel === undefined) proc.timer = undefined;
    const busy = proc.gate ? `${proc.gate.op} ${proc.gate.path}` : proc.timer ? (proc.timer.channel ?? 'a sleep') : undefined;
    if (busy === undefined) return undefined;
    const message = `${proc.name} started ${what} while its ${busy} was still pending: concurrent operations within one `
      + 'simulated process (e.g. Promise.all over I/O) are not simulated; run them one after another';
    this.refusals.push(message);
    return Promise.reject(Object.assign(new Error(message), { code: 'E_SIM_CONCURRENT' }));
  }

  private settle(proc: SimProcess, status: 'done' | 'failed', error?: unknown): void {
    if (proc.status === 'alive') {
      proc.status = status;
      proc.error = error;
    }
    this.signal();
  }

  /** Runs `start` (which resumes one process) and waits until that process reaches a gate or ends. */
  private resume(start: () => void): Promise<void> {
    return new Promise<void>((yielded) => {
      this.signal = yielded;
      start();
    });
  }
}
