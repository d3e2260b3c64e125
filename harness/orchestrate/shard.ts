/** `--shard i/n`: which of a run's planned cells one machine runs, balanced by expected cost. */
import { badValue } from '../sdk/errors.js';
import type { Shard } from '../result/result.js';

export function parseShard(raw: string): Shard {
  const match = /^(\d+)\/(\d+)$/.exec(raw.trim());
  const index = Number(match?.[1]);
  const count = Number(match?.[2]);
  if (!match || count < 1 || count > 1000 || index < 1 || index > count) {
    throw badValue('E_BAD_OPTION', '--shard', raw, 'i/n with 1 <= i <= n <= 1000 (e.g. 2/4: the second of four shards)');
  }
  return { index, count };
}

/** Record-equivalents a process costs to start (spawning Node with tsx is not free). */
const PROCESS_COST = 20;

/** A cell's expected cost: its processes (writers plus a background role and finalize) and the records they write. */
export function expectedCost(cell: { workers: number }, recordsPerWorker: number): number {
  return (cell.workers + 2) * PROCESS_COST + cell.workers * recordsPerWorker;
}

/**
 * The planned cells shard `index` of `count` runs, as indices into `costs`, in plan order. Cells are
 * dealt out most expensive first to the shard with the least cost so far (ties: lower plan index,
 * lower shard), so the split depends only on the plan and every shard computes the same one.
 */
export function shardIndices(costs: readonly number[], shard: Shard): number[] {
  const order = costs.map((cost, i) => ({ cost, i })).sort((a, b) => b.cost - a.cost || a.i - b.i);
  const load = new Array<number>(shard.count).fill(0);
  const mine: number[] = [];
  for (const { cost, i } of order) {
    let target = 0;
    for (let s = 1; s < shard.count; s++) if (load[s]! < load[target]!) target = s;
    load[target]! += cost;
    if (target === shard.index - 1) mine.push(i);
  }
  return mine.sort((a, b) => a - b);
}
