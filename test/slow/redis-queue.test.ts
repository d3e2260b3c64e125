import { describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findRedisServer, startRedis } from '../../harness/orchestrate/services/redis-server.js';
import { resolveMatrix } from '../../harness/orchestrate/run.js';
import { renderTable } from '../../reports/table.js';
import { validLabel } from '../../reports/format.js';
import { runSmall } from '../support/cell.js';
import { processesMentioning } from '../support/processes.js';

// Every test here runs on a real redis-server from PATH, started by the harness or by the test.

describe('queue:backend=redis on a redis-server the harness starts', () => {
  it('durability=always: nothing lost or duplicated under writer, consumer and Redis kills and a partition longer than the client timeout', async () => {
    // Arrange: the consumer dies with its first part published but its entries unacknowledged; Redis is
    // SIGKILLed mid-run and restarted on its data; writer-2 is cut off for longer than its 800 ms timeout.
    // Writer-1 holds at its 4th attempt and writer-0 at its 6th ack until the kill has landed; 10 ms between
    // records keeps the writers busy while the consumer reaches its crash point.
    const faults = [
      'kill:target=writer-1,afterAttempts=4',
      'crash-point:target=consumer,point=consume:part-written,nth=1',
      'kill:target=redis,afterAcks=6,down=300',
      'partition:target=writer-2,afterAcks=2,of=writer-2,duration=2500',
    ].join(';');

    // Act
    const result = await runSmall({
      strategies: ['queue:backend=redis,batch=5,redisTimeoutMs=800'], scenarios: ['buffer-crash'], workers: 3, recordsPerWorker: 12, thinkMs: 10, faults,
    });

    // Assert
    const cell = result.cells[0]!;
    // No process failed (writes may throw while cut off: those are reported as E_WRITE_FAILED, not acked).
    expect(cell.errors.filter((e) => e.code !== 'E_WRITE_FAILED')).toEqual([]);
    // (Whole outcomes, so that a failure shows why a fault did not fire.)
    expect(cell.faults.outcomes).toMatchObject([{ fired: true }, { fired: true }, { fired: true }, { fired: true }]);
    expect(cell.faults.log.filter((e) => e.action === 'SIGKILL').map((e) => e.target).sort()).toEqual(['redis', 'writer-1']);
    expect(cell.faults.log.some((e) => e.target === 'redis' && e.kind === 'restart')).toBe(true);
    expect(cell.faults.log.some((e) => e.target === 'writer-2' && e.action === 'partitioned')).toBe(true);
    expect(cell.faults.crashPoints).toBe(1);
    expect(cell.guarantees.noLostAcked).toBe(true);
    expect(cell.verdict).toMatchObject({ lost: 0, duplicates: 0, corruptFiles: 0, valid: true });
    // The partition made writes fail unacked (no reply within the timeout), yet no acked record is missing.
    expect(cell.verdict.acked).toBeGreaterThan(0);
    expect(cell.verdict.acked).toBeLessThan(cell.verdict.attempted);
    // The successor claimed the dead consumer's pending entries and the sink dropped what was already published.
    expect(cell.counters.redisReclaimed).toBeGreaterThan(0);
    expect(cell.counters.sinkDeduplicated).toBeGreaterThan(0);
    expect(cell.services?.redis).toMatchObject({ managed: true, durability: 'always' });
    expect(renderTable(result)).toMatch(/queue:backend=redis\S* × buffer-crash: redis 7\.\S+ \(started for the cell\) · durability=always: .* · service and network faults: .*kill:target=redis/);
    expect(processesMentioning(cell.dir)).toEqual([]);
  });

  it('durability=no: a Redis kill loses acked records, and the cell says the strategy never claimed otherwise', async () => {
    // Arrange: a consumer that sleeps long between polls, so acked entries wait in Redis's memory. The
    // kill is sent once writer-0's ledger shows its 4th ack: 30 ms on average after each record keep the
    // writers running at least 105 ms longer, so that they have not finished before a loaded orchestrator
    // reacts (the kill would then rightly not fire).
    const faults = 'kill:target=redis,afterAcks=4,down=200';

    // Act
    const result = await runSmall({ strategies: ['queue:backend=redis,durability=no,pollMs=60000'], scenarios: ['main-file-contention'], workers: 2, recordsPerWorker: 10, faults });

    // Assert
    const cell = result.cells[0]!;
    expect(cell.errors.filter((e) => e.code !== 'E_WRITE_FAILED')).toEqual([]);
    expect(cell.faults.outcomes).toMatchObject([{ kind: 'kill', target: 'redis', fired: true }]);
    expect(cell.guarantees.noLostAcked).toBe(false);
    expect(cell.verdict.lost).toBeGreaterThan(0);
    expect(cell.verdict).toMatchObject({ duplicates: 0, valid: true });
    expect(validLabel(cell)).toBe('lost (expected: unsafe)');
    expect(cell.services?.redis?.promise).toMatch(/a Redis kill loses every accepted entry not yet consumed/);
  });

  it('uses a server given with --redis-url, never stops it, and refuses one whose persistence differs from the declared durability', async () => {
    // Arrange: a server of the test's own, memory only.
    const dir = mkdtempSync(join(tmpdir(), 'parquet-chaos-redis-'));
    const server = await startRedis(dir, 'no');
    try {
      // Act
      const result = await runSmall({
        strategies: ['queue:backend=redis,durability=no', 'queue:backend=redis'], scenarios: ['main-file-contention'], workers: 2, recordsPerWorker: 5,
        faults: 'none', redisUrl: server.url,
      });
      const faulted = runSmall({ strategies: ['queue:backend=redis,durability=no'], scenarios: ['main-file-contention'], faults: 'kill:target=redis,at=1', redisUrl: server.url });

      // Assert
      const [fitting, misfit] = result.cells;
      expect(fitting!.verdict).toMatchObject({ acked: 10, lost: 0, duplicates: 0, valid: true });
      expect(fitting!.services?.redis).toMatchObject({ managed: false, url: server.url });
      await expect(faulted).rejects.toThrow(/--faults kill:target: got 'redis', expected a process of this run: writer, writers, cell \(power-loss\), writer-0,[^(]*consumer \(queue\)$/);
      expect(server.pid()).toBeDefined();
      expect(processesMentioning(dir).length).toBe(1);
      expect(misfit!.verdict.valid).toBe('unknown');
      expect(misfit!.errors[0]!.message).toMatch(/durability=always needs appendonly yes, appendfsync always; the server has appendonly no/);
    } finally {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    }
    expect(processesMentioning(dir)).toEqual([]);
  });

  it('says how to install redis-server when it is missing, before anything runs; a --redis-url server needs none, and is checked (reachable, recent enough) before anything runs', async () => {
    // Arrange: a server to give with --redis-url, started while redis-server is on PATH.
    const dir = mkdtempSync(join(tmpdir(), 'parquet-chaos-redis-url-'));
    const server = await startRedis(dir, 'always');
    expect(() => findRedisServer('/nonexistent')).toThrow(/redis-server not found on PATH.*apt-get install redis-server/);
    const path = process.env.PATH;
    process.env.PATH = '/nonexistent';
    try {
      // Act / Assert
      await expect(resolveMatrix({ strategies: ['queue:backend=redis'], scenarios: ['buffer-crash'], redisUrl: null })).rejects.toMatchObject({ code: 'E_SERVICE' });
      await expect(resolveMatrix({ strategies: ['queue:backend=redis'], scenarios: ['buffer-crash'], redisUrl: server.url })).resolves.toBeDefined();
      await expect(resolveMatrix({ strategies: ['queue:backend=redis'], scenarios: ['buffer-crash'], redisUrl: 'redis://127.0.0.1:1' })).rejects.toMatchObject({ code: 'E_SERVICE', option: '--redis-url', value: 'redis://127.0.0.1:1' });
    } finally {
      process.env.PATH = path;
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
