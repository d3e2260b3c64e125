import { HELD_AT_TRIGGER, NO_SUCH_PROCESS, untilSpec, type FaultEvent, type Planned, type UntilProgress } from '../sdk/faults.js';
import { assumptions, type AssumptionEvidence, type AssumptionName, type FiredFaultFacts } from '../sdk/assumptions.js';
import type { AssumptionBreak, Verdict } from './checker.js';

/** What happened to one planned fault. */
export interface FaultOutcome {
  id: number;
  kind: string;
  target: string;
  /** Copied from the plan: whether the fault may go unfired (see sdk/faults.ts Optional). */
  optional?: true | 'if-absent';
  fired: boolean;
  /** Events the fault caused (kills, stops, delays, errors). */
  events: number;
  /** Why it did not fire (absent when it fired). */
  reason?: string;
  /** An unfired fault that makes the verdict unknown. */
  blocking: boolean;
}

/** An error a process or step of the cell reported (the result's CellError). */
export interface RecordedError {
  source: string;
  code: string;
  message: string;
}

/** Everything besides ledgers and data that a verdict must account for. */
export interface CellEvidence {
  planned: readonly Planned[];
  log: readonly FaultEvent[];
  errors: readonly RecordedError[];
  /** Writers whose last process died without its `end` line and was not restarted (`--restart none` excused). */
  unfinishedWriters: readonly string[];
  /** The writers that have a ledger (`writer-0`, …), when the ledgers could be read. */
  ledgers?: readonly string[];
  /** How many writers the cell ran (absent: not recorded, e.g. a cell folder kept by an older version). */
  writers?: number;
  restart: 'retry' | 'skip' | 'none';
  /** Pids of writer processes whose ledger segment has its `end` line (ledger.ts endedPids). */
  endedPids?: ReadonlySet<number>;
  /** What the strategy's claims assume (sdk/assumptions.ts), with what the cell says of them. */
  assumptions?: readonly AssumptionName[];
  assumptionEvidence?: AssumptionEvidence;
}

/**
 * The assumptions among `names` that a fired fault broke (a real cell's, or a simulated schedule's, each
 * with how the verdict names it), each with the claims it excuses: those the verdict found broken.
 */
export function assumptionBreaks(names: readonly AssumptionName[], fired: readonly { facts: FiredFaultFacts; label: string }[], evidence: AssumptionEvidence, verdict: Verdict): AssumptionBreak[] {
  return names.flatMap((name) => {
    const spec = assumptions[name];
    const by = fired.map(({ facts, label }) => {
      const how = spec.brokenBy(facts, evidence);
      return how && `${label}: ${how}`;
    }).find((how) => how !== undefined);
    return by ? [{ assumption: name, says: spec.says, by, excused: verdict.broken.filter((claim) => (spec.underpins as readonly string[]).includes(claim)) }] : [];
  });
}

/** The assumptions a fault that fired broke, each with the claims it excuses from this verdict. */
export function brokenAssumptions(verdict: Verdict, evidence: CellEvidence, faults: readonly FaultOutcome[]): AssumptionBreak[] {
  if (!evidence.assumptionEvidence) return [];
  const fired = evidence.planned.filter((p) => faults.some((f) => f.id === p.id && f.fired));
  return assumptionBreaks(evidence.assumptions ?? [], fired.map((fault) => ({ facts: fault, label: `fault #${fault.id} (${describeFault(fault)})` })), evidence.assumptionEvidence, verdict);
}

/** The verdict without the claims `breaks` excuse, the breaks kept in it (unchanged when there are none). */
export function excusingClaims(verdict: Verdict, breaks: readonly AssumptionBreak[]): Verdict {
  if (breaks.length === 0) return verdict;
  const excused = new Set(breaks.flatMap((b) => b.excused));
  return { ...verdict, broken: verdict.broken.filter((claim) => !excused.has(claim)), assumptionsBroken: [...breaks] };
}

/** Why a verdict with a broken assumption is not a pass, in the words of its unknown reasons. */
export function assumptionReason(b: AssumptionBreak): string {
  return `assumption broken: ${b.says}; ${b.by}; the claims resting on it were not judged${b.excused.length ? ` (${b.excused.join(', ')}: anomalies expected)` : ''}`;
}

/**
 * Writers the cell ran that have no ledger: a writer whose first process died before its `start` line
 * (killed as it started) and was not restarted left no trace at all, and its records were never tried.
 */
export function writersWithoutLedger(evidence: Pick<CellEvidence, 'ledgers' | 'writers'>): string[] {
  if (evidence.writers === undefined || evidence.ledgers === undefined) return [];
  const found = new Set(evidence.ledgers);
  return Array.from({ length: evidence.writers }, (_, i) => `writer-${i}`).filter((name) => !found.has(name));
}

