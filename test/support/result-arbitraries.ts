import fc from 'fast-check';
import type { CellResult, RunResult } from '../../harness/result/result.js';
import type { FaultEvent } from '../../harness/sdk/faults.js';
import type { GateResult } from '../../harness/result/gate-result.js';
import type { SimCounterexample, SimSearch, SimSection } from '../../harness/result/sim-result.js';
import { gateCounterNames, gateMetricNames, judgeCells, type GateCounter, type GateSample, type Tolerance } from '../../harness/analyze/gate.js';
import { summarizeSweep } from '../../harness/analyze/sweep-summary.js';
import { recommend } from '../../harness/analyze/recommend.js';
import { fixtureResult } from './result-fixture.js';

/**
 * fast-check arbitraries for the result JSON's types (harness/result/): any text where the schema has a
 * string (long unbreakable names, punctuation, empty), any count or measure where it has a number, any
 * mix of verdicts, errors and faults. Sweeps, recommendations and gate judgements are derived from
 * arbitrary cells and samples by the same functions the commands use, so they are what a run can write.
 */

/** Names as users write them, and the unkind ones: unbreakable, with the wrap points, empty. */
export const text = fc.oneof(
  fc.string({ maxLength: 50 }),
  fc.constantFrom('realtime', 'checkpoint-batch:interval=5', 'main-file-contention', './strategies/my-plugin.ts:bug=off', '× → é ∞ —',
    'a'.repeat(130), `/tmp/${'deep/'.repeat(30)}result.json`, ''),
);
const shortText = fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom('realtime', 'queue', 'x'.repeat(70), 'checkpoint-batch:interval=20'));
const count = fc.oneof(fc.nat({ max: 50 }), fc.nat());
const measure = fc.oneof(fc.double({ min: 0, max: 1e12, noNaN: true }), fc.constantFrom(0, 0.0001, 123456789.123));
const maybe = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: null });
const validity = fc.constantFrom<CellResult['verdict']['valid']>(true, false, 'unknown');
const guarantees = fc.record({ noLostAcked: fc.boolean(), noDuplicates: fc.boolean(), noCorruption: fc.boolean() });

const verdict: fc.Arbitrary<CellResult['verdict']> = fc.record({
  attempted: count, acked: count, present: count, lost: count, duplicates: count, phantoms: count, corruptFiles: count, corruptRecords: count,
  unackedLost: count, unackedAtCrash: count, retried: count, crashedProcesses: count, ackWithoutAttempt: count, tornLedgerLines: count, malformedLedgerLines: count,
  valid: validity,
  unknownReasons: fc.array(text, { maxLength: 3 }),
  broken: fc.subarray(['noLostAcked', 'noDuplicates', 'noCorruption']),
  evidence: fc.record({ lost: fc.array(text, { maxLength: 4 }), duplicates: fc.array(text, { maxLength: 4 }), phantoms: fc.array(text, { maxLength: 2 }), corruptFiles: fc.array(text, { maxLength: 2 }) }),
  error: text,
}, { requiredKeys: ['attempted', 'acked', 'present', 'lost', 'duplicates', 'phantoms', 'corruptFiles', 'corruptRecords', 'unackedLost', 'unackedAtCrash', 'retried',
  'crashedProcesses', 'ackWithoutAttempt', 'tornLedgerLines', 'malformedLedgerLines', 'valid', 'unknownReasons', 'broken', 'evidence'] });

const eventKind = fc.constantFrom<FaultEvent['kind']>('kill', 'pause', 'latency', 'drop', 'partition', 'slow-io', 'io-error', 'crash-point', 'power-loss', 'start', 'restart', 'heal');
const faults: fc.Arbitrary<CellResult['faults']> = fc.record({
  planned: fc.constant([]),
  outcomes: fc.array(fc.record({ id: fc.nat(), kind: shortText, target: shortText, fired: fc.boolean(), events: count, blocking: fc.boolean(), reason: text }, { requiredKeys: ['id', 'kind', 'target', 'fired', 'events', 'blocking'] }), { maxLength: 4 }),
  kills: count, crashPoints: count, pauses: count, ioErrors: count, restarts: count,
  log: fc.array(fc.record({ at: measure, kind: eventKind, target: shortText, action: text, detail: text }, { requiredKeys: ['at', 'kind', 'target', 'action'] }), { maxLength: 4 }),
});

