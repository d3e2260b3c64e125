import { describe, expect, it } from 'vitest';
import { beyondWorkers, choose, paretoFront, recommend, recommendedUse, referenceWorkers, type Candidate } from '../harness/analyze/recommend.js';
import { RECOMMEND_REFERENCES, recommendPoints } from '../harness/orchestrate/recommend-run.js';
import type { CellResult } from '../harness/result/result.js';
import type { SweepPointSummary, SweepSummary } from '../harness/analyze/sweep-summary.js';
import { answer } from '../reports/recommend.js';

/** A candidate whose end-to-end rate is its ack rate unless given. */
const candidate = (strategy: string, workers: number, ackedPerSec: number, atRisk: number | null, lockWaitMsP99: number | null, allValid = true, parquetPerSec = ackedPerSec): Candidate =>
  ({ strategy, workers, ackedPerSec, parquetPerSec, atRisk, lockWaitMsP99, runs: 3, allValid, excluded: [], pareto: false });

const estimate = (median: number) => ({ n: 3, median, lo: median, hi: median, confidence: 0.75 });

/** A point summary with the given medians; every metric not given is unmeasured. */
function point(strategy: string, workers: number, m: { speed: number; risk: number | null; lock?: number; lost?: number; valid?: number }): SweepPointSummary {
  const metrics = Object.fromEntries(['ackedPerSec', 'parquetPerSec', 'lockWaitMsP99', 'lost', 'lostFraction', 'unackedAtCrashPerCrash'].map((k) => [k, null])) as SweepPointSummary['metrics'];
  Object.assign(metrics, {
    ackedPerSec: estimate(m.speed), parquetPerSec: estimate(m.speed * 0.9), lost: estimate(m.lost ?? 0), lostFraction: estimate((m.lost ?? 0) / 60),
    ...(m.lock === undefined ? {} : { lockWaitMsP99: estimate(m.lock) }), ...(m.risk === null ? {} : { unackedAtCrashPerCrash: estimate(m.risk) }),
  });
  return { strategy, scenario: 'buffer-crash', workers, runs: 3, valid: m.valid ?? 3, atRiskMax: m.risk, metrics };
}

describe('Pareto front and choice', () => {
  const fast = candidate('checkpoint-batch:interval=20', 10, 90, 12, 40);
  const balanced = candidate('checkpoint-batch:interval=5', 10, 70, 4, 30);
  const safe = candidate('realtime', 5, 20, 0, 400);
  const dominated = candidate('checkpoint-batch:interval=10', 20, 60, 6, 50);
  const broken = candidate('queue', 20, 200, 0, 1, false);
  const points = [fast, balanced, safe, dominated, broken];

  it('keeps the valid points no other valid point beats on every objective', () => {
    expect(paretoFront(points)).toEqual([fast, balanced, safe]);
  });

  it('picks the highest median throughput among valid points that meet the constraints', () => {
    expect(choose(points, {})).toBe(fast);
    expect(choose(points, { maxAtRisk: 5 })).toBe(balanced);
    expect(choose(points, { maxAtRisk: 5, maxLockWaitP99: 25 })).toBeNull();
    expect(choose(points, { maxAtRisk: 0 })).toBe(safe);
  });

  it('ranks on records durable in Parquet by default, on acks when asked', () => {
    // Acks fast but drains slowly into Parquet (a deferred consumer), against one that writes Parquet as it acks.
    const deferred = candidate('queue', 8, 400, 0, 1, true, 150);
    const direct = candidate('log-commit', 8, 250, 0, 1, true, 240);
    expect(choose([deferred, direct], {})).toBe(direct);
    expect(choose([deferred, direct], {}, 'ack')).toBe(deferred);
    expect(paretoFront([deferred, direct])).toEqual([direct]);
    expect(paretoFront([deferred, direct], 'ack')).toEqual([deferred]);
  });
});

