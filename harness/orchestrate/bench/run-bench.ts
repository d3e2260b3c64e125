/**
 * `parquet-chaos bench`: how far each safe strategy is from what this machine can do, what the harness
 * itself costs, how fast the checker is, how long the default matrix takes, and what the power-loss
 * layer (crashfs) costs an fsync'd append. Repeats are interleaved
 * (every strategy once per repeat, in a seeded shuffled order) so that drift in the machine's speed
 * favours none.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { execa } from 'execa';
import { strategyNames } from '../../../strategies/index.js';
import { calibrate } from '../../measure/calibrate.js';
import { measureAppendLimit } from '../../measure/append-limit.js';
import { machineFacts } from '../../measure/machine.js';
import { toolVersion } from '../../measure/package-info.js';
import { Random } from '../../sdk/random.js';
import type { BenchCell, BenchResult, CheckerBench, CrashfsBench, StartBench } from '../../result/bench.js';
import { measureLayerCost } from '../../fuse/cost.js';
import { fuseProblem } from '../../fuse/requirements.js';
import type { CellResult, RunResult } from '../../result/result.js';
import type { RoleKind } from '../../sdk/strategy.js';
import { runCell } from '../cell.js';
import { loadStrategy } from '../load-strategy.js';
import { defaultRunConfig } from '../run-config.js';
import { resolveScenario } from '../run.js';
import { nodeCommand } from '../supervise.js';
import { writeCheckerFixture } from './checker-fixture.js';
import { benchProtocol } from './protocol-cost.js';

export const BENCH_PARTS = ['strategies', 'overhead', 'checker', 'start', 'protocol', 'crashfs'] as const;
export type BenchPart = (typeof BENCH_PARTS)[number];

export interface BenchOptions {
  outDir: string;
  command: string;
  workers: number;
  records: number;
  repeat: number;
  seed: number;
  parts: readonly BenchPart[];
  /** Strategies to measure; default: every built-in strategy that claims no lost acked record. */
  strategies?: string[];
  /** The strategy whose cells compare the instrumented and the raw I/O port. */
  overheadStrategy: string;
  /** Cells of each port in the overhead part (interleaved pairs), and records per writer in them. */
  overheadRepeat: number;
  overheadRecords: number;
  checkerRecords: number;
  /** Records per writer in the protocol part's Python reference writers' cells (its no-op cells use `records`), and which writers (default: every bundled one). */
  protocolRecords: number;
  pythonWriters?: string[];
  /** Interleaved rounds of the crashfs part, and fsync'd 4 KiB appends in each round of each side. */
  crashfsRounds: number;
  crashfsAppends: number;
  signal?: AbortSignal;
  progress(line: string): void;
}

export const BENCH_SCENARIO = 'main-file-contention';

/** Built-in strategies that claim no lost acked record with their default options. */
export async function safeStrategies(): Promise<string[]> {
  const claims = await Promise.all(strategyNames.map(async (name) => (await loadStrategy(name)).guarantees.noLostAcked));
  return strategyNames.filter((_, i) => claims[i]);
}

