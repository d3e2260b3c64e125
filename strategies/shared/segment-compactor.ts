import { join } from 'node:path';
import { makeRecord, type TestRecord } from '../../harness/sdk/records.js';
import type { StrategyContext } from '../../harness/sdk/strategy.js';
import { sleepUnlessAborted } from './abortable-sleep.js';
import { writeParquet } from './main-file.js';
import { OPEN, parseSegment, SEALED, segmentDir } from './segment-log.js';
import { recordToJson } from './record-json.js';

/** The points this module marks with ctx.io.point (crash-point faults can name them). */
export const COMPACT_POINTS = ['merge:segments-read', 'merge:part-published', 'merge:segments-removed'] as const;

/**
 * Folding log segments into Parquet parts, data/log-part-{n}.parquet.
 *
 * Why it needs no manifest: the parts themselves say what is compacted. Before its first fold, a
 * compactor reads the ids of every part in data/ (`seen`); a round reads some segments, keeps the
 * records whose id is not seen (so neither a retried id nor a segment compacted before a crash is saved
 * twice), publishes them as a new part (temp + fsync + rename + folder fsync), and only then removes
 * those segments.
 * Whatever step it dies at, each record of a segment still on disk is either in a durable part (then
 * dropped as seen next time, and its segment removed) or not (then compacted again). A power loss that
 * undoes the rename or the removals leads to the same two cases. Only one compactor runs at a time (the
 * merger role, restarted after it dies; finalize once every process has ended).
 */

const PART = /^log-part-(\d+)\.parquet$/;
const PART_TEMP = /^log-part-\d+\.parquet\..+\.tmp$/;

export const partName = (n: number) => `log-part-${String(n).padStart(6, '0')}.parquet`;

export class Compactor {
  private readonly seen = new Set<string>();
  private nextPart = 0;
  /** Parts found at start whose ids are not in `seen` yet: read at the first round with segments to fold. */
  private unread: string[] = [];

  private constructor(private readonly ctx: StrategyContext, private readonly partRecords: number) {}

  /**
   * Recovers what a dead compactor left (temp parts) and finds the parts already published. Their ids are
   * read only when there is something to fold (learnSeen): finalize after a compactor that folded
   * everything, the usual case, has none, and decoding every part for nothing was most of its time.
   */
  static async start(ctx: StrategyContext, partRecords: number): Promise<Compactor> {
    const compactor = new Compactor(ctx, partRecords);
    await ctx.io.mkdir(segmentDir(ctx));
    await ctx.io.fsyncDir(ctx.stateDir);
    for (const name of await ctx.io.readdir(ctx.dataDir)) {
      if (PART_TEMP.test(name)) {
        await ctx.io.unlink(join(ctx.dataDir, name));
        continue;
      }
      const n = PART.exec(name)?.[1];
      if (n === undefined) continue;
      compactor.nextPart = Math.max(compactor.nextPart, Number(n) + 1);
      compactor.unread.push(name);
    }
    // The parts found are trusted (their records' segments are removed as compacted): their names made
    // durable first. A compactor killed between a part's rename and its folder fsync leaves the name in
    // the page cache only (the data was fsynced before the rename); sim's mutation run found the loss.
    if (compactor.unread.length > 0) await ctx.io.fsyncDir(ctx.dataDir);
    return compactor;
  }

  /** Learns which ids the parts found at start hold (only this compactor publishes parts while it runs). */
  private async learnSeen(): Promise<void> {
    for (const name of this.unread) {
      for (const record of await this.ctx.codec.decode(await this.ctx.io.readFile(join(this.ctx.dataDir, name)))) this.seen.add(record.id);
    }
    this.unread = [];
  }

  /**
   * One round: folds sealed segments (and, with `includeOpen`, the open ones of dead writers: only
   * when no writer runs) into one part of about `partRecords` records at most. Returns the number of
   * segments it removed (0: nothing to do).
   */
  async round(includeOpen: boolean): Promise<number> {
    const dir = segmentDir(this.ctx);
    const names = (await this.ctx.io.readdir(dir)).filter((n) => n.endsWith(SEALED) || (includeOpen && n.endsWith(OPEN)));
    if (names.length === 0) return 0;
    await this.learnSeen();
    const taken: string[] = [];
    const fresh = new Map<string, TestRecord>();
    for (const name of names) {
      if (taken.length > 0 && fresh.size >= this.partRecords) break;
      const { records, torn } = parseSegment(await this.ctx.io.readFile(join(dir, name)));
      if (torn > 0) this.ctx.count('tornLines', torn);
      for (const record of records) {
        if (this.seen.has(record.id) || fresh.has(record.id)) this.ctx.count('duplicatesDropped');
        else fresh.set(record.id, record);
      }
      taken.push(name);
    }
    await this.ctx.io.point('merge:segments-read');
    if (fresh.size > 0) {
      await writeParquet(this.ctx, join(this.ctx.dataDir, partName(this.nextPart)), [...fresh.values()], 'rename');
      this.nextPart++;
      for (const id of fresh.keys()) this.seen.add(id);
      this.ctx.count('partsWritten');
      await this.ctx.io.point('merge:part-published');
    }
    for (const name of taken) await this.ctx.io.unlink(join(dir, name));
    await this.ctx.io.fsyncDir(dir);
    await this.ctx.io.point('merge:segments-removed');
    return taken.length;
  }

  /** Rounds until no segment is left: finalize, after every writer has ended. */
  async drain(): Promise<void> {
    while ((await this.round(true)) > 0);
  }
}

/**
 * The merger role of a log-and-compact strategy: folds sealed segments, pausing `pauseMs` whenever a
 * round found nothing, until `signal` aborts; then folds what is sealed by then (writers seal on close).
 */
export async function compactUntilAborted(ctx: StrategyContext, partRecords: number, pauseMs: number, signal: AbortSignal): Promise<void> {
  const compactor = await Compactor.start(ctx, partRecords);
  const round = async () => {
    try {
      return await compactor.round(false);
    } catch (error) {
      // A failed round leaves its segments in place (removed only after the part is durable): retried next round.
      ctx.log(`compaction failed: ${String((error as Error)?.message ?? error)}`);
      return 0;
    }
  };
  while (!signal.aborted) {
    if ((await round()) === 0) await sleepUnlessAborted(ctx.clock, pauseMs, signal);
  }
  while ((await round()) > 0);
}

/**
 * Encodes `records` generated records to Parquet and parses them as segment lines, keeping nothing: V8
 * runs the encoder's code interpreted until it has run a while, and a compactor that started with
 * the writers spent most of its CPU there (measured: ~120 µs a record cold, ~30 warm, over its first
 * 2,400). Nothing is written; its CPU is the role's start-up, as loading its modules is.
 */
export async function warmEncoder(ctx: StrategyContext, records: number): Promise<void> {
  if (records === 0) return;
  const batch = Array.from({ length: Math.min(records, 500) }, (_, seq) => makeRecord(0, 0, seq, 256, 0n));
  const lines = new TextEncoder().encode(batch.map((r) => `${recordToJson(r)}\n`).join(''));
  for (let done = 0; done < records; done += batch.length) {
    parseSegment(lines);
    await ctx.codec.encode(batch);
  }
}
