/**
 * The command line: parses arguments (defaults ← --config file ← flags), calls the library and
 * returns an exit code: 0 every claimed guarantee held, 1 one was broken (or could not be checked),
 * 2 bad usage.
 */
import { parseArgs } from 'node:util';
import { appendFileSync, copyFileSync, writeFileSync } from 'node:fs';
import { formats, formatNames, type FormatName } from '../../reports/index.js';
import { ansiPalette, plainPalette, type Palette } from '../../reports/format.js';
import { checkDir } from './commands/check.js';
import { readResult } from './commands/report.js';
import { listText } from './commands/list.js';
import { badValue, ChaosError } from '../sdk/errors.js';
import { applyOptions, defaultRunConfig, readConfigFile, RUN_FLAGS, type RawOptions } from '../orchestrate/run-config.js';
import { createProgress } from './progress.js';
import { runRecommend } from '../orchestrate/recommend-run.js';
import { runMatrix, type RunOptions } from '../orchestrate/run.js';
import { gridPoints, runSweep, sweptStrategies } from '../orchestrate/sweep.js';
import { parseCount, parseLimit, parseRank, parseWorkerList, splitFlags } from './sweep-args.js';
import { splitStrategyList } from '../sdk/spec.js';
import { killAll } from '../orchestrate/supervise.js';
import type { RunResult } from '../result/result.js';

export interface Io {
  out(text: string): void;
  err(text: string): void;
  /** stdout is a terminal: colours in reports. */
  isTTY: boolean;
  /** stderr is a terminal: an updating progress line (defaults to isTTY). */
  errIsTTY?: boolean;
  env: NodeJS.ProcessEnv;
}

const USAGE = `Usage:
  parquet-chaos run [--strategy a,b:key=v] [--scenario s1,s2] [--workers N] [--records N] [--seed N]
                    [--codec hyparquet|parquetjs-lite] [--payload-bytes N] [--think-ms N] [--timeout S]
                    [--lock-stale MS] [--lock-timeout MS] [--restart retry|skip|none]
                    [--faults none|default|kind:key=value,…;…] (see \`list\`)
                    [--out DIR] [--json FILE] [--format ${formatNames.join('|')}] [--config FILE]
  parquet-chaos sweep --strategy s[,s2] [--workers 1,5,10] [--<option> v1,v2 …] [--repeat N] [--scenario s]
                    [--records N] [--seed N] [any run flag] [--out DIR] [--json FILE] [--format F]
                    (a strategy option, e.g. --interval 1,5,10 or its alias --checkpoint-interval, needs
                    exactly one strategy; default scenario buffer-crash, default repeat 5)
  parquet-chaos recommend [--max-at-risk N] [--max-lock-wait-p99 MS] [--rank parquet|ack] [--workers 5,10,20] [--repeat 3]
                    [--records 12] [--lock-stale 2000] [--seed N] [--out DIR] [--json FILE] [--format F]
  parquet-chaos report FILE [--format ${formatNames.join('|')}] [--out FILE]
  parquet-chaos list
  parquet-chaos check DIR
Exit codes: 0 every claimed guarantee held, 1 a claimed guarantee was broken or could not be checked, 2 bad usage.`;

function paletteFor(io: Io): Palette {
  return io.isTTY && !io.env.NO_COLOR ? ansiPalette : plainPalette;
}

function exitCodeFor(result: RunResult): number {
  return result.cells.every((c) => c.verdict.valid === true) && !result.interrupted ? 0 : 1;
}

function parseFormat(raw: string | undefined): FormatName {
  const format = raw ?? 'table';
  if (!(formatNames as string[]).includes(format)) throw badValue('E_UNKNOWN_FORMAT', '--format', format, `one of: ${formatNames.join(', ')}`);
  return format as FormatName;
}

type Launch = (hooks: Pick<RunOptions, 'signal' | 'onCellStart' | 'onCellDone'>) => Promise<RunResult>;

