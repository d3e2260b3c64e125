import { mkdirSync, mkdtempSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { realClock } from '../harness/sdk/ports/clock.js';
import { createLockPort } from '../harness/sdk/ports/lock.js';

describe('lock port', () => {
  it('lets exactly one waiter take over the stale lock of a dead holder, then serialises the rest', async () => {
    for (let round = 0; round < 10; round++) {
      // Arrange: the lock directory a SIGKILLed holder left behind, last refreshed 10 s ago.
      const dir = mkdtempSync(join(tmpdir(), 'parquet-chaos-lock-'));
      mkdirSync(join(dir, 'main.lock'));
      const past = new Date(Date.now() - 10_000);
      utimesSync(join(dir, 'main.lock'), past, past);
      const ports = Array.from({ length: 12 }, () => createLockPort({ dir, staleMs: 2000, defaultTimeoutMs: 10_000 }, realClock));
      let inside = 0;
      let most = 0;

      // Act: the waiters notice the stale lock within a few milliseconds of each other.
      await Promise.all(ports.map(async (port, i) => {
        await realClock.sleep(i % 4);
        const release = await port.acquire('main');
        most = Math.max(most, ++inside);
        await realClock.sleep(5);
        inside--;
        await release();
      }));

      // Assert
      expect(most).toBe(1);
      expect(ports.every((p) => p.stats.acquisitions === 1)).toBe(true);
      expect(ports.reduce((n, p) => n + p.stats.staleTakeovers, 0)).toBe(1);
    }
  });

  it('times out with a clear error while a live holder keeps the lock', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'parquet-chaos-lock-'));
    const [holder, waiter] = [0, 1].map(() => createLockPort({ dir, staleMs: 2000, defaultTimeoutMs: 10_000 }, realClock));
    const release = await holder!.acquire('main');
    await expect(waiter!.acquire('main', { timeoutMs: 50 })).rejects.toThrow("lock 'main' not acquired within 50 ms");
    expect(waiter!.stats.timeouts).toBe(1);
    await release();
  });

  it('withLock holds the lock while fn runs and releases it when fn throws', async () => {
    // Arrange
    const dir = mkdtempSync(join(tmpdir(), 'parquet-chaos-lock-'));
    const [first, second] = [0, 1].map(() => createLockPort({ dir, staleMs: 2000, defaultTimeoutMs: 10_000 }, realClock));

    // Act + Assert: inside fn another port cannot get the lock; after fn threw it can at once.
    await expect(first!.withLock('main', async () => {
      await expect(second!.acquire('main', { timeoutMs: 30 })).rejects.toThrow('not acquired');
      throw new Error('fn failed');
    })).rejects.toThrow('fn failed');
    expect(await second!.withLock('main', async () => 'held', { timeoutMs: 30 })).toBe('held');
    expect([first!.stats.acquisitions, second!.stats.acquisitions, second!.stats.timeouts]).toEqual([1, 1, 1]);
  });
});
