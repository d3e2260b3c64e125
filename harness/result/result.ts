import * as v from 'valibot';
import type { Guarantees } from '../sdk/strategy.js';
import { CODEC_NAMES } from '../sdk/codec/codec.js';
import type { AssumptionBreak, Verdict } from '../oracle/checker.js';
import { assumptionNames } from '../sdk/assumptions.js';
import type { FaultEvent, Planned } from '../sdk/faults.js';
import type { FaultOutcome, RecordedError } from '../oracle/judge.js';
import type { Generation } from '../oracle/checker.js';
import type { Constraints, Rank, Recommendation, SeedPair } from '../analyze/recommend.js';
import type { SweepSummary } from '../analyze/sweep-summary.js';
import type { SimSection } from './sim-result.js';
import { looseFields, typedAs } from '../sdk/schema.js';

/*
 * The result JSON (schemaVersion 1, documented in the README) as valibot schemas; the TypeScript types
 * are derived from them, and `schema/result.schema.json` is generated from them (npm run schema).
 * Every object is loose (looseFields): a reader accepts fields it does not know (a newer harness may add some),
 * while the fields it knows are checked. Types owned by other modules (the verdict, faults, sweep
 * summary, recommendation) keep their own definitions; here their known fields are checked.
 */

export const RESTART_POLICIES = ['retry', 'skip', 'none'] as const;

const count = v.pipe(v.number(), v.integer(), v.minValue(0));
const ms = v.pipe(v.number(), v.minValue(0));
const nullableNumber = v.nullable(v.number());
const strings = v.array(v.string());

/** One role's processes' CPU time in a cell (CellResult.cpu), ms. */
const RoleCpuSchema = looseFields({ readyMs: ms, workMs: ms, processes: count });

/** One of n parts of a run's planned cells (1-based). */
export const ShardSchema = looseFields({ index: v.pipe(count, v.minValue(1)), count: v.pipe(count, v.minValue(1)) });
export type Shard = v.InferOutput<typeof ShardSchema>;

export const RunConfigSchema = looseFields({
  strategies: strings,
  scenarios: strings,
  /** Writers per cell; in a sweep the largest count swept (each cell records its own). */
  workers: v.pipe(count, v.minValue(1)),
  recordsPerWorker: v.pipe(count, v.minValue(1)),
  payloadBytes: count,
  /** Pause between a writer's records, ms; null: each scenario's own. */
  thinkMs: v.nullable(ms),
  seed: v.pipe(v.number(), v.integer()),
  codec: v.picklist(CODEC_NAMES),
  /** The cell timeout's base, ms (the whole timeout when cellTimeoutPerRecordMs is 0, as with --timeout). */
  cellTimeoutMs: ms,
  /** Added to the cell timeout per record of the cell (workers × records), ms; absent in older results. */
  cellTimeoutPerRecordMs: v.optional(ms),
  lockStaleMs: ms,
  lockTimeoutMs: ms,
  /** What a restarted writer does with ids it attempted but never saw acked. */
  restart: v.picklist(RESTART_POLICIES),
  /** `none`, `default` (each scenario's schedule) or a list `kind:key=value,…;kind:…`. */
  faults: v.string(),
  /** An existing Redis server to use (never faulted or stopped); null: start one per cell. */
  redisUrl: v.nullable(v.string()),
  /** Run only this shard of the planned cells (`--shard i/n`); absent or null: all of them. */
  shard: v.optional(v.nullable(ShardSchema)),
});
export type RunConfig = v.InferOutput<typeof RunConfigSchema>;

/** The services a cell ran against (empty for strategies that need none). */
export const CellServiceInfoSchema = looseFields({
  redis: v.optional(looseFields({
    version: v.string(),
    /** True: started by the harness for this cell; false: given with --redis-url. */
    managed: v.boolean(),
    url: v.string(),
    durability: v.string(),
    /** What that durability setting promises when Redis itself dies. */
    promise: v.string(),
  })),
});
export type CellServiceInfo = v.InferOutput<typeof CellServiceInfoSchema>;

