import { describe, expect, it } from 'vitest';
import { rateUpperBound, realPairs, simulateGate, type SequentialSettings } from '../harness/analyze/power.js';
import type { GateSample } from '../harness/analyze/gate.js';

const sample = (ackedPerSec: number, repeat = 1, side: 'base' | 'head' = 'base'): GateSample => ({
  side, strategy: 's', scenario: 'main-file-contention', workers: 4, repeat, seed: repeat, first: true, dir: '', valid: true,
  anomalies: { lost: 0, duplicates: 0, phantoms: 0, corruptFiles: 0, corruptRecords: 0 }, errors: [],
  metrics: { ackedPerSec, ackLatencyMsP99: 100 / ackedPerSec, lockWaitMsP99: null, parquetPerSec: ackedPerSec },
  counters: { fsyncsPerRecord: 1, bytesPerRecord: 100, lockAcquisitionsPerRecord: 1, filesLeft: 1 }, replay: '',
});

const settings: SequentialSettings = {
  repeat: 8, maxRepeat: 24, looks: 3, alpha: 0.05, cells: 1, simulations: 200, seed: 7, slowdown: null,
  minEffect: { ackedPerSec: 0.1, ackLatencyMsP99: 0.2, lockWaitMsP99: 0.2, parquetPerSec: 0.1 },
  tolerances: { fsyncsPerRecord: { relative: 0.05, absolute: 0 }, bytesPerRecord: { relative: 0.05, absolute: 0 }, lockAcquisitionsPerRecord: { relative: 0.05, absolute: 0 }, filesLeft: { relative: 0, absolute: 0 } },
};

/** A real A/A cell's samples from its pairs' acked/s (base, head). */
const cellOf = (pairs: readonly (readonly [number, number])[]) => pairs.flatMap(([b, h], i) => [sample(b, i + 1, 'base'), sample(h, i + 1, 'head')]);

describe('the whole gate, simulated from A/A pairs', () => {
  it('never alarms nor hesitates without noise, and catches a 50% slowdown at the first look', () => {
    const quiet = realPairs([cellOf([[100, 100], [100, 100], [100, 100]])]);
    // Only the ±0.2% smoothing varies: the sizing asks for no more than the first look, far below the minimum effect.
    const aa = simulateGate(quiet, settings);
    expect(aa).toMatchObject({ regressed: 0, inconclusive: 0, meanPairs: 8 });
    expect(aa.noChange + aa.belowMinimum).toBe(1);
    expect(simulateGate(quiet, { ...settings, slowdown: { metric: 'ackedPerSec', change: 0.5 } })).toMatchObject({ regressed: 1, caught: 1, meanPairs: 8 });
  });

  it('draws both sides of a simulated cell from one measured cell: counters that differ between cells are no false alarm', () => {
    const cheap = realPairs([cellOf([[100, 101], [99, 100]])]);
    const dear = realPairs([cellOf([[100, 101], [99, 100]]).map((s) => ({ ...s, counters: { ...s.counters, fsyncsPerRecord: 5 } }))]);
    expect(simulateGate([...cheap, ...dear], { ...settings, simulations: 100 }).regressed).toBe(0);
  });

  it('sizes each cell from its noise: more pairs with noise, and a slowdown caught more often with a higher cap', () => {
    const noisy = realPairs([cellOf([[50, 100], [100, 50], [70, 120], [120, 70], [80, 90], [90, 80], [100, 140], [140, 100]])]);
    const slow = { ...settings, slowdown: { metric: 'ackedPerSec' as const, change: 0.2 } };
    const one = simulateGate(noisy, { ...slow, maxRepeat: 8, looks: 1, simulations: 100 });
    const capped = simulateGate(noisy, { ...slow, maxRepeat: 60, simulations: 100 });
    expect(one.meanPairs).toBe(8);
    expect(capped.caught).toBeGreaterThan(one.caught);
    expect(capped.meanPairs).toBeGreaterThan(8);
    // A/A with noise: cells are sized past the first look; false alarms stay near α (100 gates: ≤ 10% allows for chance).
    const aa = simulateGate(noisy, { ...settings, maxRepeat: 60, simulations: 100 });
    expect(aa.meanPairs).toBeGreaterThan(8);
    expect(aa.regressed).toBeLessThanOrEqual(0.1);
  });

  it('keeps each cell\'s pairs apart, leaving out a pair with an incorrect side', () => {
    const broken = cellOf([[10, 11], [20, 21], [30, 31]]);
    broken[3] = { ...broken[3]!, valid: 'unknown' };
    const groups = realPairs([broken, cellOf([[100, 200]])]);
    expect(groups.map((g) => g.map(([b, h]) => [b.metrics.ackedPerSec, h.metrics.ackedPerSec]))).toEqual([[[10, 11], [30, 31]], [[100, 200]]]);
  });

  it('bounds a rate from k events in n trials (Clopper–Pearson, one-sided 95%)', () => {
    // 0 of 20: 1 − 0.05^(1/20) = 0.1391 (the "rule of three" gives about 3/20); 1 of 20: 0.2161.
    expect(rateUpperBound(0, 20)).toBeCloseTo(1 - 0.05 ** (1 / 20), 6);
    expect(rateUpperBound(1, 20)).toBeCloseTo(0.2161, 3);
  });
});
