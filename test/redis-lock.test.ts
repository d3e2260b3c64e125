import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedis, type RedisService } from '../harness/orchestrate/services/redis-server.js';
import { connectRedis, type RedisConnection } from '../harness/sdk/redis.js';
import { createRedisLockPort } from '../harness/sdk/redis-lock.js';
import { realClock } from '../harness/sdk/ports/clock.js';
import { makeContext, tempCell } from './support/sim.js';
import { processesMentioning } from './support/processes.js';

// A real redis-server, started by the test; two "processes" are two connections with their own lock ports.
const dir = mkdtempSync(join(tmpdir(), 'parquet-chaos-redis-lock-'));
let server: RedisService;
const connections: RedisConnection[] = [];

beforeAll(async () => {
  server = await startRedis(dir, 'always');
});

afterAll(async () => {
  for (const c of connections) await c.close();
  await server.stop();
  expect(processesMentioning(dir)).toEqual([]);
  rmSync(dir, { recursive: true, force: true });
});

async function holder(prefix: string, leaseMs: number) {
  const ctx = makeContext(tempCell(), { services: { redis: { url: server.url, keyPrefix: prefix, durability: 'always' } } });
  const connection = await connectRedis(ctx, { timeoutMs: 2000 });
  connections.push(connection);
  return createRedisLockPort(connection, { leaseMs, defaultTimeoutMs: 5000 }, realClock);
}

describe('lock=redis: a lease with a fencing token per grant, on a real redis-server', () => {
  it('is exclusive while the lease runs, and each grant has a higher token than the one before', async () => {
    // Arrange
    const [a, b] = [await holder('t1:', 5000), await holder('t1:', 5000)];

    // Act
    const first = await a.acquireFenced('main');
    const blocked = b.acquireFenced('main', { timeoutMs: 150 });
    await expect(blocked).rejects.toMatchObject({ code: 'E_LOCK_TIMEOUT' });
    await first.release();
    const second = await b.acquireFenced('main');
    await second.release();
    const third = await a.withLock('main', async () => 'ran');

    // Assert
    expect(second.token).toBe(first.token + 1);
    expect(third).toBe('ran');
    expect(b.stats.timeouts).toBe(1);
    expect(a.stats.compromised + b.stats.compromised).toBe(0);
  });

  it('expires under a holder paused past its lease: a second holder gets it with a higher token, and the late release leaves the new lease alone', async () => {
    // Arrange: the first holder's lease is 200 ms; the next one's long enough to outlast the test.
    const [paused, next, third] = [await holder('t2:', 200), await holder('t2:', 30_000), await holder('t2:', 200)];
    const stale = await paused.acquireFenced('main');

    // Act: the holder "pauses" past its lease; another process is granted the lock meanwhile.
    await sleep(350);
    const fresh = await next.acquireFenced('main', { timeoutMs: 1000 });
    await stale.release();
    const stillHeld = third.acquireFenced('main', { timeoutMs: 50 });

    // Assert: two holders believed they held the lock; only the token tells them apart.
    expect(fresh.token).toBeGreaterThan(stale.token);
    expect(paused.stats.compromised).toBe(1);
    await expect(stillHeld).rejects.toMatchObject({ code: 'E_LOCK_TIMEOUT' });
    await fresh.release();
    expect(next.stats.compromised).toBe(0);
  });
});
