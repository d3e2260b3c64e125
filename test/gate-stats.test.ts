import { describe, expect, it } from 'vitest';
import { shiftInterval, smallestOneSidedP } from '../harness/analyze/mann-whitney.js';
import { holm } from '../harness/analyze/holm.js';
import { fewestDecisivePairs, judgeCell, judgeCells, type GateSample, type GateSettings } from '../harness/analyze/gate.js';
import { sizePairs } from '../harness/cli/commands/gate.js';
import { controlOutcome, POSITIVE_CONTROLS, runsControls } from '../harness/orchestrate/gate-run.js';
import type { CellResult } from '../harness/result/result.js';

describe('the shift interval at the edge of what n allows', () => {
  it('3 vs 3 at 90% is [d(1), d(9)]: P(U ≤ 0) = 1/20 is exactly the 5% tail, though (1 − 0.9) / 2 evaluates to 0.0499…', () => {
    expect((1 - 0.9) / 2).toBeLessThan(0.05);
    expect(shiftInterval([10, 11, 12], [13, 14, 15], 0.9)).toEqual({ estimate: 3, lo: 1, hi: 5, confidence: 0.9 });
  });

  it('4 vs 4 at 1 − 2/70 reaches k = 1 exactly (tail 1/70, computed, not typed)', () => {
    const s = shiftInterval([1, 2, 3, 4], [11, 12, 13, 14], 1 - 2 / 70);
    expect([s.lo, s.hi]).toEqual([7, 13]);
  });

  it('stays unbounded when the tail is really too small (3 vs 3 at 95%)', () => {
    expect(shiftInterval([10, 11, 12], [13, 14, 15], 0.95)).toMatchObject({ lo: -Infinity, hi: Infinity });
  });
});

