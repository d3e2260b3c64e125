/** `parquet-chaos gate`: parses its flags, runs the gate, writes its reports and returns its exit code. */
import { appendFileSync, existsSync, statSync } from 'node:fs';
import { writeFileAtomic } from '../../result/files.js';
import { dirname, join, resolve } from 'node:path';
import { badValue } from '../../sdk/errors.js';
import { applyOptions, defaultRunConfig, RUN_FLAGS } from '../../orchestrate/run-config.js';
import { baselineOf, runGate } from '../../orchestrate/gate-run.js';
import { readGateBaseline } from '../../result/read-json.js';
import type { GateBaseline, GateConfig } from '../../result/gate-result.js';
import { describeSizing, fewestDecisivePairs, GATE_COUNTERS, smallestGateP, gateCounterNames, gateMetricNames, type GateCounter, type GateMetric, type Tolerance } from '../../analyze/gate.js';
import { renderGateMarkdown, renderGateTable } from '../../../reports/gate.js';
import { renderGateJunit } from '../../../reports/junit.js';
import { createProgress } from '../progress.js';
import { afterMeasurement } from '../internal-error.js';
import { interruptible } from '../interrupt.js';
import { parseCount, parseWorkerList } from '../sweep-args.js';
import { splitStrategyList } from '../../sdk/spec.js';
import { describeSide, openGitSides, type GitSides } from '../../orchestrate/git-sides.js';
import { prepareSides } from '../../orchestrate/side-harness.js';
import { parseShard } from '../../orchestrate/shard.js';
import type { CommandInput, CommandSpec, Flag, Io } from '../command.js';
import { paletteFor, runFlags, runOptions } from '../flags.js';

/** The gate's defaults; docs/gate.md has the calibration behind --repeat. */
export const GATE_DEFAULTS = {
  scenario: 'main-file-contention',
  workers: '4',
  /** Pairs at the first look (raised to the fewest with which the exact test can decide, when more cells need more). */
  repeat: 8,
  /** Looks a cell may take (α is divided by them): the first, then two more, spread up to the pairs its noise asks for. */
  looks: 3,
  /**
   * The most pairs a cell may reach: what keeps a gate's time bounded on a noisy machine. After its first
   * look a cell is sized from its measured noise (analyze/sizing.ts) and stops there if that asks for fewer.
   * 80: on this project's 2-core machine under a load of 20–37, the whole procedure caught a 20% drop in
   * acked/s 86% of the time at 80 and 71% at 60 (calibrate-gate, docs/results/gate-calibration-loaded.json).
   */
  maxPairs: 80,
  alpha: 0.05,
  /**
   * Per metric, what matters to a user rather than what this machine's noise allows: 10% lower
   * throughput (acked/s, durable in Parquet/s) is a campaign taking 11% longer; tail latencies vary
   * more and matter less, so 20%. Whether n pairs can tell such a change on a machine is measured with
   * `calibrate-gate` (docs/gate.md), not hidden by raising these.
   */
  minEffect: { ackedPerSec: 0.1, parquetPerSec: 0.1, ackLatencyMsP99: 0.2, lockWaitMsP99: 0.2 } satisfies Record<GateMetric, number>,
};

const runDefaults = () => ({ ...defaultRunConfig(), scenarios: [GATE_DEFAULTS.scenario] });