/** Events that are a fault being carried out (not a report that it was skipped, nor a resume, nor a writer holding for it). */
const NOT_FIRING = new Set(['skipped', 'not fired', 'SIGCONT', HELD_AT_TRIGGER]);

/** A kill of a writer that had written its `end` line: it hit no live work, so it did not fire. */
function killedFinishedWriter(event: FaultEvent, endedPids: ReadonlySet<number>): boolean {
  return event.kind === 'kill' && event.pid !== undefined && /^writer-\d+$/.test(event.target) && endedPids.has(event.pid);
}

/** Why an in-process fault left no event: it depends on what the fault waited for. */
function silentReason(fault: Planned): string {
  if ('point' in fault && fault.point !== undefined) {
    return `${fault.target} never reached ${fault.kind === 'crash-point' ? 'point or op' : 'point'} '${fault.point}'${(fault.nth ?? 1) > 1 ? ` ${fault.nth} times` : ''} in its first life`;
  }
  if (fault.kind === 'slow-io' || fault.kind === 'io-error') {
    return `${fault.target} performed no ${fault.op === '*' ? '' : `${fault.op} `}operation${fault.path ? ` on a path containing '${fault.path}'` : ''} that the fault hit in its first life`;
  }
  return 'no event was logged for it';
}

/** Planned faults against the fault log: which fired, and why each other did not. */
export function faultOutcomes(planned: readonly Planned[], log: readonly FaultEvent[], endedPids: ReadonlySet<number> = new Set()): FaultOutcome[] {
  return planned.map((fault) => {
    const mine = log.filter((e) => e.fault === fault.id);
    const late = mine.filter((e) => !NOT_FIRING.has(e.action) && killedFinishedWriter(e, endedPids));
    const firing = mine.filter((e) => !NOT_FIRING.has(e.action) && !late.includes(e));
    const told = mine.find((e) => e.action === 'skipped' || e.action === 'not fired')
      ?? (late[0] && { detail: `it hit no live work: ${late[0].target} (pid ${late[0].pid}) had already written its end line` });
    const absent = told?.detail === NO_SUCH_PROCESS;
    const fired = firing.length > 0;
    const excused = fault.optional === true || (fault.optional === 'if-absent' && absent);
    return {
      id: fault.id, kind: fault.kind, target: fault.target, ...(fault.optional ? { optional: fault.optional } : {}),
      fired, events: firing.length,
      ...(fired ? {} : { reason: told?.detail ?? silentReason(fault) }),
      blocking: !fired && !excused,
    };
  });
}

/** `kill writer-2 afterAttempts=7`: a fault in a line of text. */
export function describeFault(fault: Planned): string {
  const { id: _id, kind, target, optional: _optional, ...rest } = fault;
  return [kind, target, ...Object.entries(rest).map(([k, v]) => `${k}=${k === 'until' ? untilSpec(v as UntilProgress) : String(v)}`)].join(' ');
}

/**
 * Decides whether a verdict earned its pass. A broken claim stays a failure; otherwise the verdict is
 * `unknown` when the cell did not exercise what it claims to have tested: nothing acked, a planned
 * fault that did not fire (unless optional), a writer that never finished, or a process error.
 */
export function judge(checked: Verdict, evidence: CellEvidence): { verdict: Verdict; faults: FaultOutcome[] } {
  const faults = faultOutcomes(evidence.planned, evidence.log, evidence.endedPids);
  // A claim whose assumption the cell broke is not judged: its anomalies are expected, not a violation,
  // and neither is its absence a pass.
  const breaks = brokenAssumptions(checked, evidence, faults);
  const verdict = excusingClaims(checked, breaks);
  const reasons = [...verdict.unknownReasons, ...breaks.map(assumptionReason)];
  for (const outcome of faults.filter((f) => f.blocking)) {
    reasons.push(`planned fault #${outcome.id} (${describeFault(evidence.planned.find((p) => p.id === outcome.id)!)}) did not fire: ${outcome.reason}`);
  }
  if (evidence.restart !== 'none') {
    for (const writer of evidence.unfinishedWriters) reasons.push(`${writer} did not finish its records: its last process died and was not restarted (the cell ran short)`);
  }
  // Whatever the restart policy: a writer with no ledger never ran, so the cell did not run as planned.
  for (const writer of writersWithoutLedger(evidence)) reasons.push(`${writer} has no ledger: its process died before its \`start\` line and was not restarted (${evidence.ledgers!.length} ledgers for ${evidence.writers} writers)`);
  for (const error of evidence.errors) reasons.push(`${error.source} ${error.code}: ${error.message}`);
  const stillBroken = verdict.valid === false && (breaks.length === 0 || verdict.broken.length > 0);
  const valid = stillBroken ? false : reasons.length > 0 ? 'unknown' : verdict.valid;
  return { verdict: { ...verdict, valid, unknownReasons: reasons }, faults };
}
