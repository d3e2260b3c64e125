import { join } from 'node:path';
import type { TestRecord } from '../../harness/sdk/records.js';
import type { StrategyContext } from '../../harness/sdk/strategy.js';
import { isRefusedCommit, unfenced, type Grant } from '../../harness/sdk/ports/lock.js';

export const MAIN_FILE = 'main.parquet';

/** The points this module marks with ctx.io.point (crash-point faults can name them). */
export const PUBLISH_POINTS = ['publish:temp-written'] as const;

export type Publish = 'rename' | 'inplace';

/** Ends every temp file `writeParquet` makes: never `.parquet`, so a temp is never part of the dataset. */
const TEMP_SUFFIX = '.tmp';

/** Reads the main file's rows (none if it does not exist yet). */
export async function readMain(ctx: StrategyContext): Promise<TestRecord[]> {
  const path = join(ctx.dataDir, MAIN_FILE);
  if (!(await ctx.io.exists(path))) return [];
  return ctx.codec.decode(await ctx.io.readFile(path));
}

/**
 * Writes `records` as the whole main file. `rename` writes a temp file (not ending in .parquet),
 * fsyncs it, renames it into place and fsyncs the folder, so readers see the old or the new file,
 * never half of one; `inplace` truncates and rewrites the main file itself (the unsafe way).
 */
export async function writeMain(ctx: StrategyContext, records: readonly TestRecord[], publish: Publish, commit: Grant['commit']): Promise<void> {
  await writeParquet(ctx, join(ctx.dataDir, MAIN_FILE), records, publish, commit);
}

/**
 * Publishes one Parquet file at `path` the way `publish` says (see writeMain). The step that makes the
 * new file visible runs inside `commit` (a fenced lock's grant checks its token there); a refused
 * commit leaves no temp file behind.
 */
export async function writeParquet(ctx: StrategyContext, path: string, records: readonly TestRecord[], publish: Publish, commit: Grant['commit'] = unfenced): Promise<void> {
  const bytes = await ctx.codec.encode(records);
  if (publish === 'inplace') {
    await commit(async () => {
      await ctx.io.writeFile(path, bytes, { fsync: true });
      // A file created here is durable only once its folder is (sim --model posix lost acked files without this).
      await ctx.io.fsyncDir(join(path, '..'));
    });
    return;
  }
  const temp = `${path}.${ctx.role.pid}${TEMP_SUFFIX}`;
  await ctx.io.writeFile(temp, bytes, { fsync: true });
  await ctx.io.point('publish:temp-written');
  try {
    await commit(() => ctx.io.rename(temp, path));
  } catch (error) {
    if (isRefusedCommit(error)) await ctx.io.unlink(temp);
    throw error;
  }
  await ctx.io.fsyncDir(join(path, '..'));
}

/**
 * Makes a file already published at `path` durable: its data and its name in the folder. A record
 * found already there on a retry may have been put there by an attempt killed between its rename and
 * its folder fsync: trusting what the page cache shows, and acking, would let a power loss undo it
 * (sim found realtime losing an acked record so: issue 21 item 6).
 */
export async function syncPublished(ctx: StrategyContext, path: string): Promise<void> {
  await ctx.io.fsyncFile(path);
  await ctx.io.fsyncDir(join(path, '..'));
}

/**
 * Deletes the temp files crashed processes left in `dirs` (the writer's pid is in their names, so nobody
 * else would ever rename them). Only safe once no process that may still rename one is running.
 */
export async function removeStaleTemps(ctx: StrategyContext, dirs: readonly string[]): Promise<void> {
  for (const dir of dirs) {
    for (const name of await ctx.io.readdir(dir)) {
      if (name.endsWith(TEMP_SUFFIX)) await ctx.io.unlink(join(dir, name));
    }
  }
}
