import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { beyondWorkers, choose, paretoFront, recommend, recommendedUse, referenceWorkers, type Candidate } from '../harness/analyze/recommend.js';
import { RECOMMEND_REFERENCES, recommendPoints } from '../harness/orchestrate/recommend-run.js';
import type { CellResult } from '../harness/result/result.js';
import type { SweepPointSummary, SweepSummary } from '../harness/analyze/sweep-summary.js';
import { answer, answerLines, evidenceRows, repeatsToSeparate, shortLabels, smallestP } from '../reports/recommend.js';
import { BUDGET_REPEATS, estimateSeconds, fitBudget, IDLE_SECONDS_PER_COST } from '../harness/orchestrate/recommend-run.js';
import { renderTable } from '../reports/table.js';
import { main } from '../harness/cli/cli.js';
import { recommendFixtureResult } from './support/result-fixture.js';

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

  it('adjusts the choice\'s comparisons for having picked the best of the eligible points on the same data', () => {
    // 5 eligible points: had another median been highest, its 4 comparisons would have been made instead.
    expect(rec.comparison.rivals).toHaveLength(4);
    expect(rec.comparison.family).toBe(5 * 4);
    // Holm's first step over 20: the smallest one-sided p × 20 (one-sided p of a rival ≥ its two-sided p ÷ 2).
    const first = Math.min(...rec.comparison.rivals.map((r) => r.pAdjusted));
    expect(first).toBeGreaterThanOrEqual(Math.min(1, 20 * Math.min(...rec.comparison.rivals.map((r) => r.p)) / 2) - 1e-12);
  });

  it('answers strategy, interval and workers, skipping points with an invalid repeat', () => {
    expect(rec.choice).toMatchObject({ strategy: 'checkpoint-batch:interval=10', interval: 10, workers: 20 });
    expect(rec.points.find((p) => p.strategy === 'queue')!.excluded).toEqual(['not every repeat valid']);
    expect(answerLines(rec, 3)).toEqual([
      'Use checkpoint-batch:interval=10 at 20 workers (checkpoint interval 10).',
      'It measured 63 records/s into Parquet (median, ranked on) and 70 acked/s, at most 6 records at risk per crash, lock wait p99 60 ms (under at most 8 records at risk per crash).',
      // The tied rivals' medians: interval 1 at 20 (27 of 63: −57%), interval 5 at 20 (−14%), interval 5 at 5 (−43%), realtime at 20 (−86%).
      '4 other eligible settings could not be told from it; their medians are within 86% of its.',
      // The choice was picked among 5 on these data: Holm over all 20 ordered pairs needs p ≤ 0.0025:
      // 2 / C(10, 5) = 0.0079 is not enough, 2 / C(12, 6) = 0.0022 is.
      'With 3 repeats no setting can be told from another (the smallest possible p, 0.10, is above α ÷ 20 (every ordered pair of the 5 eligible settings: the choice was picked on these data)); at least 6 repeats (3 more, --repeat 6) are needed to separate those 10% or more slower.',
    ]);
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
    // 2 repeats each: the interval is unbounded (3 vs 3 reaches the one-sided 5% exactly, since the tail fix): a ratio
    // anywhere in (0, ∞), written as such, not as "Infinity%".
    const two = recommendedUse(cellsAround(10, 2), cellsAround(60, 2), rtPoint, batchPoint);
    expect(two.batch).toContain('[−100%, +∞]');
    expect(two.batch).not.toContain('Infinity');
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
    expect(answer(rec)).toMatch(/^Use checkpoint-batch:interval=20 at 5 workers/);
    expect(rec.advice[0]!.evidence).toMatch(/^at 5 workers/);
    expect(rec.advice[2]).toMatchObject({ claim: 'at most 20 workers', verdict: 'not measured' });
  });
});

