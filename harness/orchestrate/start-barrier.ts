import type { Writable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * The cell's start barrier, as the append limit is measured (measure/append-limit.ts): every first-life
 * writer loads, opens its strategy, says `ready` on stdout and waits for one `go` on stdin before its first
 * record, so the throughput window starts when all write together, not while 8 processes start up one
 * after another on shared cores. A first-life merger or consumer waits for the same `go`, so that it is
 * loaded when the writers start and its CPU from `go` is its work. A restarted process does not wait (it
 * has no stdin), and one that dies or never says ready holds the others back at most `timeoutMs`.
 */
export const READY_LINE = 'ready\n';

/** Child side: says ready, resolves at `go` (or when the orchestrator closes stdin). */
export function awaitGo(): Promise<void> {
  return new Promise((resolve) => {
    const go = () => {
      process.stdin.destroy();
      resolve();
    };
    process.stdin.once('data', go).once('end', go).once('error', go);
    process.stdout.write(READY_LINE);
  });
}

interface Gated {
  stdout: NodeJS.ReadableStream | null;
  stdin: Writable | null;
  exitCode: number | null;
  finally(fn: () => void): Promise<unknown>;
}

/** Orchestrator side: collects the writers' ready lines, then releases them all with one `go`. */
export class StartBarrier {
  private readonly ready: Promise<void>[] = [];
  private readonly gated: Gated[] = [];
  /** Epoch ms of `go`, the start of the cell's throughput window; undefined until released. */
  goAt: number | undefined;

  /** A writer waiting for `go`: ready once it prints its ready line, or once it has exited (it will not come). */
  add(child: Gated): void {
    this.gated.push(child);
    child.stdin?.on('error', () => {}); // a writer that died before `go` closed its end: nothing to tell it
    this.ready.push(new Promise<void>((resolve) => {
      let seen = '';
      child.stdout?.on('data', (chunk: Buffer) => {
        seen += chunk.toString('utf8');
        if (seen.includes(READY_LINE)) resolve();
      });
      void child.finally(resolve);
    }));
  }

  /** Waits until every writer is ready (at most `timeoutMs`, or until `signal` aborts), then says `go` to all. */
  async release(timeoutMs: number, signal?: AbortSignal): Promise<number> {
    const timeout = new AbortController();
    const stop = () => timeout.abort();
    signal?.addEventListener('abort', stop, { once: true });
    await Promise.race([Promise.all(this.ready), sleep(Math.max(0, timeoutMs), undefined, { signal: timeout.signal }).catch(() => {})]);
    timeout.abort();
    signal?.removeEventListener('abort', stop);
    // The wall clock, as the writers' ledger times start from (their clock port's origin is Date.now()
    // at load). performance.timeOrigin + performance.now() was measured up to ~120 ms ahead of Date.now()
    // in a fresh process (Node 20): a `go` that late shortened the throughput window, and a fast cell's
    // last ledger line came before it (0 acked/s).
    this.goAt = Date.now();
    for (const child of this.gated) if (child.exitCode === null) child.stdin?.end('go\n');
    return this.goAt;
  }
}
