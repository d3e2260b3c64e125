import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CellResult } from '../../harness/result/result.js';
import { runSmall } from '../support/cell.js';

// Writer protocol 1 against plain-JavaScript foreign writers that use nothing of parquet-chaos (real
// processes): a correct one must pass; each way of breaking the protocol must be a clear E_PROTOCOL
// error naming the line, and a cell that is never a pass.
const fixture = (name: string) => resolve(import.meta.dirname, '../fixtures/foreign', name);
const misbehaving = (how: string) => `${fixture('misbehaving.json')}:how=${how}`;

/** What each way of breaking the protocol must be told as (the misbehaving writer breaks it at its 3rd write). */
const BREAKS: Record<string, RegExp> = {
  garbage: /stdout line \d+ "saving w0-2 now" is not JSON \(.*logs belong on stderr\)/,
  silence: /sent no the answer to write w0-2 within 3000 ms \(the record is indeterminate/,
  'early-exit': /exited \(code 3\) while the harness waited for the answer to write w0-2; its stderr ends: writer gave up/,
  'double-answer': /stdout line \d+ .*: a second answer for w0-2/,
  'unknown-id': /'ok' for id 'w99-0', which was never sent \(ackWithoutAttempt\)/,
  'stale-id': /a second answer for w0-0 \(the write in flight is w0-2\)/,
  'unknown-type': /unknown message type "saved"/,
  'ack-unsent': /acks id 'w0-999', which was never sent \(ackWithoutAttempt\)/,
  'no-init-ok': /the first message must be init_ok, got 'ok'/,
  'wrong-version': /speaks protocol 2, the harness speaks 1/,
};

function cellOf(cells: readonly CellResult[], label: string): CellResult {
  const cell = cells.find((c) => c.strategy === label);
  if (!cell) throw new Error(`no cell for ${label}: ${cells.map((c) => c.strategy).join(', ')}`);
  return cell;
}

describe('writer protocol 1 with plain-JS foreign writers (real processes)', () => {
  it('a writer that breaks the protocol is a clear E_PROTOCOL error naming what it did, and its cell is never a pass', async () => {
    // Arrange / Act: every record the misbehaving writer acks it has saved, so only the protocol is wrong.
    const labels = Object.keys(BREAKS).map(misbehaving);
    const result = await runSmall({ strategies: labels, scenarios: ['main-file-contention'], workers: 1, recordsPerWorker: 5, faults: 'none' });

    // Assert
    for (const [how, expected] of Object.entries(BREAKS)) {
      const cell = cellOf(result.cells, misbehaving(how));
      const protocol = cell.errors.filter((e) => e.code === 'E_PROTOCOL');
      expect(protocol.map((e) => e.message), `${how}: ${JSON.stringify(cell.errors)}`).toEqual([expect.stringMatching(expected)]);
      expect(cell.verdict.valid, how).toBe('unknown');
      expect(cell.verdict.lost, how).toBe(0);
    }
  }, 240_000);

  it('a correct writer passes with every record acked; one that floods stdout and stderr is drained and counted exactly', async () => {
    // Arrange: 300 count messages (~12 KB) on stdout and 300 lines (~69 KB) on stderr before each answer: a pipe not drained would fill.
    const correct = fixture('correct.json');
    const chatty = `${correct}:chatter=300`;

    // Act
    const result = await runSmall({ strategies: [correct, chatty], scenarios: ['main-file-contention'], workers: 2, recordsPerWorker: 6, faults: 'none' });

    // Assert
    for (const label of [correct, chatty]) {
      const cell = cellOf(result.cells, label);
      expect(cell.errors, label).toEqual([]);
      expect(cell.verdict.valid, label).toBe(true);
      expect(cell.verdict.acked, label).toBe(12);
    }
    expect(cellOf(result.cells, chatty).counters.chatter).toBe(2 * 6 * 300);
  }, 240_000);

  it('a writer that acks without saving is flagged with the exact count lost', async () => {
    // Act
    const label = `${fixture('correct.json')}:save=false`;
    const result = await runSmall({ strategies: [label], scenarios: ['main-file-contention'], workers: 2, recordsPerWorker: 7, faults: 'none' });

    // Assert
    const cell = cellOf(result.cells, label);
    expect(cell.verdict.valid).toBe(false);
    expect(cell.verdict.broken).toContain('noLostAcked');
    expect([cell.verdict.acked, cell.verdict.lost]).toEqual([14, 14]);
  }, 120_000);

  it('merger, consumer and finalize speak it too: they count, stop when told and say done; one that exits before stop is an error', async () => {
    // Act
    const roles = fixture('with-roles.json');
    const quits = `${roles}:quit=true`;
    const result = await runSmall({ strategies: [roles, quits], scenarios: ['merge-race'], workers: 2, recordsPerWorker: 10, faults: 'none' });

    // Assert
    const clean = cellOf(result.cells, roles);
    expect(clean.errors).toEqual([]);
    expect(clean.verdict.valid).toBe(true);
    expect(clean.counters.finalized).toBe(1);
    expect(clean.counters.mergerSteps).toBeGreaterThanOrEqual(1);
    expect(clean.counters.consumerSteps).toBeGreaterThanOrEqual(1);
    const early = cellOf(result.cells, quits);
    expect(early.errors.filter((e) => e.code === 'E_PROTOCOL').map((e) => e.message).sort())
      .toEqual([expect.stringMatching(/^consumer: .*exited \(code 0\) before the harness ended it/), expect.stringMatching(/^merger: .*exited \(code 0\) before the harness ended it/)]);
    expect(early.verdict.valid).toBe('unknown');
  }, 240_000);
});
