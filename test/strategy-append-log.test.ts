import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkCell } from '../harness/oracle/checker.js';
import type { IoHook } from '../harness/sdk/ports/io.js';
import { resolveOptions, type StrategyContext } from '../harness/sdk/strategy.js';
import { appendLog } from '../strategies/append-log.js';
import { Compactor } from '../strategies/shared/segment-compactor.js';
import { encodeLine, parseSegment } from '../strategies/shared/segment-log.js';
import { runSmall } from './support/cell.js';
import { LedgeredWriter, retryPlan, testRecord } from './support/ledgered-writer.js';
import { expectRecountAgrees } from './support/recount.js';
import { crashAt, makeContext, SimulatedCrash, tempCell } from './support/sim.js';

type Options = ReturnType<typeof options>;
const options = (given: Record<string, string> = {}) => resolveOptions(appendLog, given);
const claims = appendLog.guarantees(options());

const segments = (cell: string) => readdirSync(join(cell, 'state', 'append-log'));
const dataFiles = (cell: string) => readdirSync(join(cell, 'data'));

function writer(cell: string, o: Options, ctx: StrategyContext = makeContext(cell)): LedgeredWriter {
  return new LedgeredWriter(cell, ctx.role.index, appendLog.writer(ctx, o));
}

/** A writer process that writes `seqs` and closes, or dies (no `end` line) where its hook crashes it. */
async function runWriter(cell: string, o: Options, seqs: readonly number[], ctx: StrategyContext = makeContext(cell)): Promise<void> {
  const w = writer(cell, o, ctx);
  try {
    await w.open();
    for (const seq of seqs) await w.write(seq);
    await w.close();
  } catch (error) {
    w.abandon();
    throw error;
  }
}

/** The merger role, stopped once a round finds nothing sealed left. */
async function compactSealed(ctx: StrategyContext, o: Options): Promise<void> {
  const compactor = await Compactor.start(ctx, o.partRecords);
  while ((await compactor.round(false)) > 0);
}

const finalize = (cell: string, o: Options) => appendLog.finalize!(makeContext(cell, { role: 'finalize' }), o);

describe('append-log: segment lines', () => {
  it('keeps every whole line and skips a torn tail or a line whose checksum fails', () => {
    // Arrange
    const [a, b, c] = [testRecord(0, 0), testRecord(0, 1), testRecord(0, 2)];
    const flipped = new TextDecoder().decode(encodeLine(c)).replace(c.payload, c.payload.toUpperCase());
    const torn = encodeLine(testRecord(0, 3)).slice(0, 40);
    const bytes = new TextEncoder().encode(new TextDecoder().decode(encodeLine(a)) + new TextDecoder().decode(encodeLine(b)) + flipped + new TextDecoder().decode(torn));

    // Act
    const { records, torn: tornLines } = parseSegment(bytes);

    // Assert
    expect(records.map((r) => r.id)).toEqual(['w0-0', 'w0-1']);
    expect(records[1]).toEqual(b);
    expect(tornLines).toBe(2);
  });
});

