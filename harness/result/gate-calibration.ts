import type { SequentialEstimate } from '../analyze/power.js';
import type { MachineFacts } from './result.js';

/** One A/A gate the calibration resampled. */
export interface CalibrationSource {
  file: string;
  command: string;
  outcome: string;
  cells: number;
  pairs: number;
  machine: MachineFacts;
  /** The 1-minute load average when the gate started and ended (absent in gates saved before it was recorded). */
  load?: { start: number; end: number };
}

/** One cap on the pairs (--max-repeat): the simulated A/A gates and the simulated slowed ones. */
export interface CalibrationRow {
  cap: number;
  looks: number;
  aa: SequentialEstimate;
  /** One-sided 95% upper bound on the A/A false-alarm rate (Clopper–Pearson). */
  falseAlarmBound: number;
  slow: SequentialEstimate;
}

/** `calibrate-gate --json FILE`: what the whole gate does on the machine the A/A gates ran on. */
export interface GateCalibration {
  kind: 'gate-calibration';
  command: string;
  sources: CalibrationSource[];
  /** σ of log(head ÷ base) within a pair, per timing metric, over every pair (null: not measured). */
  noise: Record<string, number | null>;
  secondsPerCell: number;
  settings: {
    repeat: number;
    looks: number;
    alpha: number;
    cells: number;
    simulations: number;
    minEffect: Record<string, number>;
    slowdown: { metric: string; change: number };
  };
  rows: CalibrationRow[];
  /** The smallest cap catching the slowdown ≥ 80% of the time with A/A false alarms ≤ α; null: none. */
  enough: number | null;
}
