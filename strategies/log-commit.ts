import { join } from 'node:path';
import type { TestRecord } from '../harness/sdk/records.js';
import { defineStrategy, integer, type StrategyContext } from '../harness/sdk/strategy.js';
import { commitNext, readCommitLog, syncEntries } from './shared/commit-log.js';
import { PUBLISH_POINTS, writeParquet } from './shared/main-file.js';

/**
 * The seed's long-term pointer, a table format (Delta Lake), reduced to its core: optimistic
 * concurrency without any lock. A writer publishes its records as a new, uniquely named data file,
 * then commits it by creating the next version of a commit log with put-if-absent (see
 * shared/commit-log.ts for why that stays correct for writers paused past any lease). A file is part
 * of the dataset once a committed version lists it; finalize deletes every other file in data/.
 */

interface WriterState {
  /** The latest version this writer knows of: the next commit tries the one after it. */
  latest: number;
  /** Ids of this writer index already committed, by this process or a predecessor that died. */
  committed: Set<string>;
  nextFileSeq: number;
}

const dataFilePrefix = (ctx: StrategyContext) => `commit-${ctx.role.processId}-`;

/**
 * The first free sequence number for this process's data file names. A processId can repeat (a pid
 * reused within the same second, a simulated process), and overwriting a file some version lists
 * would change committed data, so continue after every file that already carries the prefix.
 */
async function firstFreeFileSeq(ctx: StrategyContext): Promise<number> {
  const prefix = dataFilePrefix(ctx);
  let next = 0;
  for (const name of await ctx.io.readdir(ctx.dataDir)) {
    const seq = name.startsWith(prefix) ? /^(\d+)\./.exec(name.slice(prefix.length))?.[1] : undefined;
    if (seq !== undefined) next = Math.max(next, Number(seq) + 1);
  }
  return next;
}

async function openWriter(ctx: StrategyContext): Promise<WriterState> {
  const log = await readCommitLog(ctx);
  const mine = log.entries.filter((entry) => entry.writer === ctx.role.index);
  // Their ids will be acked on retry without a new commit: durable first, whatever a killed predecessor left.
  await syncEntries(ctx, mine.map((entry) => entry.version));
  return { latest: log.latest, committed: new Set(mine.flatMap((entry) => entry.ids)), nextFileSeq: await firstFreeFileSeq(ctx) };
}

export const logCommit = defineStrategy({
  name: 'log-commit',
  summary: 'Each batch goes to its own data file, committed by creating the next commit-log version with put-if-absent (O_EXCL); no locks, conflicts retry at the next version.',
  options: {
    every: integer(1, 'records per data file and commit (buffered in memory until then)', 1),
  },
  // Unacked buffered records may be lost on a crash, but nothing acked is: every value keeps all three.
  guarantees: () => ({ noLostAcked: true, noDuplicates: true, noCorruption: true }),
  points: [...PUBLISH_POINTS, 'commit:entry-written'],
  writer: (ctx, o) => {
    let opened: Promise<WriterState> | undefined;
    const ready = () => (opened ??= openWriter(ctx));
    let batch: TestRecord[] = [];

    async function commitBatch(): Promise<string[]> {
      const state = await ready();
      if (batch.length === 0) return [];
      // Handed off before any I/O: if a step fails, whether the batch got committed is unknown, so it
      // is never committed again from here (that could list its ids twice); a resumed writer's open()
      // reads the log and knows.
      const records = batch;
      batch = [];
      const file = `${dataFilePrefix(ctx)}${state.nextFileSeq++}.parquet`;
      await writeParquet(ctx, join(ctx.dataDir, file), records, 'rename');
      const ids = records.map((r) => r.id);
      const outcome = await commitNext(ctx, state.latest, { writer: ctx.role.index, processId: ctx.role.processId, files: [file], ids });
      state.latest = outcome.version;
      if (outcome.conflicts > 0) {
        ctx.count('commitConflicts', outcome.conflicts);
        ctx.count('conflictedCommits');
      }
      if (outcome.conflicts > 0) ctx.log(`commit conflicts=${outcome.conflicts} retryMs=${outcome.retryMs.toFixed(3)} version=${outcome.version}`);
      await ctx.io.point('commit:entry-written');
      for (const id of ids) state.committed.add(id);
      return ids;
    }

    return {
      async open() {
        await ready();
      },
      async write(record) {
        const state = await ready();
        // A resumed writer may retry an id its predecessor committed before dying unacked: ack, don't copy.
        if (state.committed.has(record.id)) return [record.id];
        batch.push(record);
        return batch.length >= o.every ? commitBatch() : [];
      },
      close: commitBatch,
    };
  },
  /**
   * Runs after every writer has ended, so a torn log entry is an aborted commit. Deletes whatever in
   * data/ no committed version lists: files of writers that died before committing, and temp files.
   */
  async finalize(ctx) {
    const log = await readCommitLog(ctx);
    const listed = new Set(log.entries.flatMap((entry) => entry.files));
    const orphans = (await ctx.io.readdir(ctx.dataDir)).filter((name) => !listed.has(name));
    for (const name of orphans) await ctx.io.unlink(join(ctx.dataDir, name));
    // Even with no orphan left: a finalize killed before this fsync may have unlinked them in the page cache only.
    await ctx.io.fsyncDir(ctx.dataDir);
    ctx.log(`finalize: versions=${log.entries.length} torn=${log.torn.length} orphansRemoved=${orphans.length}`);
  },
});
