import { describe, expect, it } from 'vitest';
import type { CellResult } from '../../harness/result/result.js';
import { runSmall } from '../support/cell.js';
import { pythonMissing } from '../support/python.js';
import { expectRecountAgrees, recount } from '../support/recount.js';

/**
 * buffer-crash's own default faults (no --faults) reach the seed's in-place pandas save on every seed:
 * the paused writer is killed the 2nd time it has main open for writing. In place, main was just
 * truncated and every acked row it held is gone; the atomic variant faces the same kill at the same
 * point and keeps everything. Counts from the ledger are checked against DuckDB's recount.
 */
const missing = pythonMissing('pandas, pyarrow');

/** The `main:writing` kill of the plan, and its event in the fault log. */
function mainWritingKill(cell: CellResult) {
  const planned = cell.faults.planned.filter((f) => f.kind === 'kill' && 'point' in f && f.point === 'main:writing');
  expect(planned, `${cell.strategy}: one planned kill at main:writing`).toHaveLength(1);
  const fault = planned[0]!;
  const events = cell.faults.log.filter((e) => e.fault === fault.id && e.action === 'SIGKILL self');
  return { fault, outcome: cell.faults.outcomes!.find((o) => o.id === fault.id)!, events };
}

describe.skipIf(missing)('buffer-crash reaches the in-place pandas save (real processes)', () => {
  it('the in-place save loses every acked row main held when killed inside its write; the atomic one keeps all', async () => {
    // Act: the scenario's default faults, for both variants (the same plan: same victims, same points).
    const result = await runSmall({ strategies: ['pandas-realtime:publish=inplace,pandas-realtime:publish=atomic'], scenarios: ['buffer-crash'], workers: 4, recordsPerWorker: 6 });

    // Assert: the same kill, at the same point and arrival, fired in both cells; every other planned fault too.
    const [inplace, atomic] = result.cells;
    const kills = [mainWritingKill(inplace!), mainWritingKill(atomic!)];
    expect(kills[0]!.fault).toEqual(kills[1]!.fault);
    expect(kills[0]!.fault).toMatchObject({ nth: 2 });
    for (const kill of kills) {
      expect(kill.outcome).toMatchObject({ fired: true, events: 1 });
      expect(kill.events[0]!.detail).toBe('at point main:writing (hit 2)');
    }
    for (const cell of result.cells) expect(cell.faults.outcomes!.filter((o) => !o.fired && !o.optional), cell.strategy).toEqual([]);

    // In place: main is left truncated; every row acked before the kill is gone (the victim's first at
    // least), nothing is present, and every later save fails to read main (indeterminate, not acked).
    const lossy = inplace!.verdict;
    expect(lossy.acked).toBeGreaterThanOrEqual(1);
    expect(lossy).toMatchObject({ present: 0, lost: lossy.acked, duplicates: 0, corruptFiles: 1, broken: [] });
    expect(inplace!.guarantees).toMatchObject({ noLostAcked: false, noCorruption: false });
    const independent = await recount(inplace!.dir);
    expect(independent).toMatchObject({ acked: lossy.acked, lost: lossy.acked, present: 0, unreadableFiles: 1 });

    // Atomic: the kill leaves a temp file outside the dataset; the restarted writer retries its record.
    expect(atomic!.verdict).toMatchObject({ attempted: 24, acked: 24, present: 24, lost: 0, duplicates: 0, corruptFiles: 0, valid: true });
    expect((await recount(atomic!.dir)).unreadableFiles).toBe(0);
    for (const cell of result.cells) await expectRecountAgrees(cell);
  });
});
