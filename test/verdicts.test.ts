import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Random } from '../harness/sdk/random.js';
import { checkDir } from '../harness/cli/commands/check.js';
import { judge } from '../harness/oracle/judge.js';
import { computeVerdict, datasetOf, ledgerFacts } from '../harness/oracle/checker.js';
import { LedgerWriter } from '../harness/oracle/ledger.js';
import { makeRecord, recordChecksum } from '../harness/sdk/records.js';
import { getCodec } from '../harness/sdk/codec/index.js';
import { parseLedger } from '../harness/oracle/ledger.js';
import { runSmall } from './support/cell.js';

const fixture = (name: string) => resolve(import.meta.dirname, 'fixtures', `${name}.ts`);
const claimsAll = { noLostAcked: true, noDuplicates: true, noCorruption: true };

/** A pass must be earned: cells that did not exercise what they claim are unknown, never valid. */
describe('no vacuous pass (real processes)', () => {
  it('a strategy that never acks, breaks the ack contract, or acks before durability never passes', async () => {
    // Arrange: 2 writers × 4 records; writer-0 is killed after its 1st ack.
    const specs = [`${fixture('throwing')}:where=write`, `${fixture('bad-acks')}:mode=string`, `${fixture('bad-acks')}:mode=foreign`, fixture('early-ack'), `${fixture('corrupting')}:mode=recomputed`];

    // Act
    const result = await runSmall({ strategies: [specs.join(',')], scenarios: ['main-file-contention'], workers: 2, recordsPerWorker: 4, faults: 'kill:target=writer-0,afterAcks=1' });

    // Assert
    const [throwing, bareString, foreign, earlyAck, rescored] = result.cells;
    expect(throwing!.verdict).toMatchObject({ attempted: 8, acked: 0, valid: 'unknown' });
    expect(throwing!.verdict.unknownReasons.join('\n')).toMatch(/no record was acked \(8 attempted\)/);
    // What the strategy threw is among the cell's errors (the table prints them), with how often.
    expect(throwing!.errors.filter((e) => e.code === 'E_WRITE_FAILED')).toEqual(['writer-0', 'writer-1'].map((source) => ({
      source, code: 'E_WRITE_FAILED', message: 'write() threw on 4 records: disk says no',
    })));
    // A bare string is not 4 characters acked: the strategy broke the contract, and it is its error.
    for (const cell of [bareString!, foreign!]) {
      expect(cell.verdict.valid).toBe('unknown');
      expect(cell.verdict.acked).toBeLessThanOrEqual(cell.verdict.attempted);
      expect(cell.errors[0]).toMatchObject({ source: 'strategy', code: 'E_STRATEGY_CONTRACT' });
    }
    expect(bareString!.errors[0]!.message).toMatch(/writer-\d: write\(\) resolved with string "w\d-0", expected an array/);
    expect(foreign!.errors[0]!.message).toMatch(/id 'w\d-9999', which was never handed to write\(\)/);
    // Acked, then killed before close(): the acked records are lost, and the claim is broken.
    // (Whole outcomes, so that a failure shows why the kill did not fire.)
    expect(earlyAck!.faults).toMatchObject({ kills: 1, outcomes: [{ kind: 'kill', fired: true }] });
    expect(earlyAck!.verdict).toMatchObject({ valid: false, broken: ['noLostAcked'] });
    expect(earlyAck!.verdict.lost).toBeGreaterThan(0);
    // A row with a changed score and a checksum computed again agrees with itself, not with its writer.
    // (writer-1's; writer-0 was killed and its restart rewrote its file without that row.)
    expect(rescored!.faults).toMatchObject({ kills: 1, outcomes: [{ kind: 'kill', fired: true }] });
    expect(rescored!.verdict).toMatchObject({ valid: false, corruptRecords: 1 });
    expect(rescored!.verdict.evidence.corruptRecords).toEqual(['w1-0: score, checksum']);
  });

  it('a planned fault that never fires makes the cell unknown, with why; an optional one does not; check DIR agrees', async () => {
    // Arrange: the io-error hits every writer's 2nd rename; queue writers never rename through ctx.io.
    const faults = 'io-error:target=writers,op=rename,nth=2;kill:target=writer-1,afterAcks=3;crash-point:target=consumer,point=consume:*,optional=if-absent';
    // The kill lands at writer-1's 3rd ack (it holds there until killed). The consumer's crash point needs
    // writing to go on while it polls: a queue writer saves a record in under a millisecond, so 100 ms
    // between records give the consumer time to reach it.
    const thinkMs = 100;

    // Act
    const result = await runSmall({ strategies: ['realtime,queue'], scenarios: ['main-file-contention'], workers: 2, recordsPerWorker: 6, thinkMs, faults });

    // Assert
    const [realtime, queue] = result.cells;
    // (Whole outcomes, so that a failure shows why a fault did not fire.)
    expect(realtime!.faults.outcomes).toMatchObject([{ fired: true }, { fired: true }, { fired: false }]);
    expect(realtime!.faults.outcomes![2]).toMatchObject({ blocking: false, reason: 'no such process in this cell' });
    expect(realtime!.verdict).toMatchObject({ valid: true, lost: 0 });
    expect(queue!.faults.outcomes).toMatchObject([{ fired: false }, { fired: true }, { fired: true }]);
    expect(queue!.verdict.valid).toBe('unknown');
    expect(queue!.verdict.unknownReasons).toEqual([expect.stringMatching(/planned fault #0 \(io-error writers op=rename .*\) did not fire: writers performed no rename operation/)]);

    // check DIR re-judges with the recorded schedule and fault log...
    expect((await checkDir(queue!.dir)).verdict.valid).toBe('unknown');
    expect((await checkDir(realtime!.dir)).verdict.valid).toBe(true);
    // ...and never turns an unknown the run recorded into a pass.
    const record = JSON.parse(readFileSync(join(realtime!.dir, 'cell.json'), 'utf8'));
    writeFileSync(join(realtime!.dir, 'cell.json'), JSON.stringify({ ...record, valid: 'unknown', unknownReasons: ['merger hung'] }));
    expect((await checkDir(realtime!.dir)).verdict).toMatchObject({ valid: 'unknown', unknownReasons: ['recorded by the run: merger hung'] });
  });
});

describe('judge', () => {
  const ledger = (...lines: object[]) => lines.map((l) => JSON.stringify(l)).join('\n');

  it('a writer whose last process died and was not restarted ran short: unknown, unless --restart none', () => {
    // Arrange: writer-1 was killed after acking its first record and never came back.
    const text = ledger({ op: 'start', pid: 1, t: 0 }, { op: 'attempt', id: 'w1-0', t: 1 }, { op: 'ack', id: 'w1-0', t: 2 }, { op: 'attempt', id: 'w1-1', t: 3 });
    const verdict = computeVerdict(ledgerFacts([text]), { counts: new Map([['w1-0', 1]]), files: 1, corruptFiles: [], corruptRecords: 0 }, claimsAll);
    const evidence = { planned: [], log: [], errors: [], unfinishedWriters: ['writer-1'] };

    // Act
    const retried = judge(verdict, { ...evidence, restart: 'retry' });
    const none = judge(verdict, { ...evidence, restart: 'none' });

    // Assert
    expect(verdict.valid).toBe(true);
    expect(retried.verdict.valid).toBe('unknown');
    expect(retried.verdict.unknownReasons).toEqual(['writer-1 did not finish its records: its last process died and was not restarted (the cell ran short)']);
    expect(none.verdict.valid).toBe(true);
  });

  it('never turns a broken claim into unknown', () => {
    const text = ledger({ op: 'start', pid: 1, t: 0 }, { op: 'attempt', id: 'w0-0', t: 1 }, { op: 'ack', id: 'w0-0', t: 2 }, { op: 'end', t: 3 });
    const verdict = computeVerdict(ledgerFacts([text]), { counts: new Map(), files: 0, corruptFiles: [], corruptRecords: 0 }, claimsAll);
    const judged = judge(verdict, { planned: [{ id: 0, kind: 'kill', target: 'writer-0', afterAcks: 5 }], log: [], errors: [], unfinishedWriters: [], restart: 'retry' });
    expect(judged.verdict).toMatchObject({ valid: false, broken: ['noLostAcked'] });
    expect(judged.verdict.unknownReasons).toHaveLength(1);
  });
});

describe('paired fault schedules', () => {
  it('every strategy of a run faces the same planned victims and trigger points', async () => {
    // Act: buffer-crash draws 2 kill victims, a pause victim and their attempt counts from the seed. The
    // plans are the point: killed writers need not come back (--restart none spares two process starts a cell).
    const result = await runSmall({ strategies: ['log-commit,log-commit:every=2'], scenarios: ['buffer-crash'], workers: 3, recordsPerWorker: 4, seed: 11, restart: 'none' });

    // Assert
    // 2 kills and a pause, then the scenario's optional hold of each of the 3 writers inside the shared buffer's
    // window, its optional early hold of each kill victim (until another writer drains the buffer) and its
    // optional kill of the paused writer inside its second in-place write of main.
    const [a, b] = result.cells.map((c) => c.faults.planned);
    expect(a).toHaveLength(9);
    expect(a!.filter((f) => !f.optional).map((f) => f.kind)).toEqual(['kill', 'kill', 'pause']);
    expect(b).toEqual(a);
  });

  it('a seeded shuffle is a permutation, the same for the same seed (property)', () => {
    fc.assert(fc.property(fc.integer(), fc.array(fc.integer(), { maxLength: 30 }), (seed, items) => {
      const once = new Random(seed).shuffle(items);
      expect(once).toEqual(new Random(seed).shuffle(items));
      expect([...once].sort((x, y) => x - y)).toEqual([...items].sort((x, y) => x - y));
    }));
  });
});

describe('the ledger hides nothing', () => {
  const line = (entry: object) => `${JSON.stringify(entry)}\n`;

  it('a torn last line of a killed process is counted and tolerated; a restarted writer never glues onto it', () => {
    // Arrange: writer-0 was SIGKILLed in the middle of writing an attempt line.
    const dir = mkdtempSync(join(tmpdir(), 'parquet-chaos-ledger-'));
    const path = join(dir, 'writer-0.jsonl');
    writeFileSync(path, line({ op: 'start', pid: 1, t: 0 }) + line({ op: 'attempt', id: 'w0-0', t: 1 }) + line({ op: 'ack', id: 'w0-0', t: 2 }) + '{"op":"attempt","i');

    // Act: the restarted writer appends its own segment.
    const writer = new LedgerWriter(path);
    writer.append({ op: 'start', pid: 2, t: 3 });
    writer.append({ op: 'attempt', id: 'w0-1', t: 4 });
    writer.append({ op: 'ack', id: 'w0-1', t: 5 });
    writer.append({ op: 'end', t: 6 });
    writer.close();
    const parsed = parseLedger(readFileSync(path, 'utf8'));

    // Assert: two segments, the first one died; one torn line, nothing else malformed.
    expect(parsed.segments.map((s) => [s.pid, s.ended])).toEqual([[1, false], [2, true]]);
    expect(parsed).toMatchObject({ tornLines: 1, badLines: 0 });
    expect(ledgerFacts([readFileSync(path, 'utf8')])).toMatchObject({ crashedProcesses: 1, tornLedgerLines: 1, malformedLedgerLines: 0 });
  });

  it('any other malformed line makes the verdict unknown; an ack of an id its process never attempted fails it', () => {
    // Arrange
    const text = line({ op: 'start', pid: 1, t: 0 }) + line({ op: 'attempt', id: 'w0-0', t: 1 }) + 'garbage\n'
      + line({ op: 'ack', id: 'w0-0', t: 2 }) + line({ op: 'end', t: 3 })
      + line({ op: 'start', pid: 2, t: 4 }) + line({ op: 'ack', id: 'w0-0', t: 5 }) + line({ op: 'end', t: 6 });
    const present = { counts: new Map([['w0-0', 1]]), files: 1, corruptFiles: [], corruptRecords: 0 };

    // Act
    const verdict = computeVerdict(ledgerFacts([text]), present, claimsAll);

    // Assert
    expect(verdict).toMatchObject({ malformedLedgerLines: 1, tornLedgerLines: 0, ackWithoutAttempt: 1, valid: false, broken: ['ackWithoutAttempt'] });
    expect(verdict.unknownReasons).toEqual([expect.stringMatching(/^1 malformed ledger line/)]);
  });
});

describe('whole-row truth', () => {
  it('a row that agrees with itself but not with what its writer generated is corrupt, with the fields that differ', async () => {
    // Arrange: three rows of writer 0; one with another test name and a checksum computed afresh.
    const rows = [0, 1, 2].map((seq) => makeRecord(5, 0, seq, 16, 1_000n));
    const { checksum: _old, ...changed } = { ...rows[1]!, test_name: 'arith_999' };
    const forged = { ...changed, checksum: recordChecksum(changed) };
    const bytes = await getCodec('hyparquet').encode([rows[0]!, forged, rows[2]!]);

    // Act
    const judged = await datasetOf([{ name: 'main.parquet', bytes }], { seed: 5, payloadBytes: 16 });
    const selfConsistentOnly = await datasetOf([{ name: 'main.parquet', bytes }]);

    // Assert
    expect(judged).toMatchObject({ corruptRecords: 1, corruptEvidence: ['w0-1: test_name, checksum'] });
    expect([...judged.counts.keys()]).toEqual(['w0-0', 'w0-2']);
    expect(selfConsistentOnly.corruptRecords).toBe(0);
  });
});