/** The gate's own flags, then the run flags but --strategy. */
const FLAGS = {
  strategy: { value: 'LIST', describe: 'compare commits, not specs: these strategy specs (built-in names, plugin or manifest paths), each run from each side\'s checkout; --base and --head are then git refs' },
  base: { value: 'REF|SPEC', describe: 'with --strategy: the git ref to compare against (main, origin/main, HEAD~1, a tag or commit); without: the strategy spec or plugin path to compare against' },
  head: { value: 'REF|SPEC', describe: 'with --strategy: the git ref under test (default: the working tree, uncommitted changes included and hashed); without: the strategy spec or plugin path under test' },
  scenario: { value: 'LIST', describe: 'scenarios, comma-separated', default: GATE_DEFAULTS.scenario },
  workers: { value: 'LIST', describe: 'worker counts, comma-separated', default: GATE_DEFAULTS.workers },
  repeat: { value: 'N', describe: 'pairs (base and head, same seed) to run first', default: String(GATE_DEFAULTS.repeat) },
  'max-repeat': { value: 'M', describe: 'most pairs a cell may reach: after its first look each cell is sized from its measured noise up to this (equal to --repeat: one look)', default: String(GATE_DEFAULTS.maxPairs) },
  alpha: { value: 'A', describe: 'chance of a false "regressed" the gate accepts', default: String(GATE_DEFAULTS.alpha) },
  'min-effect': { value: 'E', describe: `smallest change that counts: 10% for all, or metric=E,… (${gateMetricNames.join(', ')})`, default: gateMetricNames.map((m) => `${m}=${GATE_DEFAULTS.minEffect[m] * 100}%`).join(',') },
  'inconclusive-ok': { describe: 'exit 0 instead of 3 when still inconclusive at --max-repeat' },
  junit: { value: 'FILE', describe: 'write JUnit XML: one test case per cell and metric' },
  json: { value: 'FILE', describe: 'write the whole comparison as JSON' },
  baseline: { value: 'FILE', describe: 'compare with a saved baseline instead of --base (its strategy, scenarios, workers, seeds and settings; timing only on the same machine)' },
  'save-baseline': { value: 'FILE', describe: 'save the head side as a baseline (--base may then be left out: only the head runs)' },
  out: { value: 'DIR', describe: 'parent folder of the gate folder', default: 'runs' },
  shard: { value: 'i/n', describe: 'run only this share of the cells (scenario × workers), balanced by expected cost; `merge` joins every shard\'s --json into the gate\'s verdict' },
  ...runFlags(runDefaults(), ['strategy', 'scenario', 'workers', 'shard']),
} satisfies Record<string, Flag>;

export function parseFraction(flag: string, raw: string, max: number): number {
  const text = raw.trim();
  const value = text.endsWith('%') ? Number(text.slice(0, -1)) / 100 : Number(text);
  if (text === '' || !Number.isFinite(value) || value <= 0 || value > max) throw badValue('E_BAD_OPTION', flag, raw, `a number in (0, ${max}] or a percentage such as 10%`);
  return value;
}

/** `10%` for every metric, or `ackedPerSec=10%,lockWaitMsP99=25%` (the others keep the default). */
export function parseMinEffect(raw: string | undefined): Record<GateMetric, number> {
  const effects = { ...GATE_DEFAULTS.minEffect };
  if (raw === undefined) return effects;
  for (const part of raw.split(',').map((s) => s.trim()).filter(Boolean)) {
    const [key, value] = part.includes('=') ? part.split('=', 2) as [string, string] : [undefined, part];
    if (key === undefined) for (const m of gateMetricNames) effects[m] = parseFraction('--min-effect', value, 10);
    else if ((gateMetricNames as string[]).includes(key)) effects[key as GateMetric] = parseFraction(`--min-effect ${key}`, value, 10);
    else throw badValue('E_BAD_OPTION', '--min-effect', key, `one of: ${gateMetricNames.join(', ')}`);
  }
  return effects;
}

/**
 * --repeat and --max-repeat, checked against what the exact test can decide: with too few pairs at the
 * first look, the smallest attainable p (1 / 2^n paired, 1 / C(2n, n) against a baseline) times the
 * Holm family exceeds α per look and nothing could ever be found regressed. A --repeat given (or a
 * baseline's) is then refused; the default is raised, and the gate says so. The looks: one when
 * --max-repeat equals --repeat, else GATE_DEFAULTS.looks.
 */
