import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { computeVerdict, ledgerFacts } from '../harness/oracle/checker.js';
import { judge, type CellEvidence } from '../harness/oracle/judge.js';
import { loadStrategy } from '../harness/orchestrate/load-strategy.js';
import type { Planned } from '../harness/sdk/faults.js';
import { validLabel } from '../reports/format.js';
import { renderTable } from '../reports/table.js';
import { fixtureResult } from './support/result-fixture.js';

const claimsAll = { noLostAcked: true, noDuplicates: true, noCorruption: true };
const ledger = (...lines: object[]) => lines.map((l) => JSON.stringify(l)).join('\n');

/** writer-0 acked w0-0 and w0-1; the dataset holds `present` (twice, when duplicated). */
function verdictOf(present: string[]) {
  const text = ledger({ op: 'start', pid: 1, t: 0 }, { op: 'attempt', id: 'w0-0', t: 1 }, { op: 'ack', id: 'w0-0', t: 2 }, { op: 'attempt', id: 'w0-1', t: 3 }, { op: 'ack', id: 'w0-1', t: 4 }, { op: 'end', t: 5 });
  const counts = new Map<string, number>();
  for (const id of present) counts.set(id, (counts.get(id) ?? 0) + 1);
  return computeVerdict(ledgerFacts([text]), { counts, files: 1, corruptFiles: [], corruptRecords: 0 }, claimsAll);
}

/** A cell of a lease-locked strategy (lease 1000 ms) with one pause of writer-0 that fired. */
function evidence(pauseMs: number, leasesLost: number): CellEvidence {
  const pause: Planned = { id: 0, kind: 'pause', target: 'writer', point: 'main:read', nth: 2, duration: pauseMs };
  return {
    planned: [pause], log: [{ at: 1, fault: 0, kind: 'pause', target: 'writer-0', pid: 1, action: 'SIGSTOP' }], errors: [], unfinishedWriters: [], restart: 'retry',
    assumptions: ['no-stall-past-lease'], assumptionEvidence: { lockStaleMs: 1000, leasesLost },
  };
}

/** The verdict as a result cell (the table's label reads it). */
const asCell = (verdict: ReturnType<typeof judge>['verdict']) => ({ ...fixtureResult().cells[0]!, verdict });

describe('a claim that states its assumption (no lock holder stalls past its lease)', () => {
  it('a pause past the lease that cost a lease: the loss is expected, not a violation, and the verdict is no pass', () => {
    // Act
    const { verdict } = judge(verdictOf(['w0-1']), evidence(2000, 1));

    // Assert
    expect(verdict).toMatchObject({ lost: 1, valid: 'unknown', broken: [] });
    expect(verdict.assumptionsBroken).toEqual([expect.objectContaining({ assumption: 'no-stall-past-lease', excused: ['noLostAcked'] })]);
    expect(verdict.assumptionsBroken![0]!.by).toMatch(/fault #0 \(pause writer .*duration=2000\): a 2000 ms pause of writer against a 1000 ms lease, and 1 holder\(s\) lost their lease/);
    expect(verdict.unknownReasons.some((r) => r.startsWith('assumption broken: no lock holder stalls past its lease'))).toBe(true);
    expect(validLabel(asCell(verdict))).toBe('lost (expected: assumption broken)');
  });

  it('nothing lost though the assumption was broken: unknown, never a silent pass', () => {
    const { verdict } = judge(verdictOf(['w0-0', 'w0-1']), evidence(2000, 1));
    expect(verdict).toMatchObject({ lost: 0, valid: 'unknown', broken: [] });
    expect(validLabel(asCell(verdict))).toBe('UNKNOWN (assumption broken)');
  });

  it('the claim is judged where the assumption held: a pause within half the lease, or no lease lost', () => {
    for (const [pauseMs, leasesLost] of [[500, 1], [2000, 0]] as const) {
      const { verdict } = judge(verdictOf(['w0-1']), evidence(pauseMs, leasesLost));
      expect(verdict).toMatchObject({ valid: false, broken: ['noLostAcked'] });
      expect(verdict.assumptionsBroken).toBeUndefined();
    }
  });

  it('excuses only the claims resting on it: a duplicate still fails the cell', () => {
    const { verdict } = judge(verdictOf(['w0-1', 'w0-1']), evidence(2000, 1));
    expect(verdict).toMatchObject({ valid: false, broken: ['noDuplicates'] });
    expect(verdict.assumptionsBroken?.[0]?.excused).toEqual(['noLostAcked']);
  });

  it('a fault that did not fire broke nothing', () => {
    const unfired = { ...evidence(2000, 1), log: [] };
    const { verdict } = judge(verdictOf(['w0-1']), unfired);
    expect(verdict).toMatchObject({ valid: false, broken: ['noLostAcked'] });
  });
});

describe('which strategies state it', () => {
  it('unfenced leases do; fenced leases, kernel locks and no lock do not', async () => {
    const assumed = async (spec: string) => (await loadStrategy(spec)).assumptions;
    expect(await assumed('realtime')).toEqual(['no-stall-past-lease']);
    expect(await assumed('realtime:lock=redis')).toEqual(['no-stall-past-lease']);
    expect(await assumed('checkpoint-batch:lock=file')).toEqual(['no-stall-past-lease']);
    expect(await assumed('incremental-file')).toEqual(['no-stall-past-lease']);
    expect(await assumed('lock-upgrade-with-fallback')).toEqual(['no-stall-past-lease']);
    expect(await assumed('realtime:lock=redis-fenced')).toEqual([]);
    expect(await assumed('realtime:lock=fcntl')).toEqual([]);
    expect(await assumed('realtime:lock=none')).toEqual([]);
    expect(await assumed('append-log')).toEqual([]);
    // Only where a claim rests on it: in place publishing claims no noLostAcked to begin with.
    expect(await assumed('realtime:publish=inplace')).toEqual([]);
  });

  it('assumes() is held to the registry at load: an unknown name or a non-array is a clear error', async () => {
    // Arrange: plugins without imports, in a temporary folder.
    const dir = mkdtempSync(join(tmpdir(), 'parquet-chaos-assumes-'));
    const plugin = (name: string, assumes: string) => {
      const path = join(dir, `${name}.mjs`);
      writeFileSync(path, `export default { name: '${name}', options: {}, writer: () => ({ write: async (r) => [r.id] }), guarantees: () => ({ noLostAcked: true, noDuplicates: true, noCorruption: true }), assumes: ${assumes} };\n`);
      return path;
    };
    const message = (path: string) => loadStrategy(path).then((s) => s.assumptions.join(','), (error: Error & { code?: string }) => `${error.code}: ${error.message}`);

    // Act, Assert
    expect(await message(plugin('unknown', '() => ["no-clock-skew"]'))).toMatch(/^E_PLUGIN: strategy .*unknown\.mjs: assumes\(\) returned "no-clock-skew"; expected an array of assumption names, each one of: no-stall-past-lease/);
    expect(await message(plugin('async', 'async () => []'))).toMatch(/^E_PLUGIN: .*assumes\(\) returned a Promise; expected/);
    expect(await message(plugin('good', '() => ["no-stall-past-lease"]'))).toBe('no-stall-past-lease');
  });

  it('the table says what a strategy assumes, in a footnote', () => {
    const result = fixtureResult();
    result.cells[0] = { ...result.cells[0]!, assumptions: [{ name: 'no-stall-past-lease', says: 'no lock holder stalls past its lease (the lock stale time)' }] };
    expect(renderTable(result)).toContain('† realtime assumes: no lock holder stalls past its lease (the lock stale time)');
  });
});
