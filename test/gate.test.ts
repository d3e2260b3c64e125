import { describe, expect, it } from 'vitest';
import { compareCounter, gateOutcome, judgeCell, type GateSample, type GateSettings, type OutcomeState } from '../harness/analyze/gate.js';
import { GATE_DEFAULTS, parseMinEffect } from '../harness/cli/commands/gate.js';
import { main, type Io } from '../harness/cli/cli.js';
import { planPairs, replayCommand } from '../harness/orchestrate/gate-run.js';
import { defaultRunConfig } from '../harness/orchestrate/run-config.js';

const settings: GateSettings = {
  alpha: 0.05, timing: true, paired: false,
  minEffect: { ackedPerSec: 0.1, ackLatencyMsP99: 0.1, lockWaitMsP99: 0.1, parquetPerSec: 0.1 },
  tolerances: { fsyncsPerRecord: { relative: 0.05, absolute: 0 }, bytesPerRecord: { relative: 0.05, absolute: 0 }, lockAcquisitionsPerRecord: { relative: 0.05, absolute: 0 }, filesLeft: { relative: 0, absolute: 0 } },
};

function sample(side: 'base' | 'head', repeat: number, ackedPerSec: number, extra: Partial<GateSample> = {}): GateSample {
  return {
    side, strategy: side, scenario: 'main-file-contention', workers: 4, repeat, seed: repeat, first: true, dir: `/runs/${side}/${repeat}`, valid: true,
    anomalies: { lost: 0, duplicates: 0, phantoms: 0, corruptFiles: 0, corruptRecords: 0 }, errors: [],
    metrics: { ackedPerSec, ackLatencyMsP99: 100, lockWaitMsP99: null, parquetPerSec: ackedPerSec },
    counters: { fsyncsPerRecord: 0.4, bytesPerRecord: 3000, lockAcquisitionsPerRecord: 0.2, filesLeft: 1 },
    replay: `npx parquet-chaos run --seed ${repeat}`, ...extra,
  };
}

const pairs = (base: number[], head: number[]) => [...base.map((v, i) => sample('base', i + 1, v)), ...head.map((v, i) => sample('head', i + 1, v))];

describe('judging a gate cell', () => {
  it('fails on any anomaly or unknown verdict in any repeat, whatever the timings', () => {
    const samples = pairs([100, 101, 102, 103, 104], [100, 101, 102, 103, 104]);
    samples[7] = { ...samples[7]!, anomalies: { ...samples[7]!.anomalies, lost: 1 } };
    samples[2] = { ...samples[2]!, valid: 'unknown', errors: ['writer-1: exited with code 1'] };
    const j = judgeCell(samples, settings);
    expect(j.answer).toBe('failed');
    expect(j.correctness.map((f) => [f.side, f.repeat, f.problems])).toEqual([['base', 3, ['verdict unknown (writer-1: exited with code 1)']], ['head', 3, ['1 lost']]]);
  });

  it('compares counters with their fixed tolerance: 5% more fsyncs per record passes, 6% does not', () => {
    expect(compareCounter('fsyncsPerRecord', [1, 1, 1], [1.05, 1.05, 1.05], settings.tolerances.fsyncsPerRecord)!.answer).toBe('no change');
    expect(compareCounter('fsyncsPerRecord', [1, 1, 1], [1.06, 1.06, 1.06], settings.tolerances.fsyncsPerRecord)!.answer).toBe('regressed');
    expect(compareCounter('filesLeft', [1], [2], settings.tolerances.filesLeft)!.answer).toBe('regressed');
  });

  it('skips metrics a side did not measure (no lock, no lock wait)', () => {
    const j = judgeCell(pairs([100, 101, 102, 103, 104, 105], [60, 61, 62, 63, 64, 65]), settings);
    expect(j.metrics.map((m) => m.metric)).toEqual(['ackedPerSec', 'ackLatencyMsP99', 'parquetPerSec']);
    expect(j.answer).toBe('regressed');
  });

  it('compares only counters and correctness when timing is off (a baseline from another machine)', () => {
    const j = judgeCell(pairs([100, 101, 102, 103, 104, 105], [60, 61, 62, 63, 64, 65]), { ...settings, timing: false });
    expect(j.metrics).toEqual([]);
    expect(j.answer).toBe('no change');
  });
});

