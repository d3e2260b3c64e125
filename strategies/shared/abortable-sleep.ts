import type { ClockPort } from '../../harness/sdk/ports/clock.js';

/** Sleeps `ms` on the strategy's clock, or less if `signal` aborts first (a background role stopping). */
export function sleepUnlessAborted(clock: ClockPort, ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      signal.removeEventListener('abort', done);
      resolve();
    };
    signal.addEventListener('abort', done, { once: true });
    void clock.sleep(ms).then(done);
  });
}