export const MachineFactsSchema = looseFields({
  node: v.string(),
  platform: v.string(),
  arch: v.string(),
  cpus: count,
  cpuModel: v.string(),
  memoryGiB: v.number(),
  /** File system type of the run folder (from /proc/mounts), when it can be told. */
  fileSystem: v.string(),
});
export type MachineFacts = v.InferOutput<typeof MachineFactsSchema>;

/** The ways of making 4 KiB durable that a limit is measured by (harness/measure/append-limit.ts says how each works). */
export const APPEND_LIMIT_METHOD_NAMES = ['append-fsync', 'prealloc-fdatasync', 'o-dsync', 'truncating-append-fsync'] as const;
export type AppendLimitMethodName = (typeof APPEND_LIMIT_METHOD_NAMES)[number];

/** One method's rate with N processes; `fsync-append-4KiB` is how results before the methods existed name the truncating loop. */
export const AppendLimitMethodSchema = looseFields({
  method: v.picklist([...APPEND_LIMIT_METHOD_NAMES, 'fsync-append-4KiB']),
  /** Durable 4 KiB writes summed over the processes. */
  ops: count,
  durationMs: ms,
  opsPerSec: v.number(),
});
export type AppendLimitMethod = v.InferOutput<typeof AppendLimitMethodSchema> & { method: AppendLimitMethodName };

/** This machine's limit with N processes at once, each writing its own file in one folder: the best of the methods. */
export const AppendLimitSchema = looseFields({
  /** The method that reached the highest rate (the limit's own figures below are its). */
  method: v.picklist([...APPEND_LIMIT_METHOD_NAMES, 'fsync-append-4KiB']),
  processes: v.pipe(count, v.minValue(1)),
  /** Durable 4 KiB writes summed over the processes. */
  ops: count,
  durationMs: ms,
  opsPerSec: v.number(),
  /** Every method's rate, measured one after the other (absent in results saved before there were several). */
  methods: v.optional(v.array(AppendLimitMethodSchema)),
});
export type AppendLimit = v.InferOutput<typeof AppendLimitSchema>;

export const CalibrationSchema = looseFields({
  method: v.literal('fsync-append-4KiB'),
  ops: count,
  durationMs: ms,
  /** fsync'd 4 KiB appends per second by one process in the run folder. */
  opsPerSec: v.number(),
  /**
   * The limit cells are compared with: fsync'd appends per second by as many processes as a cell has
   * writers, each to its own file in the run folder, once per worker count of the run (absent in
   * results saved before it existed).
   */
  sameProcesses: v.optional(v.array(AppendLimitSchema)),
});
export type Calibration = v.InferOutput<typeof CalibrationSchema>;

export const CellErrorSchema = looseFields({
  /** Which process or step failed: "writer-3", "merger", "finalize", "check", "cell". */
  source: v.string(),
  code: v.string(),
  message: v.string(),
});
export type CellError = v.InferOutput<typeof CellErrorSchema>;

export const GuaranteesSchema = typedAs<Guarantees>()(looseFields({ noLostAcked: v.boolean(), noDuplicates: v.boolean(), noCorruption: v.boolean() }));

/** An assumption a claim rests on (sdk/assumptions.ts) that a cell's faults broke. */
export const AssumptionBreakSchema = typedAs<AssumptionBreak>()(looseFields({
  assumption: v.string(),
  /** The assumption in words. */
  says: v.string(),
  /** The fault that broke it and the evidence that it did. */
  by: v.string(),
  /** Claims whose anomalies were expected (not judged) because they rest on it. */
  excused: strings,
}));

/** An assumption a strategy's claims rest on, as a cell states it. */
export const AssumptionSchema = looseFields({ name: v.string(), says: v.string() });

export const VerdictSchema = typedAs<Verdict>()(looseFields({
  attempted: count,
  acked: count,
  present: count,
  lost: count,
  duplicates: count,
  phantoms: count,
  corruptFiles: count,
  corruptRecords: count,
  unackedLost: count,
  unackedAtCrash: count,
  retried: count,
  crashedProcesses: count,
  valid: v.union([v.boolean(), v.literal('unknown')]),
  broken: strings,
  /** Assumptions the claims rest on that the cell's faults broke: the claims resting on them were not judged. */
  assumptionsBroken: v.optional(v.array(AssumptionBreakSchema)),
  evidence: looseFields({ lost: strings, duplicates: strings, phantoms: strings, corruptFiles: strings }),
  error: v.optional(v.string()),
}));