describe('the gate outcome', () => {
  const cell = (answer: 'regressed' | 'inconclusive' | 'no change') => ({
    scenario: 's', workers: 4, pairs: 6, judgement: { correctness: [], metrics: [], counters: [], answer },
  });
  const caught = { name: 'lost (no fault)', strategy: 'realtime:lock=none', scenario: 'main-file-contention', workers: 4, seed: 1, expects: ['lost'], found: 12, caught: true, replay: 'r' };
  const state = (extra: Partial<OutcomeState> = {}): OutcomeState => ({ inconclusiveOk: false, interrupted: false, controlsPlanned: 1, ...extra });

  it('maps to exit codes 0, 1 and 3 (0 with --inconclusive-ok); a missed control is inconclusive (exit 3) whatever --inconclusive-ok says', () => {
    expect(gateOutcome([cell('no change')], [caught], state())).toMatchObject({ outcome: 'pass', exitCode: 0 });
    expect(gateOutcome([cell('regressed'), cell('inconclusive')], [caught], state())).toMatchObject({ outcome: 'regressed', exitCode: 1 });
    expect(gateOutcome([cell('inconclusive')], [caught], state())).toMatchObject({ outcome: 'inconclusive', exitCode: 3 });
    expect(gateOutcome([cell('inconclusive')], [caught], state({ inconclusiveOk: true }))).toMatchObject({ outcome: 'inconclusive', exitCode: 0 });
    const missed = gateOutcome([cell('no change')], [{ ...caught, found: 0, caught: false, why: 'verdict unknown (nemesis: kill did not fire)' }], state({ inconclusiveOk: true }));
    expect(missed).toMatchObject({ outcome: 'control missed', exitCode: 3 });
    expect(missed.reasons[0]).toBe('POSITIVE CONTROL MISSED (lost (no fault)): realtime:lock=none × main-file-contention (4 workers, seed 1) must show lost and showed 0: verdict unknown (nemesis: kill did not fire); the gate cannot vouch that its checker catches this class of anomaly. Replay: r');
    // A control that did not run at all is missed too.
    expect(gateOutcome([cell('no change')], [], state())).toMatchObject({ outcome: 'control missed', exitCode: 3, reasons: ['POSITIVE CONTROL MISSED: 1 of 1 controls did not run'] });
    // A regression found is a finding whatever the controls say.
    expect(gateOutcome([cell('regressed')], [], state())).toMatchObject({ outcome: 'regressed', exitCode: 1 });
  });

  it('never judges a stopped gate (a disk error) on what it measured: exit 3, whatever the cells say', () => {
    const stopped = gateOutcome([cell('regressed')], [caught], state({ stopped: 'the disk failed under the harness\'s own files: ENOSPC' }));
    expect(stopped).toMatchObject({ outcome: 'stopped', exitCode: 3 });
    expect(stopped.reasons[0]).toMatch(/^STOPPED, NOT JUDGED: the disk failed .*ENOSPC; the gate measured only part of its plan$/);
    expect(gateOutcome([cell('no change')], [caught], state({ stopped: 'ENOSPC', inconclusiveOk: true })).exitCode).toBe(3);
  });
});

describe('planning pairs', () => {
  it('gives both sides of a pair the same seed and shuffles who goes first from the seed', () => {
    const planned = planPairs([{ scenario: 'a', workers: 4 }, { scenario: 'b', workers: 4 }], 1, 6, { base: 'x', head: 'y', seed: 10 });
    expect(planned).toHaveLength(24);
    for (let i = 0; i < planned.length; i += 2) {
      expect(planned[i]!.cell.seed).toBe(planned[i + 1]!.cell.seed);
      expect(planned[i]!.cell.scenario).toBe(planned[i + 1]!.cell.scenario);
    }
    const firsts = planned.filter((p) => p.role.kind === 'pair' && p.role.first).map((p) => p.cell.strategy);
    expect(new Set(firsts)).toEqual(new Set(['x', 'y']));
    expect(planPairs([{ scenario: 'a', workers: 4 }], 1, 6, { base: 'x', head: 'y', seed: 10 })).toEqual(planPairs([{ scenario: 'a', workers: 4 }], 1, 6, { base: 'x', head: 'y', seed: 10 }));
  });

  it('writes a replay command with the settings that differ from the defaults', () => {
    const { strategies: _s, scenarios: _c, workers: _w, ...run } = { ...defaultRunConfig(), recordsPerWorker: 7, payloadBytes: 32 };
    expect(replayCommand('realtime:lock=none', 'main-file-contention', 4, 3, run))
      .toBe('npx parquet-chaos run --strategy realtime:lock=none --scenario main-file-contention --workers 4 --records 7 --seed 3 --faults default --payload-bytes 32');
  });
});

describe('gate on the command line', () => {
  const io = () => {
    const err: string[] = [];
    return { err, io: { out: () => undefined, err: (t: string) => void err.push(t), isTTY: false, env: {} } satisfies Io };
  };

  it('refuses bad usage with exit 2 before running anything', async () => {
    const missing = io();
    expect(await main(['gate', '--head', 'realtime'], missing.io)).toBe(2);
    expect(missing.err.join('')).toMatch(/--base/);
    const effect = io();
    expect(await main(['gate', '--base', 'realtime', '--head', 'realtime', '--min-effect', 'speed=10%'], effect.io)).toBe(2);
    expect(effect.err.join('')).toMatch(/--min-effect: got 'speed', expected one of: ackedPerSec/);
    const repeats = io();
    expect(await main(['gate', '--base', 'realtime', '--head', 'realtime', '--repeat', '6', '--max-repeat', '3'], repeats.io)).toBe(2);
    const junit = io();
    expect(await main(['gate', '--base', 'realtime', '--head', 'realtime', '--junit', '/no/such/dir/j.xml'], junit.io)).toBe(2);
  });

  it('reads minimum effects for all metrics or per metric', () => {
    expect(parseMinEffect('25%')).toEqual({ ackedPerSec: 0.25, ackLatencyMsP99: 0.25, lockWaitMsP99: 0.25, parquetPerSec: 0.25 });
    expect(parseMinEffect('lockWaitMsP99=0.3')).toMatchObject({ ackedPerSec: GATE_DEFAULTS.minEffect.ackedPerSec, lockWaitMsP99: 0.3 });
  });
});
