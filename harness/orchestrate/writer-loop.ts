import { parseLedger, type LedgerEntry } from '../oracle/ledger.js';
import type { ClockPort } from '../sdk/ports/clock.js';
import type { Random } from '../sdk/random.js';
import { recordId, type TestRecord } from '../sdk/records.js';
import type { WriterHandle } from '../sdk/strategy.js';
import type { RunConfig } from '../result/result.js';
import { checkAcks } from '../oracle/acks.js';

export type RestartPolicy = RunConfig['restart'];

/**
 * The one writer loop: how a writer process talks to its strategy and what its ledger records. The real
 * writer role, the in-process test writer and the simulation drive strategies through it, so all three
 * keep the same ledger (start, attempt, ack, fail, end) and the checker judges them alike. It does no
 * I/O of its own: the ledger is a sink and time comes from the clock port.
 */

/** Where ledger lines go: a file (LedgerWriter) in real runs, anything with `append` in a simulation. */
export interface LedgerSink {
  append(entry: LedgerEntry): void;
  /** The lines of `entries`, in order, with one write (a file's); a sink without it gets them one by one. */
  appendAll?(entries: readonly LedgerEntry[]): void;
}

/** What a writer did so far (read live by the metrics snapshots). */
export interface WriteTally {
  attempted: number;
  acked: number;
  failed: number;
  /** Attempt → ack, ms, per acked id this process attempted. */
  ackLatenciesMs: number[];
}

export interface WriterSessionOptions {
  clock: ClockPort;
  /** The pid on the ledger's `start` line. */
  pid: number;
  /** The tally to keep (e.g. the metrics source's); a fresh one by default. */
  tally?: WriteTally;
  /**
   * Whether the writer survives a write that threw: true records a `fail` line and goes on (a real
   * runner logs a failed test and moves on); false rethrows, as when the error is the process dying.
   */
  survives(error: unknown): boolean;
}

export class WriterSession {
  readonly tally: WriteTally;
  private readonly attemptAt = new Map<string, number>();
  /** Ids handed to the strategy in this process: the only ids it may ack (see checkAcks). */
  private readonly handed = new Set<string>();
  private readonly clock: ClockPort;

  /** Starts a ledger segment: the `start` line is appended here. */
  constructor(private readonly handle: WriterHandle, private readonly ledger: LedgerSink, private readonly options: WriterSessionOptions) {
    this.clock = options.clock;
    this.tally = options.tally ?? { attempted: 0, acked: 0, failed: 0, ackLatenciesMs: [] };
    ledger.append({ op: 'start', pid: options.pid, t: this.clock.now() });
  }

  async open(): Promise<void> {
    await this.handle.open?.();
  }

  /** Attempts one record: `attempt`, then `ack` for every id the strategy says is now durable. */
  async write(record: TestRecord): Promise<void> {
    const t = this.clock.now();
    this.attemptAt.set(record.id, t);
    this.ledger.append({ op: 'attempt', id: record.id, t });
    this.tally.attempted++;
    this.handed.add(record.id);
    let written: { returned: unknown } | undefined;
    try {
      written = { returned: await this.handle.write(record) };
    } catch (error) {
      if (!this.options.survives(error)) throw error;
      // A failed write is not acked.
      this.tally.failed++;
      this.ledger.append({ op: 'fail', id: record.id, t: this.clock.now(), error: String((error as Error)?.message ?? error) });
    }
    // Outside the try: a broken contract is not a failed write, it ends the writer with the strategy's error.
    if (written) this.ack(checkAcks(written.returned, this.handed, 'write()'));
  }

  /** A clean end: acks what `close` made durable, then the `end` line. (A process that dies has none.) */
  async close(): Promise<void> {
    this.ack(checkAcks((await this.handle.close?.()) ?? [], this.handed, 'close()'));
    this.ledger.append({ op: 'end', t: this.clock.now() });
  }

  private ack(ids: readonly string[]): void {
    if (ids.length === 0) return;
    const t = this.clock.now();
    const entries = ids.map((id): LedgerEntry => ({ op: 'ack', id, t }));
    // A batch's acks in one write (group commit acks a writer's window at once); a sink that counts lines (a hold) takes them one by one.
    if (this.ledger.appendAll) this.ledger.appendAll(entries);
    else for (const entry of entries) this.ledger.append(entry);
    for (const id of ids) {
      this.tally.acked++;
      const started = this.attemptAt.get(id);
      if (started !== undefined) this.tally.ackLatenciesMs.push(t - started);
    }
  }
}

/**
 * Which sequence numbers this writer process should attempt. A fresh writer attempts them all; a
 * restarted one reads its own ledger and, like the seed's runner, retries ids it attempted but never
 * saw acked (policy `retry`) or leaves them unsaved (`skip`), then goes on with new ones.
 */
export function planSequence(ledgerText: string, recordsPerWorker: number, worker: number, policy: RestartPolicy = 'retry'): number[] {
  const { segments } = parseLedger(ledgerText);
  const attempted = new Set(segments.flatMap((s) => s.attempted));
  const acked = new Set(segments.flatMap((s) => s.acked));
  const plan: number[] = [];
  for (let seq = 0; seq < recordsPerWorker; seq++) {
    const id = recordId(worker, seq);
    if (!attempted.has(id) || (policy === 'retry' && !acked.has(id))) plan.push(seq);
  }
  return plan;
}

export interface WriterPlan {
  /** Sequence numbers to attempt, in order (see planSequence for a restarted writer's). */
  seqs: readonly number[];
  /** The record attempted at `seq`, made just before its attempt. */
  record(seq: number): TestRecord;
  /** Pause after each write: uniformly 0.5–1.5 × thinkMs on the clock; 0 for none. */
  thinkMs: number;
  random: Random;
  /** Awaited after open, before the first record: the cell's start barrier (real cells' first-life writers). */
  go?: () => Promise<void>;
}

/** Opens, attempts every planned record (pausing between them), and closes. */
export async function runWriterLoop(session: WriterSession, plan: WriterPlan, clock: ClockPort): Promise<void> {
  await session.open();
  await plan.go?.();
  for (const seq of plan.seqs) {
    await session.write(plan.record(seq));
    if (plan.thinkMs > 0) await clock.sleep(plan.thinkMs * (0.5 + plan.random.next()));
  }
  await session.close();
}
