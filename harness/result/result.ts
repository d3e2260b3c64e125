import type { Guarantees } from '../sdk/strategy.js';
import type { Verdict } from '../oracle/checker.js';
import type { CodecName } from '../sdk/codec/codec.js';
import type { Fault, FaultEvent } from '../sdk/faults.js';
import type { Recommendation } from '../analyze/recommend.js';
import type { SweepSummary } from '../analyze/sweep-summary.js';
import type { SimSection } from './sim-result.js';

/** The machine-readable result of one run (schemaVersion 1, documented in the README). */
export interface RunResult {
  schemaVersion: 1;
  tool: { name: 'parquet-chaos'; version: string };
  runId: string;
  runDir: string;
  startedAt: string;
  finishedAt: string;
  /** The command line that produced this result. */
  command: string;
  config: RunConfig;
  machine: MachineFacts;
  /** The machine's fsync limit, measured at the start of a run (absent for `sim`, which measures no real I/O). */
  calibration?: Calibration;
  cells: CellResult[];
  /** True when the run was stopped (Ctrl-C) before every cell ran; cells holds what was measured. */
  interrupted: boolean;
  /** Set when the disk failed under the harness's own files (ENOSPC, EIO): why the run stopped early; cells holds what was measured. */
  stopped?: string;
  /** `sweep` and `recommend`: per grid point, the median and its confidence interval over the repeats. */
  sweep?: SweepSummary;
  /** `recommend`: the chosen setting, the evidence and the seed's advice checked against it. */
  recommendation?: Recommendation;
  /** `sim`: the deterministic simulation's search, its verdict and any shrunk counterexample. */
  sim?: SimSection;
}

export interface RunConfig {
  strategies: string[];
  scenarios: string[];
  /** Writers per cell; in a sweep the largest count swept (each cell records its own). */
  workers: number;
  recordsPerWorker: number;
  payloadBytes: number;
  /** Pause between a writer's records, ms; null: each scenario's own. */
  thinkMs: number | null;
  seed: number;
  codec: CodecName;
  /** The cell timeout's base, ms (the whole timeout when cellTimeoutPerRecordMs is 0, as with --timeout). */
  cellTimeoutMs: number;
  /** Added to the cell timeout per record of the cell (workers × records), ms; absent in older results. */
  cellTimeoutPerRecordMs?: number;
  lockStaleMs: number;
  lockTimeoutMs: number;
  restart: 'retry' | 'skip' | 'none';
  /** `none`, `default` (each scenario's schedule) or a list `kind:key=value,…;kind:…`. */
  faults: string;
  /** An existing Redis server to use (never faulted or stopped); null: start one per cell. */
  redisUrl: string | null;
}

/** The services a cell ran against (empty for strategies that need none). */
export interface CellServiceInfo {
  redis?: {
    version: string;
    /** True: started by the harness for this cell; false: given with --redis-url. */
    managed: boolean;
    url: string;
    durability: string;
    /** What that durability setting promises when Redis itself dies. */
    promise: string;
  };
}

export interface MachineFacts {
  node: string;
  platform: string;
  arch: string;
  cpus: number;
  cpuModel: string;
  memoryGiB: number;
  /** File system type of the run folder (from /proc/mounts), when it can be told. */
  fileSystem: string;
}

export interface Calibration {
  method: 'fsync-append-4KiB';
  ops: number;
  durationMs: number;
  /** fsync'd 4 KiB appends per second by one process in the run folder. */
  opsPerSec: number;
  /**
   * The limit cells are compared with: fsync'd appends per second by as many processes as a cell has
   * writers, each to its own file in the run folder, once per worker count of the run (absent in
   * results saved before it existed).
   */
  sameProcesses?: AppendLimit[];
}

/** This machine's fsync'd-append limit with N processes at once, each appending to its own file in one folder. */
export interface AppendLimit {
  method: 'fsync-append-4KiB';
  processes: number;
  /** Appends (each followed by fsync) summed over the processes. */
  ops: number;
  durationMs: number;
  opsPerSec: number;
}

export interface CellError {
  /** Which process or step failed: "writer-3", "merger", "finalize", "check", "cell". */
  source: string;
  code: string;
  message: string;
}

export interface CellResult {
  strategy: string;
  scenario: string;
  workers: number;
  recordsPerWorker: number;
  dir: string;
  guarantees: Guarantees;
  verdict: Verdict;
  io: {
    /** Bytes written by every process of the strategy, from /proc/<pid>/io, less the harness's own writes. */
    bytesWritten: number;
    bytesRead: number;
    /** write() calls through the instrumented port. */
    writeOps: number;
    fsyncs: number;
    renames: number;
    filesCreated: number;
    /** bytesWritten ÷ logical bytes of the acked records. */
    writeAmplification: number | null;
    filesInData: number;
    /** Bytes written through the instrumented port (excludes e.g. SQLite's own writes). */
    portBytesWritten: number;
  };
  locks: {
    acquisitions: number;
    waitMsTotal: number;
    waitMsP50: number | null;
    waitMsP99: number | null;
    waitMsMax: number | null;
    timeouts: number;
    compromised: number;
    /** Stale locks (of a dead or paused holder) removed before being taken. */
    staleTakeovers: number;
  };
  throughput: {
    ackedPerSec: number;
    /** Wall time of the writing phase: first writer `start` to last ledger line, ms. */
    wallMs: number;
    ackLatencyMsP50: number | null;
    ackLatencyMsP99: number | null;
    /** ackedPerSec ÷ the fsync'd appends per second of as many processes as the cell has writers (calibration.sameProcesses). */
    fractionOfLimit: number | null;
    /** Wall time of the finalize (recovery) step, ms. */
    finalizeMs: number;
    /**
     * End-to-end rate: acked records present in the dataset ÷ parquetMs. Counts the drain and
     * finalize work that the ack rate leaves out (0 when nothing reached Parquet).
     */
    parquetPerSec: number;
    /**
     * First writer `start` → the moment the last acked record is in its final .parquet file after
     * drain and finalize (the later of the last ack and the newest .parquet write in data/), ms;
     * null when nothing was acked or no Parquet file exists.
     */
    parquetMs: number | null;
  };
  /** Strategy-reported event counts summed over its processes (e.g. fallbacks, commitConflicts). */
  counters: Record<string, number>;
  processes: { spawned: number; failed: number; timedOut: number };
  faults: {
    /** The schedule as planned from the seed (targets made concrete). */
    planned: Fault[];
    kills: number;
    crashPoints: number;
    pauses: number;
    ioErrors: number;
    restarts: number;
    /** The cell's faults.jsonl: what was done, to which process, when (ms after writers started). */
    log: FaultEvent[];
  };
  errors: CellError[];
  /** Services the cell ran against: backend, server, durability setting. */
  services?: CellServiceInfo;
  /**
   * The harness's own cost: the orchestrator's CPU time (user + system) from spawning the cell's
   * processes until its writers ended, and that window; cpu ÷ window is its share of one core.
   */
  harness?: { orchestratorCpuMs: number; windowMs: number };
  /** Sweeps: the repeat (1-based) this cell belongs to, and its seed (the run's seed + repeat − 1). */
  repeat?: number;
  seed?: number;
}
