import { describe, expect, it } from 'vitest';
import type { CellResult } from '../../harness/result/result.js';
import { runSmall } from '../support/cell.js';

// group-commit's claims (no lost ack, no duplicate, no corruption) on real processes, with its three
// processes killed: writers, the committer (the consumer role) and the compactor (the merger role).
// The simulation cannot run it (its processes talk over a socket): `sim` refuses it, test/sim-builtins.

// Every cell here restarts the committer mid-run, and all its writers wait for it: a role's start took
// 30-50 s under load 60 on 2 cores (tsx compiling), so a cell gets 4 minutes, not runSmall's one.
const CELL_TIMEOUT_MS = 240_000;

const firedTargets = (cell: CellResult) => (cell.faults.outcomes ?? []).filter((o) => o.fired).map((o) => `${o.kind} ${o.target}`);

function expectClaimsHeld(cell: CellResult): void {
  const at = `${cell.strategy} × ${cell.scenario}: ${JSON.stringify(cell.errors)}`;
  expect(cell.verdict, at).toMatchObject({ valid: true, lost: 0, duplicates: 0, phantoms: 0, corruptFiles: 0 });
  expect(cell.verdict.acked, at).toBeGreaterThan(0);
}

describe('group-commit on real processes', () => {
  it('merge-race and buffer-crash with their default faults: killed writers, committer and compactor crashed mid-run, every claim holds', async () => {
    // Act: think 50 ms so that the writers commit for at least 400 ms: the compactor's 3rd fold's read
    // (`merge:*-read` nth 3, its 2nd round) needs a segment sealed (100 ms old) after its 1st round; without think time, a busy
    // machine let the writers finish within one round, the planned crash never fired and the cell was unknown.
    // A window of 1 for the same reason: with the default window (8, as many as each writer's records)
    // the writers hand over everything while the crashed committer restarts, one batch commits it all,
    // and the compactor has too few segments to reach its 3rd fold.
    // 16 records a writer: with 8, a busy machine (a fresh-clone CI run) still once ended before it.
    const result = await runSmall({ strategies: ['group-commit:window=1'], scenarios: ['merge-race', 'buffer-crash'], workers: 3, recordsPerWorker: 16, thinkMs: 50, cellTimeoutMs: CELL_TIMEOUT_MS });

    // Assert
    for (const cell of result.cells) expectClaimsHeld(cell);
    const [mergeRace, bufferCrash] = result.cells;
    // merge-race crashes the committer at its 7th consume point (the 3rd batch) and the compactor at its 3rd fold's read.
    expect(firedTargets(mergeRace!)).toEqual(expect.arrayContaining(['crash-point consumer', 'crash-point merger']));
    expect(mergeRace!.faults.restarts).toBeGreaterThanOrEqual(2);
    expect(firedTargets(bufferCrash!).filter((t) => t.startsWith('kill writer-'))).toHaveLength(2);
  }, 2 * CELL_TIMEOUT_MS + 60_000);

  it('the committer killed between its fsync and its acks: its writers send that batch again, the compactor keeps one copy', async () => {
    // Act: think 20 ms so that the compactor folds while the writers write, and is killed after publishing a part.
    const result = await runSmall({
      strategies: ['group-commit'], scenarios: ['main-file-contention'], workers: 3, recordsPerWorker: 8, thinkMs: 20, cellTimeoutMs: CELL_TIMEOUT_MS,
      faults: 'crash-point:target=consumer,point=consume:batch-synced,nth=3;crash-point:target=merger,point=merge:part-published,nth=1;kill:target=writer-1,afterAttempts=4',
    });

    // Assert
    const [cell] = result.cells;
    expectClaimsHeld(cell!);
    expect(firedTargets(cell!)).toEqual(['crash-point consumer', 'crash-point merger', 'kill writer-1']);
    // The 3rd batch was durable and unacked when the committer died: sent again after the reconnect, dropped as a duplicate.
    expect(cell!.counters['disconnects']).toBeGreaterThanOrEqual(1);
    expect(cell!.counters['duplicatesDropped']).toBeGreaterThanOrEqual(1);
    expect(cell!.counters['indeterminate'] ?? 0).toBe(0);
  }, CELL_TIMEOUT_MS + 60_000);
});