/** A planned fault: its kind and target are checked; the rest depends on the kind (see sdk/faults.ts). */
export const FaultSchema = typedAs<Planned>()(looseFields({ kind: v.string(), target: v.string() }));

/** What happened to a planned fault (oracle/judge.ts). */
export const FaultOutcomeSchema = typedAs<FaultOutcome>()(looseFields({ id: v.number(), kind: v.string(), target: v.string(), fired: v.boolean(), events: count, blocking: v.boolean() }));

/** One line of a cell's faults.jsonl (the fault log reader validates each line with it). */
export const FaultEventSchema = typedAs<FaultEvent>()(looseFields({
  at: v.number(),
  kind: v.string(),
  target: v.string(),
  pid: v.optional(v.number()),
  action: v.string(),
  detail: v.optional(v.string()),
  fault: v.optional(v.number()),
}));

export const CellResultSchema = looseFields({
  /** The strategy spec as given (a plugin's module path), what a replay passes to --strategy. */
  strategy: v.string(),
  /** A plugin's or manifest's own `name` with the spec's options (`phantom:bug=off`): what tables show for it. */
  label: v.optional(v.string()),
  scenario: v.string(),
  workers: count,
  recordsPerWorker: count,
  dir: v.string(),
  guarantees: GuaranteesSchema,
  /** What the guarantees rest on besides the strategy's code (absent: nothing, or a result from before assumptions were stated). */
  assumptions: v.optional(v.array(AssumptionSchema)),
  verdict: VerdictSchema,
  io: looseFields({
    /** Bytes written by every process of the strategy, from /proc/<pid>/io, less the harness's own writes. */
    bytesWritten: count,
    bytesRead: count,
    /** write() calls through the instrumented port. */
    writeOps: count,
    /** fsyncs through the instrumented port, plus those a lock backend makes itself (a fenced lock's record). */
    fsyncs: count,
    renames: count,
    filesCreated: count,
    /** bytesWritten ÷ logical bytes of the acked records. */
    writeAmplification: nullableNumber,
    filesInData: count,
    /** Bytes written through the instrumented port (excludes e.g. SQLite's own writes). */
    portBytesWritten: count,
  }),
  locks: looseFields({
    acquisitions: count,
    waitMsTotal: ms,
    waitMsP50: nullableNumber,
    waitMsP99: nullableNumber,
    waitMsMax: nullableNumber,
    timeouts: count,
    compromised: count,
    /** Stale locks (of a dead or paused holder) removed before being taken. */
    staleTakeovers: count,
  }),
  throughput: looseFields({
    ackedPerSec: v.number(),
    /** Wall time of the writing phase: the writers' `go` (orchestrate/start-barrier.ts) to the last ledger line, ms. */
    wallMs: ms,
    ackLatencyMsP50: nullableNumber,
    ackLatencyMsP99: nullableNumber,
    /** ackedPerSec ÷ the fsync'd appends per second of as many processes as the cell has writers (calibration.sameProcesses). */
    fractionOfLimit: nullableNumber,
    /** Wall time of the finalize (recovery) step, ms. */
    finalizeMs: ms,
    /**
     * End-to-end rate: acked records present in the dataset ÷ parquetMs. Counts the drain and
     * finalize work that the ack rate leaves out (0 when nothing reached Parquet).
     */
    parquetPerSec: v.number(),
    /**
     * The writers' `go` → the moment the last acked record is in its final .parquet file after
     * drain and finalize (the later of the last ack and the newest .parquet write in data/), ms;
     * null when nothing was acked or no Parquet file exists.
     */
    parquetMs: v.nullable(ms),
  }),
  /** Strategy-reported event counts summed over its processes (e.g. fallbacks, commitConflicts). */
  counters: v.record(v.string(), v.number()),
  processes: looseFields({ spawned: count, failed: count, timedOut: count }),
  faults: looseFields({
    /** The schedule as planned from (seed, scenario, workers, repeat), targets made concrete, each with its id. */
    planned: v.array(FaultSchema),
    /** Per planned fault: fired or not, and why not; an unfired fault not marked optional makes the verdict unknown. */
    outcomes: v.optional(v.array(FaultOutcomeSchema)),
    kills: count,
    crashPoints: count,
    pauses: count,
    ioErrors: count,
    restarts: count,
    /** The cell's faults.jsonl: what was done, to which process, when (ms after writers started). */
    log: v.array(FaultEventSchema),
  }),
  errors: v.array(CellErrorSchema),
  /** Services the cell ran against: backend, server, durability setting. */
  services: v.optional(CellServiceInfoSchema),
  /** Sharded runs: the cell's place in the whole plan, so that merged shards keep the plan's order. */
  planIndex: v.optional(count),
  /** Sweeps: the repeat (1-based) this cell belongs to, and its seed (the run's seed + repeat − 1). */
  repeat: v.optional(v.pipe(count, v.minValue(1))),
  seed: v.optional(v.pipe(v.number(), v.integer())),
  /**
   * The harness's own cost: the orchestrator's CPU time (user + system) from spawning the cell's
   * processes until its writers ended, and that window; cpu ÷ window is its share of one core.
   */
  harness: v.optional(looseFields({ orchestratorCpuMs: ms, windowMs: ms })),
  /**
   * The cell's processes' CPU time (user + system) by role, from their metrics: `readyMs` to load and
   * open (a first-life writer, merger or consumer until the start barrier's `go`; a restarted one or
   * finalize until it starts its work), `workMs` after that, summed over `processes`.
   * workMs ÷ acked is a role's CPU per acked record, far less disturbed by a busy machine than rates.
   */
  cpu: v.optional(looseFields({ writer: v.optional(RoleCpuSchema), merger: v.optional(RoleCpuSchema), consumer: v.optional(RoleCpuSchema), finalize: v.optional(RoleCpuSchema) })),
  /**
   * Peak resident memory (getrusage maxrss), MiB: the orchestrator's over its life up to the cell's end,
   * the largest of one role process, and the sum of every role process's peak (processes: how many
   * metrics files, one per process life, that covers: an upper bound on what they held at once).
   */
  memory: v.optional(looseFields({ orchestratorPeakRssMiB: ms, rolePeakRssMiB: ms, rolesPeakRssSumMiB: ms, processes: count })),
});
export type CellResult = v.InferOutput<typeof CellResultSchema>;