/** One cell; `names` narrows strategy, scenario and workers (a sweep's grid). */
export function cellArb(names: { strategy?: fc.Arbitrary<string>; scenario?: fc.Arbitrary<string>; workers?: fc.Arbitrary<number> } = {}): fc.Arbitrary<CellResult> {
  return fc.record({
    strategy: names.strategy ?? text,
    label: text,
    scenario: names.scenario ?? text,
    workers: names.workers ?? fc.integer({ min: 1, max: 5000 }),
    recordsPerWorker: count,
    repeat: fc.integer({ min: 1, max: 50 }),
    dir: text,
    guarantees,
    verdict,
    io: fc.record({ bytesWritten: count, bytesRead: count, writeOps: count, fsyncs: count, renames: count, filesCreated: count, writeAmplification: maybe(measure), filesInData: count, portBytesWritten: count }),
    locks: fc.record({ acquisitions: count, waitMsTotal: measure, waitMsP50: maybe(measure), waitMsP99: maybe(measure), waitMsMax: maybe(measure), timeouts: count, compromised: count, staleTakeovers: count }),
    throughput: fc.record({ ackedPerSec: measure, wallMs: measure, ackLatencyMsP50: maybe(measure), ackLatencyMsP99: maybe(measure), fractionOfLimit: maybe(measure), finalizeMs: measure, parquetPerSec: measure, parquetMs: maybe(measure) }),
    counters: fc.dictionary(shortText, count, { maxKeys: 3 }),
    processes: fc.record({ spawned: count, failed: count, timedOut: count }),
    faults,
    errors: fc.array(fc.record({ source: shortText, code: shortText, message: text }), { maxLength: 3 }),
  }, { requiredKeys: ['strategy', 'scenario', 'workers', 'recordsPerWorker', 'dir', 'guarantees', 'verdict', 'io', 'locks', 'throughput', 'counters', 'processes', 'faults', 'errors'] });
}

/** A run's result around `cells`: the fixture's provenance with arbitrary command and paths. */
function around(cells: CellResult[], command: string, runDir: string): RunResult {
  return { ...fixtureResult(), command, runDir, cells };
}

export const runResultArb: fc.Arbitrary<RunResult> = fc.tuple(fc.array(cellArb(), { maxLength: 6 }), text, text).map(([cells, command, runDir]) => around(cells, command, runDir));

/** Strategy specs a sweep can hold (recommend reads their options): names with or without options, long ones. */
const spec = fc.oneof(
  fc.stringMatching(/^[a-z][a-z0-9-]{0,20}(:[a-z]{1,8}=[0-9]{1,4}(,[a-z]{1,8}=[a-z0-9]{1,6})?)?$/),
  fc.constantFrom('checkpoint-batch:interval=5', 'checkpoint-batch:interval=200', `./${'plugins/'.repeat(8)}my-writer.js:mode=safe`, 'realtime:lock=none'),
);

/** A sweep with a recommendation over it, as `recommend` writes it: a grid of strategies × worker counts, each point repeated. */
export const recommendResultArb: fc.Arbitrary<RunResult> = fc.record({
  strategies: fc.uniqueArray(spec, { minLength: 1, maxLength: 4 }),
  workers: fc.uniqueArray(fc.integer({ min: 1, max: 64 }), { minLength: 1, maxLength: 3 }),
  repeat: fc.integer({ min: 1, max: 3 }),
  command: text,
}).chain(({ strategies, workers, repeat, command }) => {
  const grid = strategies.flatMap((strategy) => workers.map((w) => ({ strategy, scenario: 'buffer-crash', workers: w })));
  return fc.tuple(...grid.map((point) => fc.array(cellArb({ strategy: fc.constant(point.strategy), scenario: fc.constant(point.scenario), workers: fc.constant(point.workers) }),
    { minLength: repeat, maxLength: repeat }))).map((perPoint) => {
    const cells = perPoint.flat();
    const result = around(cells, command, '/runs/recommend');
    result.sweep = summarizeSweep(grid, cells, repeat);
    result.recommendation = recommend(result.sweep, workers, strategies.slice(0, -1).length ? strategies.slice(0, -1) : strategies, strategies.slice(-1), {}, 'parquet',
      (strategy, w) => cells.filter((c) => c.strategy === strategy && c.workers === w));
    return result;
  });
});

