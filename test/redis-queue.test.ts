import { describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findRedisServer, startRedis } from '../harness/orchestrate/services/redis-server.js';
import { resolveMatrix } from '../harness/orchestrate/run.js';
import { renderTable } from '../reports/table.js';
import { runSmall } from './support/cell.js';
import { processesMentioning } from './support/processes.js';

// Every test here runs on a real redis-server from PATH, started by the harness or by the test.

describe('queue:backend=redis on a redis-server the harness starts', () => {
  it('loses and duplicates nothing when a writer and the consumer are killed (the consumer after publishing, before XACK)', async () => {
    // Arrange: the consumer dies with its first part published but its stream entries unacknowledged.
    const faults = 'kill:target=writer-1,afterAttempts=4;crash-point:target=consumer,point=consume:part-written,nth=1';

    // Act
    const result = await runSmall({ strategies: ['queue:backend=redis,batch=5'], scenarios: ['buffer-crash'], workers: 3, recordsPerWorker: 8, faults });

    // Assert
    const cell = result.cells[0]!;
    expect(cell.errors).toEqual([]);
    expect(cell.faults.kills).toBe(1);
    expect(cell.faults.crashPoints).toBe(1);
    expect(cell.verdict).toMatchObject({ lost: 0, duplicates: 0, corruptFiles: 0, valid: true });
    expect(cell.verdict.acked).toBeGreaterThan(0);
    // The successor claimed the dead consumer's pending entries and the sink dropped what was already published.
    expect(cell.counters.redisReclaimed).toBeGreaterThan(0);
    expect(cell.counters.sinkDeduplicated).toBeGreaterThan(0);
    expect(cell.services?.redis).toMatchObject({ managed: true, durability: 'always' });
    expect(renderTable(result)).toMatch(/queue:backend=redis,batch=5 × buffer-crash: redis 7\.\S+ \(started for the cell\) · durability=always/);
    expect(processesMentioning(cell.dir)).toEqual([]);
  });

  it('uses a server given with --redis-url, never stops it, and refuses one whose persistence differs from the declared durability', async () => {
    // Arrange: a server of the test's own, memory only.
    const dir = mkdtempSync(join(tmpdir(), 'parquet-chaos-redis-'));
    const server = await startRedis(dir, 'no');
    try {
      // Act
      const fitting = await runSmall({ strategies: ['queue:backend=redis,durability=no'], scenarios: ['main-file-contention'], workers: 2, recordsPerWorker: 5, faults: 'none', redisUrl: server.url });
      const misfit = await runSmall({ strategies: ['queue:backend=redis'], scenarios: ['main-file-contention'], workers: 2, recordsPerWorker: 5, faults: 'none', redisUrl: server.url });

      // Assert
      expect(fitting.cells[0]!.verdict).toMatchObject({ acked: 10, lost: 0, duplicates: 0, valid: true });
      expect(fitting.cells[0]!.services?.redis).toMatchObject({ managed: false, url: server.url });
      expect(server.pid()).toBeDefined();
      expect(processesMentioning(dir).length).toBe(1);
      expect(misfit.cells[0]!.verdict.valid).toBe('unknown');
      expect(misfit.cells[0]!.errors[0]!.message).toMatch(/durability=always needs appendonly yes, appendfsync always; the server has appendonly no/);
    } finally {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    }
    expect(processesMentioning(dir)).toEqual([]);
  });

  it('says how to install redis-server when it is missing, before anything runs', async () => {
    // Arrange / Act / Assert
    expect(() => findRedisServer('/nonexistent')).toThrow(/redis-server not found on PATH.*apt-get install redis-server/);
    const path = process.env.PATH;
    process.env.PATH = '/nonexistent';
    try {
      await expect(resolveMatrix({ strategies: ['queue:backend=redis'], scenarios: ['buffer-crash'], redisUrl: null })).rejects.toMatchObject({ code: 'E_SERVICE' });
      await expect(resolveMatrix({ strategies: ['queue:backend=redis'], scenarios: ['buffer-crash'], redisUrl: 'redis://127.0.0.1:1' })).resolves.toBeDefined();
    } finally {
      process.env.PATH = path;
    }
  });
});
