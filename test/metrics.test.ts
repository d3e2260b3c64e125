import { describe, expect, it } from 'vitest';
import { aggregateSnapshots, type MetricsSnapshot } from '../harness/measure/metrics.js';
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
