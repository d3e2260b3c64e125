import type { SimCounterexample, SimSearch, SimSection } from '../harness/result/sim-result.js';

/**
 * The `sim` section in words, for every report format: what was searched under which model, the verdict,
 * and a found counterexample step by step (process, operation, path; where a fault hit; what a power
 * loss kept and dropped; which acked ids were lost) with the command that replays it.
 */

const fateText = (f: NonNullable<SimCounterexample['fired'][number]['crash']>[number]) =>
  `${f.op} ${f.path}${f.fate === 'torn' ? ` (${f.keptBytes} of ${f.bytes} bytes)` : f.bytes !== undefined ? ` (${f.bytes} bytes)` : ''}`;

export function simHeadline(sim: SimSection): string {
  const claims = Object.entries(sim.guarantees).filter(([, on]) => on).map(([g]) => g);
  return `${sim.strategy} · ${sim.workers} writers × ${sim.records} records · model ${sim.model.name} · faults ${sim.faults.length ? sim.faults.join(',') : 'none'} · `
    + `${sim.lock.kind} lock (stale ${sim.lock.staleMs} ms) · seed ${sim.seed} · ${sim.runs} runs · claims ${claims.length ? claims.join(', ') : 'nothing'}`;
}

/** Fired faults per kind and phase over the judged schedules, e.g. `crash 41/52 fired (writers 30, drain 2, finalize 9)`. */
export function coverageLine(s: SimSearch): string | undefined {
  const kinds = Object.entries(s.coverage ?? {});
  if (kinds.length === 0) return undefined;
  return `faults in judged schedules: ${kinds.map(([kind, c]) => {
    const phases = Object.entries(c.byPhase).map(([phase, n]) => `${phase} ${n}`).join(', ');
    return `${kind} ${c.fired}/${c.planned} fired${phases ? ` (${phases})` : ''}`;
  }).join('; ')}`;
}

function searchLine(s: SimSearch): string {
  const tally = `${s.schedules} schedules in ${(s.elapsedMs / 1000).toFixed(1)} s (${s.judged} judged, ${s.vacuous} with nothing acked, ${s.unknown} unknown${s.assumptionBroken ? `, ${s.assumptionBroken} breaking an assumption` : ''})`;
  const what = `${s.target === 'claimed' ? 'claimed guarantees' : 'unclaimed anomalies (shown, not failures)'}${s.pct ? ` (PCT depth ${s.pct.depth}: `
    + `a bug of that depth is hit with probability ≥ ${s.pct.perSchedule.toPrecision(2)} a schedule, ≥ ${s.pct.overRuns.toPrecision(2)} over the search, `
    + `for ${s.pct.processes} processes × ${s.pct.steps} steps)` : ''}`;
  if (s.counterexample) return `${what}: ${s.counterexample.broken.join(', ')} broken after ${tally}; shrunk in ${s.shrinks} tries`;
  return `${what}: none found in ${tally}${s.firstError ? `; first unknown: ${s.firstError}` : ''}${s.firstAssumptionBroken ? `; first assumption broken: ${s.firstAssumptionBroken}` : ''}`;
}

/** The counterexample's schedule as rows: step, t, process, op, path, and what a fault did. */
export function scheduleRows(ce: SimCounterexample): string[][] {
  return ce.steps.map((s) => [String(s.step), String(s.t), s.process, s.op, s.path, s.fault ?? '']);
}

export function faultLines(ce: SimCounterexample): string[] {
  const lines: string[] = [];
  for (const f of ce.fired) {
    const where = `before step ${f.step} (${f.process} about to ${f.op} ${f.path})`;
    if (f.kind !== 'power-loss') {
      lines.push(`${f.kind}${f.ms ? ` ${f.ms} ms` : ''} ${where}`);
      continue;
    }
    lines.push(`power loss ${where}; of the operations not yet durable:`);
    for (const fate of ['kept', 'torn', 'dropped'] as const) {
      const ops = (f.crash ?? []).filter((c) => c.fate === fate);
      if (ops.length) lines.push(`  ${fate}: ${ops.map(fateText).join('; ')}`);
    }
    if (!f.crash?.length) lines.push('  (nothing was pending: everything written had been made durable)');
  }
  return lines;
}

export function lostLine(ce: SimCounterexample): string | undefined {
  if (ce.lost.length === 0) return undefined;
  return `lost acked ids: ${ce.lost.map((l) => `${l.id} (acked by ${l.by} at step ${l.ackedAtStep})`).join(', ')}`;
}

export function verdictLine(sim: SimSection): string {
  if (sim.mode === 'replay') {
    const ce = sim.searches[0]?.counterexample;
    return ce ? `REPLAYED: the schedule reproduces (${ce.broken.join(', ')} broken${sim.verdict === 'violation' ? ', claimed' : ', not claimed'})` : 'UNKNOWN: the replayed schedule did not reproduce';
  }
  if (sim.verdict === 'violation') return 'VIOLATION: a claimed guarantee was broken';
  if (sim.verdict === 'unknown') return `UNKNOWN: ${sim.unknownReasons?.length ? sim.unknownReasons.join('; ') : 'no schedule could be judged (nothing acked, or every schedule stuck or failed)'}`;
  return 'PASS: no claimed guarantee broken in any judged schedule';
}

/** Plain text lines of the whole section (the table format prints them as they are). */
export function simLines(sim: SimSection, table: (head: string[], rows: string[][]) => string): string[] {
  const lines = [`simulation: ${simHeadline(sim)}`, `model ${sim.model.name}: ${sim.model.summary}`];
  for (const s of sim.searches) {
    lines.push(searchLine(s));
    const coverage = coverageLine(s);
    if (coverage) lines.push(coverage);
    const ce = s.counterexample;
    if (!ce) continue;
    lines.push(`minimal schedule (${ce.steps.length} steps; scheduler picks ${JSON.stringify(ce.plan.choices)}, faults ${JSON.stringify(ce.plan.faults)}):`);
    lines.push(table(['step', 't ms', 'process', 'op', 'path', 'fault'], scheduleRows(ce)));
    lines.push(...faultLines(ce));
    const lost = lostLine(ce);
    if (lost) lines.push(lost);
    const v = ce.verdict;
    lines.push(`checker: acked ${v.acked}/${v.attempted}, lost ${v.lost}, duplicates ${v.duplicates}, corrupt files ${v.corruptFiles}, corrupt rows ${v.corruptRecords}, phantoms ${v.phantoms}`);
    lines.push(`replay: ${ce.replay}`);
  }
  lines.push(verdictLine(sim));
  return lines;
}
