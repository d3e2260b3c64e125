/**
 * A small loopback TCP proxy between one process and its service, which the nemesis controls:
 * added latency (every chunk held `delayMs`, order kept), dropped connections (both sides reset), and
 * a partition (nothing passes either way until it heals; then what was held is delivered, as TCP's
 * retransmissions would). It listens on 127.0.0.1 only.
 */
import { connect, createServer, type Server, type Socket } from 'node:net';

/** One direction of one connection: chunks wait until due and until no partition holds them. */
class Pipe {
  private readonly queue: { data: Buffer; due: number }[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly to: Socket, private readonly proxy: FaultProxy) {}

  push(data: Buffer): void {
    this.queue.push({ data, due: Date.now() + this.proxy.delayMs });
    this.pump();
  }

  pump(): void {
    if (this.timer) return;
    while (this.queue.length > 0 && !this.proxy.partitioned) {
      const wait = this.queue[0]!.due - Date.now();
      if (wait > 0) {
        this.timer = setTimeout(() => {
          this.timer = undefined;
          this.pump();
        }, wait);
        return;
      }
      if (!this.to.destroyed) this.to.write(this.queue.shift()!.data);
      else this.queue.length = 0;
    }
  }

  close(): void {
    clearTimeout(this.timer);
    this.queue.length = 0;
  }
}

export class FaultProxy {
  delayMs = 0;
  partitioned = false;
  /** Connections the proxy reset (drop faults). */
  dropped = 0;
  private readonly pairs = new Set<{ client: Socket; upstream: Socket; pipes: Pipe[] }>();

  private constructor(private readonly server: Server, readonly port: number) {}

  static start(upstreamHost: string, upstreamPort: number): Promise<FaultProxy> {
    return new Promise((resolve, reject) => {
      const server = createServer();
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => {
        const proxy = new FaultProxy(server, (server.address() as { port: number }).port);
        server.on('connection', (client) => proxy.accept(client, upstreamHost, upstreamPort));
        resolve(proxy);
      });
    });
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  private accept(client: Socket, upstreamHost: string, upstreamPort: number): void {
    const upstream = connect({ host: upstreamHost, port: upstreamPort });
    const pipes = [new Pipe(upstream, this), new Pipe(client, this)];
    const pair = { client, upstream, pipes };
    this.pairs.add(pair);
    client.on('data', (data) => pipes[0]!.push(data));
    upstream.on('data', (data) => pipes[1]!.push(data));
    const end = () => {
      if (!this.pairs.delete(pair)) return;
      for (const pipe of pipes) pipe.close();
      client.destroy();
      upstream.destroy();
    };
    for (const socket of [client, upstream]) {
      socket.on('error', end);
      socket.on('close', end);
    }
  }

  /** Resets every open connection (the process reconnects through the proxy). */
  dropConnections(): void {
    for (const pair of [...this.pairs]) {
      this.dropped++;
      pair.client.resetAndDestroy();
      pair.upstream.destroy();
    }
  }

  setPartitioned(on: boolean): void {
    this.partitioned = on;
    if (!on) for (const pair of this.pairs) for (const pipe of pair.pipes) pipe.pump();
  }

  /** Back to a clean network: no delay, no partition. */
  heal(): void {
    this.delayMs = 0;
    this.setPartitioned(false);
  }

  close(): Promise<void> {
    for (const pair of [...this.pairs]) {
      pair.client.destroy();
      pair.upstream.destroy();
    }
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
