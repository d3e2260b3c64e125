import type { CellResult, RunResult } from '../../harness/result/result.js';
import { bytes } from '../../reports/format.js';
import { recommend } from '../../harness/analyze/recommend.js';
import { summarizeSweep } from '../../harness/analyze/sweep-summary.js';
import type { FaultEvent } from '../../harness/sdk/faults.js';

/** Hand-made results for report tests: fixed times, paths and numbers, so renders are stable. */

type CellPatch = {
  [K in keyof CellResult]?: CellResult[K] extends unknown[] ? CellResult[K] : CellResult[K] extends object ? Partial<CellResult[K]> : CellResult[K];
};

const noEvidence = { lost: [], duplicates: [], phantoms: [], corruptFiles: [] };

function cell(strategy: string, scenario: string, patch: CellPatch = {}): CellResult {
  const { verdict, io, locks, throughput, processes, guarantees, faults, counters, ...rest } = patch;
  const dirName = strategy.replace(/[^\w.=-]/g, '_');
  return {
    strategy,
    scenario,
    workers: 4,
    recordsPerWorker: 10,
    dir: `/runs/fixture/${dirName}/${scenario}`,
    guarantees: { noLostAcked: true, noDuplicates: true, noCorruption: true, ...guarantees },
    verdict: {
      attempted: 40, acked: 40, present: 40, lost: 0, duplicates: 0, phantoms: 0, corruptFiles: 0, corruptRecords: 0,
      unackedLost: 0, unackedAtCrash: 0, retried: 0, crashedProcesses: 0, ackWithoutAttempt: 0, tornLedgerLines: 0, malformedLedgerLines: 0, valid: true, unknownReasons: [], broken: [], evidence: noEvidence,
      ...verdict,
    },
    io: {
      bytesWritten: 347525, bytesRead: 335314, writeOps: 40, fsyncs: 80, renames: 40, filesCreated: 40,
      writeAmplification: 26.65, filesInData: 1, portBytesWritten: 311385,
      ...io,
    },
    locks: { acquisitions: 40, waitMsTotal: 1592.1, waitMsP50: 0.49, waitMsP99: 441.4, waitMsMax: 498.09, timeouts: 0, compromised: 0, staleTakeovers: 0, ...locks },
    throughput: { ackedPerSec: 11.1, wallMs: 3601, ackLatencyMsP50: 16.24, ackLatencyMsP99: 465.12, fractionOfLimit: 0.0038, finalizeMs: 0, parquetPerSec: 9.8, parquetMs: 4082, ...throughput },
    processes: { spawned: 4, failed: 0, timedOut: 0, ...processes },
    faults: { planned: [], kills: 0, crashPoints: 0, pauses: 0, ioErrors: 0, restarts: 0, log: [], ...faults },
    counters: { ...counters } as Record<string, number>,
    errors: [],
    ...rest,
  };
}