/** A cell folder's cell.json: what `parquet-chaos check DIR` needs to judge the cell again. */
export const CellMetaSchema = looseFields({
  strategy: v.string(),
  scenario: v.string(),
  guarantees: GuaranteesSchema,
  /** What the claims assume, and the cell's lock stale time: check DIR judges the assumptions again with them. */
  assumptions: v.optional(v.array(v.picklist(assumptionNames))),
  lockStaleMs: v.optional(count),
  /** Holders that learnt they had lost a lease (the cell's lock stats `compromised`). */
  leasesLost: v.optional(count),
  /** Every process ran to its end, finalize included (absent in folders written before it was recorded). */
  completed: v.optional(v.boolean()),
  /** What the run judged the cell with (written when the cell ends): check DIR judges it again with the same. */
  restart: v.optional(v.picklist(['retry', 'skip', 'none'])),
  /** How many writers the cell ran: check DIR requires a ledger for each (absent in folders written before it was recorded). */
  writers: v.optional(count),
  generation: v.optional(typedAs<Generation>()(looseFields({ seed: v.number(), payloadBytes: count }))),
  planned: v.optional(v.array(FaultSchema)),
  errors: v.optional(v.array(typedAs<RecordedError>()(CellErrorSchema))),
  valid: v.optional(v.union([v.boolean(), v.literal('unknown')])),
  unknownReasons: v.optional(strings),
});
export type CellMeta = v.InferOutput<typeof CellMetaSchema>;

const SweepSummarySchema = typedAs<SweepSummary>()(looseFields({
  strategies: strings,
  scenarios: strings,
  workers: v.array(count),
  repeat: count,
  method: v.string(),
  points: v.array(looseFields({ strategy: v.string(), scenario: v.string(), workers: count, runs: count, valid: count, metrics: v.record(v.string(), v.unknown()) })),
}));

