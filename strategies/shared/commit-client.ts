import { createConnection, type Socket } from 'node:net';
import type { TestRecord } from '../../harness/sdk/records.js';
import type { StrategyContext } from '../../harness/sdk/strategy.js';
import { commitAddress, readLines } from './commit-socket.js';
import { recordToJson } from './record-json.js';

export interface ClientLimits {
  /** Most records handed to the committer and not yet acked; a write waits while this many are. */
  window: number;
  /** A record unacked this long while the committer is out of reach is indeterminate, ms. */
  reconnectMs: number;
}

/** Pause between two tries to reach the committer (a killed one is being restarted). */
const RETRY_MS = 10;

function dial(address: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = createConnection(address);
    socket.once('error', reject);
    socket.once('connect', () => {
      socket.off('error', reject);
      resolve(socket);
    });
  });
}

/**
 * A writer's side of group commit: hands records to the committer and collects its acks. When the
 * connection drops (the committer was killed), it reconnects and sends every record still in flight
 * again: the committer may have made some durable already, and the compactor keeps one copy. A record
 * still unacked `reconnectMs` after it was handed over, while the committer is out of reach, is
 * indeterminate: neither acked nor failed (the checker counts it neither lost nor saved).
 */
export class CommitClient {
  private socket: Socket | undefined;
  private connecting: Promise<void> | undefined;
  private closing = false;
  /** Id → its line and when it was handed over, in that order. */
  private readonly inFlight = new Map<string, { line: string; at: number }>();
  private durable: string[] = [];
  /** Lines handed over in this tick, sent together at its end (see send). */
  private outgoing = '';
  private changed: (() => void) | undefined;
  private readonly address: string;

  constructor(private readonly ctx: StrategyContext, private readonly limits: ClientLimits) {
    this.address = commitAddress(ctx);
  }

  /** Starts dialling; the first write waits for no connection (its line is sent once there is one). */
  open(): void {
    void this.connect();
  }

  /** Hands `record` over; resolves (once fewer than `window` are in flight) with the ids acked since the last call. */
  async write(record: TestRecord): Promise<string[]> {
    const line = `${record.id} ${recordToJson(record)}\n`;
    this.inFlight.set(record.id, { line, at: this.ctx.clock.now() });
    if (this.socket) this.send(this.socket, line);
    else void this.connect();
    while (this.inFlight.size >= this.limits.window) await this.change();
    return this.takeDurable();
  }

  /**
   * Sends `line` with the others handed over in this tick: with a window, the writer loop hands over
   * records without leaving the microtask queue until the window is full, so they leave in one write
   * (one syscall, and one wakeup of the committer) instead of one each. Joined into one string, not
   * corked: a corked socket still keeps a write request and a callback for every line.
   */
  private send(socket: Socket, line: string): void {
    if (this.outgoing === '') process.nextTick(() => this.flush(socket));
    this.outgoing += line;
  }

  private flush(socket: Socket): void {
    const lines = this.outgoing;
    this.outgoing = '';
    // A socket closed meanwhile: its lines are in inFlight, sent again on reconnecting.
    if (this.socket === socket) socket.write(lines);
  }

  /** Waits for every record in flight to be acked (or found indeterminate). */
  async close(): Promise<string[]> {
    while (this.inFlight.size > 0) await this.change();
    this.closing = true;
    this.socket?.destroy();
    return this.takeDurable();
  }

  private takeDurable(): string[] {
    const ids = this.durable;
    this.durable = [];
    return ids;
  }

  private change(): Promise<void> {
    return new Promise((resolve) => {
      this.changed = resolve;
    });
  }

  private notify(): void {
    const changed = this.changed;
    this.changed = undefined;
    changed?.();
  }

  private connect(): Promise<void> {
    return (this.connecting ??= this.reach().finally(() => {
      this.connecting = undefined;
    }));
  }

  /** Dials until the committer answers (or the client closes), expiring records that waited too long meanwhile. */
  private async reach(): Promise<void> {
    while (!this.closing) {
      let socket: Socket;
      try {
        socket = await dial(this.address);
      } catch (error) {
        this.expire(error);
        await this.ctx.clock.sleep(RETRY_MS);
        continue;
      }
      this.attach(socket);
      for (const { line } of this.inFlight.values()) socket.write(line);
      return;
    }
  }

  private attach(socket: Socket): void {
    this.socket = socket;
    readLines(socket, (id) => {
      if (!this.inFlight.delete(id)) return; // a second ack of a record sent again
      this.durable.push(id);
      this.notify();
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      if (this.socket !== socket) return;
      this.socket = undefined;
      if (this.closing) return;
      this.ctx.count('disconnects');
      if (this.inFlight.size > 0) void this.connect();
    });
  }

  /**
   * The committer is out of reach: a record handed over `reconnectMs` ago or more may or may not be
   * durable, and its writer goes on without knowing (indeterminate). Younger ones wait on.
   */
  private expire(error: unknown): void {
    const before = this.ctx.clock.now() - this.limits.reconnectMs;
    const expired = [...this.inFlight].filter(([, sent]) => sent.at <= before).map(([id]) => id);
    if (expired.length === 0) return;
    for (const id of expired) this.inFlight.delete(id);
    this.ctx.count('indeterminate', expired.length);
    this.ctx.log(`committer unreachable (${String((error as Error)?.message ?? error)}): ${expired.join(', ')} unacked after ${this.limits.reconnectMs} ms, indeterminate`);
    this.notify();
  }
}