/** Four cells: a clean one, one with unclaimed losses, a failing one with faults, one with errors. */
export function fixtureResult(): RunResult {
  return {
    schemaVersion: 1,
    tool: { name: 'parquet-chaos', version: '0.1.0' },
    runId: '20260101-120000-s7-fixt',
    runDir: '/runs/fixture',
    startedAt: '2026-01-01T12:00:00.000Z',
    finishedAt: '2026-01-01T12:00:42.000Z',
    command: 'parquet-chaos run --strategy realtime,realtime:lock=none,checkpoint-batch:interval=10,./evil<script>.js --seed 7',
    config: {
      strategies: ['realtime', 'realtime:lock=none', 'checkpoint-batch:interval=10', './evil<script>.js'],
      scenarios: ['main-file-contention', 'buffer-crash', 'merge-race'],
      workers: 4, recordsPerWorker: 10, payloadBytes: 256, thinkMs: 0, seed: 7, codec: 'hyparquet',
      cellTimeoutMs: 120000, lockStaleMs: 5000, lockTimeoutMs: 60000, restart: 'retry', faults: 'default', redisUrl: null,
    },
    machine: { node: 'v20.20.2', platform: 'linux', arch: 'x64', cpus: 2, cpuModel: 'Test CPU @ 2.80GHz', memoryGiB: 24, fileSystem: 'ext4' },
    calibration: { method: 'fsync-append-4KiB', ops: 1177, durationMs: 406, opsPerSec: 2902, sameProcesses: [{ method: 'fsync-append-4KiB', processes: 4, ops: 3100, durationMs: 501, opsPerSec: 6188 }] },
    interrupted: false,
    cells: [
      cell('realtime', 'main-file-contention'),
      cell('realtime:lock=none', 'main-file-contention', {
        guarantees: { noLostAcked: false, noCorruption: false },
        verdict: { present: 28, lost: 12, evidence: { ...noEvidence, lost: ['w0-8', 'w0-9', 'w1-3'] } },
        io: { bytesWritten: 299008, filesCreated: 40, writeAmplification: 22.93 },
        locks: { acquisitions: 0, waitMsTotal: 0, waitMsP50: null, waitMsP99: null, waitMsMax: null },
        throughput: { ackedPerSec: 15.7, ackLatencyMsP99: 94.03, fractionOfLimit: 0.0054, wallMs: 2548 },
      }),
      cell('checkpoint-batch:interval=10', 'buffer-crash', {
        verdict: {
          acked: 30, present: 27, lost: 3, unackedLost: 4, unackedAtCrash: 9, retried: 5, crashedProcesses: 2,
          valid: false, broken: ['noLostAcked'], evidence: { ...noEvidence, lost: ['w1-4', 'w1-5', 'w2-9'] },
        },
        io: { bytesWritten: 52480, fsyncs: 6, renames: 4, filesCreated: 7, writeAmplification: 4.1, filesInData: 3 },
        locks: { acquisitions: 4, waitMsP99: 12.5 },
        throughput: { ackedPerSec: 48.2, ackLatencyMsP99: 210.7, fractionOfLimit: 0.0166, wallMs: 2500 },
        processes: { spawned: 6, failed: 2 },
        faults: {
          planned: [
            { id: 0, kind: 'pause', target: 'writer-2', at: 400, duration: 300 },
            { id: 1, kind: 'kill', target: 'writer-1', at: 850 },
            { id: 2, kind: 'crash-point', target: 'writer-1', point: 'checkpoint:flush', nth: 2 },
            { id: 3, kind: 'io-error', target: 'writer-3', op: 'rename', path: '', errno: 'EIO', probability: 0, nth: 9 },
          ],
          outcomes: [
            { id: 0, kind: 'pause', target: 'writer-2', fired: true, events: 1, blocking: false },
            { id: 1, kind: 'kill', target: 'writer-1', fired: true, events: 1, blocking: false },
            { id: 2, kind: 'crash-point', target: 'writer-1', fired: true, events: 1, blocking: false },
            { id: 3, kind: 'io-error', target: 'writer-3', fired: false, events: 0, reason: 'writer-3 performed no rename operation that the fault hit in its first life', blocking: true },
          ],
          kills: 1, pauses: 1, crashPoints: 1, restarts: 2,
          log: [
            { at: 0, kind: 'start', target: 'writers', action: 'all running', detail: 'fault times count from here' },
            { at: 400, kind: 'pause', target: 'writer-2', pid: 4102, action: 'SIGSTOP', detail: 'for 300 ms' },
            { at: 701, kind: 'pause', target: 'writer-2', pid: 4102, action: 'SIGCONT', detail: 'pause ended' },
            { at: 850, kind: 'kill', target: 'writer-1', pid: 4101, action: 'SIGKILL' },
            { at: 912, kind: 'restart', target: 'writer-1', action: 'restart #1', detail: 'previous pid 4101 died by SIGKILL' },
            { at: 1720, kind: 'crash-point', target: 'writer-1', pid: 4107, action: 'SIGKILL self', detail: 'at checkpoint:flush (hit 2)' },
            { at: 1788, kind: 'restart', target: 'writer-1', action: 'restart #2', detail: 'previous pid 4107 died by SIGKILL' },
          ],
        },
      }),
      cell('./evil<script>.js', 'merge-race', {
        verdict: { valid: 'unknown', present: 0, error: 'data/ could not be listed: EACCES', unknownReasons: ['the check could not run: data/ could not be listed: EACCES'] },
        io: { bytesWritten: 1048576, filesCreated: 120, filesInData: 118, writeAmplification: null },
        locks: { acquisitions: 0, waitMsP50: null, waitMsP99: null, waitMsMax: null },
        throughput: { ackedPerSec: 3.25, ackLatencyMsP99: 1530.5, fractionOfLimit: 0.0011, wallMs: 12000 },
        errors: [
          { source: 'writer-2', code: 'E_EXIT', message: 'exited with code 1: <boom> | see log' },
          { source: 'finalize', code: 'E_TIMEOUT', message: 'finalize did not end within 60000 ms' },
        ],
      }),
    ],
  };
}

