import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedis, type RedisService } from '../harness/orchestrate/services/redis-server.js';
import { fenceRecord } from '../harness/sdk/ports/locks/fence.js';
import { makeContext, tempCell } from './support/sim.js';
import { processesMentioning } from './support/processes.js';

// A real redis-server, started by the test; two "processes" are two lock ports with their own connections.
const dir = mkdtempSync(join(tmpdir(), 'parquet-chaos-redis-lock-'));
let server: RedisService;

beforeAll(async () => {
  server = await startRedis(dir, 'always');
});

afterAll(async () => {
  await server.stop();
  expect(processesMentioning(dir)).toEqual([]);
  rmSync(dir, { recursive: true, force: true });
});

/** What a lease's expiry under a stalled holder does on the server: the key is gone. */
async function expireLease(key: string): Promise<void> {
  const { createClient } = await import('@redis/client');
  const client = createClient({ url: server.url });
  await client.connect();
  await client.del(key);
  client.destroy();
}

/** A process's lock port on the test's server; `leaseMs` is the lock's stale time. Same cell: same lock folder. */
function holder(cell: string, prefix: string, leaseMs: number) {
  return makeContext(cell, { lockStaleMs: leaseMs, services: { redis: { url: server.url, keyPrefix: prefix, durability: 'always' } } }).lock;
}

describe('lock=redis: a lease with a fencing token per grant, on a real redis-server', () => {
  it('is exclusive while the lease runs', async () => {
    // Arrange: leases long enough to outlast the test.
    const cell = tempCell();
    const [a, b] = [holder(cell, 't0:', 30_000), holder(cell, 't0:', 30_000)];
    const first = await a.acquire('main', { backend: 'redis' });

    // Act
    const blocked = await b.acquire('main', { backend: 'redis', timeoutMs: 100 }).catch((error: unknown) => error);
    await first();
    const second = await b.acquire('main', { backend: 'redis', timeoutMs: 5000 });

    // Assert
    expect(blocked).toMatchObject({ code: 'E_LOCK_TIMEOUT' });
    await second();
    expect(a.stats.compromised + b.stats.compromised).toBe(0);
  });

  it('is renewed while its holder lives: a holder busy past the lease keeps it', async () => {
    // Arrange: a 1 s lease, renewed every third of it: a renewal may be up to ~0.67 s late on a busy
    // machine before the lease lapses (a shorter lease made this test fail under load, not the code).
    const cell = tempCell();
    const [slow, other] = [holder(cell, 't1:', 1000), holder(cell, 't1:', 1000)];
    const held = await slow.grant('main', { backend: 'redis' });

    // Act: the holder works (awaits: slow I/O, not a stall) for 2.5 leases.
    await sleep(2500);
    const blocked = await other.acquire('main', { backend: 'redis', timeoutMs: 100 }).catch((error: unknown) => error);
    const committed = await held.commit(async () => 'published');
    await held.release();

    // Assert: nobody else got in, the commit ran, and the holder never lost it.
    expect(blocked).toMatchObject({ code: 'E_LOCK_TIMEOUT' });
    expect(committed).toBe('published');
    expect(slow.stats.compromised).toBe(0);
    await (await other.acquire('main', { backend: 'redis', timeoutMs: 1000 }))();
  });

  it('a lease gone under its holder: its commit is refused (E_LEASE_LOST), its late release leaves the next lease alone', async () => {
    // Arrange: the lease vanishes as if it had expired under a stalled holder; another process is granted it.
    const cell = tempCell();
    const [stalled, next, third] = [holder(cell, 't2:', 2000), holder(cell, 't2:', 30_000), holder(cell, 't2:', 2000)];
    const stale = await stalled.grant('main', { backend: 'redis' });
    await expireLease('t2:lock:main');
    const fresh = await next.grant('main', { backend: 'redis', timeoutMs: 5000 });

    // Act
    let published = false;
    const late = await stale.commit(async () => { published = true; }).catch((error: unknown) => error);
    await stale.release();
    const stillHeld = await third.acquire('main', { backend: 'redis', timeoutMs: 50 }).catch((error: unknown) => error);

    // Assert: the holder learnt it had lost the lock before publishing; the successor keeps it.
    expect(late).toMatchObject({ code: 'E_LEASE_LOST' });
    expect(published).toBe(false);
    expect(stalled.stats.compromised).toBe(1);
    expect(stillHeld).toMatchObject({ code: 'E_LOCK_TIMEOUT' });
    expect(await fresh.commit(async () => 'fresh published')).toBe('fresh published');
    await fresh.release();
    expect(next.stats.compromised).toBe(0);
  });

  it('checks at commit, then publishes: a holder stalled past the lease between the two still publishes (the claim\'s stated assumption)', async () => {
    // Arrange
    const cell = tempCell();
    const [stalled, next] = [holder(cell, 't4:', 2000), holder(cell, 't4:', 30_000)];
    const stale = await stalled.grant('main', { backend: 'redis' });
    const order: string[] = [];

    // Act: inside the commit (the check passed), the lease expires and a successor is granted and commits.
    await stale.commit(async () => {
      await expireLease('t4:lock:main');
      const fresh = await next.grant('main', { backend: 'redis', timeoutMs: 5000 });
      await fresh.commit(async () => order.push('successor published'));
      await fresh.release();
      order.push('stalled holder published');
    });
    await stale.release();

    // Assert: both published, the stalled one last (a lost update); only its release tells it.
    expect(order).toEqual(['successor published', 'stalled holder published']);
    expect(stalled.stats.compromised).toBe(1);
  });

  it('redis-fenced: the expired holder\'s commit is refused once a later grant exists; the later holder\'s runs', async () => {
    // Arrange
    const cell = tempCell();
    const [paused, next] = [holder(cell, 't3:', 2000), holder(cell, 't3:', 30_000)];
    const stale = await paused.grant('main', { backend: 'redis-fenced' });
    await expireLease('t3:lock:main');
    const fresh = await next.grant('main', { backend: 'redis-fenced', timeoutMs: 5000 });

    // Act
    const late = await stale.commit(async () => 'stale published').catch((error: unknown) => error);
    const current = await fresh.commit(async () => 'fresh published');

    // Assert
    expect(late).toMatchObject({ code: 'E_FENCED' });
    expect(current).toBe('fresh published');
    await stale.release();
    await fresh.release();
  });
});

