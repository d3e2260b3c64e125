/**
 * The library API: drive the harness from your own test suite, and type your strategy plugins.
 *
 *   import { run, check, defineStrategy } from 'parquet-chaos';
 */
export { runMatrix as run, type RunOptions } from './run.js';
export { checkCell as check, computeVerdict, type Verdict, type Validity } from './checker.js';
export { defaultRunConfig } from './options.js';
export type { RunResult, CellResult, RunConfig, MachineFacts, Calibration, CellError } from './result.js';
export type { Fault, FaultEvent } from './nemesis/faults.js';
export type { TestRecord } from './records.js';
export {
  defineStrategy, choice, integer, decimal,
  type StrategyDefinition, type StrategyContext, type WriterHandle, type BackgroundRole, type Guarantees, type OptionSpec,
} from '../strategies/api.js';
export { formats, type FormatName } from '../reports/index.js';
