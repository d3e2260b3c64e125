import type { IoHook, IoOp } from '../../sdk/ports/io.js';
import type { ClockPort } from '../../sdk/ports/clock.js';
import type { Random } from '../../sdk/random.js';
import { matchesPattern, type FaultEvent, type IoFault } from '../../sdk/faults.js';

export interface IoFaultEnv {
  random: Random;
  clock: ClockPort;
  log(event: Omit<FaultEvent, 'at' | 'target' | 'pid'>): void;
  /** Called right before a crash-point kills the process (e.g. to save a last metrics snapshot). */
  beforeCrash(): void;
}

/** Logs the first few hits of a frequent fault, then every hundredth, so the log stays readable. */
const worthLogging = (hits: number) => hits <= 10 || hits % 100 === 0;

/** The I/O port hook that carries out a process's I/O faults. */
export function createFaultHook(faults: readonly IoFault[], env: IoFaultEnv): IoHook {
  const hits = faults.map(() => 0);

  const crash = (i: number, where: string) => {
    env.log({ kind: 'crash-point', action: 'SIGKILL self', detail: `at ${where} (hit ${hits[i]})` });
    env.beforeCrash();
    process.kill(process.pid, 'SIGKILL');
  };

  return {
    async before(op: IoOp, path: string) {
      for (const [i, fault] of faults.entries()) {
        if (fault.kind === 'crash-point') {
          if (matchesPattern(fault.point, op) && ++hits[i]! === fault.nth) crash(i, `${op} ${path}`);
          continue;
        }
        if ((fault.op !== '*' && fault.op !== op) || !path.includes(fault.path)) continue;
        if (fault.kind === 'slow-io') {
          if (env.random.next() >= fault.probability) continue;
          if (worthLogging(++hits[i]!)) env.log({ kind: 'slow-io', action: `delay ${fault.delay} ms`, detail: `${op} ${path} (hit ${hits[i]})` });
          await env.clock.sleep(fault.delay);
        } else {
          const n = ++hits[i]!;
          const fire = fault.nth > 0 ? n === fault.nth : env.random.next() < fault.probability;
          if (!fire) continue;
          env.log({ kind: 'io-error', action: `fail with ${fault.errno}`, detail: `${op} ${path} (match ${n})` });
          throw Object.assign(new Error(`${fault.errno}: injected fault on ${op} ${path}`), { code: fault.errno });
        }
      }
    },
    point(name: string) {
      for (const [i, fault] of faults.entries()) {
        if (fault.kind === 'crash-point' && matchesPattern(fault.point, name) && ++hits[i]! === fault.nth) crash(i, `point ${name}`);
      }
    },
  };
}