export function sizePairs(raw: { repeat?: string; maxRepeat?: string }, alpha: number, familySize: number, fixed: number | undefined, paired: boolean, io: Pick<Io, 'err'>): { repeat: number; maxRepeat: number; looks: number } {
  const given = raw.repeat !== undefined || fixed !== undefined;
  let repeat = parseCount('--repeat', raw.repeat, fixed ?? GATE_DEFAULTS.repeat, 1, 1000);
  const maxOf = (r: number) => parseCount('--max-repeat', raw.maxRepeat, Math.max(r, GATE_DEFAULTS.maxPairs), 1, 3000);
  const looks = (r: number) => (maxOf(r) <= r ? 1 : GATE_DEFAULTS.looks);
  const needed = (r: number) => fewestDecisivePairs(familySize, alpha / looks(r), paired);
  if (repeat < needed(repeat)) {
    const n = needed(repeat);
    const smallest = paired ? `1/2^${repeat}` : `1/C(${2 * repeat}, ${repeat})`;
    const why = `with ${repeat} pairs the smallest one-sided p is ${smallest} = ${smallestGateP(repeat, paired).toPrecision(2)}, × ${familySize} hypotheses (cells × metrics, Holm) > α per look = ${(alpha / looks(repeat)).toPrecision(2)}: no regression could ever be found`;
    if (given) throw badValue('E_BAD_OPTION', raw.repeat === undefined ? '--baseline' : '--repeat', String(repeat), `at least ${n} pairs (${why})`);
    while (repeat < needed(repeat)) repeat++;
    io.err(`gate: --repeat sized to ${repeat} (the default ${GATE_DEFAULTS.repeat} is too few: ${why})\n`);
  }
  const maxRepeat = maxOf(repeat);
  if (maxRepeat < repeat) throw badValue('E_BAD_OPTION', '--max-repeat', String(maxRepeat), `an integer >= --repeat (${repeat})`);
  return { repeat, maxRepeat, looks: looks(repeat) };
}

/** Fails before anything runs when an output file could not be written afterwards. */
function checkOutput(flag: string, path: string | undefined): void {
  if (path === undefined) return;
  const dir = dirname(resolve(path));
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw badValue('E_BAD_OPTION', flag, path, 'a file in an existing folder');
}

