import { setPriority } from 'node:os';
import { defineStrategy, integer } from '../harness/sdk/strategy.js';
import { CommitClient } from './shared/commit-client.js';
import { COMMIT_POINTS, GroupCommitter } from './shared/group-committer.js';
import { PUBLISH_POINTS } from './shared/main-file.js';
import { COMPACT_POINTS, compactUntilAborted, Compactor, warmEncoder } from './shared/segment-compactor.js';

/**
 * Group commit, as databases pass the fsync limit: writers hand each record to one local commit
 * process over a Unix socket (the consumer role: the committer); it appends every record that arrived
 * while its previous fsync ran with one write, fsyncs once, and only then acks each to its writer. One
 * fsync makes many writers' records durable. The committer's log segments are append-log's format and
 * the merger role (the compactor) folds them into Parquet parts, deduplicated by id, the same way.
 *
 * Faults: a killed writer's records that reached the committer are saved, unacked; a killed committer
 * is restarted, its writers reconnect and send their unacked records again (the compactor keeps one
 * copy); a killed compactor is append-log's. Its processes talk over a socket, not through the I/O port,
 * so the simulation cannot run it (`sim` refuses it); real processes and power losses on crashfs can.
 */
export const groupCommit = defineStrategy({
  name: 'group-commit',
  summary: 'Writers hand records over a Unix socket to one committer (the consumer role), which appends all that arrived during its previous fsync, fsyncs once and then acks them; a compactor (the merger role) folds its log into data/log-part-N.parquet, deduplicated by id.',
  options: {
    maxBatch: integer(1000, 'most records one fsync of the committer makes durable', 1, 100_000),
    maxWaitMs: integer(0, 'longest the committer waits for a batch to fill after its first record, ms (0: it commits at once what arrived during its previous fsync)', 0, 1000),
    window: integer(8, 'most records a writer has handed over and not yet seen acked (1: each write waits for its own ack; more: writes go on while earlier ones are committed, acked later)', 1, 10_000),
    reconnectMs: integer(60_000, 'a record unacked this long while its writer cannot reach the committer (a killed one is being restarted) is indeterminate: neither acked nor failed, and the writer goes on, ms', 1, 600_000),
    segment: integer(10_000, 'most records per committer log segment before it is sealed for the compactor', 1, 1_000_000),
    sealMs: integer(100, 'a segment at least this old is sealed after its next batch, ms', 1, 3_600_000),
    compactEveryMs: integer(50, 'pause between the compactor\'s rounds when it found nothing to do, ms', 1, 3_600_000),
    partRecords: integer(10_000, 'most records per Parquet part (a round stops taking segments beyond it)', 1, 10_000_000),
    warmRecords: integer(2000, 'records the compactor encodes to Parquet (and throws away) when it starts, before the writers go: a cold encoder cost ~4 times a warm one per record for its first few thousand (0: none)', 0, 100_000),
    compactorNice: integer(10, 'the compactor\'s CPU niceness (0: as the writers\'; up to 19): its Parquet encoding yields the CPU to writers and committer, whose acks wait for CPU, not for it', 0, 19),
  },
  // Acked only after the committer's fsync; parts are deduplicated by id and published by rename.
  guarantees: () => ({ noLostAcked: true, noDuplicates: true, noCorruption: true }),
  points: [...PUBLISH_POINTS, ...COMPACT_POINTS, ...COMMIT_POINTS],
  ipc: 'unix-socket',
  writer: (ctx, o) => {
    const client = new CommitClient(ctx, { window: o.window, reconnectMs: o.reconnectMs });
    return {
      open: async () => client.open(),
      write: (record) => client.write(record),
      close: () => client.close(),
    };
  },
  roles: {
    consumer: (ctx, o) => {
      const committer = new GroupCommitter(ctx, { maxBatch: o.maxBatch, maxWaitMs: o.maxWaitMs }, { records: o.segment, ageMs: o.sealMs });
      return { open: () => committer.open(), run: (signal) => committer.run(signal) };
    },
    merger: (ctx, o) => ({
      // A long-lived compactor's encoder is warm; this one, started with the cell, warms before the writers go.
      open: () => warmEncoder(ctx, o.warmRecords),
      run: (signal) => {
        // This process only (the merger role's own): raising niceness needs no privilege.
        if (o.compactorNice > 0) setPriority(o.compactorNice);
        return compactUntilAborted(ctx, o.partRecords, o.compactEveryMs, signal);
      },
    }),
  },
  // Every process has ended: the committers' open segments are complete too (up to a torn last line).
  finalize: async (ctx, o) => (await Compactor.start(ctx, o.partRecords)).drain(),
});
