/**
 * The cell's redis-server: started from PATH on a free loopback port with its data folder in the
 * cell's state/, faulted by the nemesis (kill, pause, restart on the same data folder), stopped after
 * the cell. With --redis-url an existing server is used instead and never touched.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { delimiter, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { execa } from 'execa';
import type { createClient } from '@redis/client';
import { ChaosError } from '../../sdk/errors.js';
import { redisDurabilities, type RedisDurability } from '../../sdk/services.js';
import { trackService } from '../supervise.js';
import { requireRedisVersion, startedServerProblem } from './redis-checks.js';

export const INSTALL_HINT = 'install it (Debian/Ubuntu: apt-get install redis-server; macOS: brew install redis) or give --redis-url redis://HOST:PORT';

/** The redis-server on PATH, or a clear error saying how to get one. */
export function findRedisServer(path = process.env.PATH ?? ''): string {
  for (const dir of path.split(delimiter).filter(Boolean)) {
    const candidate = join(dir, 'redis-server');
    if (existsSync(candidate)) return candidate;
  }
  throw new ChaosError('E_SERVICE', `redis-server not found on PATH: this strategy needs a Redis server; ${INSTALL_HINT}`, {
    option: 'PATH', value: 'redis-server', expected: 'a redis-server executable on PATH, or --redis-url',
  });
}

const checkedExecutables = new Map<string, string>();

/** The version of the redis-server `executable` (from `--version`) when it is recent enough; otherwise a clear error. */
export function requireServerVersion(executable: string): string {
  let version = checkedExecutables.get(executable);
  if (version === undefined) {
    let output: string;
    try {
      output = execFileSync(executable, ['--version'], { encoding: 'utf8', timeout: 10_000 });
    } catch (error) {
      throw new ChaosError('E_SERVICE', `${executable} --version failed: ${(error as Error).message}`, { option: 'PATH', value: executable, expected: 'a runnable redis-server', cause: error });
    }
    version = requireRedisVersion(output, 'PATH', executable);
    checkedExecutables.set(executable, version);
  }
  return version;
}

/** A free TCP port on 127.0.0.1 (the kernel's choice). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** One raw PING; true on +PONG (a server still loading its AOF answers -LOADING). */
function pingOnce(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    let reply = '';
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(500, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk) => {
      reply += chunk.toString();
      if (reply.includes('\r\n')) done(reply.startsWith('+PONG'));
    });
  });
}

