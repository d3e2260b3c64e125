/**
 * The library API: drive the harness from your own test suite, and type your strategy plugins.
 *
 *   import { run, check, defineStrategy } from 'parquet-chaos';
 */
export { runMatrix as run, type RunOptions } from './orchestrate/run.js';
export { checkCell as check, computeVerdict, type Verdict, type Validity } from './oracle/checker.js';
export { defaultRunConfig } from './orchestrate/run-config.js';
export type { RunResult, CellResult, RunConfig, MachineFacts, Calibration, CellError } from './result/result.js';
export type { Fault, FaultEvent } from './sdk/faults.js';

// What a plugin author needs (the whole of harness/sdk's public surface for strategies):
export {
  defineStrategy, choice, integer, decimal,
  type StrategyDefinition, type StrategyContext, type WriterHandle, type BackgroundRole, type BackgroundRoleKind,
  type Guarantees, type OptionSpec, type OptionSchema, type RoleIdentity, type RoleKind,
} from './sdk/strategy.js';
export { assumptions, type AssumptionName } from './sdk/assumptions.js';
export { recordChecksum, hasValidChecksum, recordId, RECORD_COLUMNS, type TestRecord, type RecordColumn } from './sdk/records.js';
export { ChaosError, type ChaosErrorCode, type ChaosErrorDetails } from './sdk/errors.js';
export type { IoPort, IoOp, WriteOptions, IoCounters, Appender } from './sdk/ports/io.js';
export type { LockPort, AcquireOptions, Release, LockStats } from './sdk/ports/lock.js';
export type { ClockPort } from './sdk/ports/clock.js';
export type { Codec, CodecName } from './sdk/codec/codec.js';
export type { Random } from './sdk/random.js';
export { formats, type FormatName } from '../reports/index.js';