const RecommendationSchema = typedAs<Recommendation>()(looseFields({
  rank: v.string(),
  candidates: strings,
  references: strings,
  referenceWorkers: count,
  choice: v.nullable(looseFields({ strategy: v.string(), workers: count })),
  points: v.array(looseFields({ strategy: v.string(), workers: count })),
  advice: v.array(looseFields({})),
}));

const SimSectionSchema = typedAs<SimSection>()(looseFields({
  strategy: v.string(),
  guarantees: GuaranteesSchema,
  workers: count,
  records: count,
  seed: v.pipe(v.number(), v.integer()),
  runs: count,
  mode: v.picklist(['search', 'replay']),
  verdict: v.picklist(['pass', 'violation', 'unknown']),
  searches: v.array(v.looseObject({})),
}));

/** What `sweep` and `recommendation` are computed from, kept so that `merge` can compute them again. */
export interface SummaryPlan {
  points: { strategy: string; scenario: string; workers: number }[];
  repeat: number;
  /** `recommend` only. */
  recommend?: { workerCounts: number[]; candidates: string[]; references: string[]; constraints: Constraints; rank: Rank; pair?: SeedPair };
}

const SummaryPlanSchema = typedAs<SummaryPlan>()(looseFields({
  points: v.array(looseFields({ strategy: v.string(), scenario: v.string(), workers: count })),
  repeat: count,
  recommend: v.optional(looseFields({
    workerCounts: v.array(count), candidates: strings, references: strings, constraints: looseFields({}), rank: v.string(),
    /** The batch and real-time strategies the seed table and advice compare (absent: the built-ins'). */
    pair: v.optional(looseFields({ batch: v.string(), realtime: v.string() })),
  })),
}));

/** A shard a merged result joins, each with its own machine and calibration. */
export const MergedShardSchema = looseFields({
  index: v.pipe(count, v.minValue(1)),
  file: v.string(),
  runId: v.string(),
  runDir: v.string(),
  command: v.string(),
  startedAt: v.string(),
  finishedAt: v.string(),
  machine: MachineFactsSchema,
  calibration: v.optional(CalibrationSchema),
  cells: count,
});
export type MergedShard = v.InferOutput<typeof MergedShardSchema>;

/** The machine-readable result of one run. */
export const RunResultSchema = looseFields({
  schemaVersion: v.literal(1),
  tool: looseFields({ name: v.literal('parquet-chaos'), version: v.string() }),
  runId: v.string(),
  runDir: v.string(),
  startedAt: v.string(),
  finishedAt: v.string(),
  /** The command line that produced this result. */
  command: v.string(),
  config: RunConfigSchema,
  machine: MachineFactsSchema,
  /** The machine's fsync limit, measured at the start of a run (absent for `sim`, which measures no real I/O). */
  calibration: v.optional(CalibrationSchema),
  cells: v.array(CellResultSchema),
  /** True when the run was stopped (Ctrl-C) before every cell ran; cells holds what was measured. */
  interrupted: v.boolean(),
  /** Set when the disk failed under the harness's own files (ENOSPC, EIO): why the run stopped early; cells holds what was measured. */
  stopped: v.optional(v.string()),
  /** `sweep` and `recommend`: per grid point, the median and its confidence interval over the repeats. */
  sweep: v.optional(SweepSummarySchema),
  /** `recommend`: the chosen setting, the evidence and the seed's advice checked against it. */
  recommendation: v.optional(RecommendationSchema),
  /** `sim`: the deterministic simulation's search, its verdict and any shrunk counterexample. */
  sim: v.optional(SimSectionSchema),
  /** `sweep` and `recommend`: what `sweep` and `recommendation` are computed from (again after a merge). */
  summaryPlan: v.optional(SummaryPlanSchema),
  /** A shard's result (`--shard i/n`): which shard, and how many cells the whole plan has. */
  shard: v.optional(looseFields({ index: v.pipe(count, v.minValue(1)), count: v.pipe(count, v.minValue(1)), plannedCells: count })),
  /** A merged result (`parquet-chaos merge`): the shards it joins. */
  mergedFrom: v.optional(v.array(MergedShardSchema)),
});
export type RunResult = v.InferOutput<typeof RunResultSchema>;
