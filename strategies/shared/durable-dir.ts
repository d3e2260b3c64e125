import { dirname } from 'node:path';
import type { StrategyContext } from '../../harness/sdk/strategy.js';

/**
 * Creates `dir` (with its parents) and fsyncs the folder that holds it, so that the new folder's entry
 * survives a power loss. Without the second step a file fsynced inside a new folder can vanish with the
 * folder: only an fsync of the parent makes the folder itself durable (Linux fsync(2); `sim --model
 * posix` found exactly this in incremental-file and log-commit). The parent is fsynced even when the
 * folder already exists: whoever created it may have died before syncing it. Parents above the new
 * folder's are the cell's own folders, created and synced before any strategy runs.
 */
export async function ensureDurableDir(ctx: StrategyContext, dir: string): Promise<void> {
  await ctx.io.mkdir(dir);
  await ctx.io.fsyncDir(dirname(dir));
}
