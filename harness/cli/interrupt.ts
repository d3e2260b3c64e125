import { killAll } from '../orchestrate/supervise.js';
import type { Io } from './command.js';

/**
 * Runs `body` with Ctrl-C (SIGINT) and SIGTERM wired to stop it: `onInterrupt` runs (e.g. ends the
 * progress line), the user is told, `body`'s signal aborts and every child process is killed, so the
 * command can still save and report what was measured. The handlers are removed however `body` ends.
 */
export async function interruptible<T>(io: Pick<Io, 'err'>, body: (signal: AbortSignal) => Promise<T>, onInterrupt: () => void = () => {}): Promise<T> {
  const abort = new AbortController();
  const onSignal = () => {
    onInterrupt();
    io.err('\ninterrupted: killing every child process and saving what was measured…\n');
    abort.abort();
    void killAll();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    return await body(abort.signal);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
