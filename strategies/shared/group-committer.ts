import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import type { StrategyContext } from '../../harness/sdk/strategy.js';
import { commitAddress, readLines } from './commit-socket.js';
import { OPEN, SEALED, segmentDir, SegmentWriter, type SegmentLimits } from './segment-log.js';

/** The points the committer marks with ctx.io.point (crash-point faults can name them). */
export const COMMIT_POINTS = ['consume:batch-taken', 'consume:batch-synced', 'consume:batch-acked'] as const;

export interface CommitLimits {
  /** Most records one write and fsync makes durable. */
  maxBatch: number;
  /** Longest a batch that is not full waits for more records after the first, ms (0: not at all). */
  maxWaitMs: number;
}

interface Pending {
  id: string;
  /** The record as a segment line, without its newline. */
  line: string;
  from: Socket;
}

/** Pause before a batch whose append failed is tried again (in a new segment). */
const RETRY_MS = 20;

/**
 * The committer of group-commit: one process (the strategy's consumer role) takes records from every
 * writer over a local socket, appends all that arrived while its previous fsync ran to its own log
 * segment with one write, fsyncs once, and only then acks each of them to its writer. Its segments are
 * the append-log format (`c-{processId}-{n}.seg`), folded into Parquet by the same compactor.
 *
 * A committer killed anywhere loses no ack: an id is acked after its line is fsynced. A record it
 * had made durable but not acked is sent again by its writer, and the compactor keeps one copy.
 */
export class GroupCommitter {
  private readonly pending: Pending[] = [];
  private arrived: (() => void) | undefined;
  private server: Server | undefined;
  private readonly log: SegmentWriter;

  constructor(private readonly ctx: StrategyContext, private readonly limits: CommitLimits, segment: SegmentLimits) {
    this.log = new SegmentWriter(ctx, segment, 'c');
  }

  /** Hands dead committers' open segments to the compactor, then listens (before the writers start). */
  async open(): Promise<void> {
    await this.log.open();
    // One committer runs at a time (a restarted one after the last died): every open segment is a dead one's.
    const dir = segmentDir(this.ctx);
    for (const name of await this.ctx.io.readdir(dir)) {
      if (name.endsWith(OPEN)) await this.ctx.io.rename(join(dir, name), join(dir, name.slice(0, -OPEN.length) + SEALED));
    }
    const server = createServer((socket) => this.accept(socket));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(commitAddress(this.ctx), () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.server = server;
  }

  /** Commits batches until `signal` aborts (every writer has ended by then), then seals its segment. */
  async run(signal: AbortSignal): Promise<void> {
    signal.addEventListener('abort', () => this.arrived?.(), { once: true });
    try {
      while (!signal.aborted || this.pending.length > 0) {
        if (this.pending.length === 0) {
          await this.nextArrival();
          continue;
        }
        await this.gather();
        const batch = this.pending.splice(0, this.limits.maxBatch);
        try {
          await this.commit(batch);
        } catch (error) {
          // Nothing of the batch was acked; part of it may be in the failed segment (the compactor keeps one copy).
          this.ctx.log(`commit failed, will retry: ${String((error as Error)?.message ?? error)}`);
          this.ctx.count('commitRetries');
          this.pending.unshift(...batch);
          await this.ctx.clock.sleep(RETRY_MS);
        }
      }
      await this.log.seal();
    } finally {
      this.server?.close();
    }
  }

  private accept(socket: Socket): void {
    // A writer killed mid-line: its whole lines are committed all the same, its acks go nowhere.
    socket.on('error', () => {});
    readLines(socket, (line) => {
      const space = line.indexOf(' ');
      if (space <= 0) {
        this.ctx.count('malformedLines');
        return;
      }
      this.pending.push({ id: line.slice(0, space), line: line.slice(space + 1), from: socket });
      this.arrived?.();
    });
  }

  private nextArrival(): Promise<void> {
    return new Promise((resolve) => {
      this.arrived = () => {
        this.arrived = undefined;
        resolve();
      };
    });
  }

  /**
   * Lets every writer whose line is waiting in the kernel be read first (the fsync blocked this
   * process meanwhile), then waits up to maxWaitMs for a batch to fill.
   */
  private async gather(): Promise<void> {
    await new Promise<void>((resolve) => setImmediate(resolve));
    const until = this.ctx.clock.now() + this.limits.maxWaitMs;
    while (this.pending.length < this.limits.maxBatch && this.ctx.clock.now() < until) {
      await Promise.race([this.nextArrival(), this.ctx.clock.sleep(until - this.ctx.clock.now())]);
    }
  }

  private async commit(batch: readonly Pending[]): Promise<void> {
    await this.ctx.io.point('consume:batch-taken');
    let lines = '';
    for (const p of batch) lines += `${p.line}\n`;
    await this.log.appendEncoded(new TextEncoder().encode(lines), batch.length);
    // Durable, not acked yet: a crash here leaves writers to send these again.
    await this.ctx.io.point('consume:batch-synced');
    const acks = new Map<Socket, string>();
    for (const p of batch) acks.set(p.from, `${acks.get(p.from) ?? ''}${p.id}\n`);
    for (const [socket, ids] of acks) if (!socket.destroyed) socket.write(ids);
    this.ctx.count('batches');
    this.ctx.count('batchedRecords', batch.length);
    await this.ctx.io.point('consume:batch-acked');
    await this.log.sealIfDue();
  }
}
