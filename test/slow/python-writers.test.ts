import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CellResult } from '../../harness/result/result.js';
import { runSmall } from '../support/cell.js';
import { pythonMissing } from '../support/python.js';
import { expectRecountAgrees, recount } from '../support/recount.js';

/**
 * The seed's own pandas system (strategies/python) under the real harness: real processes, real
 * faults, each unsafe variant shown losing under the scenario that reaches it and each safe one
 * passing under the same faults, every count recounted by DuckDB. Triggers are crash points reached
 * through the protocol, so where a fault lands does not depend on the machine's speed.
 */
const missing = pythonMissing('pandas, pyarrow');

/** Every planned fault fired (a fault that did not makes the verdict unknown; shown whole so a failure says why). */
function expectAllFired(cell: CellResult): void {
  expect(cell.faults.outcomes!.filter((o) => !o.fired && !o.optional), `${cell.strategy} × ${cell.scenario}`).toEqual([]);
}

async function expectRecounted(cells: readonly CellResult[]): Promise<void> {
  for (const cell of cells) await expectRecountAgrees(cell);
}

describe.skipIf(missing)('the seed\'s pandas writers (real processes)', () => {
  it('realtime: a writer killed while main is open for writing loses every acked result in place, none with the atomic publish', async () => {
    // Arrange: writer 1 dies the 3rd time it has the new main open for writing (2 of its saves acked
    // by then). In place, that is main itself, truncated; atomically, a temp file.
    const faults = 'kill:target=writer-1,point=main:writing,nth=3';

    // Act
    const result = await runSmall({ strategies: ['pandas-realtime,pandas-realtime:publish=inplace'], scenarios: ['buffer-crash'], workers: 4, recordsPerWorker: 8, faults });

    // Assert
    const [atomic, inplace] = result.cells;
    for (const cell of result.cells) expectAllFired(cell);
    expect(atomic!.verdict).toMatchObject({ acked: 32, lost: 0, duplicates: 0, corruptFiles: 0, valid: true });
    // In place: main is left empty; every later read fails (`info`), so nothing is acked after the kill.
    expect(inplace!.verdict.acked).toBeGreaterThanOrEqual(2);
    expect(inplace!.verdict).toMatchObject({ present: 0, lost: inplace!.verdict.acked, corruptFiles: 1, broken: [] });
    expect(inplace!.guarantees).toMatchObject({ noLostAcked: false, noCorruption: false });
    expect((await recount(inplace!.dir)).unreadableFiles).toBe(1);
    await expectRecounted(result.cells);
  });

  it('realtime under main-file contention: the fcntl lock keeps every result, in place and atomic', async () => {
    const result = await runSmall({ strategies: ['pandas-realtime,pandas-realtime:publish=inplace'], scenarios: ['main-file-contention'], workers: 6, recordsPerWorker: 8 });
    for (const cell of result.cells) {
      expect(cell.verdict).toMatchObject({ acked: 48, present: 48, lost: 0, duplicates: 0, corruptFiles: 0, valid: true });
      expect(cell.locks.acquisitions).toBeGreaterThanOrEqual(48);
    }
    await expectRecounted(result.cells);
  });

  it('incremental: the naive merger deletes files written while it merged (scenario 2); the safe one deletes only what it read', async () => {
    // Arrange: the merger stops for 1.5 s right after its first publish of main, between its listing
    // and its clean-up; the writers, 30 records each 20 ms apart, are still publishing files then.
    const faults = 'pause:target=merger,point=merge:main-published,nth=1,duration=1500';
    const strategies = ['pandas-incremental:merge=naive,mergeEveryMs=50,pandas-incremental:mergeEveryMs=50'];

    // Act
    const result = await runSmall({ strategies, scenarios: ['merge-race'], workers: 4, recordsPerWorker: 30, faults });

    // Assert
    const [naive, safe] = result.cells;
    for (const cell of result.cells) expectAllFired(cell);
    expect(naive!.verdict.lost).toBeGreaterThan(0);
    expect(naive!.verdict).toMatchObject({ acked: 120, duplicates: 0, corruptFiles: 0, broken: [] });
    expect(safe!.verdict).toMatchObject({ acked: 120, present: 120, lost: 0, duplicates: 0, corruptFiles: 0, valid: true });
    expect(readdirSync(join(safe!.dir, 'data', 'incremental'))).toEqual([]);
    await expectRecounted(result.cells);
  });

  it('checkpoint (interval 5) and the sqlite3 queue keep every acked result under their scenarios\' own faults', async () => {
    // buffer-crash kills two writers after a few attempts (think 40 ms: each victim lives well past its
    // trigger) and the paused one the second time it reaches main:writing (16 records commit 4 times); merge-race crashes the queue's consumer at its 7th point (batch=5: many batches) and pauses it.
    const crash = await runSmall({ strategies: ['pandas-checkpoint'], scenarios: ['buffer-crash'], workers: 4, recordsPerWorker: 16, thinkMs: 40 });
    const race = await runSmall({ strategies: ['pandas-queue:batch=5'], scenarios: ['merge-race'], workers: 4, recordsPerWorker: 20 });

    for (const cell of [...crash.cells, ...race.cells]) {
      expectAllFired(cell);
      expect(cell.verdict).toMatchObject({ lost: 0, duplicates: 0, corruptFiles: 0, valid: true });
      expect(cell.verdict.acked).toBeGreaterThan(0);
    }
    expect(crash.cells[0]!.faults.kills).toBe(3);
    expect(race.cells[0]!.faults.crashPoints + race.cells[0]!.faults.kills).toBeGreaterThan(0);
    await expectRecounted([...crash.cells, ...race.cells]);
  });

  it('smart_append: a writer paused holding the lock sends the others to the fallback folder, and finalize folds it into main', async () => {
    // Arrange: writer 0 stops for 1.5 s inside its 2nd locked read-modify-write; every other writer's
    // three 50 ms tries at the lock time out meanwhile.
    const faults = 'pause:target=writer-0,point=main:read,nth=2,duration=1500';

    // Act
    const result = await runSmall({ strategies: ['pandas-smart-append'], scenarios: ['main-file-contention'], workers: 4, recordsPerWorker: 12, faults });

    // Assert
    const [cell] = result.cells;
    expectAllFired(cell!);
    expect(cell!.counters.fallbacks).toBeGreaterThan(0);
    expect(cell!.locks.timeouts).toBeGreaterThanOrEqual(3 * cell!.counters.fallbacks!);
    expect(cell!.verdict).toMatchObject({ acked: 48, present: 48, lost: 0, duplicates: 0, corruptFiles: 0, valid: true });
    const fallback = join(cell!.dir, 'data', 'fallback');
    expect(existsSync(fallback) ? readdirSync(fallback) : []).toEqual([]);
    await expectRecounted(result.cells);
  });
});
