import { join } from 'node:path';
import type { TestRecord } from '../../harness/sdk/records.js';
import type { StrategyContext } from '../../harness/sdk/strategy.js';
import { mergeIntoMain } from './merge-main.js';
import type { Grant } from '../../harness/sdk/ports/lock.js';

/** The points this module marks with ctx.io.point (crash-point faults can name them). */
export const MERGE_POINTS = ['merge:inputs-read', 'merge:main-published', 'merge:input-deleted'] as const;

/**
 * Folding data/incremental/*.parquet into data/main.parquet (the seed's protection 2).
 *
 * Why there is no merge journal: every fold computes main ∪ inputs deduplicated by id, publishes
 * that by rename, and only then deletes the inputs it read. Ids are unique per record and stable
 * across retries, so a fold is idempotent: whatever step a merger dies at, main is either the old
 * file or a superset holding every row of the inputs that still exist, and the next fold (the
 * merger's next round, or finalize) yields the same main and removes the leftovers. A journal would
 * only record what the dedupe already recovers, and would itself be one more file to keep consistent.
 * The price is that each fold reads and rewrites the whole main file, which a journal would not save.
 */

export type MergeMode = 'safe' | 'naive';

export function incrementalDir(ctx: StrategyContext): string {
  return join(ctx.dataDir, 'incremental');
}

const isParquet = (name: string) => name.endsWith('.parquet');

async function listInputs(ctx: StrategyContext): Promise<string[]> {
  return (await ctx.io.readdir(incrementalDir(ctx))).filter(isParquet);
}

/**
 * Reads the listed inputs. One that does not decode is skipped and kept: with in-place publishing it
 * may still be being written, and deleting it would drop what its writer is about to ack.
 */
async function readInputs(ctx: StrategyContext, names: readonly string[]): Promise<{ read: string[]; records: TestRecord[] }> {
  const read: string[] = [];
  const records: TestRecord[] = [];
  for (const name of names) {
    const bytes = await ctx.io.readFile(join(incrementalDir(ctx), name));
    let rows: TestRecord[];
    try {
      rows = await ctx.codec.decode(bytes);
    } catch (error) {
      ctx.log(`merge: skipped unreadable ${name}: ${String((error as Error)?.message ?? error)}`);
      continue;
    }
    read.push(name);
    records.push(...rows);
  }
  return { read, records };
}

/**
 * One fold; returns how many inputs it merged. Only one fold may run at a time (callers hold the
 * main lock; `grant` is their holding of it, whose commit publishes main). `naive` is the seed's scenario 2: after publishing it lists the folder again and
 * deletes everything there, including files that arrived after the first listing and were never
 * merged, so their acked records are lost.
 */
export async function foldIncremental(ctx: StrategyContext, mode: MergeMode, grant?: Grant): Promise<number> {
  const listed = await listInputs(ctx);
  if (listed.length === 0) return 0;
  const inputs = await readInputs(ctx, listed);
  await ctx.io.point('merge:inputs-read');
  // A fold repeated after a crash finds every input row already in main: nothing to publish.
  await mergeIntoMain(ctx, inputs.records, grant);
  await ctx.io.point('merge:main-published');
  const doomed = mode === 'safe' ? inputs.read : await listInputs(ctx);
  for (const name of doomed) {
    await ctx.io.unlink(join(incrementalDir(ctx), name));
    await ctx.io.point('merge:input-deleted');
  }
  // The deletions made durable: an input a power loss brings back would be folded away again by the
  // next fold, but after the last one (finalize) it would stay beside main as a duplicate of its rows
  // (sim found it once every schedule ended with a power loss: issue 21 item 1).
  if (doomed.length > 0) await ctx.io.fsyncDir(incrementalDir(ctx));
  return inputs.read.length;
}
