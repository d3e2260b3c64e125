import { describe, expect, it } from 'vitest';
import { applyOptions, CELL_TIMEOUT_PER_RECORD_MS, cellTimeoutMs, defaultRunConfig, describeCellTimeout } from '../harness/orchestrate/run-config.js';

describe('the cell timeout follows the work', () => {
  it.each([
    [4, 20, 121.6],
    [64, 1000, 1400],
    [8, 50, 128],
  ])('by default: %i workers × %i records → %f s', (workers, records, seconds) => {
    // Arrange
    const config = { ...defaultRunConfig(), workers, recordsPerWorker: records };

    // Act / Assert
    expect(cellTimeoutMs(config)).toBe(seconds * 1000);
    expect(describeCellTimeout(config)).toBe(`120 s + ${CELL_TIMEOUT_PER_RECORD_MS} ms × ${workers} workers × ${records} records = ${seconds} s`);
  });

  it('gives 64 workers × 1000 records room for all of them at the rate queue reached when the fixed 120 s stopped it (35,063 records: 292/s)', () => {
    expect(cellTimeoutMs({ ...defaultRunConfig(), workers: 64, recordsPerWorker: 1000 })).toBeGreaterThan((64_000 / 292) * 1000);
  });

  it('--timeout fixes it, whatever the work', () => {
    const config = { ...applyOptions(defaultRunConfig(), { timeout: '30' }), workers: 64, recordsPerWorker: 1000 };
    expect(cellTimeoutMs(config)).toBe(30_000);
    expect(describeCellTimeout(config)).toBe('30 s, set by --timeout');
  });
});
