import type { AppendLimit, MachineFacts } from './result.js';
import type { RoleKind } from '../sdk/strategy.js';

/** The machine-readable result of `parquet-chaos bench` (benchVersion 1), rendered by reports/bench.ts. */
export interface BenchResult {
  benchVersion: 1;
  tool: { name: 'parquet-chaos'; version: string };
  command: string;
  runDir: string;
  startedAt: string;
  finishedAt: string;
  machine: MachineFacts;
  config: { workers: number; records: number; repeat: number; seed: number; scenario: string; parts: string[] };
  /** One process appending alone (the run's classic calibration figure), in the bench folder. */
  oneProcessLimit: AppendLimit | null;
  /** Each safe strategy's cells: acked/s ÷ the same-process-count limit measured right before and after the cell. */
  strategies: BenchCell[];
  /** The instrumented I/O port against the raw pass-through one, same strategy, interleaved repeats. */
  overhead: { strategy: string; instrumented: BenchCell[]; raw: BenchCell[] } | null;
  /** The checker on a generated cell, in its own process. */
  checker: CheckerBench | null;
  /** `npm start` (the default matrix), timed as a child process. */
  start: StartBench | null;
  /** Writer protocol 1's cost and the Python reference writers against the limit (absent in older results). */
  protocol?: ProtocolBench | null;
  /** The power-loss layer's cost, or why it was not measured (absent in older results). */
  crashfs?: CrashfsBench | { skipped: string } | null;
  /** True when Ctrl-C stopped the bench: what was measured is kept. */
  interrupted: boolean;
}

export interface BenchCell {
  strategy: string;
  repeat: number;
  valid: boolean | 'unknown';
  acked: number;
  ackedPerSec: number;
  parquetPerSec: number;
  limitBefore: AppendLimit;
  limitAfter: AppendLimit;
  /** ackedPerSec ÷ the mean of the two limits. */
  fractionOfLimit: number;
  orchestratorCpuMs: number;
  windowMs: number;
  /** Each role's CPU time once ready (after `go` for writers), summed over its processes, ÷ acked, µs (absent in older results). */
  cpuUsPerAck?: Partial<Record<RoleKind, number>>;
  dir: string;
}

export interface CheckerBench {
  records: number;
  writers: number;
  files: number;
  ledgerBytes: number;
  parquetBytes: number;
  generateMs: number;
  checkMs: number;
  recordsPerSec: number;
  /** CPU time of the check (user + system): on a shared machine, less disturbed by the others than the wall time. */
  cpuMs: number;
  recordsPerCpuSec: number;
  /** Peak resident set of the checking process (getrusage maxrss), MiB. */
  peakRssMiB: number;
  valid: boolean | 'unknown';
  acked: number;
  present: number;
}

export interface StartBench {
  command: string;
  wallMs: number;
  exitCode: number;
  cells: number;
  valid: number;
}

/** The same no-op writer (acks at once, saves nothing): in the writer process, as a plain-Node foreign process, as a Python kit process. */
export type NoopKind = 'in-process' | 'foreign-js' | 'foreign-python';

export interface ProtocolBench {
  /** One cell of each no-op writer that can run here (same workers, records and scenario as every bench cell). */
  noop: { kind: NoopKind; cell: BenchCell }[];
  /** Each foreign no-op writer driven alone, without a cell: median ms from spawn to `init_ok` over `starts`, µs per `write` → `ok` over `roundTrips`. */
  direct: { kind: NoopKind; startMs: number; roundTripUs: number; roundTrips: number; starts: number }[];
  /** The harness's JSON for one record: its `write` line stringified and its `ok` line parsed, µs. */
  jsonUsPerRecord: number;
  /** Median wall ms of a program that only starts (node, python3) or only imports (the kit; pandas + pyarrow), null where it failed. */
  startMs: { node?: number | null; python?: number | null; pythonKitImport?: number | null; pythonPandasImport?: number | null };
  /** Every Python reference writer (default options), each between two limits like the strategies part. */
  python: BenchCell[];
  /** What could not run here and why (python3 or pandas missing): a note, not a failure. */
  skipped: string[];
}

/**
 * The power-loss layer's cost (harness/fuse/cost.ts): fsync'd appends of `bytes` straight into a
 * folder and through crashfs over the same file system, in interleaved rounds of one run.
 */
export interface CrashfsBench {
  rounds: number;
  appendsPerRound: number;
  bytes: number;
  /** Appends per second of each round, straight into the folder and through crashfs. */
  direct: number[];
  layer: number[];
  /** The crashfs daemon's CPU (utime + stime from /proc) per append through it, its journal included, µs. */
  daemonCpuUsPerAppend: number;
  /** The writing process's own CPU per append, direct and through crashfs, µs. */
  writerCpuUsPerAppend: { direct: number; layer: number };
}
