import { defineStrategy, integer } from '../harness/sdk/strategy.js';
import { COMPACT_POINTS, compactUntilAborted, Compactor } from './shared/segment-compactor.js';
import { APPEND_POINTS, SegmentWriter } from './shared/segment-log.js';
import { PUBLISH_POINTS } from './shared/main-file.js';

/**
 * The design used for high-rate durable saving (a write-ahead log, as in databases and Kafka-to-Parquet
 * sinks): each writer appends its records to its own append-only log and acks after one fsync, with no
 * lock shared between processes and no file per record; a compactor folds sealed log segments into
 * Parquet parts, deduplicated by id, and removes segments only once their part is durable (see
 * shared/segment-log.ts and shared/segment-compactor.ts).
 */
export const appendLog = defineStrategy({
  name: 'append-log',
  summary: 'Each writer appends records to its own log (one fsync per ack, no shared lock); a compactor folds sealed log segments into data/log-part-N.parquet, deduplicated by id.',
  // Sealing every 100 ms and polling every 50 ms keep Parquet within a fraction of a second of the acks.
  // Every segment costs its writer a create, a folder fsync, a close and a rename, and the compactor a
  // read, an unlink and often a round of its own; the cores are what limit this strategy, so fewer
  // segments are faster (8 writers × 400 records, interleaved bench: sealing every 50, 100, 200 ms cost
  // 378, 348, 333 µs of CPU an ack over all roles). Not longer: merge-race (writers ~450 ms, the compactor
  // paused 150 ms at 100–300 ms) must still see at least three folds while its writers write, or its
  // compactor crash (7th merge point) may not fire and the cell is rightly `unknown`; 100 ms leaves four
  // seals before the writers end, so even a pause swallowing two leaves three rounds.
  options: {
    segment: integer(1000, 'most records per log segment before the writer seals it for the compactor', 1, 1_000_000),
    sealMs: integer(100, 'a segment at least this old is sealed after its next append (how long records may wait for the compactor), ms', 1, 3_600_000),
    compactEveryMs: integer(50, 'pause between the compactor\'s rounds when it found nothing to do, ms', 1, 3_600_000),
    partRecords: integer(10_000, 'most records per Parquet part (a round stops taking segments beyond it)', 1, 10_000_000),
  },
  // Acked only after its line is fsynced; parts are deduplicated by id and published by rename.
  guarantees: () => ({ noLostAcked: true, noDuplicates: true, noCorruption: true }),
  points: [...PUBLISH_POINTS, ...COMPACT_POINTS, ...APPEND_POINTS],
  writer: (ctx, o) => {
    const log = new SegmentWriter(ctx, { records: o.segment, ageMs: o.sealMs });
    return {
      open: () => log.open(),
      async write(record) {
        await log.append(record);
        return [record.id];
      },
      async close() {
        await log.seal();
        return [];
      },
    };
  },
  roles: {
    merger: (ctx, o) => ({ run: (signal) => compactUntilAborted(ctx, o.partRecords, o.compactEveryMs, signal) }),
  },
  // Every process has ended: open segments of dead writers are complete too (up to a torn last line).
  finalize: async (ctx, o) => (await Compactor.start(ctx, o.partRecords)).drain(),
});
