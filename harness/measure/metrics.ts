import { closeSync, existsSync, openSync, readdirSync, readFileSync, renameSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import * as v from 'valibot';
import { ROLE_KINDS, type RoleKind } from '../sdk/strategy.js';
import { looseFields, parseWith, typedAs } from '../sdk/schema.js';
import type { IoCounters } from '../sdk/ports/io.js';
import { emptyIoCounters } from '../sdk/ports/io.js';
import type { LockStats } from '../sdk/ports/lock.js';
import { procIoDelta, procIoSum, readProcIo, zeroProcIo, type ProcIo } from './proc-io.js';

const count = v.pipe(v.number(), v.integer(), v.minValue(0));
const counts = v.record(v.string(), v.number());

/** What one process leaves behind in metrics/: rewritten as it goes, so a SIGKILL keeps the last one. */
export const MetricsSnapshotSchema = v.object({
  role: v.picklist(ROLE_KINDS),
  index: count,
  pid: count,
  final: v.boolean(),
  startedAt: v.number(),
  at: v.number(),
  io: typedAs<IoCounters>()(counts),
  lock: typedAs<LockStats>()(looseFields({
    acquisitions: count, waitsMs: v.array(v.number()), timeouts: count, compromised: count, staleTakeovers: count,
  })),
  /** /proc/self/io since the role started, minus the harness's own ledger and metrics writes. */
  proc: typedAs<ProcIo>()(counts),
  acked: count,
  attempted: count,
  failed: count,
  /** Inline in snapshots written before the samples file (see MetricsRecorder); read back from it into here. */
  ackLatenciesMs: v.array(v.number()),
  counters: counts,
  /** Peak resident set of the process so far (getrusage maxrss), KiB; absent in older snapshots. */
  maxRssKiB: v.optional(count),
  /**
   * CPU time (user + system, all threads) of the process so far, and what it had used when it was ready
   * to work (loaded and opened: a writer at the start barrier's `go`), ms; absent in older snapshots.
   * Their difference is the CPU its work cost.
   */
  cpuMs: v.optional(v.number()),
  readyCpuMs: v.optional(v.number()),
});
export type MetricsSnapshot = v.InferOutput<typeof MetricsSnapshotSchema>;

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
  /** The I/O and CPU of the foreign processes this process started (a manifest strategy's), counted as its own. */
  childUsage?(): { io: ProcIo; cpuMs: number };
}

/** This process's CPU time so far (user + system), ms. */
export function processCpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

/** Where a process's snapshots go, one line each: `<role>-<index>-<pid>.snapshots.jsonl` (older runs: the one snapshot `<…>.json`). */
const SNAPSHOTS = '.snapshots.jsonl';
/** Where a snapshot's samples go: beside it, `<role>-<index>-<pid>.samples.jsonl`. */
const samplesPath = (snapshotPath: string) => `${snapshotPath.slice(0, -(snapshotPath.endsWith(SNAPSHOTS) ? SNAPSHOTS : '.json').length)}.samples.jsonl`;
/**
 * A snapshots file past this many bytes is rewritten to hold its latest snapshot alone (a new file,
 * renamed over it): a long-lived process's file stays small, at one rewrite every few hundred snapshots.
 */
const SNAPSHOTS_FILE_BYTES = 256 << 10;

/** One line of a samples file: the samples taken since the previous line. */
interface SamplesLine {
  ackLatenciesMs: number[];
  waitsMs: number[];
}

/**
 * Periodically snapshots a process's metrics to metrics/<role>-<index>-<pid>.snapshots.jsonl, each
 * snapshot one appended line (one write: a kill tears at most that line, and the one before stands).
 * Appending costs a write; rewriting a file (truncate, write, rename) cost ~40 times that in the kernel,
 * every 250 ms in every process of a cell (measured: ~350 µs against ~10 µs). The samples that
 * grow with the work (ack latencies, lock waits) are not in it: each snapshot appends only the ones
 * taken since the previous to a samples file beside it, so a snapshot costs what is new, not all so far
 * (rewriting them all made snapshots of long writers cost more and more). readSnapshots puts them back.
 */
export class MetricsRecorder {
  private readonly path: string;
  private readonly samplesPath: string;
  /** The samples file, opened at the first samples to append and kept open: one write a snapshot. */
  private samplesFd: number | undefined;
  /** The snapshots file, kept open, and the bytes it holds. */
  private snapshotsFd: number | undefined;
  private snapshotsFileBytes = 0;
  private readonly sent = { ackLatencies: 0, waits: 0 };
  private readonly baseline: ProcIo;
  private readonly startedAt = Date.now();
  private snapshotBytes = 0;
  private snapshotWrites = 0;
  private timer: NodeJS.Timeout | undefined;
  private readyCpuMs: number | undefined;