export interface RedisService {
  /** Where processes connect (before any fault proxy). */
  url: string;
  /** True when the harness started this server (it may fault and stop it); false for --redis-url. */
  managed: boolean;
  version: string;
  durability: RedisDurability;
  /** The server's process id while it runs (managed servers only). */
  pid(): number | undefined;
  kill(): Promise<void>;
  pause(): void;
  resume(): void;
  /** Starts the server again on the same port and data folder. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

// A watchdog shell: redis-server dies with the harness even when the harness is SIGKILLed.
const WATCHDOG = 'exe=$1; shift; "$exe" "$@" & r=$!; trap "kill -9 $r 2>/dev/null; exit 0" TERM INT; '
  + 'while kill -0 $r 2>/dev/null; do kill -0 $PPID 2>/dev/null || kill -9 $r 2>/dev/null; sleep 0.2; done; wait $r';

/** Starts redis-server for one cell: loopback only, data in `dir`, AOF per the durability setting. */
export async function startRedis(dir: string, durability: RedisDurability): Promise<RedisService> {
  const executable = findRedisServer();
  requireServerVersion(executable);
  mkdirSync(dir, { recursive: true });
  const port = await freePort();
  const pidFile = join(dir, 'redis.pid');
  const logFile = join(dir, 'redis.log');
  const args = [
    '--port', String(port), '--bind', '127.0.0.1', '--protected-mode', 'yes', '--daemonize', 'no',
    '--dir', dir, '--pidfile', pidFile, '--logfile', logFile, '--save', '', ...redisDurabilities[durability].config,
  ];
  let wrapper: ReturnType<typeof execa> | undefined;
  let pid: number | undefined;
  let untrack = () => {};
  let version = '';
  /** The pid of the last server started (kept after a kill: a restart must bring up another one). */
  let lastStarted: number | undefined;

  const url = `redis://127.0.0.1:${port}`;
  // A start is checked, never trusted: the pid file is removed first, so the pid read after the server
  // answers is the new server's, and the server answering must report that very pid (and, after a
  // restart, a pid other than the last one's): a stale server on the port, or a restart that did not
  // restart, fails the cell instead of passing off the old server's state as recovered.
  const launch = async () => {
    const previous = lastStarted;
    const previousWrapper = wrapper;
    // A server of this cell's that outlived its kill is ours to stop if this start fails (its watchdog
    // shell kills it on SIGTERM; one whose server is gone has exited, or will within 0.2 s).
    const fail = async (error: ChaosError) => {
      await stopNow();
      previousWrapper?.kill('SIGTERM');
      await previousWrapper;
      return error;
    };
    rmSync(pidFile, { force: true });
    const child = execa('sh', ['-c', WATCHDOG, 'sh', executable, ...args], { reject: false, stdin: 'ignore', cleanup: true });
    wrapper = child;
    pid = undefined;
    untrack = trackService(() => stopNow());
    const deadline = Date.now() + 10_000;
    while (!existsSync(pidFile) || !(await pingOnce(port))) {
      if (child.exitCode !== null || Date.now() > deadline) {
        const log = existsSync(logFile) ? readFileSync(logFile, 'utf8').trim().split('\n').slice(-3).join(' | ') : 'no log';
        throw await fail(new ChaosError('E_SERVICE', `redis-server did not start on 127.0.0.1:${port}: ${log}`, { value: executable }));
      }
      await sleep(20);
    }
    const started = Number(readFileSync(pidFile, 'utf8').trim());
    const facts = await serverFacts(url);
    const problem = startedServerProblem({ started, answering: facts.processId, ...(previous === undefined ? {} : { previous }) });
    pid = started;
    if (problem) {
      throw await fail(new ChaosError('E_SERVICE', `redis-server on 127.0.0.1:${port}: ${problem}`, {
        option: 'redis-server pid', value: facts.processId, expected: `the pid of the redis-server just started (${started})${previous === undefined ? '' : `, other than the last one's (${previous})`}`,
      }));
    }
    lastStarted = started;
    version = requireRedisVersion(facts.version, 'PATH', executable);
  };

  const signal = (name: NodeJS.Signals) => {
    if (pid === undefined) return;
    try {
      process.kill(pid, name);
    } catch {
      // Already gone.
    }
  };

  async function stopNow(): Promise<void> {
    signal('SIGCONT');
    signal('SIGKILL');
    pid = undefined;
    wrapper?.kill('SIGTERM');
    await wrapper;
    untrack();
  }

  await launch();
  return {
    url, managed: true, version, durability,
    pid: () => pid,
    kill: stopNow,
    pause: () => signal('SIGSTOP'),
    resume: () => signal('SIGCONT'),
    restart: launch,
    stop: stopNow,
  };
}

type AdminClient = ReturnType<typeof createClient>;

async function withClient<T>(url: string, body: (client: AdminClient) => Promise<T>): Promise<T> {
  // Loaded when first needed: most runs and commands never start a Redis server.
  const { createClient } = await import('@redis/client');
  const client: AdminClient = createClient({ url, socket: { connectTimeout: 2000, reconnectStrategy: false } });
  client.on('error', () => {});
  try {
    await client.connect();
    return await body(client);
  } catch (error) {
    if (error instanceof ChaosError) throw error;
    throw new ChaosError('E_SERVICE', `redis at ${url}: ${(error as Error).message}`, { option: '--redis-url', value: url, expected: 'a reachable Redis server', cause: error });
  } finally {
    client.destroy();
  }
}

/** The server's `INFO server` facts the harness checks: its version line and its process id. */
function serverFacts(url: string): Promise<{ version: string; processId: number }> {
  return withClient(url, async (client) => {
    const info = await client.info('server');
    return { version: /redis_version:([^\r\n]+)/.exec(info)?.[1] ?? 'unknown', processId: Number(/process_id:(\d+)/.exec(info)?.[1]) };
  });
}

/** The version of a server given with --redis-url when it is recent enough; otherwise a clear error. */
export async function requireUrlVersion(url: string): Promise<string> {
  return requireRedisVersion((await serverFacts(url)).version, '--redis-url', url);
}

/**
 * A server given with --redis-url: never faulted or stopped by the harness. Its persistence settings
 * must be the ones the strategy declares, or the cell's claimed guarantees would be someone else's.
 */
export async function useExistingRedis(url: string, durability: RedisDurability): Promise<RedisService> {
  const settings = await withClient(url, async (client) => ({
    appendonly: (await client.configGet('appendonly')).appendonly,
    appendfsync: (await client.configGet('appendfsync')).appendfsync,
  }));
  const wanted = redisDurabilities[durability].config;
  const needAppendonly = wanted[1];
  const needFsync = wanted[3];
  if (settings.appendonly !== needAppendonly || (needFsync !== undefined && settings.appendfsync !== needFsync)) {
    throw new ChaosError('E_SERVICE',
      `--redis-url ${url}: durability=${durability} needs appendonly ${needAppendonly}${needFsync ? `, appendfsync ${needFsync}` : ''}; the server has appendonly ${settings.appendonly}, appendfsync ${settings.appendfsync}`,
      { option: '--redis-url', value: url, expected: `a server configured for durability=${durability}` });
  }
  const version = await requireUrlVersion(url);
  const noop = () => {};
  return {
    url, managed: false, version, durability,
    pid: () => undefined, kill: async () => {}, pause: noop, resume: noop, restart: async () => {}, stop: async () => {},
  };
}