describe('the fence record (the destination\'s token check)', () => {
  it('refuses a commit whose token is below the latest announced, and runs one that is not', async () => {
    // Arrange: two processes' views of one record.
    const cell = tempCell();
    const [a, b] = [fenceRecord(cell), fenceRecord(cell)];
    await a.announce('main', 5);
    await b.announce('main', 6);
    await a.announce('main', 4); // an older grant announcing late lowers nothing

    // Act
    const old = await a.commitIfCurrent('main', 5, async () => 'written');
    const latest = await b.commitIfCurrent('main', 6, async () => 'written');

    // Assert
    expect(old).toEqual({ refused: true, current: 6 });
    expect(latest).toEqual({ refused: false, value: 'written' });
  });

  it('holds a commit and a later announce apart: the announce waits until the commit step is done', async () => {
    // Arrange
    const cell = tempCell();
    const [a, b] = [fenceRecord(cell), fenceRecord(cell)];
    await a.announce('main', 1);
    const order: string[] = [];

    // Act: b announces while a is inside its commit step.
    const committing = a.commitIfCurrent('main', 1, async () => {
      order.push('commit started');
      await sleep(50);
      order.push('commit done');
    });
    await sleep(5);
    await b.announce('main', 2).then(() => order.push('announced 2'));
    await committing;

    // Assert
    expect(order).toEqual(['commit started', 'commit done', 'announced 2']);
  });
});
