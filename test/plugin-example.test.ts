import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runSmall } from './support/cell.js';
import { expectRecountAgrees } from './support/recount.js';

describe('the README plugin example (real processes)', () => {
  it('loads a user module by path, with options, and keeps its claims under writer kills', async () => {
    // Arrange
    const plugin = `${resolve(import.meta.dirname, 'fixtures/per-writer-file.js')}:every=2`;

    // buffer-crash kills two writers and pauses a third, each held at a seeded attempt (here 2, 3 and 3 of 8).
    // Act
    const result = await runSmall({ strategies: [plugin], scenarios: ['buffer-crash'], workers: 4, recordsPerWorker: 8 });

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