describe('the gate\'s statistics', () => {
  // The two sides as independent samples (rank-sum), as against a saved baseline; paired below.
  const settings: GateSettings = {
    alpha: 0.05, timing: true, paired: false,
    minEffect: { ackedPerSec: 0.1, ackLatencyMsP99: 0.2, lockWaitMsP99: 0.2, parquetPerSec: 0.1 },
    tolerances: { fsyncsPerRecord: { relative: 0.05, absolute: 0 }, bytesPerRecord: { relative: 0.05, absolute: 0 }, lockAcquisitionsPerRecord: { relative: 0.05, absolute: 0 }, filesLeft: { relative: 0, absolute: 0 } },
  };
  const sample = (side: 'base' | 'head', repeat: number, ackedPerSec: number, scenario = 'main-file-contention'): GateSample => ({
    side, strategy: side, scenario, workers: 4, repeat, seed: repeat, first: true, dir: '', valid: true,
    anomalies: { lost: 0, duplicates: 0, phantoms: 0, corruptFiles: 0, corruptRecords: 0 }, errors: [],
    metrics: { ackedPerSec, ackLatencyMsP99: null, lockWaitMsP99: null, parquetPerSec: null },
    counters: { fsyncsPerRecord: 1, bytesPerRecord: 1, lockAcquisitionsPerRecord: 1, filesLeft: 1 }, replay: '',
  });
  const cell = (base: number[], head: number[], scenario?: string) => [...base.map((v, i) => sample('base', i + 1, v, scenario)), ...head.map((v, i) => sample('head', i + 1, v, scenario))];

  it('reports a timing change as the ratio head ÷ base, estimated on the log scale', () => {
    const base = [100, 110, 121, 133.1, 146.41, 161.051];
    const [m] = judgeCell(cell(base, base.map((v) => v / 2)), settings).metrics;
    expect(m).toMatchObject({ scale: 'ratio', answer: 'regressed' });
    expect(m!.change).toBeCloseTo(-0.5, 12);
    // A value of 0 has no logarithm: the shift relative to the base median, said as such.
    const [d] = judgeCell(cell([0, 1, 2, 3, 4, 5], [0, 1, 2, 3, 4, 5]), settings).metrics;
    expect(d!.scale).toBe('difference');
  });

  it('compares each pair\'s head with its own base: a machine that slows whole pairs is no noise between the sides', () => {
    // The machine's speed varies 8-fold from pair to pair; within each pair the head is 20% slower (± 1%).
    const base = [100, 400, 150, 800, 120, 300, 200, 600, 250, 500];
    const head = base.map((v, i) => v * 0.8 * (1 + (i % 2 ? 0.01 : -0.01)));
    const paired = judgeCell(cell(base, head), { ...settings, paired: true }).metrics[0]!;
    expect(paired).toMatchObject({ test: 'paired', scale: 'ratio', answer: 'regressed', pWorse: 1 / 1024 });
    expect(paired.change).toBeCloseTo(-0.2, 2);
    expect([paired.changeLo, paired.changeHi].every((x) => x > -0.22 && x < -0.18)).toBe(true);
    // The same samples as two independent sides: the 8-fold spread hides the 20%.
    expect(judgeCell(cell(base, head), settings).metrics[0]).toMatchObject({ test: 'rank-sum', answer: 'inconclusive' });
    // A/A on that machine: each pair within ±1%, "no change" (the bad bound within 10%).
    const same = judgeCell(cell(base, base.map((v, i) => v * (1 + (i % 2 ? 0.01 : -0.01)))), { ...settings, paired: true }).metrics[0]!;
    expect(same.answer).toBe('no change');
  });

  it('adjusts across every cell × metric of the gate, not per cell (Holm)', () => {
    // One-sided p = 0.032 per cell: regressed alone, not among two cells (2 × 0.032 > 0.05).
    const base = [10, 11, 12, 13, 14, 15];
    const head = [8, 9, 10.5, 11.5, 12.5, 9.7];
    const alone = judgeCell(cell(base, head), settings);
    expect(alone.metrics[0]).toMatchObject({ pWorse: expect.closeTo(0.0325, 3), answer: 'regressed' });
    const together = judgeCells([cell(base, head, 'a'), cell(base, head, 'b')], settings);
    expect(together.map((j) => j.metrics[0]!.pAdjusted)).toEqual([2 * alone.metrics[0]!.pWorse, 2 * alone.metrics[0]!.pWorse]);
    expect(together.map((j) => j.answer)).toEqual(['inconclusive', 'inconclusive']);
    // A shard that sees one of the two cells adjusts as if the other's p were 1: no bolder than the whole gate.
    expect(judgeCells([cell(base, head, 'a')], { ...settings, familySize: 2 })[0]!.metrics[0]!.pAdjusted).toBe(2 * alone.metrics[0]!.pWorse);
  });

  it('pads a Holm family with unseen p-values as if they were 1', () => {
    expect(holm([0.01, 0.02], 0.05, 4).adjusted).toEqual(holm([0.01, 0.02, 1, 1], 0.05).adjusted.slice(0, 2));
    expect(() => holm([0.01, 0.02], 0.05, 1)).toThrow(RangeError);
  });

  it('knows the fewest pairs that can find a regression: smallest p × family ≤ α per look', () => {
    // Independent sides (a baseline): 1/C(2n, n).
    expect(smallestOneSidedP(4, 4)).toBeCloseTo(1 / 70, 15);
    expect(fewestDecisivePairs(4, 0.05 / 3, false)).toBe(5); // 4/70 = 0.057 > 0.0167 ≥ 4/252
    expect(fewestDecisivePairs(8, 0.05 / 3, false)).toBe(6); // 8/252 = 0.032 > 0.0167 ≥ 8/924
    // Paired (signed-rank): every sign one way, 1/2^n.
    expect(fewestDecisivePairs(4, 0.05 / 3, true)).toBe(8); // 4/128 = 0.031 > 0.0167 ≥ 4/256
    expect(fewestDecisivePairs(8, 0.05 / 3, true)).toBe(9); // 8/256 = 0.031 > 0.0167 ≥ 8/512
  });

  it('refuses a --repeat too small to decide (exit 2 naming why), and raises the default itself, saying so', () => {
    const err: string[] = [];
    const io = { err: (t: string) => void err.push(t) };
    expect(() => sizePairs({ repeat: '4' }, 0.05, 4, undefined, false, io)).toThrow(/--repeat: got '4', expected at least 5 pairs \(with 4 pairs the smallest one-sided p is 1\/C\(8, 4\) = 0\.014, × 4 hypotheses/);
    expect(() => sizePairs({ repeat: '7' }, 0.05, 4, undefined, true, io)).toThrow(/--repeat: got '7', expected at least 8 pairs \(with 7 pairs the smallest one-sided p is 1\/2\^7 = 0\.0078, × 4 hypotheses/);
    // The default: 8 pairs first, sized up to 80 over 3 looks; one look when --max-repeat is --repeat.
    expect(sizePairs({}, 0.05, 4, undefined, true, io)).toEqual({ repeat: 8, maxRepeat: 80, looks: 3 });
    expect(sizePairs({ repeat: '10', maxRepeat: '10' }, 0.05, 4, undefined, true, io)).toEqual({ repeat: 10, maxRepeat: 10, looks: 1 });
    expect(err).toEqual([]);
    const sized = sizePairs({}, 0.05, 400, undefined, true, io);
    expect(sized.repeat).toBe(fewestDecisivePairs(400, 0.05 / 3, true));
    expect(err.join('')).toMatch(/^gate: --repeat sized to 15 \(the default 8 is too few/); // 400/2^14 = 0.024 > 0.0167 ≥ 400/2^15
  });
});

describe('positive controls', () => {
  const control = POSITIVE_CONTROLS.find((c) => c.name === 'lost (no fault)')!;
  const cellWith = (verdict: Partial<CellResult['verdict']>, errors: CellResult['errors'] = []) => ({
    dir: '/cell', errors, verdict: { lost: 0, duplicates: 0, phantoms: 0, corruptFiles: 0, corruptRecords: 0, valid: true, ...verdict },
  }) as unknown as CellResult;

  it('is one per anomaly class: lost, lost under a crash, duplicates, corruption', () => {
    expect(POSITIVE_CONTROLS.map((c) => [c.name, c.expects])).toEqual([
      ['lost (no fault)', ['lost']], ['lost under a crash', ['lost']], ['duplicates', ['duplicates']], ['corruption', ['corruptFiles', 'corruptRecords']],
    ]);
  });

  it('is caught when its anomaly is found on a verdict, also a valid one (a variant that claims nothing), never on an unknown one', () => {
    expect(controlOutcome(control, cellWith({ lost: 84, valid: true }), 1, 'r')).toMatchObject({ found: 84, caught: true });
    expect(controlOutcome(control, cellWith({ lost: 3, valid: 'unknown' }, [{ source: 'nemesis', code: 'E_FAULT', message: 'kill did not fire' }] as CellResult['errors']), 1, 'r'))
      .toMatchObject({ found: 3, caught: false, why: 'verdict unknown (nemesis: kill did not fire)' });
    expect(controlOutcome(control, cellWith({ lost: 0 }), 1, 'r')).toMatchObject({ found: 0, caught: false, why: 'no lost found' });
  });

  it('runs once per gate: unsharded or in shard 1 only', () => {
    expect([null, { index: 1, count: 3 }, { index: 2, count: 3 }].map(runsControls)).toEqual([true, true, false]);
  });
});
