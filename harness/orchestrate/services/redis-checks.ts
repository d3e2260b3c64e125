/**
 * What the harness requires of a Redis server before a cell uses it: a version that has every command
 * the queue and lock backends send, and, for a server the harness starts, that the process answering
 * on the port is the one it just started.
 */
import { ChaosError } from '../../sdk/errors.js';

/** XAUTOCLAIM (the queue's reclaim of a dead consumer's entries) came in Redis 6.2. */
export const MIN_REDIS_VERSION = [6, 2, 0] as const;

const shown = (v: readonly number[]) => v.join('.');

/**
 * The version in `redis-server --version` output (`Redis server v=7.0.15 sha=…`), in `INFO server`
 * (`redis_version:7.0.15`), or a bare `7.0.15`; undefined when none is there.
 */
export function parseRedisVersion(text: string): [number, number, number] | undefined {
  const match = /(?:v=|redis_version:|^)(\d+)\.(\d+)\.(\d+)/m.exec(text.trim());
  return match ? [Number(match[1]), Number(match[2]), Number(match[3])] : undefined;
}

/**
 * The server's version (`7.0.15`) when it is recent enough; otherwise a clear error naming where the
 * server came from (`option`, `value`: the redis-server on PATH, or --redis-url) and the version needed.
 */
export function requireRedisVersion(reported: string, option: string, value: string): string {
  const version = parseRedisVersion(reported);
  const expected = `Redis ${shown(MIN_REDIS_VERSION)} or later (the queue reclaims a dead consumer's entries with XAUTOCLAIM)`;
  if (!version) {
    throw new ChaosError('E_SERVICE', `${option} ${value}: could not read the Redis version from '${reported.trim().slice(0, 80)}'`, { option, value, expected });
  }
  const tooOld = version.findIndex((part, i) => part !== MIN_REDIS_VERSION[i]);
  if (tooOld >= 0 && version[tooOld]! < MIN_REDIS_VERSION[tooOld]!) {
    throw new ChaosError('E_SERVICE', `${option} ${value}: Redis ${shown(version)} is too old; the queue and lock backends need ${expected}`, {
      option, value: `${value} (Redis ${shown(version)})`, expected,
    });
  }
  return shown(version);
}

export interface StartedServer {
  /** The pid the started redis-server wrote to its pid file. */
  started: number;
  /** The `process_id` the server answering on the port reports. */
  answering: number;
  /** The pid of the server this start replaces (a restart); undefined at the first start. */
  previous?: number;
}

/** Why the server answering is not the one just started (undefined when it is). */
export function startedServerProblem({ started, answering, previous }: StartedServer): string | undefined {
  if (answering !== started) return `the server answering on the port is pid ${answering}, not the redis-server just started (pid ${started}): a stale server holds the port`;
  if (previous !== undefined && started === previous) return `the restart did not restart: the server is still pid ${previous}`;
  return undefined;
}