/** Cells whose rates spread ±3% around a point's median speed (the end-to-end rate 0.9× of it), `repeats` of them. */
const cellsAround = (speed: number, repeats: number): CellResult[] => Array.from({ length: repeats }, (_, i) => {
  const v = speed * (0.97 + (0.06 * i) / Math.max(1, repeats - 1));
  return { throughput: { ackedPerSec: v, parquetPerSec: v * 0.9 }, verdict: { crashedProcesses: 0 } } as unknown as CellResult;
});
const cellsFrom = (summary: SweepSummary, repeats: number) => (strategy: string, workers: number) => {
  const p = summary.points.find((x) => x.strategy === strategy && x.workers === workers);
  return p ? cellsAround(p.metrics.ackedPerSec!.median, repeats) : [];
};

describe('recommend', () => {
  const summary: SweepSummary = {
    strategies: [], scenarios: ['buffer-crash'], workers: [5, 20, 40], repeat: 3, method: 'test',
    points: [
      point('checkpoint-batch:interval=1', 20, { speed: 30, risk: 1, lock: 200 }),
      point('checkpoint-batch:interval=5', 20, { speed: 60, risk: 3, lock: 80 }),
      point('checkpoint-batch:interval=10', 20, { speed: 70, risk: 6, lock: 60 }),
      point('checkpoint-batch:interval=20', 20, { speed: 75, risk: 15, lock: 50 }),
      point('checkpoint-batch:interval=5', 5, { speed: 40, risk: 2, lock: 10 }),
      point('checkpoint-batch:interval=5', 40, { speed: 55, risk: 3, lock: 300 }),
      point('realtime', 20, { speed: 10, risk: 0, lock: 900 }),
      point('queue', 20, { speed: 99, risk: 0, lock: 5, valid: 2 }),
      point('realtime:lock=none', 20, { speed: 40, risk: 0, lost: 30 }),
      point('checkpoint-batch:buffer=shared', 20, { speed: 80, risk: 0, lost: 6 }),
    ],
  };
  const candidates = ['checkpoint-batch:interval=1', 'checkpoint-batch:interval=5', 'checkpoint-batch:interval=10', 'checkpoint-batch:interval=20', 'realtime', 'queue'];
  const references = ['realtime:lock=none', 'checkpoint-batch:buffer=shared'];
  const rec = recommend(summary, [5, 20], candidates, references, { maxAtRisk: 8 }, 'parquet', cellsFrom(summary, 3));

  it('answers strategy, interval and workers, skipping points with an invalid repeat', () => {
    expect(rec.choice).toMatchObject({ strategy: 'checkpoint-batch:interval=10', interval: 10, workers: 20 });
    expect(rec.points.find((p) => p.strategy === 'queue')!.excluded).toEqual(['not every repeat valid']);
    expect(answer(rec)).toContain('Use checkpoint-batch:interval=10 with 20 workers (checkpoint interval 10): 63 records/s into Parquet (median, ranked on), 70 acked/s, at risk per crash 6 (worst repeat), lock wait p99 60 ms under at most 8 records at risk per crash. ' +
      'The data cannot tell it from 4 other eligible settings (none shown slower by 10% at α = 0.05, Holm-adjusted): checkpoint-batch:interval=1 at 20 workers (−57% [−∞, +∞], p = 0.10)');
  });

  it('measures the seed table at 20 workers and checks the advice with numbers', () => {
    expect(rec.referenceWorkers).toBe(20);
    const conflict = rec.seedTable.rows.find((r) => r.aspect === 'concurrency-conflict risk')!;
    expect([conflict.realtime, conflict.batch]).toEqual([0.5, 0.1]);
    expect(rec.advice.map((a) => a.verdict)).toEqual(['holds', 'holds', 'holds']);
    expect(rec.advice[2]!.evidence).toContain('20 → 40 workers: acked/s 60.0 [60.0, 60.0] → 55.0 [55.0, 55.0]');
  });

  it('asks the same of another pair of batch and real-time writers (recommend --family pandas): the same numbers, their labels', () => {
    // Arrange: the built-in summary with every label renamed to the pandas writers'
    const rename = (label: string) => label.replace(/^checkpoint-batch/, 'pandas-checkpoint').replace(/^realtime/, 'pandas-realtime');
    const pandas = { ...summary, points: summary.points.map((p) => ({ ...p, strategy: rename(p.strategy) })) };
    const pair = { batch: 'pandas-checkpoint', realtime: 'pandas-realtime' };

    // Act
    const asPandas = recommend(pandas, [5, 20], candidates.map(rename), ['pandas-realtime:lock=none'], { maxAtRisk: 8 }, 'parquet', cellsFrom(pandas, 3), pair);

    // Assert: the choice, the seed table and the advice are the built-ins' under the pandas names
    expect(asPandas.choice).toMatchObject({ strategy: 'pandas-checkpoint:interval=10', interval: 10, workers: 20 });
    expect([asPandas.seedTable.realtime, asPandas.seedTable.batch]).toEqual(['pandas-realtime', 'pandas-checkpoint:interval=5']);
    expect(asPandas.seedTable.rows.map((r) => [r.realtime, r.batch])).toEqual(rec.seedTable.rows.map((r) => [r.realtime, r.aspect === 'concurrency-conflict risk' ? null : r.batch]));
    expect(asPandas.advice).toEqual(rec.advice.map((a) => ({ ...a, evidence: a.evidence.replaceAll('checkpoint-batch', 'pandas-checkpoint') })));
    // Without the pair, the seed table looks for the built-ins' labels and finds none of them
    const unpaired = recommend({ ...pandas, workers: [5] }, [5], candidates.map(rename), [], {}, 'parquet', cellsFrom(pandas, 3));
    expect(unpaired.seedTable.batch).toBe('checkpoint-batch:interval=5');
    expect(unpaired.advice.map((a) => a.verdict)).toEqual(['not measured', 'not measured', 'not measured']);
  });

  it('says which settings the data cannot tell from the choice, instead of deciding on medians', () => {
    // 3 repeats: the smallest two-sided Mann–Whitney p is 0.1, so nothing is told apart.
    expect(rec.comparison.tied.map((r) => `${r.strategy}@${r.workers}`).sort()).toEqual([
      'checkpoint-batch:interval=1@20', 'checkpoint-batch:interval=5@20', 'checkpoint-batch:interval=5@5', 'realtime@20',
    ]);
    // 8 repeats, ±3% noise: realtime (−86%) and interval 1 (−57%) are slower beyond doubt, interval 5 (−14%) too.
    const eight = recommend(summary, [5, 20], candidates, references, { maxAtRisk: 8 }, 'parquet', cellsFrom(summary, 8));
    expect(eight.comparison.rivals.map((r) => [r.strategy, r.answer])).toEqual(expect.arrayContaining([['realtime', 'regressed'], ['checkpoint-batch:interval=1', 'regressed']]));
    expect(eight.comparison.tied).toEqual([]);
    // Without the risk constraint interval 20 (72) wins on its median, but interval 10 (70) is within the minimum effect: tied.
    const close = recommend({ ...summary, points: summary.points.map((p) => (p.strategy.endsWith('=20') ? point(p.strategy, 20, { speed: 72, risk: 15, lock: 50 }) : p)) }, [5, 20], candidates, references, {}, 'parquet', cellsFrom(summary, 8));
    expect(close.choice!.strategy).toBe('checkpoint-batch:interval=20');
    expect(close.comparison.tied.map((r) => r.strategy)).toEqual(['checkpoint-batch:interval=10']);
  });

  it('writes the seed table\'s "recommended use" row from the measured comparison', () => {
    const [rtPoint, batchPoint] = [point('realtime', 20, { speed: 10, risk: 1 }), point('checkpoint-batch:interval=5', 20, { speed: 60, risk: 3 })];
    const use = recommendedUse(cellsAround(10, 8), cellsAround(60, 8), rtPoint, batchPoint);
    expect(use.batch).toMatch(/^large test campaigns: faster \(batch \+\d+% acked\/s/);
    expect(use.realtime).toMatch(/^few, critical records where redoing work is costly: at risk per crash: realtime 1, batch 3/);
    const same = recommendedUse(cellsAround(60, 8), cellsAround(60, 8), rtPoint, batchPoint);
    expect(same.batch).toMatch(/^no measured speed reason to batch at this size/);
    // 3 repeats each: the interval is unbounded, and it is written as such, not as "Infinity%".
    const three = recommendedUse(cellsAround(10, 3), cellsAround(60, 3), rtPoint, batchPoint);
    expect(three.batch).toContain('[−∞, +∞]');
    expect(three.batch).not.toContain('Infinity');
  });
});

describe('recommend answers only with worker counts it was asked for', () => {
  const candidates = ['checkpoint-batch:interval=1', 'checkpoint-batch:interval=5', 'checkpoint-batch:interval=10', 'checkpoint-batch:interval=20', 'realtime'];
  /** The summary a run of recommendPoints would give: every planned point measured, more workers a little faster. */
  const measured = (workerCounts: number[]): SweepSummary => {
    const planned = recommendPoints(candidates, workerCounts);
    const interval = (s: string) => Number(/interval=(\d+)/.exec(s)?.[1] ?? 0);
    return {
      strategies: [...new Set(planned.map((p) => p.strategy))], scenarios: ['buffer-crash'], repeat: 2, method: 'test',
      workers: [...new Set(planned.map((p) => p.workers))].sort((a, b) => a - b),
      points: planned.map((p) => point(p.strategy, p.workers, { speed: 10 + p.workers + interval(p.strategy), risk: interval(p.strategy), lock: 5 })),
    };
  };

  it.each([
    // [asked, reference, planned beyond]
    [[5], 5, []],
    [[5, 10], 10, []],
    [[5, 10, 20], 20, [40]],
    [[20], 20, [40]],
    [[10, 20, 40], 20, []],
    [[30, 50], 50, []],
  ])('workers %j: reference %i, measured beyond %j', (asked, reference, beyond) => {
    // Arrange
    const planned = recommendPoints(candidates, asked);

    // Act
    const rec = recommend(measured(asked), asked, candidates, [...RECOMMEND_REFERENCES], {}, 'parquet', cellsFrom(measured(asked), 3));

    // Assert: one definition for planning and judging; nothing chosen or tabled at an unasked count.
    expect(referenceWorkers(asked)).toBe(reference);
    expect(beyondWorkers(asked)).toEqual(beyond);
    expect(new Set(planned.map((p) => p.workers))).toEqual(new Set([...asked, ...beyond]));
    expect(planned.filter((p) => RECOMMEND_REFERENCES.includes(p.strategy)).map((p) => p.workers)).toEqual(RECOMMEND_REFERENCES.map(() => reference));
    expect(rec.referenceWorkers).toBe(reference);
    expect(asked).toContain(rec.choice!.workers);
    expect(rec.points.every((p) => asked.includes(p.workers))).toBe(true);
    expect(rec.seedTable.rows.find((r) => r.measure === 'acked records per second')).toMatchObject({ realtime: expect.any(Number), batch: expect.any(Number) });
    expect(rec.advice.slice(0, 2).map((a) => a.verdict)).not.toContain('not measured');
  });

  it('--workers 5 answers at 5 workers, with the seed table and the interval advice measured there', () => {
    const rec = recommend(measured([5]), [5], candidates, [...RECOMMEND_REFERENCES], {}, 'parquet', cellsFrom(measured([5]), 3));
    expect(answer(rec)).toMatch(/^Use checkpoint-batch:interval=20 with 5 workers/);
    expect(rec.advice[0]!.evidence).toMatch(/^at 5 workers/);
    expect(rec.advice[2]).toMatchObject({ claim: 'at most 20 workers', verdict: 'not measured' });
  });
});
