import { describe, expect, it } from 'vitest';
import { rateUpperBound, relativeSamples, simulateGate, type SequentialSettings } from '../harness/analyze/power.js';
import type { GateSample } from '../harness/analyze/gate.js';

const sample = (ackedPerSec: number, repeat = 1, side: 'base' | 'head' = 'base'): GateSample => ({
  side, strategy: 's', scenario: 'main-file-contention', workers: 4, repeat, seed: repeat, first: true, dir: '', valid: true,
  anomalies: { lost: 0, duplicates: 0, phantoms: 0, corruptFiles: 0, corruptRecords: 0 }, errors: [],
  metrics: { ackedPerSec, ackLatencyMsP99: 100 / ackedPerSec, lockWaitMsP99: null, parquetPerSec: ackedPerSec },
  counters: { fsyncsPerRecord: 1, bytesPerRecord: 100, lockAcquisitionsPerRecord: 1, filesLeft: 1 }, replay: '',
});

const settings: SequentialSettings = {
  repeat: 6, maxRepeat: 18, step: 6, alpha: 0.05, cells: 1, simulations: 200, seed: 7, slowdown: null,
  minEffect: { ackedPerSec: 0.1, ackLatencyMsP99: 0.2, lockWaitMsP99: 0.2, parquetPerSec: 0.1 },
  tolerances: { fsyncsPerRecord: { relative: 0.05, absolute: 0 }, bytesPerRecord: { relative: 0.05, absolute: 0 }, lockAcquisitionsPerRecord: { relative: 0.05, absolute: 0 }, filesLeft: { relative: 0, absolute: 0 } },
};

describe('the whole gate, simulated from A/A cells', () => {
  it('never alarms nor hesitates without noise, and catches a 50% slowdown at the first look', () => {
    const quiet = relativeSamples([[sample(100), sample(100), sample(100)]]);
    // Only the ±0.2% smoothing varies: about α of the gates see a worsening "beyond the noise", far below the minimum effect.
    const aa = simulateGate(quiet, settings);
    expect(aa).toMatchObject({ regressed: 0, inconclusive: 0, meanPairs: 6 });
    expect(aa.noChange + aa.belowMinimum).toBe(1);
    expect(simulateGate(quiet, { ...settings, slowdown: { metric: 'ackedPerSec', change: 0.5 } })).toMatchObject({ regressed: 1, caught: 1, meanPairs: 6 });
  });

  it('draws both sides of a simulated cell from one measured cell: counters that differ between cells are no false alarm', () => {
    const cheap = relativeSamples([[sample(100), sample(101), sample(99)]]);
    const dear = relativeSamples([[100, 101, 99].map((v) => ({ ...sample(v), counters: { ...sample(v).counters, fsyncsPerRecord: 5 } }))]);
    expect(simulateGate([...cheap, ...dear], { ...settings, simulations: 100 }).regressed).toBe(0);
  });

  it('takes more looks with noise, and catches a slowdown more often with more pairs', () => {
    const noisy = relativeSamples([[0.6, 0.8, 0.9, 1, 1, 1.1, 1.3, 1.6].map((v) => sample(100 * v))]);
    const slow = { ...settings, slowdown: { metric: 'ackedPerSec' as const, change: 0.3 } };
    const few = simulateGate(noisy, { ...slow, repeat: 4, maxRepeat: 4, step: 4 });
    const many = simulateGate(noisy, { ...slow, repeat: 20, maxRepeat: 60, step: 20 });
    expect(many.caught).toBeGreaterThan(few.caught);
    expect(many.meanPairs).toBeGreaterThan(20);
    // A/A with noise: some gates need more looks; false alarms stay near α (200 gates: ≤ 10% allows for chance).
    const aa = simulateGate(noisy, settings);
    expect(aa.meanPairs).toBeGreaterThan(6);
    expect(aa.regressed).toBeLessThanOrEqual(0.1);
  });

  it('keeps each cell\'s samples apart, each timing metric relative to the cell\'s median, leaving out incorrect samples', () => {
    const pool = relativeSamples([[sample(10), sample(20), sample(30), { ...sample(1000), valid: 'unknown' }], [sample(100), sample(200)]]);
    expect(pool.map((g) => g.map((s) => s.metrics.ackedPerSec))).toEqual([[10 / 25, 20 / 25, 30 / 25], [100 / 150, 200 / 150]]);
  });

  it('bounds a rate from k events in n trials (Clopper–Pearson, one-sided 95%)', () => {
    // 0 of 20: 1 − 0.05^(1/20) = 0.1391 (the "rule of three" gives about 3/20); 1 of 20: 0.2161.
    expect(rateUpperBound(0, 20)).toBeCloseTo(1 - 0.05 ** (1 / 20), 6);
    expect(rateUpperBound(1, 20)).toBeCloseTo(0.2161, 3);
  });
});