const simVerdict = verdict.map((v): SimCounterexample['verdict'] => v);
const counterexample: fc.Arbitrary<SimCounterexample> = fc.record({
  path: text,
  broken: fc.array(shortText, { maxLength: 3 }),
  plan: fc.record({ choices: fc.array(fc.nat(), { maxLength: 5 }), faults: fc.array(fc.record({ kind: shortText, step: fc.nat() }), { maxLength: 3 }), crash: fc.array(fc.nat(), { maxLength: 3 }) }),
  steps: fc.array(fc.record({ step: fc.nat(), t: measure, process: shortText, op: shortText, path: text, fault: shortText }, { requiredKeys: ['step', 't', 'process', 'op', 'path'] }), { maxLength: 6 }),
  fired: fc.array(fc.record({
    kind: fc.constantFrom('crash', 'power-loss', 'io-error', 'pause'), step: fc.nat(), phase: fc.constantFrom('writers', 'drain', 'finalize', 'end'), process: shortText, op: shortText, path: text,
    ms: measure, crash: fc.array(fc.record({ op: shortText, path: text, fate: fc.constantFrom('kept', 'dropped', 'torn'), keptBytes: count, bytes: count }, { requiredKeys: ['op', 'path', 'fate'] }), { maxLength: 3 }),
  }, { requiredKeys: ['kind', 'step', 'phase', 'process', 'op', 'path'] }), { maxLength: 3 }),
  lost: fc.array(fc.record({ id: shortText, ackedAtStep: fc.nat(), by: shortText }), { maxLength: 4 }),
  verdict: simVerdict,
  replay: text,
});
const search: fc.Arbitrary<SimSearch> = fc.record({
  target: fc.constantFrom('claimed', 'unclaimed'), schedules: count, judged: count, vacuous: count, unknown: count, firstError: text, shrinks: count,
  coverage: fc.dictionary(shortText, fc.record({ planned: count, fired: count, byPhase: fc.record({ writers: count, drain: count, finalize: count }, { requiredKeys: [] }) }), { maxKeys: 3 }),
  elapsedMs: measure, counterexample,
}, { requiredKeys: ['target', 'schedules', 'judged', 'vacuous', 'unknown', 'shrinks', 'coverage', 'elapsedMs'] });

/** A `sim` result: a search or a replay, passing or with a counterexample. */
export const simResultArb: fc.Arbitrary<RunResult> = fc.record({
  strategy: text, guarantees,
  model: fc.record({ name: shortText, summary: text, standsFor: text, sources: fc.array(text, { maxLength: 2 }) }),
  workers: fc.integer({ min: 1, max: 64 }), records: count, payloadBytes: count, thinkMs: measure, seed: fc.nat(), runs: count,
  faults: fc.array(shortText, { maxLength: 3 }),
  lock: fc.record({ kind: fc.constantFrom('lease', 'kernel'), staleMs: measure, timeoutMs: measure }),
  maxSteps: count, mode: fc.constantFrom('search', 'replay'), verdict: fc.constantFrom('pass', 'violation', 'unknown'), minJudgedShare: fc.double({ min: 0, max: 1, noNaN: true }),
  unknownReasons: fc.array(text, { maxLength: 2 }),
  searches: fc.array(search, { minLength: 1, maxLength: 2 }),
}, { requiredKeys: ['strategy', 'guarantees', 'model', 'workers', 'records', 'payloadBytes', 'thinkMs', 'seed', 'runs', 'faults', 'lock', 'maxSteps', 'mode', 'verdict', 'minJudgedShare', 'searches'] })
  .map((sim: SimSection) => ({ ...around([], 'parquet-chaos sim', '/runs/sim'), sim }));

