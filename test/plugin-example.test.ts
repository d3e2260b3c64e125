import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runSmall } from './support/cell.js';
import { expectRecountAgrees } from './support/recount.js';

describe('the README plugin example (real processes)', () => {
  it('loads a user module by path, with options, and keeps its claims under writer kills', async () => {
    // Arrange
    const plugin = `${resolve(import.meta.dirname, 'fixtures/per-writer-file.js')}:every=2`;

    // buffer-crash kills two writers and pauses a third, each from outside once its ledger shows a seeded
    // number of attempts (here 2, 3 and 3 of 8). This plugin saves a record in a few ms, so with the
    // scenario's 1 ms think time a victim could finish and exit before a loaded orchestrator reacts (the
    // fault then rightly did not fire, and the cell is unknown). 50 ms on average after each write keeps
    // every victim running at least 150 ms longer.
    const thinkMs = 50;

    // Act
    const result = await runSmall({ strategies: [plugin], scenarios: ['buffer-crash'], workers: 4, recordsPerWorker: 8, thinkMs });

    // Assert
    const cell = result.cells[0]!;
    expect(cell.strategy).toMatch(/per-writer-file\.js:every=2$/);
    // (Whole outcomes, so that a failure shows why a fault did not fire.)
    expect(cell.faults.outcomes).toMatchObject(cell.faults.planned.map((fault) => ({ kind: fault.kind, fired: true })));
    expect(cell.faults.kills).toBeGreaterThan(0);
    expect(cell.verdict).toMatchObject({ acked: 32, lost: 0, duplicates: 0, corruptFiles: 0, valid: true });
    await expectRecountAgrees(cell);
  });
});