function shuffled<T>(items: readonly T[], random: Random): T[] {
  const order = [...items];
  for (let i = order.length - 1; i > 0; i--) {
    const j = random.int(i + 1);
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  return order;
}

export async function runBench(options: BenchOptions): Promise<BenchResult> {
  const runDir = resolve(options.outDir, `bench-${new Date().toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15)}-s${options.seed}`);
  mkdirSync(runDir, { recursive: true });
  const result: BenchResult = {
    benchVersion: 1, tool: { name: 'parquet-chaos', version: toolVersion() }, command: options.command, runDir,
    startedAt: new Date().toISOString(), finishedAt: '', machine: machineFacts(runDir),
    config: { workers: options.workers, records: options.records, repeat: options.repeat, seed: options.seed, scenario: BENCH_SCENARIO, parts: [...options.parts] },
    oneProcessLimit: null, strategies: [], overhead: null, checker: null, start: null, protocol: null, crashfs: null, interrupted: false,
  };
  const save = () => writeFileSync(join(runDir, 'bench.json'), `${JSON.stringify(result, null, 2)}\n`);
  const stopped = () => Boolean(options.signal?.aborted);
  const has = (part: BenchPart) => options.parts.includes(part);

  const { opsPerSec, ops, durationMs } = calibrate(runDir);
  result.oneProcessLimit = { method: 'fsync-append-4KiB', processes: 1, ops, durationMs, opsPerSec };

  /** One cell of `strategy` between two measurements of the limit with as many processes as writers. */
  const measuredCell = async (strategy: string, repeat: number, folder: string, rawIo = false, records = options.records): Promise<BenchCell> => {
    const loaded = await loadStrategy(strategy);
    const config = { ...defaultRunConfig(), strategies: [strategy], scenarios: [BENCH_SCENARIO], workers: options.workers, recordsPerWorker: records, seed: options.seed + repeat - 1, faults: 'none' };
    const limitBefore = await measureAppendLimit(runDir, options.workers);
    const cell = await runCell({ strategy: loaded, scenario: resolveScenario(BENCH_SCENARIO), cellDir: join(runDir, folder), config, calibrationOpsPerSec: limitBefore.opsPerSec, rawIo, signal: options.signal });
    const limitAfter = await measureAppendLimit(runDir, options.workers);
    const limit = (limitBefore.opsPerSec + limitAfter.opsPerSec) / 2;
    const measured: BenchCell = {
      strategy, repeat, valid: cell.verdict.valid, acked: cell.verdict.acked, ackedPerSec: cell.throughput.ackedPerSec, parquetPerSec: cell.throughput.parquetPerSec,
      limitBefore, limitAfter, fractionOfLimit: limit > 0 ? Number((cell.throughput.ackedPerSec / limit).toFixed(4)) : 0,
      orchestratorCpuMs: cell.harness?.orchestratorCpuMs ?? 0, windowMs: cell.harness?.windowMs ?? 0, cpuUsPerAck: cpuPerAck(cell), dir: cell.dir,
    };
    const cpu = Object.entries(measured.cpuUsPerAck ?? {}).map(([role, us]) => `${role} ${us}`).join(', ');
    options.progress(`${strategy}${rawIo ? ' (raw I/O port)' : ''} · repeat ${repeat}: ${measured.ackedPerSec} acked/s, limit ${limitBefore.opsPerSec} → ${limitAfter.opsPerSec}/s, ${(measured.fractionOfLimit * 100).toFixed(1)}%${cpu ? ` · CPU µs/ack: ${cpu}` : ''} · ${measured.valid === true ? 'ok' : `valid ${measured.valid}`}`);
    return measured;
  };

  if (has('strategies')) {
    const strategies = options.strategies ?? await safeStrategies();
    for (let repeat = 1; repeat <= options.repeat && !stopped(); repeat++) {
      for (const strategy of shuffled(strategies, new Random(options.seed).fork(`bench/${repeat}`))) {
        if (stopped()) break;
        result.strategies.push(await measuredCell(strategy, repeat, `${strategy.replace(/[^\w.=-]+/g, '_')}/r${repeat}`));
        save();
      }
    }
  }

  if (has('overhead') && !stopped()) {
    const overhead = { strategy: options.overheadStrategy, instrumented: [] as BenchCell[], raw: [] as BenchCell[] };
    result.overhead = overhead;
    for (let repeat = 1; repeat <= options.overheadRepeat && !stopped(); repeat++) {
      for (const raw of shuffled([false, true], new Random(options.seed).fork(`bench-overhead/${repeat}`))) {
        if (stopped()) break;
        const cell = await measuredCell(options.overheadStrategy, repeat, `overhead/${raw ? 'raw' : 'instrumented'}-r${repeat}`, raw, options.overheadRecords);
        (raw ? overhead.raw : overhead.instrumented).push(cell);
        save();
      }
    }
  }

  if (has('checker') && !stopped()) {
    result.checker = await benchChecker(join(runDir, 'checker-cell'), options.checkerRecords, options.progress);
    save();
  }

  if (has('protocol') && !stopped()) {
    result.protocol = await benchProtocol({
      dir: join(runDir, 'protocol'), payloadBytes: defaultRunConfig().payloadBytes, noopRecords: options.records, pythonRecords: options.protocolRecords,
      roundTrips: 1000, starts: 3, pythonWriters: options.pythonWriters, stopped, progress: options.progress,
    }, (strategy, folder, records) => measuredCell(strategy, 1, folder, false, records));
    save();
  }

  if (has('start') && !stopped()) {
    result.start = await benchStart(join(runDir, 'start'), options.signal, options.progress);
  }

  if (has('crashfs') && !stopped()) {
    result.crashfs = await benchCrashfs(runDir, options.crashfsRounds, options.crashfsAppends, options.progress);
    save();
  }

  result.interrupted = stopped();
  result.finishedAt = new Date().toISOString();
  save();
  return result;
}

/** Each role's CPU once ready ÷ the cell's acked records, µs (none without acks). */
function cpuPerAck(cell: CellResult): Partial<Record<RoleKind, number>> {
  const acked = cell.verdict.acked;
  if (acked === 0 || !cell.cpu) return {};
  return Object.fromEntries(Object.entries(cell.cpu).map(([role, c]) => [role, Math.round((c.workMs * 1000) / acked)]));
}

/** Generates a cell of `records` records, then checks it in a fresh process that reports time and peak memory. */
async function benchChecker(cellDir: string, records: number, progress: (line: string) => void): Promise<CheckerBench> {
  progress(`checker: generating a cell of ${records} records…`);
  const generated = performance.now();
  const fixture = await writeCheckerFixture(cellDir, records);
  const generateMs = Math.round(performance.now() - generated);
  progress(`checker: checking ${records} records in a child process…`);
  const { file, args } = nodeCommand('bench/check-child');
  const child = await execa(file, [...args, cellDir], { cleanup: true });
  const out = JSON.parse(child.stdout) as { checkMs: number; cpuMs: number; maxRssKiB: number; valid: boolean | 'unknown'; acked: number; present: number };
  return {
    records, ...fixture, generateMs, checkMs: Math.round(out.checkMs), recordsPerSec: Math.round((records / out.checkMs) * 1000),
    cpuMs: Math.round(out.cpuMs), recordsPerCpuSec: Math.round((records / out.cpuMs) * 1000),
    peakRssMiB: Math.round(out.maxRssKiB / 1024), valid: out.valid, acked: out.acked, present: out.present,
  };
}

/** The power-loss layer's cost, or why this machine cannot measure it (no FUSE: a note, not an error). */
async function benchCrashfs(runDir: string, rounds: number, appends: number, progress: (line: string) => void): Promise<CrashfsBench | { skipped: string }> {
  const problem = fuseProblem();
  if (problem) {
    progress(`crashfs: skipped: ${problem}`);
    return { skipped: problem };
  }
  progress(`crashfs: ${rounds} interleaved rounds of ${appends} fsync'd 4 KiB appends, direct and through crashfs…`);
  return measureLayerCost(runDir, rounds, appends);
}

/** `npm start`'s run (the default matrix), as a child process: its wall time and verdicts. */
async function benchStart(outDir: string, signal: AbortSignal | undefined, progress: (line: string) => void): Promise<StartBench> {
  const { file, args } = nodeCommand('../cli/main');
  const cliArgs = ['run', '--out', outDir, '--format', 'json'];
  progress('npm start: running the default matrix…');
  const started = performance.now();
  const child = await execa(file, [...args, ...cliArgs], { reject: false, cleanup: true, cancelSignal: signal });
  const wallMs = Math.round(performance.now() - started);
  let cells = 0;
  let valid = 0;
  try {
    const run = JSON.parse(child.stdout) as RunResult;
    cells = run.cells.length;
    valid = run.cells.filter((c) => c.verdict.valid === true).length;
  } catch {
    // No JSON: the run failed; its exit code says so.
  }
  return { command: `parquet-chaos ${cliArgs.join(' ')}`, wallMs, exitCode: child.exitCode ?? -1, cells, valid };
}
