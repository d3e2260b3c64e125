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
    const line = formatProgress({ ...state, done: 0, lastDoneAt: 0 }, 61_000, 60);
    expect(line).toBe('0/8 [--------------------] checkpoi… · 1m01s elapsed · ETA ?');
    expect(line.length).toBeLessThanOrEqual(60);
  });
});

describe('createProgress', () => {
  const cell = { verdict: { valid: true, acked: 3, attempted: 3, lost: 0 }, throughput: { ackedPerSec: 9 } } as never;

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
    const progress = createProgress((t) => void out.push(t), true, 100, () => now);
    progress.start(0, 2, 'realtime × buffer-crash');
    now = 4000;
    progress.done(cell);
    progress.finish();
    expect(out.every((t) => t.startsWith('\r\u001b[2K') || t === '\n')).toBe(true);
    expect(out.at(-2)).toContain('1/2 [##########----------] realtime × buffer-crash · 4s elapsed · ETA 4s');
    expect(out.at(-1)).toBe('\n');
  });
});
