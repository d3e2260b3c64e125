import { appendFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MetricsRecorder, readSnapshots, type MetricsSource } from '../harness/measure/metrics.js';
import { emptyIoCounters } from '../harness/sdk/ports/io.js';

const source = (): MetricsSource => ({
  io: emptyIoCounters(), lock: { acquisitions: 0, waitsMs: [], timeouts: 0, compromised: 0, staleTakeovers: 0 },
  acked: 0, attempted: 0, failed: 0, ackLatenciesMs: [], counters: {}, harnessBytesWritten: () => 0,
});

describe('metrics snapshots appended as lines', () => {
  it('read back as the last whole line: a line a kill tore leaves the one before', () => {
    const dir = mkdtempSync(join(tmpdir(), 'parquet-chaos-snapshots-'));
    try {
      // Arrange: three snapshots with growing acks, then a kill in the middle of the fourth.
      const from = source();
      const recorder = new MetricsRecorder(dir, 'writer', 2, from);
      for (const acked of [1, 2, 3]) {
        from.acked = acked;
        recorder.snapshot(false);
      }
      const file = join(dir, readdirSync(dir).find((n) => n.endsWith('.snapshots.jsonl'))!);
      appendFileSync(file, '{"role":"writer","index":2,"acked":4');

      // Act
      const [read, ...others] = readSnapshots(dir);

      // Assert
      expect(others).toEqual([]);
      expect(readFileSync(file, 'utf8').split('\n')).toHaveLength(4);
      expect(read).toMatchObject({ role: 'writer', index: 2, acked: 3, final: false });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('stay a small file for a long-lived process: past 256 KiB the file holds its latest snapshot alone', () => {
    const dir = mkdtempSync(join(tmpdir(), 'parquet-chaos-snapshots-'));
    try {
      // Arrange: a consumer with many counters (a big snapshot), snapshotted many times.
      const from = source();
      for (let i = 0; i < 40; i++) from.counters[`counter-${i}`] = i;
      const recorder = new MetricsRecorder(dir, 'consumer', 0, from);

      // Act
      let largest = 0;
      for (let n = 1; n <= 2000; n++) {
        from.acked = n;
        recorder.snapshot(n === 2000);
        largest = Math.max(largest, statSync(join(dir, readdirSync(dir).find((name) => name.endsWith('.snapshots.jsonl'))!)).size);
      }

      // Assert: bounded, never empty, and the last snapshot is the one read.
      expect(largest).toBeLessThanOrEqual(256 << 10);
      expect(readSnapshots(dir)).toMatchObject([{ role: 'consumer', acked: 2000, final: true, counters: { 'counter-39': 39 } }]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('of older runs (one snapshot a .json file) are still read', () => {
    const dir = mkdtempSync(join(tmpdir(), 'parquet-chaos-snapshots-'));
    try {
      // Arrange: a snapshot as runs wrote it before.
      const recorder = new MetricsRecorder(dir, 'merger', 0, { ...source(), acked: 7 });
      recorder.stop();
      const line = readFileSync(join(dir, readdirSync(dir).find((n) => n.endsWith('.snapshots.jsonl'))!), 'utf8').trim().split('\n').at(-1)!;
      rmSync(dir, { recursive: true, force: true });
      const older = mkdtempSync(join(tmpdir(), 'parquet-chaos-snapshots-'));
      writeFileSync(join(older, 'merger-0-1.json'), line);

      // Act + Assert
      expect(readSnapshots(older)).toMatchObject([{ role: 'merger', acked: 7, final: true }]);
      rmSync(older, { recursive: true, force: true });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