/** The fixture plus a worker sweep of realtime and a checkpoint-interval sweep: every chart has data. */
export function sweepFixtureResult(): RunResult {
  const result = fixtureResult();
  result.cells.push(
    cell('realtime', 'main-file-contention', { workers: 8, throughput: { ackedPerSec: 9.4, ackLatencyMsP99: 980.2 }, locks: { waitMsP99: 951.6 } }),
    cell('realtime', 'main-file-contention', { workers: 16, throughput: { ackedPerSec: 7.8, ackLatencyMsP99: 2210.9 }, locks: { waitMsP99: 2190.3 } }),
    cell('checkpoint-batch:interval=5', 'buffer-crash', { verdict: { unackedAtCrash: 4, unackedLost: 2 }, throughput: { ackedPerSec: 31.6 } }),
    cell('checkpoint-batch:interval=20', 'buffer-crash', { verdict: { unackedAtCrash: 19, unackedLost: 8 }, throughput: { ackedPerSec: 57.9 } }),
  );
  return result;
}

/** The sweep fixture summarised as a sweep, with a recommendation over it: the recommend page. */
export function recommendFixtureResult(): RunResult {
  const result = sweepFixtureResult();
  const points = [...new Map(result.cells.map((c) => [`${c.strategy}|${c.scenario}|${c.workers}`, c])).values()];
  result.sweep = summarizeSweep(points, result.cells, 1);
  result.recommendation = recommend(result.sweep, result.sweep.workers, ['checkpoint-batch:interval=5', 'checkpoint-batch:interval=20', 'realtime'], ['realtime:lock=none'], {}, 'parquet',
    (strategy, workers) => result.cells.filter((c) => c.strategy === strategy && c.workers === workers));
  return result;
}

/**
 * The fixture plus a cell whose writers were slowed 150 times in 1.5 s (slow-io comes in hundreds)
 * and whose scenario planned a pause on a merger the strategy does not have (skipped).
 */
export function denseFaultsFixtureResult(): RunResult {
  const result = fixtureResult();
  const log: FaultEvent[] = [
    { at: 0, kind: 'start', target: 'writers', action: 'all running' },
    { at: 691, kind: 'pause', target: 'merger', action: 'skipped', detail: 'no such process in this cell' },
    ...Array.from({ length: 150 }, (_, i): FaultEvent => ({ at: 10 * i + (i % 3), kind: 'slow-io', target: `writer-${i % 2}`, action: 'delayed write +5 ms', detail: `data/main.parquet.tmp-${i}` })),
    { at: 805, kind: 'kill', target: 'writer-0', pid: 5001, action: 'SIGKILL' },
    { at: 812, kind: 'restart', target: 'writer-0', action: 'restart #1' },
  ];
  result.cells.push(cell('realtime', 'merge-race', {
    throughput: { wallMs: 1600 },
    faults: { planned: [], kills: 1, pauses: 0, crashPoints: 0, restarts: 1, log },
  }));
  return result;
}

/** For each chart id, texts it must show: the result's numbers as the charts print them. */
export function expectedChartTexts(result: RunResult): Record<string, string[]> {
  const cells = result.cells;
  return {
    'chart-throughput': cells.map((c) => `${c.throughput.ackedPerSec}/s`),
    'chart-latency': cells.flatMap((c) => [c.throughput.ackLatencyMsP99, c.locks.waitMsP99].flatMap((v) => (v === null ? [] : [`${v} ms`]))),
    'chart-bytes': cells.flatMap((c) => [bytes(c.io.bytesWritten), String(c.io.bytesWritten)]),
    'chart-files': cells.map((c) => `${c.io.filesCreated} created · ${c.io.filesInData} left`),
    'chart-risk': cells.flatMap((c) => [`unacked at crash: ${c.verdict.unackedAtCrash}`, `unacked and lost: ${c.verdict.unackedLost}`]),
    'chart-faults-2': ['pause @ 400', 'pause @ 701', 'kill @ 850', 'restart @ 912', 'crash-point @ 1720', 'writers', 'writer-1', 'writer-2', 'at checkpoint:flush (hit 2)'],
  };
}