const sample = (side: GateSample['side'], repeat: number): fc.Arbitrary<GateSample> => fc.record({
  valid: validity,
  anomalies: fc.record({ lost: fc.nat({ max: 3 }), duplicates: fc.nat({ max: 3 }), phantoms: fc.nat({ max: 3 }), corruptFiles: fc.nat({ max: 3 }), corruptRecords: fc.nat({ max: 3 }) }),
  errors: fc.array(text, { maxLength: 2 }),
  metrics: fc.tuple(...gateMetricNames.map(() => maybe(fc.double({ min: 0.001, max: 1e6, noNaN: true })))),
  counters: fc.tuple(...gateCounterNames.map(() => maybe(fc.nat({ max: 1000 })))),
  strategy: shortText, dir: text, replay: text,
}).map((s) => ({
  side, repeat, seed: repeat, first: side === 'base', scenario: 'main-file-contention', workers: 4, strategy: s.strategy, dir: s.dir, replay: s.replay, valid: s.valid, errors: s.errors,
  anomalies: s.anomalies as GateSample['anomalies'],
  metrics: Object.fromEntries(gateMetricNames.map((m, i) => [m, s.metrics[i]!])) as GateSample['metrics'],
  counters: Object.fromEntries(gateCounterNames.map((k, i) => [k, s.counters[i]!])) as GateSample['counters'],
}));

/** A gate's result: its cells judged by the gate's own functions from arbitrary pairs, any outcome, controls caught or not. */
const gateShape = fc.record({
  cells: fc.array(fc.record({ scenario: text, workers: fc.integer({ min: 1, max: 5000 }), pairs: fc.integer({ min: 1, max: 6 }) }), { minLength: 0, maxLength: 3 }),
  controls: fc.array(fc.record({ name: text, strategy: text, scenario: shortText, caught: fc.boolean(), found: count, why: text, dir: text, replay: text }), { maxLength: 4 }),
  outcome: fc.constantFrom<GateResult['outcome']>('pass', 'regressed', 'correctness', 'control missed', 'inconclusive', 'stopped', 'interrupted'),
  reasons: fc.array(text, { maxLength: 3 }),
  head: text, base: maybe(text), command: text, gateDir: text, inconclusiveOk: fc.boolean(), timing: fc.boolean(),
});

const TOLERANCES = Object.fromEntries(gateCounterNames.map((k) => [k, { relative: 0.1, absolute: 1 }])) as Record<GateCounter, Tolerance>;
const MIN_EFFECT = { ackedPerSec: 0.1, parquetPerSec: 0.1, ackLatencyMsP99: 0.2, lockWaitMsP99: 0.2 };

export const gateResultArb: fc.Arbitrary<GateResult> = gateShape.chain((g) => fc.tuple(...g.cells.map((c) => fc.tuple(...Array.from({ length: c.pairs }, (_, i) => fc.tuple(sample('base', i + 1), sample('head', i + 1)))))).map((pairs): GateResult => {
  const samples = pairs.map((cell) => cell.flat());
  const judged = judgeCells(samples, { alpha: 0.025, minEffect: MIN_EFFECT, tolerances: TOLERANCES, timing: g.timing, paired: true });
  return {
    schemaVersion: 1, kind: 'gate', tool: { name: 'parquet-chaos', version: '0.1.0', build: 'abcdef012345' }, command: g.command,
    mode: g.base === null ? 'head only' : 'a/b', startedAt: '2026-01-01T12:00:00.000Z', finishedAt: '2026-01-01T12:10:00.000Z', gateDir: g.gateDir,
    machine: fixtureResult().machine,
    config: {
      base: g.base, head: g.head, scenarios: g.cells.map((c) => c.scenario), workers: g.cells.map((c) => c.workers), repeat: 5, maxRepeat: 15, looks: 3,
      alpha: 0.05, alphaPerLook: 0.05 / 3, minEffect: MIN_EFFECT, tolerances: TOLERANCES, inconclusiveOk: g.inconclusiveOk,
      run: fixtureResult().config,
    },
    runs: [g.gateDir], controlsPlanned: g.controls.length,
    controls: g.controls.map((c) => ({ ...c, workers: 2, seed: 1, expects: ['lost'] })),
    cells: g.cells.map((c, i) => ({ ...judged[i]!, scenario: c.scenario, workers: c.workers, pairs: c.pairs, looks: 1, samples: samples[i]! })),
    outcome: g.outcome, exitCode: g.outcome === 'pass' ? 0 : 1, reasons: g.reasons,
  };
}));
