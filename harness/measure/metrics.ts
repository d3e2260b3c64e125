import { readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RoleKind } from '../sdk/strategy.js';
import type { IoCounters } from '../sdk/ports/io.js';
import { emptyIoCounters } from '../sdk/ports/io.js';
import type { LockStats } from '../sdk/ports/lock.js';
import { procIoDelta, readProcIo, zeroProcIo, type ProcIo } from './proc-io.js';

/** What one process leaves behind in metrics/: rewritten as it goes, so a SIGKILL keeps the last one. */
export interface MetricsSnapshot {
  role: RoleKind;
  index: number;
  pid: number;
  final: boolean;
  startedAt: number;
  at: number;
  io: IoCounters;
  lock: LockStats;
  /** /proc/self/io since the role started, minus the harness's own ledger and metrics writes. */
  proc: ProcIo;
  acked: number;
  attempted: number;
  failed: number;
  ackLatenciesMs: number[];
  counters: Record<string, number>;
}

export interface MetricsSource {
  io: IoCounters;
  lock: LockStats;
  acked: number;
  attempted: number;
  failed: number;
  ackLatenciesMs: number[];
  counters: Record<string, number>;
  /** Bytes the harness itself wrote from this process (ledger lines). */
  harnessBytesWritten(): number;
}

/** Periodically snapshots a process's metrics to metrics/<role>-<index>-<pid>.json. */
export class MetricsRecorder {
  private readonly path: string;
  private readonly baseline: ProcIo;
  private readonly startedAt = Date.now();
  private snapshotBytes = 0;
  private snapshotWrites = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(metricsDir: string, private readonly role: RoleKind, private readonly index: number, private readonly source: MetricsSource) {
    this.path = join(metricsDir, `${role}-${index}-${process.pid}.json`);
    this.baseline = readProcIo();
  }

  start(intervalMs: number): void {
    this.snapshot(false);
    this.timer = setInterval(() => this.snapshot(false), intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.snapshot(true);
  }

  snapshot(final: boolean): void {
    const proc = procIoDelta(readProcIo(), this.baseline);
    const own = this.source.harnessBytesWritten() + this.snapshotBytes;
    const snapshot: MetricsSnapshot = {
      role: this.role, index: this.index, pid: process.pid, final, startedAt: this.startedAt, at: Date.now(),
      io: { ...this.source.io }, lock: { ...this.source.lock, waitsMs: [...this.source.lock.waitsMs] },
      proc: { ...proc, wchar: Math.max(0, proc.wchar - own), syscw: Math.max(0, proc.syscw - this.snapshotWrites) },
      acked: this.source.acked, attempted: this.source.attempted, failed: this.source.failed,
      ackLatenciesMs: this.source.ackLatenciesMs,
      counters: { ...this.source.counters },
    };
    const text = JSON.stringify(snapshot);
    writeFileSync(`${this.path}.tmp`, text);
    renameSync(`${this.path}.tmp`, this.path);
    this.snapshotBytes += Buffer.byteLength(text);
    this.snapshotWrites++;
  }
}

export function readSnapshots(metricsDir: string): MetricsSnapshot[] {
  return readdirSync(metricsDir)
    .filter((n) => n.endsWith('.json'))
    .sort()
    .map((n) => JSON.parse(readFileSync(join(metricsDir, n), 'utf8')) as MetricsSnapshot);
}

export interface AggregatedMetrics {
  io: IoCounters;
  proc: ProcIo;
  lockAcquisitions: number;
  lockWaitsMs: number[];
  lockTimeouts: number;
  lockCompromised: number;
  lockStaleTakeovers: number;
  ackLatenciesMs: number[];
  counters: Record<string, number>;
  processes: number;
  finalSnapshots: number;
}

export function aggregateSnapshots(snapshots: readonly MetricsSnapshot[]): AggregatedMetrics {
  const io = emptyIoCounters();
  const proc = { ...zeroProcIo };
  const result: AggregatedMetrics = {
    io, proc, lockAcquisitions: 0, lockWaitsMs: [], lockTimeouts: 0, lockCompromised: 0, lockStaleTakeovers: 0, ackLatenciesMs: [], counters: {},
    processes: snapshots.length, finalSnapshots: 0,
  };
  for (const s of snapshots) {
    for (const key of Object.keys(io) as (keyof typeof io)[]) io[key] += s.io[key];
    for (const key of Object.keys(proc) as (keyof ProcIo)[]) proc[key] += s.proc[key];
    result.lockAcquisitions += s.lock.acquisitions;
    result.lockWaitsMs.push(...s.lock.waitsMs);
    result.lockTimeouts += s.lock.timeouts;
    result.lockCompromised += s.lock.compromised;
    result.lockStaleTakeovers += s.lock.staleTakeovers ?? 0;
    result.ackLatenciesMs.push(...s.ackLatenciesMs);
    for (const [name, n] of Object.entries(s.counters ?? {})) result.counters[name] = (result.counters[name] ?? 0) + n;
    if (s.final) result.finalSnapshots++;
  }
  return result;
}
