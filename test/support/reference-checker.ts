/**
 * The checker's verdict as it was computed before it was made fast (schema-parsed ledger lines, Sets
 * and Maps of strings, whole segments): the plain statement of what the fast checker must still say.
 * Tests only.
 */
import type { Dataset, LedgerFacts } from '../../harness/oracle/checker.js';
import { schemaEntry } from '../../harness/oracle/ledger.js';

interface Segment { attempted: string[]; acked: string[]; failed: string[]; ended: boolean }

function segmentsOf(text: string): { segments: Segment[]; badLines: number; tornLines: number } {
  const segments: Segment[] = [];
  let badLines = 0;
  let tornLines = 0;
  let current: Segment | undefined;
  const lines = text.split('\n').filter((line) => line.trim());
  for (const [i, line] of lines.entries()) {
    const entry = schemaEntry(line);
    if (!entry) {
      const next = lines[i + 1];
      if (current && !current.ended && (next === undefined || schemaEntry(next)?.op === 'start')) tornLines++;
      else badLines++;
      continue;
    }
    if (entry.op === 'start') {
      current = { attempted: [], acked: [], failed: [], ended: false };
      segments.push(current);
    } else if (!current || current.ended) badLines++;
    else if (entry.op === 'attempt') current.attempted.push(entry.id);
    else if (entry.op === 'ack') current.acked.push(entry.id);
    else if (entry.op === 'fail') current.failed.push(entry.id);
    else if (entry.op === 'end') current.ended = true;
  }
  return { segments, badLines, tornLines };
}

export function referenceFacts(texts: readonly string[]): LedgerFacts {
  const attempted = new Set<string>();
  const acked = new Set<string>();
  const attempts = new Map<string, number>();
  const ackWithoutAttempt = new Set<string>();
  const facts = { unackedAtCrash: 0, crashedProcesses: 0, tornLedgerLines: 0, malformedLedgerLines: 0 };
  for (const text of texts) {
    const parsed = segmentsOf(text);
    facts.tornLedgerLines += parsed.tornLines;
    facts.malformedLedgerLines += parsed.badLines;
    for (const segment of parsed.segments) {
      const ackedHere = new Set(segment.acked);
      const attemptedHere = new Set(segment.attempted);
      for (const id of ackedHere) if (!attemptedHere.has(id)) ackWithoutAttempt.add(id);
      for (const id of attemptedHere) {
        attempted.add(id);
        attempts.set(id, (attempts.get(id) ?? 0) + 1);
      }
      for (const id of ackedHere) acked.add(id);
      if (!segment.ended) {
        facts.crashedProcesses++;
        facts.unackedAtCrash += [...attemptedHere].filter((id) => !ackedHere.has(id) && !segment.failed.includes(id)).length;
      }
    }
  }
  const retried = [...attempts.values()].filter((n) => n > 1).length;
  return { ...facts, attempted, acked, retried, ackWithoutAttempt: [...ackWithoutAttempt] };
}

/** The verdict's counts and evidence lists, from Sets and Maps. */
export function referenceCounts(facts: LedgerFacts, dataset: Dataset) {
  const lost = [...facts.acked].filter((id) => !dataset.counts.has(id));
  const duplicates = [...dataset.counts].filter(([, n]) => n > 1).map(([id]) => id);
  const phantoms = [...dataset.counts.keys()].filter((id) => !facts.attempted.has(id));
  return {
    attempted: facts.attempted.size, acked: facts.acked.size, present: dataset.counts.size,
    lost: lost.length, duplicates: duplicates.length, phantoms: phantoms.length,
    unackedLost: [...facts.attempted].filter((id) => !facts.acked.has(id) && !dataset.counts.has(id)).length,
    evidence: { lost: lost.slice(0, 10), duplicates: duplicates.slice(0, 10), phantoms: phantoms.slice(0, 10) },
  };
}
