import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createProgress, formatProgress } from '../harness/cli/progress.js';

describe('formatProgress', () => {
  const state = { done: 2, total: 8, current: 'checkpoint-batch:interval=5 × buffer-crash · 5 workers · repeat 1', startedAt: 0, lastDoneAt: 20_000 };

  it('shows cells done/total, a bar, the current cell, elapsed and the ETA from the mean cell time', () => {
    // Mean 10 s a cell × 6 left = 60 s, less the 5 s the current cell has run.
    expect(formatProgress(state, 25_000, 200)).toBe(
      '2/8 [#####---------------] checkpoint-batch:interval=5 × buffer-crash · 5 workers · repeat 1 · 25s elapsed · ETA 55s');
  });

  it('has no ETA before the first cell ends, and shortens the label to fit the width', () => {
    const line = formatProgress({ ...state, done: 0, lastDoneAt: 0 }, 61_000, 80);
    expect(line).toBe('0/8 [--------------------] checkpoint-batch:interval=5… · 1m01s elapsed · ETA ?');
    expect(line.length).toBeLessThan(80);
  });

  it('stays shorter than any terminal width, dropping the bar and elapsed time on narrow ones', () => {
    // Arrange: any state (more cells done than the total too: gate's batches did that, and a negative
    // count crashed the bar with 'Invalid count value: -5'), any label, any width from 10 to 400 columns.
    fc.assert(fc.property(
      fc.integer({ min: 0, max: 5000 }), fc.integer({ min: 0, max: 5000 }), fc.string({ maxLength: 200 }),
      fc.integer({ min: 0, max: 10 ** 8 }), fc.integer({ min: 0, max: 10 ** 8 }), fc.integer({ min: 10, max: 400 }),
      (done, total, current, now, lastDoneAt, width) => {
        // Act
        const line = formatProgress({ done, total, current, startedAt: 0, lastDoneAt }, now, width);
        // Assert
        expect(line.length).toBeLessThan(width);
      },
    ));
    expect(formatProgress({ ...state, done: 0, lastDoneAt: 0 }, 61_000, 40)).toBe('0/8 checkpoint-batch:interval=… · ETA ?');
  });
});

describe('createProgress', () => {
  it('counts cells run in batches, each numbered from 0, as one run (gate: controls, pairs, more looks)', () => {
    // Arrange: a batch of 1 (the control), then a batch of 2 pairs, on a TTY 80 columns wide.
    const out: string[] = [];
    const progress = createProgress((t) => void out.push(t), true, () => 80, () => 0);
    const doneCell = { verdict: { valid: true, acked: 1, attempted: 1, lost: 0 }, throughput: { ackedPerSec: 1 } } as never;

    // Act
    progress.start(0, 1, 'control');
    progress.done(doneCell);
    progress.start(0, 2, 'pair 1');
    progress.done(doneCell);
    progress.start(1, 2, 'pair 2');
    progress.done(doneCell);
    progress.finish();

    // Assert: 3 of 3 at the end, never more done than the total.
    const lines = out.join('').split('\r\u001b[2K').filter(Boolean).map((l) => l.trim());
    expect(lines.at(-1)).toMatch(/^3\/3 \[#{20}\]/);
    for (const line of lines) {
      const [done, total] = line.split(' ')[0]!.split('/').map(Number);
      expect(done).toBeLessThanOrEqual(total!);
    }
  });

  const guarantees = { noLostAcked: true, noDuplicates: true, noCorruption: true };
  const cell = { verdict: { valid: true, acked: 3, attempted: 3, lost: 0, duplicates: 0, corruptFiles: 0, corruptRecords: 0 }, guarantees, throughput: { ackedPerSec: 9 } } as never;

  it('writes one plain line per cell when not a TTY', () => {
    const out: string[] = [];
    const progress = createProgress((t) => void out.push(t), false);
    progress.start(0, 2, 'realtime × buffer-crash');
    progress.done(cell);
    progress.finish();
    expect(out.join('')).toBe('[1/2] realtime × buffer-crash …\n      ok · acked 3/3, lost 0 · 9 acked/s\n');
  });

  it('redraws a single line on a TTY and ends it once', () => {
    const out: string[] = [];
    let now = 0;
    const progress = createProgress((t) => void out.push(t), true, () => 100, () => now);
    progress.start(0, 2, 'realtime × buffer-crash');
    now = 4000;
    progress.done(cell);
    progress.finish();
    expect(out.every((t) => t.startsWith('\r\u001b[2K') || t === '\n')).toBe(true);
    expect(out.at(-2)).toContain('1/2 [##########----------] realtime × buffer-crash · 4s elapsed · ETA 4s');
    expect(out.at(-1)).toBe('\n');
  });

  it('fits each redraw to the terminal width asked at that moment, so no wrapped copy is left behind', () => {
    // Arrange: an 80-column terminal, resized to 50 during the run.
    const out: string[] = [];
    let columns = 80;
    const progress = createProgress((t) => void out.push(t), true, () => columns);
    const label = 'lock-upgrade-with-fallback:attempts=3,timeout=50 × main-file-contention · 64 workers · repeat 5';

    // Act
    progress.start(0, 90, label);
    columns = 50;
    progress.start(1, 90, label);
    progress.finish();

    // Assert
    const draws = out.filter((t) => t.startsWith('\r'));
    expect(draws.map((t) => t.replace('\r\u001b[2K', '').length)).toEqual([79, 49]);
  });

  it('words an unsafe variant that lost acked records as the reports do, not "ok"', () => {
    const out: string[] = [];
    const unsafe = { verdict: { valid: true, acked: 80, attempted: 80, lost: 66, duplicates: 0, corruptFiles: 0, corruptRecords: 0 }, guarantees: { ...guarantees, noLostAcked: false }, throughput: { ackedPerSec: 9 } } as never;
    const progress = createProgress((t) => void out.push(t), false);
    progress.start(0, 1, 'realtime:lock=none × main-file-contention');
    progress.done(unsafe);
    expect(out.join('')).toContain('lost (expected: unsafe) · acked 80/80, lost 66');
  });
});
