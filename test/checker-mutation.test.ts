import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runSmall } from './support/cell.js';
import { expectRecountAgrees, recount } from './support/recount.js';

const fixture = (name: string) => resolve(import.meta.dirname, 'fixtures', `${name}.ts`);

/** The checker must catch what it claims to: deliberately broken strategies, exact counts. */
describe('checker against deliberately broken strategies (real processes)', () => {
  it('flags lost, duplicated and corrupt data with the right counts', async () => {
    // Arrange: 3 writers × 9 records (seq 0..8).
    const strategies = [
      `${fixture('lossy')}:every=3`, // seq 2, 5, 8 dropped: 3 per writer
      `${fixture('duplicating')}:every=4`, // seq 0, 4, 8 twice: 3 per writer
      `${fixture('corrupting')}:mode=row`, // seq 0 altered: 1 per writer
      `${fixture('corrupting')}:mode=file`, // one torn file per writer
    ];

    // Act
    const result = await runSmall({ strategies: [strategies.join(',')], scenarios: ['main-file-contention'], workers: 3, recordsPerWorker: 9 });

    // Assert
    const [lossy, duplicating, badRow, badFile] = result.cells.map((c) => c.verdict);
    expect(lossy).toMatchObject({ acked: 27, present: 18, lost: 9, duplicates: 0, valid: false, broken: ['noLostAcked'] });
    expect(duplicating).toMatchObject({ acked: 27, present: 27, lost: 0, duplicates: 9, valid: false, broken: ['noDuplicates'] });
    expect(badRow).toMatchObject({ corruptRecords: 3, corruptFiles: 0, lost: 3, valid: false });
    expect(badRow!.broken).toEqual(['noLostAcked', 'noCorruption']);
    expect(badFile).toMatchObject({ corruptFiles: 3, lost: 0, valid: false, broken: ['noCorruption'] });
    for (const cell of result.cells.slice(0, 2)) {
      await expectRecountAgrees(cell);
    }
    expect((await recount(result.cells[3]!.dir)).unreadableFiles).toBe(3);
  });
});
