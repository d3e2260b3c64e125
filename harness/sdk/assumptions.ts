import type { Guarantees } from './strategy.js';

/** What a cell tells an assumption about itself: its lease time and what its locks went through. */
export interface AssumptionEvidence {
  lockStaleMs: number;
  /** Holders that learnt a lease of theirs had been taken over or had expired under them (lock stats `compromised`). */
  leasesLost: number;
}

/** What an assumption reads of a fault that fired: a real cell's planned fault, or a simulated schedule's. */
export interface FiredFaultFacts {
  kind: string;
  target: string;
  /** A pause's (or partition's, latency's) duration, ms. */
  duration?: number;
}

export interface AssumptionSpec {
  /** The assumption in words, as the result and the table's footnote state it. */
  says: string;
  /** The claims that rest on it: where it is broken, these are not judged. */
  underpins: readonly (keyof Guarantees)[];
  /** How `fault` (a fault that fired) broke it in this cell, or undefined when it did not. */
  brokenBy(fault: FiredFaultFacts, evidence: AssumptionEvidence): string | undefined;
}

/**
 * What a claim may rest on besides the strategy's own code. A claim naming an assumption is judged only
 * where the cell kept it; a cell whose faults broke it reports the claim's anomalies as expected
 * ("lost (expected: assumption broken)") and its verdict as unknown: neither a false violation nor a pass.
 */
export const assumptions = {
  'no-stall-past-lease': {
    says: 'no lock holder stalls past its lease (the lock stale time)',
    underpins: ['noLostAcked'],
    // A lease is renewed at least every half lease (file: every half, redis: every third), so a stall
    // longer than half the lease can outlast what is left of it; the cell's lock stats say whether one did.
    brokenBy: (fault, { lockStaleMs, leasesLost }) => (
      fault.kind === 'pause' && fault.target !== 'redis' && (fault.duration ?? 0) > lockStaleMs / 2 && leasesLost > 0
        ? `a ${fault.duration} ms pause of ${fault.target} against a ${lockStaleMs} ms lease, and ${leasesLost} holder(s) lost their lease`
        : undefined
    ),
  },
} as const satisfies Record<string, AssumptionSpec>;

export type AssumptionName = keyof typeof assumptions;

export const assumptionNames = Object.keys(assumptions) as AssumptionName[];

/** The assumptions that matter for `claims`: those underpinning at least one claimed guarantee. */
export function assumedFor(names: readonly AssumptionName[], claims: Guarantees): AssumptionName[] {
  return [...new Set(names)].filter((name) => assumptions[name].underpins.some((claim) => claims[claim]));
}