/** Runs cells with progress on stderr and Ctrl-C handling, then prints the report and picks the exit code. */
async function execute(io: Io, format: FormatName, json: string | undefined, launch: Launch): Promise<number> {
  const abort = new AbortController();
  const progress = createProgress(io.err, io.errIsTTY ?? io.isTTY);
  const onSigint = () => {
    progress.finish();
    io.err('\ninterrupted: killing every child process and saving what was measured…\n');
    abort.abort();
    void killAll();
  };
  process.on('SIGINT', onSigint);
  process.on('SIGTERM', onSigint);
  try {
    const result = await launch({
      signal: abort.signal,
      onCellStart: (i, total, strategy, scenario, cell) =>
        progress.start(i, total, `${strategy} × ${scenario}${cell.repeat === undefined ? '' : ` · ${cell.workers} workers · repeat ${cell.repeat}`}`),
      onCellDone: (cell) => progress.done(cell),
    });
    progress.finish();
    if (json) copyFileSync(`${result.runDir}/result.json`, json);
    io.out(formats[format](result, paletteFor(io)));
    if (io.env.GITHUB_STEP_SUMMARY) appendFileSync(io.env.GITHUB_STEP_SUMMARY, formats.md(result));
    return result.interrupted ? 130 : exitCodeFor(result);
  } finally {
    progress.finish();
    process.off('SIGINT', onSigint);
    process.off('SIGTERM', onSigint);
  }
}

const OUTPUT_FLAGS = ['out', 'json', 'format'] as const;

async function runCommand(args: string[], io: Io): Promise<number> {
  const runFlagOptions = Object.fromEntries(RUN_FLAGS.map((f) => [f, { type: 'string' as const }]));
  const { values } = parseArgs({
    args, allowPositionals: false, strict: true,
    options: { ...runFlagOptions, out: { type: 'string' }, json: { type: 'string' }, format: { type: 'string' }, config: { type: 'string' } },
  });
  const format = parseFormat(values.format as string | undefined);
  const fromFile = values.config ? readConfigFile(values.config as string) : {};
  const config = applyOptions(applyOptions(defaultRunConfig(), fromFile), values as RawOptions);
  return execute(io, format, values.json as string | undefined, (hooks) => runMatrix({
    ...config, ...hooks, outDir: (values.out as string | undefined) ?? 'runs', command: ['parquet-chaos', 'run', ...args].join(' '),
  }));
}

/** Flags of `sweep`/`recommend`: run flags (`--workers` a list), `--repeat`, output flags, `extra`; any other is a strategy option. */
function sweepFlags(args: string[], extra: readonly string[]) {
  const { known, options } = splitFlags(args, [...RUN_FLAGS, 'repeat', ...OUTPUT_FLAGS, ...extra]);
  const { workers, repeat, out, json, format, ...run } = known;
  return { known, options, workers, repeat, out: out ?? 'runs', json, format: parseFormat(format), run: run as RawOptions };
}

async function sweepCommand(args: string[], io: Io): Promise<number> {
  const flags = sweepFlags(args, []);
  const base = applyOptions({ ...defaultRunConfig(), scenarios: ['buffer-crash'] }, flags.run);
  const specs = flags.known.strategy === undefined ? [] : splitStrategyList(flags.known.strategy);
  if (specs.length === 0) throw badValue('E_USAGE', '--strategy', flags.known.strategy ?? '', 'at least one strategy');
  if (flags.options.length > 0 && specs.length !== 1) {
    throw badValue('E_USAGE', '--strategy', flags.known.strategy!, `exactly one strategy when sweeping its options (--${flags.options.map(([k]) => k).join(', --')})`);
  }
  const strategies = flags.options.length > 0 ? await sweptStrategies(specs[0]!, flags.options) : specs;
  const workers = flags.workers === undefined ? [base.workers] : parseWorkerList(flags.workers);
  const repeat = parseCount('--repeat', flags.repeat, 5);
  return execute(io, flags.format, flags.json, (hooks) => runSweep({
    ...base, ...hooks, strategies, points: gridPoints(strategies, base.scenarios, workers), repeat,
    outDir: flags.out, command: ['parquet-chaos', 'sweep', ...args].join(' '),
  }));
}

