import type { createClient } from '@redis/client';
import { ChaosError } from './errors.js';
import type { StrategyContext } from './strategy.js';
import type { RedisEndpoint } from './services.js';

export type RedisClient = ReturnType<typeof createClient>;

/** A strategy's connection to the cell's Redis: every command has a deadline, keys carry the cell's prefix. */
export interface RedisConnection {
  readonly endpoint: RedisEndpoint;
  /** The cell's name for a key: `${prefix}${name}`. */
  key(name: string): string;
  /**
   * Runs one command (or MULTI) with a deadline. No reply in time (Redis paused, a partition) fails with
   * E_SERVICE_TIMEOUT, a lost connection (Redis killed, connection dropped) or a server still loading
   * its data with E_SERVICE_DOWN: either way the caller must treat the command as "maybe done"
   * (Jepsen's `info`), never as done. A reply error (e.g. NOGROUP) is thrown as the client's ErrorReply.
   */
  call<T>(what: string, command: (client: RedisClient) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export interface RedisConnectOptions {
  /** Longest wait for a reply, ms (a command sent while the connection is down waits as long). */
  timeoutMs: number;
}

/** What a connection needs of its process: the endpoints, the log and the counters (a StrategyContext has them). */
export type RedisUser = Pick<StrategyContext, 'services' | 'log' | 'count'>;

/** The endpoint the harness gave this process; a clear error when the strategy did not ask for Redis. */
export function redisEndpoint(ctx: RedisUser): RedisEndpoint {
  const endpoint = ctx.services.redis;
  if (!endpoint) {
    throw new ChaosError('E_SERVICE', 'no Redis endpoint in this process: the strategy must declare services() → { redis: … } so the harness provides one', {
      expected: 'a strategy whose services(options) ask for redis',
    });
  }
  return endpoint;
}

function timeoutError(what: string, ms: number, endpoint: RedisEndpoint): ChaosError {
  return new ChaosError('E_SERVICE_TIMEOUT', `redis ${what}: no reply from ${endpoint.url} within ${ms} ms`, {
    option: 'timeoutMs', value: ms, expected: 'a reply within the timeout',
  });
}

/**
 * Connects through @redis/client. A dropped connection is re-established in the background (backoff
 * 20 ms doubling to 500 ms, counted as `redisReconnects`); commands meanwhile wait in the client's
 * queue until their deadline.
 */
export async function connectRedis(ctx: RedisUser, options: RedisConnectOptions): Promise<RedisConnection> {
  const endpoint = redisEndpoint(ctx);
  // Loaded here, not at the top: the client costs every process that imports the strategies ~0.15 s of
  // CPU at start, and most never talk to Redis (measured on the 2-core machine with npm start).
  const { createClient, ErrorReply } = await import('@redis/client');
  const client: RedisClient = createClient({
    url: endpoint.url,
    socket: { connectTimeout: options.timeoutMs, reconnectStrategy: (retries) => Math.min(20 * 2 ** retries, 500) },
  });
  client.on('error', (error: Error) => ctx.log(`redis: ${error.message}`));
  client.on('reconnecting', () => ctx.count('redisReconnects'));

  async function withDeadline<T>(what: string, run: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const abort = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        // Drops the command if it was never sent; a sent one may still run on the server.
        abort.abort();
        reject(timeoutError(what, options.timeoutMs, endpoint));
      }, options.timeoutMs);
    });
    try {
      return await Promise.race([run(abort.signal), expired]);
    } finally {
      clearTimeout(timer);
    }
  }

  // Not awaited: a server that is down right now (killed, restarting) is reached when it is back, and
  // commands wait in the client's queue meanwhile, each until its own deadline. A first connection
  // that fails must not fail the process for good.
  client.connect().catch((error: Error) => ctx.log(`redis: connect: ${error.message}`));

  return {
    endpoint,
    key: (name) => `${endpoint.keyPrefix}${name}`,
    async call(what, command) {
      try {
        return await withDeadline(what, (signal) => command(client.withAbortSignal(signal) as RedisClient));
      } catch (error) {
        if (error instanceof ChaosError || (error instanceof ErrorReply && !error.message.startsWith('LOADING'))) throw error;
        throw new ChaosError('E_SERVICE_DOWN', `redis ${what}: ${(error as Error).message} (${endpoint.url})`, { cause: error });
      }
    },
    async close() {
      // Every command has been awaited (or given up on): nothing is lost by not waiting for QUIT.
      client.destroy();
    },
  };
}
