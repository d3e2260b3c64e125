import { choice, defineStrategy, describeLockBackends, lockAssumptions, lockServices } from '../harness/sdk/strategy.js';
import { lockBackendNames } from '../harness/sdk/ports/locks/index.js';
import { MAIN_POINTS, mergeIntoMain, withMainLock } from './shared/merge-main.js';
import { PUBLISH_POINTS } from './shared/main-file.js';

/**
 * The seed's "real-time save": every result is written straight into data/main.parquet by
 * read-modify-write. With `lock=none` this is its scenario 1 (B overwrites A's update).
 */
export const realtime = defineStrategy({
  name: 'realtime',
  summary: 'Each write reads data/main.parquet, adds the record and publishes the whole file again, under a file lock.',
  options: {
    lock: choice([...lockBackendNames, 'none'] as const, 'file',
      `the lock around read-modify-write. ${describeLockBackends()}; none: no lock (lost updates)`),
    publish: choice(['rename', 'inplace'] as const, 'rename', 'rename: temp + fsync + rename + dir fsync; inplace: truncate and rewrite main.parquet'),
  },
  // In place, main is truncated before it is rewritten: a writer dying in between takes every acked row
  // with it (sim found it: a crash between open and write), so only rename publishing keeps acked rows.
  // Without a lock a stale read-modify-write drops others' rows, but a rename never tears a file.
  guarantees: (o) => ({ noLostAcked: o.lock !== 'none' && o.publish === 'rename', noDuplicates: true, noCorruption: o.publish === 'rename' }),
  services: (o) => lockServices(o.lock),
  assumes: (o) => lockAssumptions(o.lock),
  points: [...PUBLISH_POINTS, ...MAIN_POINTS],
  writer: (ctx, o) => ({
    async write(record) {
      // Deduped by id: a resumed writer may retry an id it saved but never saw acked.
      await (o.lock === 'none'
        ? mergeIntoMain(ctx, [record], undefined, o.publish)
        : withMainLock(ctx, o.lock, (grant) => mergeIntoMain(ctx, [record], grant, o.publish)));
      return [record.id];
    },
  }),
});
