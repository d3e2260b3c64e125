import { describe, expect, it } from 'vitest';
import { runSmall } from './support/cell.js';
import { recount } from './support/recount.js';

describe('realtime under main-file contention (real processes)', () => {
  it('loses updates without a lock and none with one; the checker agrees with DuckDB', async () => {
    // Arrange: 8 writers hammering one file; 30 records each makes overlap certain on 2 cores.
    const overrides = { strategies: ['realtime,realtime:lock=none'], scenarios: ['main-file-contention'], workers: 8, recordsPerWorker: 30 };

    // Act
    const result = await runSmall(overrides);

    // Assert
    const [locked, unlocked] = result.cells;
    expect(locked!.verdict).toMatchObject({ acked: 240, lost: 0, duplicates: 0, corruptFiles: 0, valid: true });
    expect(unlocked!.verdict.lost).toBeGreaterThan(0);
    for (const cell of result.cells) {
      const independent = await recount(cell.dir);
      expect({ attempted: cell.verdict.attempted, acked: cell.verdict.acked, present: cell.verdict.present, lost: cell.verdict.lost, duplicates: cell.verdict.duplicates })
        .toEqual({ attempted: independent.attempted, acked: independent.acked, present: independent.present, lost: independent.lost, duplicates: independent.duplicates });
    }
  });
});
