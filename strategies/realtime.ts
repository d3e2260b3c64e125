import { choice, defineStrategy } from '../harness/sdk/strategy.js';
import { MAIN_LOCK, mergeIntoMain } from './shared/merge-main.js';
import { PUBLISH_POINTS } from './shared/main-file.js';

/**
 * The seed's "real-time save": every result is written straight into data/main.parquet by
 * read-modify-write. With `lock=none` this is its scenario 1 (B overwrites A's update).
 */
export const realtime = defineStrategy({
  name: 'realtime',
  summary: 'Each write reads data/main.parquet, adds the record and publishes the whole file again, under a file lock.',
  options: {
    lock: choice(['file', 'none'] as const, 'file', 'file: hold a proper-lockfile lock around read-modify-write; none: no lock (lost updates)'),
    publish: choice(['rename', 'inplace'] as const, 'rename', 'rename: temp + fsync + rename + dir fsync; inplace: truncate and rewrite main.parquet'),
  },
  // In place, main is truncated before it is rewritten: a writer dying in between takes every acked row
  // with it (sim found it: a crash between open and write), so only rename publishing keeps acked rows.
  guarantees: (o) => {
    const safe = o.lock === 'file' && o.publish === 'rename';
    return { noLostAcked: safe, noDuplicates: true, noCorruption: safe };
  },
  points: [...PUBLISH_POINTS],
  writer: (ctx, o) => ({
    async write(record) {
      // Deduped by id: a resumed writer may retry an id it saved but never saw acked.
      const save = () => mergeIntoMain(ctx, [record], o.publish);
      await (o.lock === 'file' ? ctx.lock.withLock(MAIN_LOCK, save) : save());
      return [record.id];
    },
  }),
});
