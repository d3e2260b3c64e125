import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseRedisVersion, requireRedisVersion, startedServerProblem } from '../harness/orchestrate/services/redis-checks.js';
import { startRedis } from '../harness/orchestrate/services/redis-server.js';
import { resolveMatrix } from '../harness/orchestrate/run.js';
import { processesMentioning } from './support/processes.js';

describe('the Redis version the backends need (>= 6.2: XAUTOCLAIM)', () => {
  it('reads the version from `redis-server --version`, INFO, or a bare version', () => {
    expect(parseRedisVersion('Redis server v=7.0.15 sha=00000000:0 malloc=jemalloc-5.3.0 bits=64 build=d81b8ff71cfb150e\n')).toEqual([7, 0, 15]);
    expect(parseRedisVersion('# Server\r\nredis_version:6.2.14\r\nredis_mode:standalone\r\n')).toEqual([6, 2, 14]);
    expect(parseRedisVersion('5.0.7')).toEqual([5, 0, 7]);
    expect(parseRedisVersion('KeyDB 6')).toBeUndefined();
  });

  it('accepts 6.2.0 and later, refuses older with a clear error (code, option, value, expected)', () => {
    expect(requireRedisVersion('Redis server v=6.2.0 sha=0', 'PATH', '/usr/bin/redis-server')).toBe('6.2.0');
    expect(requireRedisVersion('redis_version:10.0.1', '--redis-url', 'redis://h:1')).toBe('10.0.1');
    expect(() => requireRedisVersion('Redis server v=6.0.16 sha=00000000:0 malloc=jemalloc-5.2.1', 'PATH', '/usr/bin/redis-server')).toThrow(expect.objectContaining({
      code: 'E_SERVICE', option: 'PATH', value: '/usr/bin/redis-server (Redis 6.0.16)', expected: expect.stringContaining('Redis 6.2.0 or later'),
    }));
    expect(() => requireRedisVersion('redis_version:5.0.7', '--redis-url', 'redis://h:1')).toThrow(/Redis 5\.0\.7 is too old.*XAUTOCLAIM/);
    expect(() => requireRedisVersion('garbage', '--redis-url', 'redis://h:1')).toThrow(expect.objectContaining({ code: 'E_SERVICE', option: '--redis-url' }));
  });

  it('a run whose strategy needs Redis fails before anything runs when the redis-server on PATH is older', async () => {
    // Arrange: a redis-server on PATH that says it is 6.0.16.
    const bin = mkdtempSync(join(tmpdir(), 'parquet-chaos-old-redis-'));
    mkdirSync(bin, { recursive: true });
    writeFileSync(join(bin, 'redis-server'), '#!/bin/sh\necho "Redis server v=6.0.16 sha=00000000:0 malloc=jemalloc-5.2.1 bits=64 build=0"\n');
    chmodSync(join(bin, 'redis-server'), 0o755);
    const path = process.env.PATH;
    process.env.PATH = `${bin}:${path}`;
    try {
      // Act
      const refused = await resolveMatrix({ strategies: ['realtime:lock=redis'], scenarios: ['main-file-contention'], redisUrl: null }).catch((error: unknown) => error);

      // Assert
      expect(refused).toMatchObject({ code: 'E_SERVICE', option: 'PATH', value: `${join(bin, 'redis-server')} (Redis 6.0.16)` });
    } finally {
      process.env.PATH = path;
      rmSync(bin, { recursive: true, force: true });
    }
  });
});

describe('a started redis-server is the one answering', () => {
  it('names a stale server on the port and a restart that kept the old pid; accepts a new pid', () => {
    expect(startedServerProblem({ started: 10, answering: 10 })).toBeUndefined();
    expect(startedServerProblem({ started: 11, answering: 11, previous: 10 })).toBeUndefined();
    expect(startedServerProblem({ started: 11, answering: 10, previous: 10 })).toMatch(/pid 10, not the redis-server just started \(pid 11\)/);
    expect(startedServerProblem({ started: 10, answering: 10, previous: 10 })).toMatch(/did not restart/);
  });

  const dir = mkdtempSync(join(tmpdir(), 'parquet-chaos-redis-checks-'));
  afterAll(() => {
    expect(processesMentioning(dir)).toEqual([]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('a real restart brings up a new process; a restart while the old server still holds the port is an error, and leaves nothing running', async () => {
    // Arrange
    const server = await startRedis(join(dir, 'a'), 'always');
    const first = server.pid();

    // Act: a proper restart (killed first), then one with the old server still running.
    await server.kill();
    await server.restart();
    const second = server.pid();
    const stale = await server.restart().catch((error: unknown) => error);

    // Assert
    expect(second).not.toBe(first);
    expect(stale).toMatchObject({ code: 'E_SERVICE' });
    await server.stop();
  });
});
