import type { LedgerEntry } from '../../oracle/ledger.js';
import { parseLedger } from '../../oracle/ledger.js';
import { HELD_AT_TRIGGER, type FaultEvent, type FaultKind, type Planned, type ProcessFault } from '../../sdk/faults.js';
import type { LedgerSink } from '../writer-loop.js';

/**
 * A progress trigger (`afterAttempts`, `afterAcks`) carried out by the writer whose ledger it counts:
 * right after that ledger line the writer stops itself, and the nemesis, seeing the event, acts on the
 * fault's target and then lets the writer go on. Sent from outside on seeing the ledger move, a fast
 * writer could finish before a busy orchestrator reacted, and the fault then did not fire: held at the
 * trigger, the fault lands at the same point of the ledger on any machine, under any load.
 */
export interface HoldTrigger {
  /** The planned fault's id. */
  fault: number;
  kind: FaultKind;
  op: 'attempt' | 'ack';
  /** The ledger's count of `op` lines (over all of the writer's lives) at which the writer holds. */
  count: number;
}

/**
 * The writer's ledger with its holds: every line goes on to `sink`; after the line that brings an op's
 * count to a trigger's, the writer logs the hold and stops itself (`stop`, SIGSTOP in a real writer).
 * Counts start from the ledger's earlier lives (`previous`), so a trigger reached before a restart is not
 * reached again.
 */
export function holdingSink(
  sink: LedgerSink, triggers: readonly HoldTrigger[], previous: string,
  log: (event: Omit<FaultEvent, 'at' | 'target' | 'pid'>) => void, stop: () => void,
): LedgerSink {
  if (triggers.length === 0) return sink;
  const { segments } = parseLedger(previous);
  const counts = {
    attempt: segments.reduce((n, s) => n + s.attempted.length, 0),
    ack: segments.reduce((n, s) => n + s.acked.length, 0),
  };
  return {
    append(entry: LedgerEntry): void {
      sink.append(entry);
      if (entry.op !== 'attempt' && entry.op !== 'ack') return;
      const count = ++counts[entry.op];
      for (const trigger of triggers) {
        if (trigger.op !== entry.op || trigger.count !== count) continue;
        // One hold per fault, each until the nemesis has acted on it.
        log({ kind: trigger.kind, action: HELD_AT_TRIGGER, detail: `after ${entry.op} #${count} (${entry.id})`, fault: trigger.fault });
        stop();
      }
    },
  };
}

/** The writer whose ledger a progress trigger counts: `of`, else a writer target itself, else writer-0. */
export function countingWriter(fault: ProcessFault): string {
  return fault.of ?? (/^writer-\d+$/.test(fault.target) ? fault.target : 'writer-0');
}

/** The holds `writer` carries out: the progress triggers (above 0) that count its ledger. */
export function holdTriggers(faults: readonly Planned<ProcessFault>[], writer: string): HoldTrigger[] {
  return faults.flatMap((fault) => {
    if (fault.at !== undefined || countingWriter(fault) !== writer) return [];
    const [op, count] = fault.afterAttempts !== undefined ? ['attempt', fault.afterAttempts] as const : ['ack', fault.afterAcks ?? 0] as const;
    return count > 0 ? [{ fault: fault.id, kind: fault.kind, op, count }] : [];
  });
}
