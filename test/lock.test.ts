import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { realClock } from '../harness/sdk/ports/clock.js';
import { createLockPort } from '../harness/sdk/ports/lock.js';
import type { LockBackendName } from '../harness/sdk/ports/locks/index.js';

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

describe('lease release guard', () => {
  it('a holder whose lease expired leaves its successor\'s lock in place when it releases', async () => {
    // Arrange: A holds the lock, then (as if paused) lets it go stale; B takes it over.
    const dir = mkdtempSync(join(tmpdir(), 'parquet-chaos-lock-'));
    const [a, b, c] = [0, 1, 2].map(() => createLockPort({ dir, staleMs: 10_000, defaultTimeoutMs: 10_000 }, realClock));
    const releaseA = await a!.acquire('main');
    const past = new Date(Date.now() - 60_000);
    utimesSync(join(dir, 'main.lock'), past, past);
    const releaseB = await b!.acquire('main', { timeoutMs: 2000 });

    // Act: A resumes and releases what it thinks is its lock.
    await releaseA();

    // Assert: B still holds it (C cannot get in); A learnt it had lost it.
    await expect(c!.acquire('main', { timeoutMs: 100 })).rejects.toThrow("lock 'main' not acquired within 100 ms");
    expect(a!.stats.compromised).toBe(1);
    expect(b!.stats.staleTakeovers).toBe(1);
    await releaseB();
    await (await c!.acquire('main', { timeoutMs: 2000 }))();
  });
});

/** Starts a process holding lock `main` of `dir` with `backend`; resolves once it holds it. */
async function holder(dir: string, backend: LockBackendName, staleMs: number) {
  const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'support', 'hold-lock.ts'), dir, backend, String(staleMs)], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((held) => child.stdout.on('data', (chunk: Buffer) => chunk.toString().includes('held') && held()));
  return child;
}

describe('kernel lock backend (fcntl)', () => {
  it('keeps two ports of one process apart, and times out while the other holds it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'parquet-chaos-lock-'));
    const [first, second] = [0, 1].map(() => createLockPort({ dir, staleMs: 2000, defaultTimeoutMs: 10_000 }, realClock));
    const release = await first!.acquire('main', { backend: 'fcntl' });
    await expect(second!.acquire('main', { backend: 'fcntl', timeoutMs: 50 })).rejects.toThrow("lock 'main' not acquired within 50 ms");
    await release();
    await (await second!.acquire('main', { backend: 'fcntl', timeoutMs: 1000 }))();
  });

  it('stays held while its holder is SIGSTOPped past the stale time, and is free the moment the holder is SIGKILLed; a lease is taken over', async () => {
    const staleMs = 2000;
    const fcntlDir = mkdtempSync(join(tmpdir(), 'parquet-chaos-lock-'));
    const leaseDir = mkdtempSync(join(tmpdir(), 'parquet-chaos-lock-'));
    const [kernelHolder, leaseHolder] = await Promise.all([holder(fcntlDir, 'fcntl', staleMs), holder(leaseDir, 'file', staleMs)]);
    kernelHolder.kill('SIGSTOP');
    leaseHolder.kill('SIGSTOP');
    const waiter = (dir: string) => createLockPort({ dir, staleMs, defaultTimeoutMs: 10_000 }, realClock);
    try {
      // Act + Assert: stopped for longer than the stale time, the kernel lock is still held...
      const kernelWaiter = waiter(fcntlDir);
      const leaseWaiter = waiter(leaseDir);
      const [kernel, lease] = await Promise.allSettled([
        kernelWaiter.acquire('main', { backend: 'fcntl', timeoutMs: staleMs + 500 }),
        leaseWaiter.acquire('main', { backend: 'file', timeoutMs: 3 * staleMs }),
      ]);
      expect(kernel.status).toBe('rejected');
      // ...while the lease expired under its stopped holder and was taken over.
      expect(lease.status).toBe('fulfilled');
      expect(leaseWaiter.stats.staleTakeovers).toBe(1);

      // A SIGKILLed holder's kernel lock is freed at once: no stale time to wait out.
      kernelHolder.kill('SIGKILL');
      await new Promise((exited) => kernelHolder.once('exit', exited));
      const started = Date.now();
      await (await kernelWaiter.acquire('main', { backend: 'fcntl', timeoutMs: staleMs }))();
      expect(Date.now() - started).toBeLessThan(staleMs / 2);
    } finally {
      kernelHolder.kill('SIGKILL');
      leaseHolder.kill('SIGKILL');
    }
  });
});
