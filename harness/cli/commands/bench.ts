import { writeFileSync } from 'node:fs';
import { renderBench } from '../../../reports/bench.js';
import { BENCH_PARTS, BENCH_SCENARIO, runBench, type BenchPart } from '../../orchestrate/bench/run-bench.js';
import { interruptible } from '../interrupt.js';
import { badValue } from '../../sdk/errors.js';
import { splitStrategyList } from '../../sdk/spec.js';
import type { CommandSpec } from '../command.js';
import { parseCount } from '../sweep-args.js';

const DEFAULTS = { workers: 8, records: 100, repeat: 3, seed: 1, checkerRecords: 1_000_000, overhead: 'append-log', overheadRepeat: 8, overheadRecords: 400, protocolRecords: 20, crashfsRounds: 5, crashfsAppends: 200 };

function parseParts(raw: string | true | undefined): BenchPart[] {
  if (raw === undefined) return [...BENCH_PARTS];
  const parts = String(raw).split(',').map((p) => p.trim()).filter(Boolean);
  const unknown = parts.find((p) => !(BENCH_PARTS as readonly string[]).includes(p));
  if (unknown !== undefined || parts.length === 0) throw badValue('E_BAD_OPTION', '--parts', String(raw), `a comma list of: ${BENCH_PARTS.join(', ')}`);
  return parts as BenchPart[];
}

/** `parquet-chaos bench`: ratios against this machine's fsync'd-append limit and the harness's own cost. */
export const bench = {
  summary: `benchmark: safe strategies ÷ this machine's fsync'd-append limit (${BENCH_SCENARIO}), harness overhead, checker speed, npm start time, the power-loss layer's cost`,
  flags: {
    parts: { value: 'LIST', describe: `what to measure: ${BENCH_PARTS.join(',')}`, default: BENCH_PARTS.join(',') },
    strategy: { value: 'LIST', describe: 'strategies to measure (default: every built-in one that claims no lost acked record)' },
    workers: { value: 'N', describe: 'writers per cell, and processes of the limit', default: String(DEFAULTS.workers) },
    records: { value: 'N', describe: 'records per writer', default: String(DEFAULTS.records) },
    repeat: { value: 'N', describe: 'repeats, interleaved', default: String(DEFAULTS.repeat) },
    seed: { value: 'N', describe: 'seed of the repeats\' order and records', default: String(DEFAULTS.seed) },
    'overhead-strategy': { value: 'S', describe: 'strategy run with the instrumented and the raw I/O port', default: DEFAULTS.overhead },
    'overhead-repeat': { value: 'N', describe: 'cells of each I/O port in the overhead part, interleaved', default: String(DEFAULTS.overheadRepeat) },
    'overhead-records': { value: 'N', describe: 'records per writer in the overhead part\'s cells', default: String(DEFAULTS.overheadRecords) },
    'protocol-records': { value: 'N', describe: 'records per writer in the protocol part\'s Python reference writers\' cells (its no-op writers\' cells use --records)', default: String(DEFAULTS.protocolRecords) },
    'python-writers': { value: 'LIST', describe: 'protocol part: the Python reference writers to measure against the limit (default: every bundled pandas writer; none: skip them)' },
    'checker-records': { value: 'N', describe: 'records in the checker\'s generated cell', default: String(DEFAULTS.checkerRecords) },
    'crashfs-rounds': { value: 'N', describe: 'interleaved rounds of the crashfs part (direct, then through crashfs)', default: String(DEFAULTS.crashfsRounds) },
    'crashfs-appends': { value: 'N', describe: 'fsync\'d 4 KiB appends per round and side in the crashfs part', default: String(DEFAULTS.crashfsAppends) },
    out: { value: 'DIR', describe: 'parent folder of the bench folder', default: 'runs' },
    json: { value: 'FILE', describe: 'also copy bench.json here' },
  },
  async run({ flags, argv }, io) {
    const parts = parseParts(flags.parts);
    const options = {
      parts,
      strategies: flags.strategy === undefined ? undefined : splitStrategyList(String(flags.strategy)),
      workers: parseCount('--workers', flags.workers as string | undefined, DEFAULTS.workers, 1, 256),
      records: parseCount('--records', flags.records as string | undefined, DEFAULTS.records, 1, 1_000_000),
      repeat: parseCount('--repeat', flags.repeat as string | undefined, DEFAULTS.repeat, 1, 100),
      seed: parseCount('--seed', flags.seed as string | undefined, DEFAULTS.seed, 0, 2 ** 31 - 1),
      overheadStrategy: String(flags['overhead-strategy'] ?? DEFAULTS.overhead),
      overheadRepeat: parseCount('--overhead-repeat', flags['overhead-repeat'] as string | undefined, DEFAULTS.overheadRepeat, 1, 100),
      overheadRecords: parseCount('--overhead-records', flags['overhead-records'] as string | undefined, DEFAULTS.overheadRecords, 1, 1_000_000),
      checkerRecords: parseCount('--checker-records', flags['checker-records'] as string | undefined, DEFAULTS.checkerRecords, 1, 100_000_000),
      protocolRecords: parseCount('--protocol-records', flags['protocol-records'] as string | undefined, DEFAULTS.protocolRecords, 1, 1_000_000),
      pythonWriters: flags['python-writers'] === undefined ? undefined : String(flags['python-writers']) === 'none' ? [] : splitStrategyList(String(flags['python-writers'])),
      crashfsRounds: parseCount('--crashfs-rounds', flags['crashfs-rounds'] as string | undefined, DEFAULTS.crashfsRounds, 1, 1000),
      crashfsAppends: parseCount('--crashfs-appends', flags['crashfs-appends'] as string | undefined, DEFAULTS.crashfsAppends, 1, 1_000_000),
      outDir: String(flags.out ?? 'runs'),
      command: ['parquet-chaos', 'bench', ...argv].join(' '),
    };
    return interruptible(io, async (signal) => {
      const result = await runBench({ ...options, signal, progress: (line) => io.err(`${line}\n`) });
      if (flags.json !== undefined) writeFileSync(String(flags.json), `${JSON.stringify(result, null, 2)}\n`);
      io.out(renderBench(result));
      return result.interrupted ? 130 : 0;
    });
  },
} satisfies CommandSpec;
