import type { AssumptionBreak, Verdict } from '../oracle/checker.js';
import { assumptions, type AssumptionEvidence, type AssumptionName } from '../sdk/assumptions.js';
import type { SimFiredFault } from '../result/sim-result.js';

/**
 * The assumptions a schedule's fired faults broke, by the rules a real cell is judged by
 * (oracle/judge.ts): a pause past half the lease while a holder lost its lease breaks
 * `no-stall-past-lease`. Each break lists the claims it excuses: those the schedule's anomalies broke.
 */
export function scheduleBreaks(names: readonly AssumptionName[], fired: readonly SimFiredFault[], evidence: AssumptionEvidence, verdict: Verdict): AssumptionBreak[] {
  return names.flatMap((name) => {
    const spec = assumptions[name];
    const by = fired.map((fault) => {
      const how = spec.brokenBy({ kind: fault.kind, target: fault.process, ...(fault.ms !== undefined ? { duration: fault.ms } : {}) }, evidence);
      return how && `${fault.kind} of ${fault.process} before step ${fault.step}: ${how}`;
    }).find((how) => how !== undefined);
    return by ? [{ assumption: name, says: spec.says, by, excused: verdict.broken.filter((claim) => (spec.underpins as readonly string[]).includes(claim)) }] : [];
  });
}

/**
 * A schedule's verdict without the claims its broken assumptions excuse, as a real cell's: their
 * anomalies are expected, not a violation, and their absence is no pass (unknown unless another claim broke).
 */
export function excusing(verdict: Verdict, breaks: readonly AssumptionBreak[]): Verdict {
  if (breaks.length === 0) return verdict;
  const excused = new Set(breaks.flatMap((b) => b.excused));
  const broken = verdict.broken.filter((claim) => !excused.has(claim));
  const reasons = breaks.map((b) => `assumption broken: ${b.says}; ${b.by}; the claims resting on it were not judged${b.excused.length ? ` (${b.excused.join(', ')}: anomalies expected)` : ''}`);
  return { ...verdict, broken, assumptionsBroken: [...breaks], valid: broken.length > 0 ? false : 'unknown', unknownReasons: [...verdict.unknownReasons, ...reasons] };
}
