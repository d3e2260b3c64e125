import type { AssumptionBreak, Verdict } from '../oracle/checker.js';
import { assumptionBreaks, assumptionReason, excusingClaims } from '../oracle/judge.js';
import type { AssumptionEvidence, AssumptionName } from '../sdk/assumptions.js';
import type { SimFiredFault } from '../result/sim-result.js';

/**
 * The assumptions a schedule's fired faults broke, by the rules a real cell is judged by
 * (oracle/judge.ts): a pause past half the lease while a holder lost its lease breaks
 * `no-stall-past-lease`. Each break lists the claims it excuses: those the schedule's anomalies broke.
 */
export function scheduleBreaks(names: readonly AssumptionName[], fired: readonly SimFiredFault[], evidence: AssumptionEvidence, verdict: Verdict): AssumptionBreak[] {
  const facts = fired.map((fault) => ({
    facts: { kind: fault.kind, target: fault.process, ...(fault.ms !== undefined ? { duration: fault.ms } : {}) },
    label: `${fault.kind} of ${fault.process} before step ${fault.step}`,
  }));
  return assumptionBreaks(names, facts, evidence, verdict);
}

/**
 * A schedule's verdict without the claims its broken assumptions excuse, as a real cell's: their
 * anomalies are expected, not a violation, and their absence is no pass (unknown unless another claim broke).
 */
export function excusing(verdict: Verdict, breaks: readonly AssumptionBreak[]): Verdict {
  if (breaks.length === 0) return verdict;
  const excused = excusingClaims(verdict, breaks);
  return { ...excused, valid: excused.broken.length > 0 ? false : 'unknown', unknownReasons: [...verdict.unknownReasons, ...breaks.map(assumptionReason)] };
}
