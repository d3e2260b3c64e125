import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkCell, computeVerdict, ledgerFacts, type Dataset } from '../harness/oracle/checker.js';
import { parseLedger } from '../harness/oracle/ledger.js';
import { makeRecord } from '../harness/sdk/records.js';
import { hyparquetCodec } from '../harness/sdk/codec/hyparquet.js';
import { planSequence } from '../harness/orchestrate/writer-loop.js';
import { tempCell } from './support/sim.js';

const all = { noLostAcked: true, noDuplicates: true, noCorruption: true };
const none = { noLostAcked: false, noDuplicates: false, noCorruption: false };
const lines = (...entries: object[]) => entries.map((e) => JSON.stringify(e)).join('\n');
const dataset = (ids: string[], extra: Partial<Dataset> = {}): Dataset => {
  const counts = new Map<string, number>();
  for (const id of ids) counts.set(id, (counts.get(id) ?? 0) + 1);
  return { counts, files: 1, corruptFiles: [], corruptRecords: 0, ...extra };
};

describe('ledger parsing', () => {
  it('splits a ledger into process segments and marks the ones that died', () => {
    // Arrange: a process that died after attempting a and b (a acked), then a restart that ended.
    const text = lines(
      { op: 'start', pid: 1, t: 0 }, { op: 'attempt', id: 'a', t: 1 }, { op: 'ack', id: 'a', t: 2 }, { op: 'attempt', id: 'b', t: 3 },
      { op: 'start', pid: 2, t: 4 }, { op: 'attempt', id: 'b', t: 5 }, { op: 'ack', id: 'b', t: 6 }, { op: 'end', t: 7 },
    );

    // Act
    const { segments, badLines } = parseLedger(`${text}\n{"op":"att`);
    const facts = ledgerFacts([`${text}\n{"op":"att`]);

    // Assert
    expect(badLines).toBe(1);
    expect(segments.map((s) => [s.pid, s.attempted, s.acked, s.ended])).toEqual([[1, ['a', 'b'], ['a'], false], [2, ['b'], ['b'], true]]);
    expect(facts).toMatchObject({ unackedAtCrash: 1, retried: 1, crashedProcesses: 1, malformedLedgerLines: 1 });
  });

  it('plans a restarted writer: retry redoes unacked ids, skip leaves them', () => {
    const text = lines({ op: 'start', pid: 1, t: 0 }, { op: 'attempt', id: 'w0-0', t: 1 }, { op: 'ack', id: 'w0-0', t: 2 }, { op: 'attempt', id: 'w0-1', t: 3 });
    expect(planSequence(text, 4, 0, 'retry')).toEqual([1, 2, 3]);
    expect(planSequence(text, 4, 0, 'skip')).toEqual([2, 3]);
    expect(planSequence('', 2, 0, 'retry')).toEqual([0, 1]);
  });
});

describe('verdicts on hand-made facts', () => {
  const facts = ledgerFacts([lines(
    { op: 'start', pid: 1, t: 0 },
    ...['a', 'b', 'c', 'd'].flatMap((id) => [{ op: 'attempt', id, t: 0 }]),
    ...['a', 'b', 'c'].map((id) => ({ op: 'ack', id, t: 1 })),
    { op: 'end', t: 2 },
  )]);

  it('passes a dataset holding exactly the acked ids', () => {
    expect(computeVerdict(facts, dataset(['a', 'b', 'c']), all)).toMatchObject({ lost: 0, unackedLost: 1, valid: true, broken: [] });
  });

  it('counts lost, duplicate and phantom ids, with evidence', () => {
    const v = computeVerdict(facts, dataset(['a', 'a', 'd', 'zz']), all);
    expect(v).toMatchObject({ present: 3, lost: 2, duplicates: 1, phantoms: 1, unackedLost: 0, valid: false });
    expect(v.broken).toEqual(['noLostAcked', 'noDuplicates', 'noPhantoms']);
    expect(v.evidence).toMatchObject({ lost: ['b', 'c'], duplicates: ['a'], phantoms: ['zz'] });
  });

  it('fails only guarantees the strategy claims', () => {
    const v = computeVerdict(facts, dataset(['a', 'a'], { corruptFiles: ['x.parquet'] }), { ...none, noCorruption: false, noLostAcked: true });
    expect(v).toMatchObject({ lost: 2, duplicates: 1, corruptFiles: 1, valid: false, broken: ['noLostAcked'] });
    const unclaimed = computeVerdict(facts, dataset(['a', 'a', 'b', 'c'], { corruptFiles: ['x.parquet'] }), { ...none, noLostAcked: true });
    expect(unclaimed).toMatchObject({ lost: 0, duplicates: 1, corruptFiles: 1, valid: true, broken: [] });
  });
});

