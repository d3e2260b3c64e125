import type { IoHook, IoOp } from '../../sdk/ports/io.js';
import type { ClockPort } from '../../sdk/ports/clock.js';
import type { Random } from '../../sdk/random.js';
import { matchesPattern, REACHED, untilText, type FaultEvent, type InProcessFault, type Planned } from '../../sdk/faults.js';

export interface IoFaultEnv {
  random: Random;
  clock: ClockPort;
  log(event: Omit<FaultEvent, 'at' | 'target' | 'pid'>): void;
  /** Called right before a crash-point kills the process (e.g. to save a last metrics snapshot). */
  beforeCrash(): void;
  /** Kills or stops this process (with its process group, when it leads one). */
  signalSelf(signal: 'SIGKILL' | 'SIGSTOP'): void;
}

/** Logs the first few hits of a frequent fault, then every hundredth, so the log stays readable. */
const worthLogging = (hits: number) => hits <= 10 || hits % 100 === 0;

/** An event the nemesis watches for: it resumes a process that stopped itself after the fault's duration. */
export const SELF_STOP = 'SIGSTOP self';

/**
 * The I/O port hook that carries out a process's in-process faults (I/O faults and point triggers), and
 * reports reaching a point that a stop elsewhere waits for (`awaited`, `until=point:`).
 */
export function createFaultHook(faults: readonly Planned<InProcessFault>[], env: IoFaultEnv, awaited: readonly string[] = []): IoHook {
  const hits = faults.map(() => 0);

  const crash = (i: number, where: string) => {
    const fault = faults[i]!;
    env.log({ kind: fault.kind, action: 'SIGKILL self', detail: `at ${where} (hit ${hits[i]})`, fault: fault.id });
    env.beforeCrash();
    env.signalSelf('SIGKILL');
  };

  /** A point reached (a named point, or an I/O op for crash points): fires what waits for its nth arrival. */
  const arrive = (name: string, where: string, ops: boolean) => {
    // Reported before this point's own faults: a process that stops here has still reached it.
    if (!ops && awaited.some((pattern) => matchesPattern(pattern, name))) env.log({ kind: 'pause', action: REACHED, detail: name });
    for (const [i, fault] of faults.entries()) {
      const pattern = fault.kind === 'crash-point' ? fault.point : 'point' in fault ? fault.point : undefined;
      if (pattern === undefined || (ops && fault.kind !== 'crash-point') || !matchesPattern(pattern, name)) continue;
      if (++hits[i]! !== ('nth' in fault ? fault.nth ?? 1 : 1)) continue;
      if (fault.kind === 'pause') {
        // Stopped at once, in this very call: the nemesis sees the event and sends SIGCONT after the duration.
        env.log({ kind: 'pause', action: SELF_STOP, detail: `at ${where} (hit ${hits[i]}) ${fault.until ? `until ${untilText(fault.until)}, at most` : 'for'} ${fault.duration} ms`, fault: fault.id });
        env.signalSelf('SIGSTOP');
      } else if (fault.kind === 'power-loss') {
        // Stopped here until the nemesis, seeing the event, cuts the power (which kills this process).
        env.log({ kind: 'power-loss', action: SELF_STOP, detail: `at ${where} (hit ${hits[i]}): waiting for the power loss`, fault: fault.id });
        env.signalSelf('SIGSTOP');
      } else crash(i, where);
    }
  };

  return {
    async before(op: IoOp, path: string) {
      arrive(op, `${op} ${path}`, true);
      for (const [i, fault] of faults.entries()) {
        if (fault.kind !== 'slow-io' && fault.kind !== 'io-error') continue;
        if ((fault.op !== '*' && fault.op !== op) || !path.includes(fault.path)) continue;
        if (fault.kind === 'slow-io') {
          if (env.random.next() >= fault.probability) continue;
          if (worthLogging(++hits[i]!)) env.log({ kind: 'slow-io', action: `delay ${fault.delay} ms`, detail: `${op} ${path} (hit ${hits[i]})`, fault: fault.id });
          await env.clock.sleep(fault.delay);
        } else {
          const n = ++hits[i]!;
          const fire = fault.nth > 0 ? n === fault.nth : env.random.next() < fault.probability;
          if (!fire) continue;
          env.log({ kind: 'io-error', action: `fail with ${fault.errno}`, detail: `${op} ${path} (match ${n})`, fault: fault.id });
          throw Object.assign(new Error(`${fault.errno}: injected fault on ${op} ${path}`), { code: fault.errno });
        }
      }
    },
    point(name: string) {
      arrive(name, `point ${name}`, false);
    },
  };
}