  constructor(metricsDir: string, private readonly role: RoleKind, private readonly index: number, private readonly source: MetricsSource) {
    this.path = join(metricsDir, `${role}-${index}-${process.pid}${SNAPSHOTS}`);
    this.samplesPath = samplesPath(this.path);
    this.baseline = readProcIo();
  }

  start(intervalMs: number): void {
    this.snapshot(false);
    this.timer = setInterval(() => this.snapshot(false), intervalMs);
    this.timer.unref();
  }

  /** The process is ready to work: CPU used from here on is its work's (see MetricsSnapshot.cpuMs). */
  ready(): void {
    this.readyCpuMs = this.cpuMs();
  }

  /** This process's CPU and its foreign children's. */
  private cpuMs(): number {
    return processCpuMs() + (this.source.childUsage?.().cpuMs ?? 0);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.snapshot(true);
    if (this.samplesFd !== undefined) closeSync(this.samplesFd);
    this.samplesFd = undefined;
    if (this.snapshotsFd !== undefined) closeSync(this.snapshotsFd);
    this.snapshotsFd = undefined;
  }

  snapshot(final: boolean): void {
    const own = procIoDelta(readProcIo(), this.baseline);
    const children = this.source.childUsage?.().io;
    const proc = children ? procIoSum(own, children) : own;
    const harnessBytes = this.source.harnessBytesWritten() + this.snapshotBytes;
    const syscw = Math.max(0, proc.syscw - this.snapshotWrites);
    this.appendSamples();
    const snapshot: MetricsSnapshot = {
      role: this.role, index: this.index, pid: process.pid, final, startedAt: this.startedAt, at: Date.now(),
      io: { ...this.source.io }, lock: { ...this.source.lock, waitsMs: [] },
      proc: { ...proc, wchar: Math.max(0, proc.wchar - harnessBytes), syscw },
      acked: this.source.acked, attempted: this.source.attempted, failed: this.source.failed,
      ackLatenciesMs: [],
      counters: { ...this.source.counters },
      maxRssKiB: process.resourceUsage().maxRSS,
      cpuMs: this.cpuMs(),
      ...(this.readyCpuMs === undefined ? {} : { readyCpuMs: this.readyCpuMs }),
    };
    this.appendSnapshot(`${JSON.stringify(snapshot)}\n`);
  }

  /** Appends a snapshot's line; past SNAPSHOTS_FILE_BYTES, the file is replaced by one holding that line alone. */
  private appendSnapshot(text: string): void {
    const bytes = Buffer.byteLength(text);
    if (this.snapshotsFd !== undefined && this.snapshotsFileBytes + bytes > SNAPSHOTS_FILE_BYTES) {
      closeSync(this.snapshotsFd);
      this.snapshotsFd = undefined;
      writeFileSync(`${this.path}.tmp`, text);
      renameSync(`${this.path}.tmp`, this.path);
      this.snapshotsFileBytes = 0;
    } else {
      this.snapshotsFd ??= openSync(this.path, 'a');
      writeSync(this.snapshotsFd, text);
    }
    this.snapshotsFileBytes += bytes;
    this.snapshotBytes += bytes;
    this.snapshotWrites++;
  }

  /** Appends the samples taken since the last call as one line (one write: a kill tears at most that line). */
  private appendSamples(): void {
    const line: SamplesLine = {
      ackLatenciesMs: this.source.ackLatenciesMs.slice(this.sent.ackLatencies),
      waitsMs: this.source.lock.waitsMs.slice(this.sent.waits),
    };
    if (line.ackLatenciesMs.length === 0 && line.waitsMs.length === 0) return;
    const text = `${JSON.stringify(line)}\n`;
    this.samplesFd ??= openSync(this.samplesPath, 'a');
    writeSync(this.samplesFd, text);
    this.sent.ackLatencies += line.ackLatenciesMs.length;
    this.sent.waits += line.waitsMs.length;
    this.snapshotBytes += Buffer.byteLength(text);
    this.snapshotWrites++;
  }
}

