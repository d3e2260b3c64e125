import { appendFileSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { aggregateSnapshots, MetricsRecorder, readSnapshots, type MetricsSource, type MetricsSnapshot } from '../harness/measure/metrics.js';
import { emptyIoCounters } from '../harness/sdk/ports/io.js';
import { zeroProcIo } from '../harness/measure/proc-io.js';

function snapshot(waitsMs: number[], maxRssKiB?: number, cpu: Pick<MetricsSnapshot, 'role' | 'cpuMs' | 'readyCpuMs'> = { role: 'writer' }): MetricsSnapshot {
  return {
    ...cpu, index: 0, pid: 1, final: true, startedAt: 0, at: 1, io: emptyIoCounters(),
    lock: { acquisitions: waitsMs.length, waitsMs, timeouts: 0, compromised: 0, staleTakeovers: 0 },
    proc: { ...zeroProcIo }, acked: waitsMs.length, attempted: waitsMs.length, failed: 0, ackLatenciesMs: waitsMs, counters: {},
    ...(maxRssKiB === undefined ? {} : { maxRssKiB }),
  };
}

describe('aggregateSnapshots', () => {
  it('gathers one process with more samples than a call takes arguments', () => {
    // Arrange: a long-lived role (a consumer, a writer of 300,000 records) with one wait and latency each.
    const waits = Array.from({ length: 300_000 }, (_, i) => i % 97);
    // Act
    const m = aggregateSnapshots([snapshot(waits), snapshot([5])]);
    // Assert
    expect(m.lockWaitsMs).toHaveLength(300_001);
    expect(m.ackLatenciesMs).toHaveLength(300_001);
  });

  it('keeps the largest peak RSS of one process and the sum of all peaks (older snapshots have none)', () => {
    const m = aggregateSnapshots([snapshot([], 90_000), snapshot([], 120_000), snapshot([])]);
    expect(m.maxRssKiB).toBe(120_000);
    expect(m.rssSumKiB).toBe(210_000);
  });

  it('splits each role\'s CPU into getting ready and working, counting a process never ready as all getting ready', () => {
    // Arrange: two writers (one killed before `go`), a merger, and an older snapshot without CPU.
    const snapshots = [
      snapshot([], undefined, { role: 'writer', cpuMs: 300, readyCpuMs: 200 }),
      snapshot([], undefined, { role: 'writer', cpuMs: 150 }),
      snapshot([], undefined, { role: 'merger', cpuMs: 500, readyCpuMs: 180 }),
      snapshot([]),
    ];
    // Act
    const m = aggregateSnapshots(snapshots);
    // Assert
    expect(m.cpu).toEqual({ writer: { readyMs: 350, workMs: 100, processes: 2 }, merger: { readyMs: 180, workMs: 320, processes: 1 } });
  });
});

describe('MetricsRecorder', () => {
  it('appends only the samples taken since the last snapshot, and reads them all back (a torn last line skipped)', () => {
    // Arrange: a writer that acks between snapshots, with a lock wait.
    const dir = mkdtempSync(join(tmpdir(), 'parquet-chaos-metrics-'));
    try {
      const source: MetricsSource = {
        io: emptyIoCounters(), lock: { acquisitions: 0, waitsMs: [], timeouts: 0, compromised: 0, staleTakeovers: 0 },
        acked: 0, attempted: 0, failed: 0, ackLatenciesMs: [], counters: {}, harnessBytesWritten: () => 0,
      };
      const recorder = new MetricsRecorder(dir, 'writer', 0, source);

      // Act
      source.ackLatenciesMs.push(1, 2);
      recorder.snapshot(false);
      recorder.snapshot(false);
      source.ackLatenciesMs.push(3);
      source.lock.waitsMs.push(7);
      recorder.stop();
      const samplesFile = join(dir, readdirSync(dir).find((n) => n.endsWith('.samples.jsonl'))!);
      const lines = readFileSync(samplesFile, 'utf8').trim().split('\n');
      appendFileSync(samplesFile, '{"ackLatenciesMs":[9'); // a kill in the middle of the next append
      const [read] = readSnapshots(dir);

      // Assert: two lines (the snapshot with nothing new appended none), each with only its new samples.
      expect(lines.map((l) => JSON.parse(l))).toEqual([{ ackLatenciesMs: [1, 2], waitsMs: [] }, { ackLatenciesMs: [3], waitsMs: [7] }]);
      expect(read!.ackLatenciesMs).toEqual([1, 2, 3]);
      expect(read!.lock.waitsMs).toEqual([7]);
      expect(read!.final).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
