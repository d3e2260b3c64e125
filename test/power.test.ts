import { describe, expect, it } from 'vitest';
import { rateUpperBound, relativePool, resampledAnswers } from '../harness/analyze/power.js';

describe('gate calibration by resampling', () => {
  const settings = { pairs: 6, minEffect: 0.1, alpha: 0.05, family: 4, better: 'higher' as const, simulations: 200, seed: 7 };

  it('finds every A/A "no change" and every halving "regressed" when there is no noise', () => {
    expect(resampledAnswers([1], { ...settings, change: 0 })).toEqual({ regressed: 0, noChange: 1, inconclusive: 0 });
    expect(resampledAnswers([1], { ...settings, change: 0.5 })).toEqual({ regressed: 1, noChange: 0, inconclusive: 0 });
  });

  it('has less power with more noise and more with more pairs', () => {
    const noisy = [0.6, 0.8, 0.9, 1, 1, 1.1, 1.3, 1.6];
    const few = resampledAnswers(noisy, { ...settings, change: 0.25 }).regressed;
    const many = resampledAnswers(noisy, { ...settings, change: 0.25, pairs: 40 }).regressed;
    expect(few).toBeLessThan(0.5);
    expect(many).toBeGreaterThan(few);
  });

  it('pools values relative to their own group\'s median', () => {
    expect(relativePool([[10, 20, 30], [100, 200]])).toEqual([0.5, 1, 1.5, 100 / 150, 200 / 150]);
  });

  it('bounds a rate from k events in n trials (Clopper–Pearson, one-sided 95%)', () => {
    // 0 of 20: 1 − 0.05^(1/20) = 0.1391 (the "rule of three" gives about 3/20); 1 of 20: 0.2161.
    expect(rateUpperBound(0, 20)).toBeCloseTo(1 - 0.05 ** (1 / 20), 6);
    expect(rateUpperBound(1, 20)).toBeCloseTo(0.2161, 3);
  });
});
