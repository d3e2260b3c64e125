/**
 * The command line: parses arguments (defaults ← --config file ← flags), calls the library and
 * returns an exit code: 0 every claimed guarantee held, 1 one was broken (or could not be checked),
 * 2 bad usage.
 */
import { parseArgs } from 'node:util';
import { appendFileSync, copyFileSync } from 'node:fs';
import { formats, formatNames, type FormatName } from '../reports/index.js';
import { ansiPalette, plainPalette, type Palette } from '../reports/format.js';
import { checkDir } from './commands/check.js';
import { listText } from './commands/list.js';
import { badValue, ChaosError } from './errors.js';
import { applyOptions, defaultRunConfig, readConfigFile, RUN_FLAGS, type RawOptions } from './options.js';
import { runMatrix } from './run.js';
import { killAll } from './supervise.js';
import type { RunResult } from './result.js';

export interface Io {
  out(text: string): void;
  err(text: string): void;
  isTTY: boolean;
  env: NodeJS.ProcessEnv;
}

const USAGE = `Usage:
  parquet-chaos run [--strategy a,b:key=v] [--scenario s1,s2] [--workers N] [--records N] [--seed N]
                    [--codec hyparquet|parquetjs-lite] [--payload-bytes N] [--think-ms N] [--timeout S]
                    [--lock-stale MS] [--lock-timeout MS] [--restart retry|skip|none]
                    [--out DIR] [--json FILE] [--format ${formatNames.join('|')}] [--config FILE]
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

async function runCommand(args: string[], io: Io): Promise<number> {
  const runFlagOptions = Object.fromEntries(RUN_FLAGS.map((f) => [f, { type: 'string' as const }]));
  const { values } = parseArgs({
    args, allowPositionals: false, strict: true,
    options: { ...runFlagOptions, out: { type: 'string' }, json: { type: 'string' }, format: { type: 'string' }, config: { type: 'string' } },
  });
  const format = parseFormat(values.format as string | undefined);
  const fromFile = values.config ? readConfigFile(values.config as string) : {};
  const config = applyOptions(applyOptions(defaultRunConfig(), fromFile), values as RawOptions);

  const abort = new AbortController();
  const onSigint = () => {
    io.err('\ninterrupted: killing every child process and saving what was measured…\n');
    abort.abort();
    void killAll();
  };
  process.on('SIGINT', onSigint);
  process.on('SIGTERM', onSigint);
  try {
    const result = await runMatrix({
      ...config,
      outDir: (values.out as string | undefined) ?? 'runs',
      command: ['parquet-chaos', 'run', ...args].join(' '),
      signal: abort.signal,
      onCellStart: (i, total, strategy, scenario) => io.err(`[${i + 1}/${total}] ${strategy} × ${scenario} …\n`),
      onCellDone: (cell) => io.err(`      ${cell.verdict.valid === true ? 'ok' : cell.verdict.valid === 'unknown' ? 'UNKNOWN' : 'FAIL'} · acked ${cell.verdict.acked}/${cell.verdict.attempted}, lost ${cell.verdict.lost} · ${cell.throughput.ackedPerSec} acked/s\n`),
    });
    if (values.json) copyFileSync(`${result.runDir}/result.json`, values.json as string);
    io.out(formats[format](result, paletteFor(io)));
    if (io.env.GITHUB_STEP_SUMMARY && 'md' in formats) {
      appendFileSync(io.env.GITHUB_STEP_SUMMARY, (formats as Record<string, (r: RunResult, p: Palette) => string>).md!(result, plainPalette));
    }
    return result.interrupted ? 130 : exitCodeFor(result);
  } finally {
    process.off('SIGINT', onSigint);
    process.off('SIGTERM', onSigint);
  }
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
        throw badValue('E_USAGE', 'command', command, 'one of: run, list, check');
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
