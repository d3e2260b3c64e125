/**
 * `merge`: the results of the shards of one run (`--shard i/n`) joined into the result the whole run
 * would have given: every cell in plan order, the summaries computed again over all of them.
 * Results of different configurations, commands, tool versions or shard counts are refused.
 */
import { ChaosError } from '../sdk/errors.js';
import type { MergedShard, RunResult } from '../result/result.js';
import { summarize } from './summaries.js';

export interface ShardFile {
  file: string;
  result: RunResult;
}

export const refuse = (message: string, value: unknown, expected: string) => new ChaosError('E_MERGE', `merge: ${message}`, { option: 'merge', value, expected });

/** The command without the flags that differ between shards (--shard, --out, --json): what every shard ran. */
export function unshardedCommand(command: string): string {
  return command.replace(/\s--(?:shard|out|json)(?:\s+|=)\S+/g, '');
}

const subcommand = (command: string) => command.split(/\s+/)[1];

/** Keys whose values differ between two JSON values (one level deep), for a message that says where. */
export function differingKeys(a: Record<string, unknown>, b: Record<string, unknown>): string[] {
  return [...new Set([...Object.keys(a), ...Object.keys(b)])].filter((k) => JSON.stringify(a[k]) !== JSON.stringify(b[k]));
}

interface ShardOf {
  file: string;
  result: { shard?: { index: number; count: number; plannedCells: number } | null; tool: { version: string; build?: string } };
}

/** How each merge names what it merges, in its refusals. */
const MERGED = {
  run: { files: 'result files', each: 'the result JSON of every shard of one run', one: "a shard's result", shards: 'results of runs with --shard i/n', many: 'results' },
  gate: { files: 'gate files', each: 'the gate JSON of every shard of one gate', one: "a shard's gate", shards: 'gates run with --shard i/n', many: 'gates' },
} as const;

/**
 * The files given are shards' (run with --shard i/n), at least one, all of one tool version; the first
 * of them, against which each merge then compares what the others ran. Run and gate merges check alike.
 */
export function checkShardFiles<S extends ShardOf>(inputs: readonly S[], what: 'run' | 'gate'): [S, ...S[]] {
  const named = MERGED[what];
  if (inputs.length === 0) throw refuse(`no ${named.files} given`, '', named.each);
  for (const { file, result } of inputs) {
    if (!result.shard) throw refuse(`${file} is not ${named.one} (it was not run with --shard i/n)`, file, named.shards);
  }
  const first = inputs[0]!;
  const rest = inputs.slice(1);
  for (const { file, result } of rest) {
    const [a, b] = [result.tool, first.result.tool];
    if (a.version !== b.version || a.build !== b.build) {
      const name = (t: typeof a) => `${t.version}${t.build ? ` (build ${t.build})` : ''}`;
      throw refuse(`${file} comes from parquet-chaos ${name(a)}, ${first.file} from ${name(b)}: ${named.many} of different tool versions are not comparable`, name(a), `version ${name(b)}`);
    }
  }
  return [first, ...rest];
}

/**
 * The shards given are one whole set: of one count and plan, each once, none missing (a merge of some
 * shards would look like a whole `what`). Run and gate merges check alike.
 */
export function checkShardSet(inputs: readonly ShardOf[], what: 'run' | 'gate'): void {
  const first = inputs[0]!;
  const { count, plannedCells } = first.result.shard!;
  const seen = new Map<number, string>();
  for (const { file, result } of inputs) {
    const s = result.shard!;
    if (s.count !== count || s.plannedCells !== plannedCells) throw refuse(`${file} is shard ${s.index}/${s.count} of ${s.plannedCells} cells, ${first.file} of ${count} shards and ${plannedCells} cells`, `${s.index}/${s.count}`, `shards of ${count}`);
    if (seen.has(s.index)) throw refuse(`${file} and ${seen.get(s.index)} are both shard ${s.index}/${count}`, s.index, 'each shard once');
    seen.set(s.index, file);
  }
  const missing = Array.from({ length: count }, (_, i) => i + 1).filter((i) => !seen.has(i));
  if (missing.length > 0) throw refuse(`shard${missing.length > 1 ? 's' : ''} ${missing.map((i) => `${i}/${count}`).join(', ')} missing: a merge of some shards would look like a whole ${what}`, missing, `all ${count} shards`);
}

export function mergeShards(inputs: readonly ShardFile[], runDir: string): RunResult {
  const [first, ...rest] = checkShardFiles(inputs, 'run');
  const { shard: _shard, ...baseConfig } = first.result.config;
  for (const { file, result } of rest) {
    const { shard: _s, ...config } = result.config;
    const keys = differingKeys(baseConfig as unknown as Record<string, unknown>, config as unknown as Record<string, unknown>);
    if (keys.length > 0) {
      throw refuse(`${file} and ${first.file} ran different configurations (${keys.map((k) => `${k}: ${JSON.stringify((config as Record<string, unknown>)[k])} vs ${JSON.stringify((baseConfig as Record<string, unknown>)[k])}`).join('; ')})`, keys, 'the same configuration in every shard');
    }
    // Output flags (--out, --json) may differ between shards; what was measured may not.
    if (subcommand(result.command) !== subcommand(first.result.command) || JSON.stringify(result.summaryPlan) !== JSON.stringify(first.result.summaryPlan)) {
      throw refuse(`${file} and ${first.file} ran different commands or grids ('${result.command}' vs '${first.result.command}')`, result.command, 'one command run with --shard 1/n … n/n');
    }
  }
  checkShardSet(inputs, 'run');

  const byIndex = [...inputs].sort((a, b) => a.result.shard!.index - b.result.shard!.index);
  const cells = byIndex.flatMap(({ result }) => result.cells).sort((a, b) => (a.planIndex ?? 0) - (b.planIndex ?? 0));
  const mergedFrom: MergedShard[] = byIndex.map(({ file, result }) => ({
    index: result.shard!.index, file, runId: result.runId, runDir: result.runDir, command: result.command,
    startedAt: result.startedAt, finishedAt: result.finishedAt, machine: result.machine, calibration: result.calibration, cells: result.cells.length,
  }));
  const times = byIndex.map(({ result }) => result);
  const merged: RunResult = {
    schemaVersion: 1,
    tool: first.result.tool,
    runId: `merged-${byIndex.map(({ result }) => result.runId).join('+')}`.slice(0, 120),
    runDir,
    startedAt: times.map((r) => r.startedAt).sort()[0]!,
    finishedAt: times.map((r) => r.finishedAt).sort().at(-1)!,
    command: unshardedCommand(first.result.command),
    config: { ...baseConfig, shard: null },
    // Each shard ran on its own machine: the first is shown, every one is kept in mergedFrom.
    machine: first.result.machine,
    ...(first.result.calibration ? { calibration: first.result.calibration } : {}),
    cells,
    interrupted: byIndex.some(({ result }) => result.interrupted),
    ...(first.result.summaryPlan ? { summaryPlan: first.result.summaryPlan } : {}),
    mergedFrom,
  };
  const stopped = byIndex.flatMap(({ result }) => (result.stopped ? [`shard ${result.shard!.index}: ${result.stopped}`] : []));
  if (stopped.length) merged.stopped = stopped.join('; ');
  return { ...merged, ...summarize(merged) };
}
