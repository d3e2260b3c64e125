import { describe, expect, it } from 'vitest';
import { validLabel } from '../../reports/format.js';
import { renderTable } from '../../reports/table.js';
import { runSmall } from '../support/cell.js';

// Real writer processes: a lease-locked strategy meets the pause its claim's assumption rules out.

describe('a claim with a stated assumption, broken by the scenario (real processes)', () => {
  it('realtime (lock=file) under lease-expiry: "lost (expected: assumption broken)", neither a failed claim nor a pass', async () => {
    // Act: every writer is stopped at its first `main:read` (holding the lock) for 6 × the lease, as in
    // test/slow/redis-lease.test.ts: the lease expires under the first holder while the other waits for
    // it. At 2 × the lease the waiter, starved beside two CPU burners, once missed the ~0.5 s window
    // between the lease going stale and the holder's SIGCONT (a fresh-clone CI run: compromised 0).
    const result = await runSmall({
      strategies: ['realtime'], scenarios: ['lease-expiry'],
      workers: 2, recordsPerWorker: 3, lockStaleMs: 500, faults: 'pause:target=writers,point=main:read,nth=1,duration=3000',
    });

    // Assert
    const cell = result.cells[0]!;
    expect(cell.faults.outcomes?.map((f) => f.fired)).toEqual([true, true]);
    expect(cell.locks.compromised).toBeGreaterThan(0);
    expect(cell.verdict.lost).toBeGreaterThan(0);
    expect(cell.verdict).toMatchObject({ valid: 'unknown', broken: [] });
    expect(cell.assumptions).toEqual([{ name: 'no-stall-past-lease', says: 'no lock holder stalls past its lease (the lock stale time)' }]);
    expect(cell.verdict.assumptionsBroken).toEqual([expect.objectContaining({ assumption: 'no-stall-past-lease', excused: ['noLostAcked'] })]);
    expect(validLabel(cell)).toBe('lost (expected: assumption broken)');
    expect(renderTable(result)).toContain('† realtime assumes: no lock holder stalls past its lease');
  }, 120_000);
});