async function gate({ flags, argv }: CommandInput, io: Io): Promise<number> {
  const text = (name: string) => (typeof flags[name] === 'string' ? (flags[name] as string) : undefined);
  const baselineFile = text('baseline');
  const saveTo = text('save-baseline');
  for (const flag of ['junit', 'json', 'save-baseline']) checkOutput(`--${flag}`, text(flag));
  // The rule that tells a ref from a spec: with --strategy, --base and --head are git refs.
  const between = text('strategy') === undefined ? undefined : splitStrategyList(text('strategy')!);
  if (between) {
    if (between.length === 0) throw badValue('E_USAGE', '--strategy', text('strategy')!, 'one or more strategy specs, comma-separated');
    if (text('base') === undefined) throw badValue('E_USAGE', '--base', '', 'a git ref to compare the working tree (or --head REF) with, e.g. main or origin/main (with --strategy, --base and --head are git refs)');
    for (const flag of ['baseline', 'save-baseline']) {
      if (text(flag) !== undefined) throw badValue('E_USAGE', `--${flag}`, text(flag)!, 'no value with --strategy (a baseline holds one spec\'s samples: save and compare it with the --head SPEC form)');
    }
  }
  let baseline: { file: string; data: GateBaseline } | undefined;
  let base = text('base') ?? null;
  let head = text('head');
  let scenarios: string[];
  let workers: number[];
  let run: GateConfig['run'];
  if (baselineFile !== undefined) {
    // The baseline fixes what runs; a flag that would change it is refused, not ignored.
    const fixed = Object.keys(flags).find((f) => f === 'base' || f === 'scenario' || f === 'workers' || (f !== 'shard' && (RUN_FLAGS as string[]).includes(f)));
    if (fixed) throw badValue('E_USAGE', `--${fixed}`, String(flags[fixed]), 'no value with --baseline (the baseline fixes the strategy settings, scenarios, workers, seeds and sizes)');
    baseline = { file: baselineFile, data: readGateBaseline(baselineFile) };
    ({ scenarios, workers, run } = baseline.data);
    head ??= baseline.data.strategy;
  } else if (between) {
    const { strategies: _s, scenarios: fromFlags, workers: _w, ...rest } = applyOptions(runDefaults(), runOptions(flags, ['strategy', 'workers', 'shard']));
    [scenarios, workers, run] = [fromFlags, parseWorkerList(text('workers') ?? GATE_DEFAULTS.workers), rest];
  } else {
    if (!head) throw badValue('E_USAGE', '--head', head ?? '', 'a strategy spec or plugin path to test');
    if (base === null && saveTo === undefined) throw badValue('E_USAGE', '--base', '', 'a strategy spec or plugin path to compare against (or --baseline FILE)');
    const { strategies: _s, scenarios: fromFlags, workers: _w, ...rest } = applyOptions(runDefaults(), runOptions(flags, ['strategy', 'workers', 'shard']));
    [scenarios, workers, run] = [fromFlags, parseWorkerList(text('workers') ?? GATE_DEFAULTS.workers), rest];
  }
  base = baseline ? null : base;
  const shard: GateConfig['shard'] = text('shard') === undefined ? null : parseShard(text('shard')!);
  if (shard && saveTo !== undefined) throw badValue('E_USAGE', '--save-baseline', saveTo, 'no --shard (a baseline holds every cell: save it from an unsharded gate)');
  if (shard && text('json') === undefined) throw badValue('E_USAGE', '--json', '', 'a file with --shard (merge joins the shards\' --json files into the verdict)');
  const alpha = text('alpha') === undefined ? GATE_DEFAULTS.alpha : parseFraction('--alpha', text('alpha')!, 0.5);
  // Sides run here are compared pair by pair (signed-rank); against a saved baseline, or to save one, as independent samples.
  const { repeat, maxRepeat, looks } = sizePairs({ repeat: text('repeat'), maxRepeat: text('max-repeat') }, alpha, (between?.length ?? 1) * scenarios.length * workers.length * gateMetricNames.length, baseline?.data.repeat, base !== null, io);
  const minEffect = parseMinEffect(text('min-effect'));

  // Between commits: both sides checked out now (bad refs: exit 2), removed however the gate ends.
  let sides: GitSides | undefined;
  if (between) {
    sides = openGitSides({ cwd: process.cwd(), strategies: between, base: base!, head });
    base = describeSide('base', sides.comparison.base).replace(/^base /, '');
    head = describeSide('head', sides.comparison.head).replace(/^head /, '');
    io.err(`gate: base ${base} · head ${head}${sides.comparison.head.dirty ? ` (${sides.comparison.head.dirty.files.length} changed files)` : ''}\n`);
    if (sides.own) io.err(`gate: this repository is ${sides.own === 'dependency' ? 'a dependent of parquet-chaos (package-lock.json)' : 'parquet-chaos itself'}: each side runs its own commit's harness (the positive controls run under this one)\n`);
  }
  try {
    return await gateBody(io, text, flags, argv, { base, head: head!, scenarios, workers, baseline, repeat, maxRepeat, looks, alpha, minEffect, run, shard, saveTo, sides });
  } finally {
    sides?.dispose();
  }
}

interface Planned {
  base: string | null;
  head: string;
  scenarios: string[];
  workers: number[];
  baseline: { file: string; data: GateBaseline } | undefined;
  repeat: number;
  maxRepeat: number;
  looks: number;
  alpha: number;
  minEffect: Record<GateMetric, number>;
  run: GateConfig['run'];
  shard: GateConfig['shard'];
  saveTo: string | undefined;
  sides: GitSides | undefined;
}

