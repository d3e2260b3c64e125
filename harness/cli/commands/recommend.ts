import { applyOptions, defaultRunConfig } from '../../orchestrate/run-config.js';
import { RECOMMEND_SCENARIO, estimateSeconds, fitBudget, recommendCandidates, recommendPoints, runRecommend } from '../../orchestrate/recommend-run.js';
import { badValue } from '../../sdk/errors.js';
import type { CommandSpec } from '../command.js';
import { execute } from '../execute.js';
import { OUTPUT_FLAGS, outputs, parseView, runFlags, runOptions } from '../flags.js';
import { RANKS } from '../../analyze/recommend.js';
import { parseCount, parseLimit, parseRank, parseWorkerList } from '../sweep-args.js';

/**
 * 3 repeats (fewer give no interval worth the name) × 12 records × workers 5, 10, 20, and the lock's
 * shortest stale time (2 s: a killed lock holder stalls the others that long).
 */
const DEFAULTS = { workers: '5,10,20', repeat: 3, records: '12', 'lock-stale': '2000' };
const base = () => applyOptions(defaultRunConfig(), { records: DEFAULTS.records, 'lock-stale': DEFAULTS['lock-stale'] });

/** `--budget MINUTES`: a positive number of minutes, never with --repeat (the budget chooses the repeats). */
function parseBudget(raw: string | undefined, repeatGiven: boolean): number | undefined {
  if (raw === undefined) return undefined;
  const minutes = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(minutes) || minutes <= 0 || minutes > 10_000) throw badValue('E_BAD_OPTION', '--budget', raw, 'a number of minutes above 0 (at most 10000)');
  if (repeatGiven) throw badValue('E_BAD_OPTION', '--budget', raw, 'no --repeat beside it (the budget chooses the repeats)');
  return minutes;
}

/** `parquet-chaos recommend`: measures every candidate under buffer-crash and answers which to use. */
export const recommend = {
  summary: `measure every candidate strategy and interval under ${RECOMMEND_SCENARIO} and recommend one`,
  flags: {
    'max-at-risk': { value: 'N', describe: 'constraint: most records at risk per crashed process (worst repeat)' },
    'max-lock-wait-p99': { value: 'MS', describe: 'constraint: highest median lock-wait p99' },
    rank: { value: 'RANK', describe: `throughput to rank on: ${RANKS.join(' (records durable in Parquet per second) or ')} (acks per second)`, default: 'parquet' },
    ...runFlags(base(), ['strategy', 'scenario']),
    workers: { value: 'LIST', describe: 'worker counts, comma-separated', default: DEFAULTS.workers },
    repeat: { value: 'N', describe: 'repeats of every point', default: String(DEFAULTS.repeat) },
    budget: { value: 'MINUTES', describe: 'size the run to fit: as many repeats as fit (3 to 20), dropping the largest worker counts only if 3 do not (estimated for an idle 2-core machine; not with --repeat)' },
    ...OUTPUT_FLAGS,
  },
  async run({ flags, argv }, io) {
    const view = parseView(flags, io);
    const config = applyOptions(base(), runOptions(flags, ['workers']));
    const constraints = {
      maxAtRisk: parseLimit('--max-at-risk', flags['max-at-risk'] as string | undefined),
      maxLockWaitP99: parseLimit('--max-lock-wait-p99', flags['max-lock-wait-p99'] as string | undefined),
    };
    const rank = parseRank(flags.rank as string | undefined);
    const records = config.recordsPerWorker;
    const candidates = await recommendCandidates();
    const asked = parseWorkerList(String(flags.workers ?? DEFAULTS.workers));
    const budget = parseBudget(flags.budget as string | undefined, flags.repeat !== undefined);
    const plan = budget === undefined
      ? { workerCounts: asked, repeat: parseCount('--repeat', flags.repeat as string | undefined, DEFAULTS.repeat) }
      : fitBudget(candidates, asked, records, budget);
    const points = recommendPoints(candidates, plan.workerCounts);
    const minutes = estimateSeconds(points, plan.repeat, records) / 60;
    // Before anything runs: what will be measured and about how long it takes.
    io.err(`recommend: ${points.length} points × ${plan.repeat} repeats = ${points.length * plan.repeat} cells at ${plan.workerCounts.join(', ')} workers` +
      `${budget === undefined ? '' : ` (to fit --budget ${budget})`}; estimated ${minutes < 1 ? 'under a minute' : `${Math.round(minutes)} min`} on an idle 2-core machine, several times that on a busy one` +
      `${config.shard ? ' (all shards together)' : ''}\n`);
    return execute(io, view, outputs(flags), (hooks) => runRecommend({
      ...config, ...hooks, workerCounts: plan.workerCounts, repeat: plan.repeat, constraints, rank,
      outDir: outputs(flags).out, command: ['parquet-chaos', 'recommend', ...argv].join(' '),
    }));
  },
} satisfies CommandSpec;