describe('checkCell on hand-made files', () => {
  it('reads every .parquet under data/, recursively, and flags undecodable and bad-checksum files', async () => {
    // Arrange
    const cell = tempCell();
    const r = (seq: number) => makeRecord(1, 0, seq, 16, 0n);
    mkdirSync(join(cell, 'data', 'incremental'));
    writeFileSync(join(cell, 'data', 'main.parquet'), await hyparquetCodec.encode([r(0), r(1)]));
    writeFileSync(join(cell, 'data', 'incremental', 'x.parquet'), await hyparquetCodec.encode([{ ...r(2), score: 99 }]));
    writeFileSync(join(cell, 'data', 'incremental', 'torn.parquet'), 'PAR1 not really');
    writeFileSync(join(cell, 'data', 'ignored.tmp'), 'temp files are not part of the dataset');
    writeFileSync(join(cell, 'ledger', 'writer-0.jsonl'), lines(
      { op: 'start', pid: 1, t: 0 }, ...[0, 1, 2].flatMap((s) => [{ op: 'attempt', id: `w0-${s}`, t: 0 }, { op: 'ack', id: `w0-${s}`, t: 0 }]),
    ));

    // Act
    const v = await checkCell(cell, all);

    // Assert
    expect(v).toMatchObject({ acked: 3, present: 2, lost: 1, corruptFiles: 1, corruptRecords: 1, crashedProcesses: 1, valid: false });
    expect(v.evidence.corruptFiles).toEqual(['incremental/torn.parquet']);
  });

  it('yields "unknown", never a pass, when the check cannot run', async () => {
    const v = await checkCell('/nonexistent/cell', all);
    expect(v.valid).toBe('unknown');
    expect(v.error).toMatch(/ENOENT/);
  });
});

describe('verdict invariants (property)', () => {
  it('counts add up for any ledger and dataset', () => {
    const id = fc.integer({ min: 0, max: 30 }).map((n) => `w0-${n}`);
    fc.assert(fc.property(fc.uniqueArray(id), fc.array(id), fc.array(id), (attemptedList, ackedPick, presentList) => {
      // Arrange: acked ⊆ attempted; the dataset may hold anything, with repeats.
      const attempted = new Set(attemptedList);
      const acked = new Set(ackedPick.filter((x) => attempted.has(x)));
      const facts = { attempted, acked, unackedAtCrash: 0, retried: 0, crashedProcesses: 0, ackWithoutAttempt: [], tornLedgerLines: 0, malformedLedgerLines: 0 };

      // Act
      const v = computeVerdict(facts, dataset(presentList), all);

      // Assert
      const present = new Set(presentList);
      expect(v.lost + [...acked].filter((x) => present.has(x)).length).toBe(v.acked);
      expect(v.unackedLost + v.lost + [...attempted].filter((x) => present.has(x)).length).toBe(v.attempted);
      expect(v.phantoms).toBe([...present].filter((x) => !attempted.has(x)).length);
      expect(v.duplicates).toBe([...present].filter((x) => presentList.indexOf(x) !== presentList.lastIndexOf(x)).length);
      // A broken claim fails; otherwise a pass needs at least one acked record.
      const clean = v.lost === 0 && v.duplicates === 0 && v.phantoms === 0;
      expect(v.valid).toBe(!clean ? false : acked.size > 0 ? true : 'unknown');
    }));
  });
});
