import { describe, expect, it } from 'vitest';
import { runSmall } from '../support/cell.js';
import { expectRecountAgrees, recount } from '../support/recount.js';

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
      await expectRecountAgrees(cell);
    }
  });
});

describe('the parquetjs-lite codec (real processes)', () => {
  it('saves through the user-named library and the checker reads its files', async () => {
    const result = await runSmall({ strategies: ['realtime,checkpoint-batch'], scenarios: ['main-file-contention'], workers: 3, recordsPerWorker: 6, codec: 'parquetjs-lite' });
    for (const cell of result.cells) {
      expect(cell.verdict).toMatchObject({ acked: 18, present: 18, lost: 0, corruptFiles: 0, valid: true });
      expect((await recount(cell.dir)).present).toBe(18);
    }
    expect(result.config.codec).toBe('parquetjs-lite');
  });
});
