import { setTimeout as sleepMs } from 'node:timers/promises';

/** Time as strategies see it: real here, replaceable by a simulated clock in deterministic runs. */
export interface ClockPort {
  /** Milliseconds since the epoch, sub-millisecond resolution. */
  now(): number;
  nowMicros(): bigint;
  sleep(ms: number): Promise<void>;
}

const origin = Date.now() - performance.now();

export const realClock: ClockPort = {
  now: () => origin + performance.now(),
  nowMicros: () => BigInt(Math.round((origin + performance.now()) * 1000)),
  sleep: (ms) => sleepMs(ms),
};