describe('append-log: in-process crash enumeration', () => {
  // Two records a segment, so a run of five seals, rolls and leaves a partly filled segment.
  const o = options({ segment: '2', partRecords: '2' });

  it('a writer dying at any I/O step, then resumed with retries, leaves every acked id exactly once', async () => {
    // Arrange: count the steps of one uninterrupted open + 5 writes + close.
    const counting = crashAt(0);
    const countingCell = tempCell();
    await runWriter(countingCell, o, [0, 1, 2, 3, 4], makeContext(countingCell, { hook: counting }));
    expect(counting.steps).toContain('rename state/append-log/w0-sim_writer_0-000000.sealed');

    for (let n = 1; n <= counting.steps.length; n++) {
      const cell = tempCell();
      const at = `crash at step ${n}: ${counting.steps[n - 1]}`;

      // Act: crash at step n; the merger folds what was sealed; a resumed writer retries what was not acked.
      await expect(runWriter(cell, o, [0, 1, 2, 3, 4], makeContext(cell, { hook: crashAt(n) })), at).rejects.toBeInstanceOf(SimulatedCrash);
      await compactSealed(makeContext(cell, { role: 'merger' }), o);
      await runWriter(cell, o, retryPlan(cell, 0, 5));
      await finalize(cell, o);

      // Assert
      expect(await checkCell(cell, claims), at).toMatchObject({ acked: 5, present: 5, lost: 0, duplicates: 0, corruptFiles: 0, valid: true });
      expect(segments(cell), at).toEqual([]);
      expect(dataFiles(cell).every((name) => /^log-part-\d{6}\.parquet$/.test(name)), at).toBe(true);
    }
  });

  /**
   * Writer 0's first segment is already in a part; writer 0's other segments and writer 1's wait
   * sealed; writer 1 retried w1-0 (a copy in two segments); writer 2 died with an open segment.
   */
  async function arrangeCompactionInput(): Promise<string> {
    const cell = tempCell();
    await runWriter(cell, o, [0, 1]);
    await compactSealed(makeContext(cell, { role: 'merger' }), o);
    await runWriter(cell, o, [2, 3, 4, 5]);
    await runWriter(cell, o, [0, 1], makeContext(cell, { index: 1 }));
    await runWriter(cell, o, [0], makeContext(cell, { index: 1 }));
    const dying = writer(cell, options({ segment: '10' }), makeContext(cell, { index: 2 }));
    await dying.open();
    await dying.write(0);
    dying.abandon();
    return cell;
  }

  it('a compactor dying at any step, restarted, then finalize: nothing lost, nothing twice, no segment left', async () => {
    // Arrange
    const counting = crashAt(0);
    await compactSealed(makeContext(await arrangeCompactionInput(), { role: 'merger', hook: counting }), o);
    expect(counting.steps).toEqual(expect.arrayContaining(['point merge:part-published', 'point merge:segments-removed']));

    for (let n = 1; n <= counting.steps.length; n++) {
      const cell = await arrangeCompactionInput();
      const at = `crash at step ${n}: ${counting.steps[n - 1]}`;

      // Act: the merger dies at step n; the restarted merger compacts again; finalize takes the rest.
      await expect(compactSealed(makeContext(cell, { role: 'merger', hook: crashAt(n) }), o), at).rejects.toBeInstanceOf(SimulatedCrash);
      const afterCrash = await checkCell(cell, claims);
      await compactSealed(makeContext(cell, { role: 'merger' }), o);
      await finalize(cell, o);

      // Assert: a part is published whole or not at all, and never repeats an id, even before recovery.
      expect(afterCrash, at).toMatchObject({ duplicates: 0, corruptFiles: 0 });
      expect(await checkCell(cell, claims), at).toMatchObject({ acked: 9, present: 9, retried: 1, lost: 0, duplicates: 0, corruptFiles: 0, valid: true });
      expect(segments(cell), at).toEqual([]);
      expect(dataFiles(cell).every((name) => /^log-part-\d{6}\.parquet$/.test(name)), at).toBe(true);
    }
  });

  it('seals a segment by age as well as by count, so records do not wait for a slow writer', async () => {
    // Arrange: segments of up to 1000 records, sealed at the first append once 100 ms old, on a clock the test moves.
    const cell = tempCell();
    let now = 0;
    const ctx = { ...makeContext(cell), clock: { ...makeContext(cell).clock, now: () => now } };
    const w = writer(cell, options({ segment: '1000', sealMs: '100' }), ctx);
    await w.open();

    // Act
    await w.write(0);
    now = 99;
    await w.write(1);
    const young = segments(cell);
    now = 100;
    await w.write(2);

    // Assert
    expect(young).toEqual(['w0-sim_writer_0-000000.seg']);
    expect(segments(cell)).toEqual(['w0-sim_writer_0-000000.sealed']);
    w.abandon();
  });
});

describe('append-log under the three scenarios (real processes, compactor running)', () => {
  it('loses and duplicates nothing; the checker agrees with DuckDB; only Parquet parts are left in data/', async () => {
    // Arrange: writers that pause 20–60 ms between records and a compactor that polls every 20 ms, so that
    // merge-race's crash of the compactor at its 3rd fold's read (`merge:*-read`) is reached while the writers still run.
    // The writers' time is mostly sleep, the compactor's folds are CPU: a loaded machine slows the
    // compactor alone. With 30 ms it crashed 270–310 ms before the writers' end (of ~600 ms of writing)
    // under a load average of 6.6; with 40 ms, 540–640 ms before it under the same load.
    const overrides = {
      strategies: ['append-log:compactEveryMs=20'], scenarios: ['main-file-contention', 'merge-race', 'buffer-crash'], workers: 3, recordsPerWorker: 20, thinkMs: 40,
    };

    // Act
    const result = await runSmall(overrides);

    // Assert
    expect(result.cells.map((c) => c.scenario)).toEqual(['main-file-contention', 'merge-race', 'buffer-crash']);
    for (const cell of result.cells) {
      expect(cell.errors, cell.scenario).toEqual([]);
      // (Planned faults that did not fire, with why: a failure shows them, e.g. a compactor that never reached its crash point.)
      expect(cell.faults.outcomes!.filter((o) => o.blocking), cell.scenario).toEqual([]);
      expect(cell.verdict, cell.scenario).toMatchObject({ acked: 60, present: 60, lost: 0, duplicates: 0, corruptFiles: 0, valid: true });
      await expectRecountAgrees(cell);
      expect(dataFiles(cell.dir).every((name) => /^log-part-\d{6}\.parquet$/.test(name)), cell.scenario).toBe(true);
      expect(segments(cell.dir), cell.scenario).toEqual([]);
    }
    // The faults of each scenario reached this strategy's processes: the compactor and writers died and came back.
    expect(result.cells[1]!.faults.crashPoints).toBeGreaterThan(0);
    expect(result.cells[2]!.faults.kills).toBe(2);
  });
});