/** The samples a snapshot's file holds; a line a kill tore (the last) is skipped. */
function readSamples(snapshotPath: string): SamplesLine {
  const all: SamplesLine = { ackLatenciesMs: [], waitsMs: [] };
  const path = samplesPath(snapshotPath);
  if (!existsSync(path)) return all;
  for (const text of readFileSync(path, 'utf8').split('\n')) {
    let line: SamplesLine;
    try {
      line = JSON.parse(text) as SamplesLine;
    } catch {
      continue;
    }
    // Loops, not push(...array): a line can hold more samples than a call takes arguments.
    for (const ms of line.ackLatenciesMs) all.ackLatenciesMs.push(ms);
    for (const ms of line.waitsMs) all.waitsMs.push(ms);
  }
  return all;
}

/** The last snapshot a file holds: its last line that parses (a line a kill tore is skipped), or the whole of an older run's `.json`. */
function lastSnapshotText(path: string): string {
  const text = readFileSync(path, 'utf8');
  if (!path.endsWith(SNAPSHOTS)) return text;
  const lines = text.split('\n');
  for (let i = lines.length - 1; i >= 0; i--) {
    try {
      JSON.parse(lines[i]!);
      return lines[i]!;
    } catch {
      // torn or empty: the line before stands
    }
  }
  return text;
}

export function readSnapshots(metricsDir: string): MetricsSnapshot[] {
  return readdirSync(metricsDir)
    .filter((n) => n.endsWith('.json') || n.endsWith(SNAPSHOTS))
    .sort()
    .map((n) => {
      const path = join(metricsDir, n);
      const snapshot = parseWith(MetricsSnapshotSchema, JSON.parse(lastSnapshotText(path)), `metrics snapshot ${path}`, 'E_CHECK');
      // Snapshots written before the samples file held their samples inline.
      const samples = readSamples(path);
      for (const ms of samples.ackLatenciesMs) snapshot.ackLatenciesMs.push(ms);
      for (const ms of samples.waitsMs) snapshot.lock.waitsMs.push(ms);
      return snapshot;
    });
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
  /** The largest peak resident set of one process, and the sum of every process's peak (an upper bound on all at once), KiB. */
  maxRssKiB: number;
  rssSumKiB: number;
  /** CPU time by role, ms: to get ready (load, open) and then to work (see MetricsSnapshot.cpuMs); roles whose snapshots carry it. */
  cpu: Partial<Record<RoleKind, RoleCpu>>;
}

export interface RoleCpu {
  readyMs: number;
  workMs: number;
  processes: number;
}

/** Sums the snapshots of a cell's processes. */
export function aggregateSnapshots(snapshots: readonly MetricsSnapshot[]): AggregatedMetrics {
  const io = emptyIoCounters();
  const proc = { ...zeroProcIo };
  const result: AggregatedMetrics = {
    io, proc, lockAcquisitions: 0, lockWaitsMs: [], lockTimeouts: 0, lockCompromised: 0, lockStaleTakeovers: 0, ackLatenciesMs: [], counters: {},
    processes: snapshots.length, finalSnapshots: 0, maxRssKiB: 0, rssSumKiB: 0, cpu: {},
  };
  for (const s of snapshots) {
    for (const key of Object.keys(io) as (keyof typeof io)[]) io[key] += s.io[key];
    for (const key of Object.keys(proc) as (keyof ProcIo)[]) proc[key] += s.proc[key];
    result.lockAcquisitions += s.lock.acquisitions;
    // Loops, not push(...array): one process's samples can outnumber the arguments a call may take.
    for (const wait of s.lock.waitsMs) result.lockWaitsMs.push(wait);
    result.lockTimeouts += s.lock.timeouts;
    result.lockCompromised += s.lock.compromised;
    result.lockStaleTakeovers += s.lock.staleTakeovers ?? 0;
    for (const latency of s.ackLatenciesMs) result.ackLatenciesMs.push(latency);
    for (const [name, n] of Object.entries(s.counters ?? {})) result.counters[name] = (result.counters[name] ?? 0) + n;
    if (s.final) result.finalSnapshots++;
    result.maxRssKiB = Math.max(result.maxRssKiB, s.maxRssKiB ?? 0);
    result.rssSumKiB += s.maxRssKiB ?? 0;
    if (s.cpuMs !== undefined) {
      const role = (result.cpu[s.role] ??= { readyMs: 0, workMs: 0, processes: 0 });
      // A process that died before it was ready spent all of it getting ready.
      const ready = Math.min(s.readyCpuMs ?? s.cpuMs, s.cpuMs);
      role.readyMs += ready;
      role.workMs += s.cpuMs - ready;
      role.processes++;
    }
  }
  return result;
}