describe('recommend a person can act on', () => {
  it('knows the smallest p an exact Mann–Whitney test can reach, and the repeats Holm needs to reach α', () => {
    expect(smallestP(3)).toBeCloseTo(0.1, 10); // 2 / C(6, 3)
    expect(smallestP(5)).toBeCloseTo(2 / 252, 10);
    expect(repeatsToSeparate(0.05, 1)).toBe(4); // 2 / C(8, 4) = 0.029 ≤ 0.05; 3 repeats give 0.1
    expect(repeatsToSeparate(0.05, 29)).toBe(7); // ≤ 0.0017: C(12, 6) = 924 is too few, C(14, 7) = 3432 enough
  });

  it('labels settings short, with a legend that names each once, whatever the names', () => {
    const { short, legend } = shortLabels(['checkpoint-batch:interval=5', 'checkpoint-batch:interval=20', 'realtime', 'append-log', 'all-logs', './plugins/my-strategy.js:every=2']);
    expect(['checkpoint-batch:interval=5', 'realtime', 'append-log', 'all-logs', './plugins/my-strategy.js:every=2'].map(short)).toEqual(['CB:5', 'RE', 'AL', 'AL2', 'MS:2']);
    expect(legend).toContain('CB:20 checkpoint-batch:interval=20');
    expect(shortLabels(['not a spec :::']).short('not a spec :::')).toBeTruthy();
  });

  it('says when the rivals are equivalent within the minimum effect, not only that they are tied', () => {
    const rec = recommendFixtureResult().recommendation!;
    const equivalent = { ...rec, comparison: { ...rec.comparison, tied: rec.comparison.tied.map((r) => ({ ...r, answer: 'no change' as const })) } };
    expect(answerLines(equivalent, 8).join(' ')).toContain('They are equivalent to it within 10%: the data rule out a larger difference.');
    expect(answerLines(equivalent, 8).join(' ')).not.toContain('repeats (');
  });

  it('splits the rivals it did not show slower into equivalent within the minimum effect, undetermined, and better than the choice', () => {
    // Arrange: the fixture's rivals, answered one of each way by the gate's test.
    const rec = recommendFixtureResult().recommendation!;
    const answers = ['no change', 'inconclusive', 'improved', 'below minimum effect'] as const;
    const tied = rec.comparison.tied.map((r, i) => ({ ...r, answer: answers[i % answers.length]! }));
    const split = { ...rec, comparison: { ...rec.comparison, tied } };
    const better = tied.filter((r) => r.answer === 'improved');

    // Act
    const text = answerLines(split, 8).join(' ');
    const statuses = evidenceRows(split).rows.map((row) => row.at(-1));

    // Assert
    expect(better.length).toBeGreaterThan(0);
    expect(text).toContain(`${better.map((r) => `${r.strategy} at ${r.workers} workers`).join(', ')} ${better.length > 1 ? 'are' : 'is'} better than the choice`);
    expect(text).toContain(`${tied.length - better.length} other eligible settings could not be told from it`);
    expect(text).toMatch(/\d+ of them are equivalent to it within 10%/);
    expect(statuses).toEqual(expect.arrayContaining(['equivalent within 10%', 'undetermined (more repeats would tell)', 'better than the choice (shown)']));
  });

  it('fits its evidence in 80 columns with a label a line (the recommend run of the fixture)', () => {
    const result = recommendFixtureResult();
    const text = renderTable(result, undefined, { width: 80 });
    const lines = text.split('\n');
    expect(lines.filter((l) => l.length > 80)).toEqual([]);
    const evidence = lines.slice(lines.indexOf('Evidence (every candidate point):') + 1);
    const rows = evidenceRows(result.recommendation!, true).rows;
    // Each point is one line of the table: no label wrapped onto a second line.
    for (const row of rows) expect(evidence.some((l) => l.startsWith(`${row[0]!.padEnd(5)}`) && l.includes(row[8]!))).toBe(true);
    // The answer comes last, after the evidence, its first line the setting to use.
    const headline = lines.lastIndexOf('Recommendation');
    expect(headline).toBeGreaterThan(lines.indexOf('Evidence (every candidate point):'));
    expect(lines[headline + 1]).toBe('Use realtime at 4 workers.');
  });

  it('renders the recommendation within any terminal width from 20 to 400 columns, and never throws', () => {
    const result = recommendFixtureResult();
    fc.assert(fc.property(fc.integer({ min: 20, max: 400 }), (width) => {
      const lines = renderTable(result, undefined, { width }).split('\n');
      expect(lines.filter((l) => l.length > width)).toEqual([]);
    }), { numRuns: 60 });
  });

  it('estimates the run from the plan, with the constant measured for the defaults (99 cells, 336 s)', async () => {
    const candidates = [1, 5, 10, 20].map((i) => `checkpoint-batch:interval=${i}`).concat(['realtime', 'incremental-file', 'queue', 'lock-upgrade-with-fallback', 'log-commit', 'append-log']);
    const points = recommendPoints(candidates, [5, 10, 20]);
    expect(points.length * 3).toBe(99);
    expect(estimateSeconds(points, 3, 12)).toBeCloseTo(336, 6);
    expect(estimateSeconds(points, 6, 12)).toBeCloseTo(672, 6);
    expect(IDLE_SECONDS_PER_COST).toBeGreaterThan(0);
  });

  it('sizes the grid to --budget: more repeats when they fit, fewer worker counts only when 3 repeats do not, else refused', () => {
    const candidates = ['checkpoint-batch:interval=5', 'realtime'];
    const perRepeat = (w: number[]) => estimateSeconds(recommendPoints(candidates, w), 1, 12);
    const roomy = fitBudget(candidates, [5, 10], 12, (perRepeat([5, 10]) * 7.5) / 60);
    expect(roomy).toMatchObject({ workerCounts: [5, 10], repeat: 7 });
    expect(roomy.seconds).toBeLessThanOrEqual(perRepeat([5, 10]) * 7.5);
    expect(fitBudget(candidates, [5, 10], 12, 1e4).repeat).toBe(BUDGET_REPEATS.max);
    const tight = fitBudget(candidates, [20, 5, 10], 12, (perRepeat([5, 10]) * 3.2) / 60);
    expect(tight).toMatchObject({ workerCounts: [5, 10], repeat: 3 });
    expect(() => fitBudget(candidates, [5, 10], 12, (perRepeat([5]) * 2) / 60)).toThrow(/--budget: got '.*', expected at least .* minutes \(3 repeats at 5 workers/);
  });

  it('prints its plan and estimate before anything runs, and refuses a budget beside --repeat or too small to fit', async () => {
    const cli = async (...args: string[]) => {
      let err = '';
      const code = await main(['recommend', ...args], { out: () => undefined, err: (t) => { err += t; }, isTTY: false, env: {} });
      return { code, err };
    };
    // A --json path in a missing folder is refused before the first cell: the estimate came first.
    const plan = await cli('--json', '/nonexistent-folder/r.json');
    expect(plan.code).toBe(2);
    // Points: each candidate setting at each of the 3 worker counts (how many candidates follows the registry).
    const [, points, cells] = /^recommend: (\d+) points × 3 repeats = (\d+) cells at 5, 10, 20 workers; estimated \d+ min on an idle 2-core machine/.exec(plan.err) ?? [];
    expect(Number(points) % 3).toBe(0);
    expect(Number(cells)).toBe(Number(points) * 3);
    const fitted = await cli('--budget', '30', '--json', '/nonexistent-folder/r.json');
    const [, fittedPoints, repeats, fittedCells] = /^recommend: (\d+) points × (\d+) repeats = (\d+) cells at 5, 10, 20 workers \(to fit --budget 30\); estimated (?:2\d|30) min/.exec(fitted.err) ?? [];
    expect(fittedPoints).toBe(points);
    expect(Number(repeats)).toBeGreaterThan(3);
    expect(Number(fittedCells)).toBe(Number(points) * Number(repeats));
    expect(await cli('--budget', '5', '--repeat', '3')).toMatchObject({ code: 2, err: expect.stringContaining("--budget: got '5', expected no --repeat beside it") });
    expect(await cli('--budget', '0.05')).toMatchObject({ code: 2, err: expect.stringMatching(/--budget: got '0.05', expected at least \d/) });
    expect(await cli('--budget', 'soon')).toMatchObject({ code: 2, err: expect.stringContaining("--budget: got 'soon', expected a number of minutes") });
  }, 60_000);
});