/**
 * 3 repeats (fewer give no interval worth the name) × 12 records × workers 5, 10, 20, and the lock's
 * shortest stale time (2 s: a killed lock holder stalls the others that long): 9 candidates × 3 worker
 * counts, 2 references at 20 workers and interval 5 at 40 workers: 30 points, 90 cells.
 */
const RECOMMEND_DEFAULTS = { workers: '5,10,20', repeat: 3, records: '12', lockStale: '2000' };

async function recommendCommand(args: string[], io: Io): Promise<number> {
  const flags = sweepFlags(args, ['max-at-risk', 'max-lock-wait-p99', 'rank']);
  if (flags.options.length > 0) throw badValue('E_USAGE', `--${flags.options[0]![0]}`, flags.options[0]![1].join(','), 'a recommend flag (it chooses strategies and intervals itself)');
  for (const flag of ['strategy', 'scenario'] as const) {
    if (flags.known[flag] !== undefined) throw badValue('E_USAGE', `--${flag}`, flags.known[flag]!, 'no value: recommend measures every candidate under buffer-crash');
  }
  const config = applyOptions(defaultRunConfig(), { records: RECOMMEND_DEFAULTS.records, 'lock-stale': RECOMMEND_DEFAULTS.lockStale, ...flags.run });
  const constraints = {
    maxAtRisk: parseLimit('--max-at-risk', flags.known['max-at-risk']),
    maxLockWaitP99: parseLimit('--max-lock-wait-p99', flags.known['max-lock-wait-p99']),
  };
  const rank = parseRank(flags.known.rank);
  return execute(io, flags.format, flags.json, (hooks) => runRecommend({
    ...config, ...hooks, workerCounts: parseWorkerList(flags.workers ?? RECOMMEND_DEFAULTS.workers),
    repeat: parseCount('--repeat', flags.repeat, RECOMMEND_DEFAULTS.repeat), constraints, rank,
    outDir: flags.out, command: ['parquet-chaos', 'recommend', ...args].join(' '),
  }));
}

async function reportCommand(args: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, strict: true, options: { format: { type: 'string' }, out: { type: 'string' } } });
  if (positionals.length !== 1) throw badValue('E_USAGE', 'report', positionals.join(' '), 'exactly one result JSON file');
  const format = parseFormat(values.format);
  const result = readResult(positionals[0]!);
  if (values.out) writeFileSync(values.out, formats[format](result, plainPalette));
  else io.out(formats[format](result, paletteFor(io)));
  return 0;
}

async function checkCommand(args: string[], io: Io): Promise<number> {
  const { positionals } = parseArgs({ args, allowPositionals: true, strict: true, options: {} });
  if (positionals.length !== 1) throw badValue('E_USAGE', 'check', positionals.join(' '), 'exactly one cell folder');
  const { strategy, scenario, verdict } = await checkDir(positionals[0]!);
  io.out(`${strategy} × ${scenario}\n${JSON.stringify(verdict, null, 2)}\n`);
  return verdict.valid === true ? 0 : 1;
}

export async function main(argv: string[], io: Io): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'run':
        return await runCommand(rest, io);
      case 'sweep':
        return await sweepCommand(rest, io);
      case 'recommend':
        return await recommendCommand(rest, io);
      case 'report':
        return await reportCommand(rest, io);
      case 'list':
        io.out(listText());
        return 0;
      case 'check':
        return await checkCommand(rest, io);
      case undefined:
      case '--help':
      case '-h':
      case 'help':
        io.out(`${USAGE}\n`);
        return command === undefined ? 2 : 0;
      default:
        throw badValue('E_USAGE', 'command', command, 'one of: run, sweep, recommend, report, list, check');
    }
  } catch (error) {
    const usage = error instanceof ChaosError || (error as NodeJS.ErrnoException).code?.startsWith('ERR_PARSE_ARGS');
    io.err(`parquet-chaos: ${(error as Error).message ?? String(error)}\n`);
    if (usage) {
      io.err(`${USAGE}\n`);
      return 2;
    }
    return 1;
  }
}
