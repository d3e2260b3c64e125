import { describe, expect, it } from 'vitest';
import { fuseProblem } from '../../harness/fuse/requirements.js';
import { crashfsMountsUnder } from '../../harness/fuse/mounts.js';
import type { CellResult } from '../../harness/result/result.js';
import { runSmall } from '../support/cell.js';
import { pythonMissing } from '../support/python.js';
import { expectRecountAgrees } from '../support/recount.js';

/**
 * A Python writer under a power cut (real processes on crashfs): the bundled pandas-realtime saves
 * each record by read-modify-writing data/main.parquet. `publish=inplace` is the original analysis's
 * `df.to_parquet(main)` (no fsync at all); `publish=atomic` (the default) goes through the kit's
 * `atomic_path` (temp, fsync, os.replace, fsync of the folder). One writer, 6 records; the power goes
 * as it reads the file for its 4th record (point main:read, nth=4), so records 0–2 are acked by then,
 * and `state=harshest` keeps nothing that was not made durable.
 */
const pythonProblem = pythonMissing('pandas, pyarrow');
const fuse = fuseProblem();
const problem = fuse ?? pythonProblem;
if (fuse) console.warn(`skipped: ${fuse}`);

const powerEvents = (cell: CellResult) => cell.faults.log.filter((e) => e.kind === 'power-loss').map((e) => e.action);

describe.skipIf(problem !== undefined)(`a pandas writer under power-cut${problem ? ` — skipped: ${problem}` : ''}`, () => {
  it('to_parquet in place loses the 3 records acked before the cut; the kit\'s atomic helpers lose none', async () => {
    // Arrange
    const specs = ['pandas-realtime:publish=inplace', 'pandas-realtime:publish=atomic'];
    const faults = 'power-loss:of=writer-0,point=main:read,nth=4,state=harshest';

    // Act
    const result = await runSmall({ strategies: [specs.join(',')], scenarios: ['power-cut'], workers: 1, recordsPerWorker: 6, thinkMs: 0, faults });

    // Assert: both cells lost power at the same point and came back
    const [inplace, atomic] = result.cells;
    for (const cell of [inplace!, atomic!]) {
      expect(cell.errors).toEqual([]);
      expect(cell.faults.outcomes).toMatchObject([{ kind: 'power-loss', fired: true }]);
      expect(powerEvents(cell)).toEqual(['SIGSTOP self', 'power cut', 'post-crash state', 'post-crash state', 'rebooted']);
    }
    // in place: the file was never fsynced, so nothing of it survives the cut; the 3 records after it are kept
    expect(inplace!.verdict).toMatchObject({ acked: 6, present: 3, lost: 3, duplicates: 0 });
    expect(inplace!.verdict.evidence.lost).toEqual(['w0-0', 'w0-1', 'w0-2']);
    // publish=inplace does not claim to keep acked records: expected, not a broken claim
    expect(inplace!.verdict.valid).toBe(true);
    expect(inplace!.verdict.broken).toEqual([]);
    expect(atomic!.verdict).toMatchObject({ valid: true, acked: 6, present: 6, lost: 0, duplicates: 0 });
    for (const cell of [inplace!, atomic!]) await expectRecountAgrees(cell);
    expect(crashfsMountsUnder(result.runDir)).toEqual([]);
  });
});
