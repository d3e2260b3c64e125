import { describe, expect, it } from 'vitest';
import type { RunResult } from '../harness/result/result.js';
import { overtakes } from '../scripts/docs/results-page.js';

/** A sweep result holding only what overtakes reads: each cell's strategy, workers and acked/s. */
function sweep(rates: Record<string, Record<number, number[]>>): RunResult {
  const cells = Object.entries(rates).flatMap(([strategy, byWorkers]) =>
    Object.entries(byWorkers).flatMap(([workers, repeats]) => repeats.map((ackedPerSec) => ({ strategy, workers: Number(workers), throughput: { ackedPerSec } }))));
  return { cells } as unknown as RunResult;
}

describe('docs/results.md: where a strategy overtakes another in a sweep over worker counts', () => {
  it('names the counts where each acks faster than the base, and the smallest from which it stays ahead (medians of repeats)', () => {
    // Arrange: `gc` is ahead at 2, then behind at 4 (its median 8 of 3, 8, 30), ahead again from 8 on; `slow` never.
    const result = sweep({
      base: { 1: [10], 2: [10], 4: [10, 10, 10], 8: [10], 16: [10] },
      gc: { 1: [5], 2: [12], 4: [3, 8, 30], 8: [11], 16: [40] },
      slow: { 1: [1], 2: [1], 4: [1, 1, 1], 8: [1], 16: [10] },
    });

    // Act
    const text = overtakes(result, 'base');

    // Assert: a tie (slow at 16) is not ahead.
    expect(text).toBe('`gc` acks faster than `base` at 2, 8, 16 workers (from 8 workers on, up to the 16 measured); `slow` acks faster than `base` at no worker count');
  });

  it('says so when the sweep has no cell of the base strategy, and has no "from" when the largest count falls behind', () => {
    expect(overtakes(sweep({ gc: { 1: [5] } }), 'base')).toBe('no `base` cell');
    expect(overtakes(sweep({ base: { 1: [10], 2: [10] }, gc: { 1: [20], 2: [5] } }), 'base')).toBe('`gc` acks faster than `base` at 1 workers');
  });
});
