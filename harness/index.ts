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
export type { TestRecord } from './sdk/records.js';
export {
  defineStrategy, choice, integer, decimal,
  type StrategyDefinition, type StrategyContext, type WriterHandle, type BackgroundRole, type Guarantees, type OptionSpec,
} from './sdk/strategy.js';
export { formats, type FormatName } from '../reports/index.js';