/** Runs the planned gate, writes its reports and returns its exit code. */
async function gateBody(io: Io, text: (name: string) => string | undefined, flags: CommandInput['flags'], argv: string[], plan: Planned): Promise<number> {
  const { base, head, scenarios, workers, baseline, repeat, maxRepeat, looks, alpha, minEffect, run, shard, saveTo, sides } = plan;
  const progress = createProgress(io.err, io.errIsTTY ?? io.isTTY, io.errColumns);
  try {
    return await interruptible(io, async (signal) => {
      // Each side's own harness readied before anything is measured (a side that does not install or build: exit 2).
      let ownHarness: Awaited<ReturnType<typeof prepareSides>> | undefined;
      try {
        ownHarness = sides?.own ? await prepareSides(sides, { signal, log: (line) => io.err(`gate: ${line}\n`) }) : undefined;
      } catch (error) {
        if (signal.aborted) return 130;
        throw error;
      }
      if (signal.aborted) return 130;
      const result = await runGate({
        base, head, scenarios, workers, baseline,
        ...(sides ? { git: sides.comparison, specOf: sides.specOf } : {}),
        ...(ownHarness ? { ownHarness } : {}),
        repeat, maxRepeat, looks, alpha, minEffect,
        tolerances: Object.fromEntries(gateCounterNames.map((k) => [k, GATE_COUNTERS[k].tolerance])) as Record<GateCounter, Tolerance>,
        inconclusiveOk: flags['inconclusive-ok'] === true, run, shard,
        outDir: text('out') ?? 'runs', command: ['parquet-chaos', 'gate', ...argv].join(' '), signal,
        onCellStart: (i, total, strategy, scenario, cell) => progress.start(i, total, `${strategy} × ${scenario} · ${cell.workers} workers${cell.repeat === undefined ? ' (positive control)' : ` · pair ${cell.repeat}`}`),
        onCellDone: (cell) => progress.done(cell),
        onSized: (cell, sizing) => io.err(`gate: ${cell.strategy === undefined ? '' : `${cell.strategy} × `}${cell.scenario}, ${cell.workers} workers: ${describeSizing(sizing, repeat)}; ` +
          `pairs at each look: ${sizing.schedule.join(', ')} (more only while a metric is undecided)\n`),
      });
      progress.finish();
      if (text('json')) writeFileAtomic(text('json')!, `${JSON.stringify(result, null, 2)}\n`);
      if (text('junit')) writeFileAtomic(text('junit')!, renderGateJunit(result));
      if (io.env.GITHUB_STEP_SUMMARY) appendFileSync(io.env.GITHUB_STEP_SUMMARY, afterMeasurement(join(result.gateDir, 'gate.json'), () => renderGateMarkdown(result)));
      io.out(afterMeasurement(join(result.gateDir, 'gate.json'), () => renderGateTable(result, paletteFor(io), io.columns)));
      if (saveTo !== undefined) {
        const saved = baselineOf(result);
        if (saved) writeFileAtomic(saveTo, `${JSON.stringify(saved, null, 2)}\n`);
        io.err(saved ? `baseline saved: ${saveTo} (${saved.samples.length} samples)\n` : `baseline NOT saved (${result.outcome}): a baseline must come from a gate that passed its correctness checks and controls\n`);
      }

      return result.exitCode;
    }, () => progress.finish());
  } finally {
    progress.finish();
  }
}

/** `parquet-chaos gate`: base against head (or a saved baseline), correctness with zero tolerance, timings with noise-aware statistics. */
export const gateSpec = {
  summary: 'compare a strategy at two commits (--strategy S --base REF) or two strategies (--base S --head S): fail on any correctness anomaly or a real (not noisy) slowdown; exit 0 pass, 1 fail, 2 usage, 3 inconclusive',
  flags: FLAGS,
  run: gate,
} satisfies CommandSpec;
