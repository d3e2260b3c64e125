import { join } from 'node:path';
import { hasValidChecksum, type TestRecord } from '../../harness/sdk/records.js';
import type { StrategyContext } from '../../harness/sdk/strategy.js';
import type { Appender } from '../../harness/sdk/ports/io.js';
import { recordFromJson, recordToJson } from './record-json.js';

/** The points this module marks with ctx.io.point (crash-point faults can name them). */
export const APPEND_POINTS = ['append-log:appended'] as const;

/**
 * Per-writer append-only log segments under state/append-log/: one JSON line per record, appended and
 * fsynced before the ack. A segment is `w{index}-{processId}-{n}.seg` while its writer appends to it
 * and `….sealed` once the writer has rolled past it or closed it; a dead writer's last segment stays
 * `.seg` (its tail may be torn) until finalize, when every process has ended, takes it too.
 */

export const OPEN = '.seg';
export const SEALED = '.sealed';

export function segmentDir(ctx: StrategyContext): string {
  return join(ctx.stateDir, 'append-log');
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function encodeLine(record: TestRecord): Uint8Array {
  return encoder.encode(`${recordToJson(record)}\n`);
}

/**
 * The records of a segment's bytes. A line that does not parse or whose checksum fails is torn (its
 * writer died, or power was lost, in the middle of an append that was therefore never acked): skipped
 * and counted, never guessed at.
 */
export function parseSegment(bytes: Uint8Array): { records: TestRecord[]; torn: number } {
  const records: TestRecord[] = [];
  let torn = 0;
  const lines = decoder.decode(bytes).split('\n');
  // The text after the last newline is an append that did not complete.
  const tail = lines.pop() ?? '';
  if (tail !== '') torn++;
  for (const line of lines) {
    if (line === '') continue;
    try {
      const record = recordFromJson(line);
      if (hasValidChecksum(record)) records.push(record);
      else torn++;
    } catch {
      torn++;
    }
  }
  return { records, torn };
}

/**
 * A writer's current segment. Names are only ever taken when free (exclusive create, and no sealed
 * segment of the same name waiting), so no live segment is overwritten even when a processId repeats.
 */
export interface SegmentLimits {
  /** Most records in a segment. */
  records: number;
  /** A segment this old (ms since its creation) is sealed after its next append: bounds how long records wait for Parquet. */
  ageMs: number;
}

export class SegmentWriter {
  private current: { path: string; file: Appender } | undefined;
  private createdAt = 0;
  private appended = 0;
  private next: number | undefined;

  /** `owner` starts every segment name: `w{index}` for a writer's own log (the default). */
  constructor(private readonly ctx: StrategyContext, private readonly limits: SegmentLimits, private readonly owner = `w${ctx.role.index}`) {}

  private get prefix(): string {
    return `${this.owner}-${this.ctx.role.processId}-`;
  }

  /** Creates the log folder (durably) and this process's first free segment number. */
  async open(): Promise<void> {
    await this.ctx.io.mkdir(segmentDir(this.ctx));
    await this.ctx.io.fsyncDir(this.ctx.stateDir);
    let next = 0;
    for (const name of await this.ctx.io.readdir(segmentDir(this.ctx))) {
      const n = name.startsWith(this.prefix) ? /^(\d+)\./.exec(name.slice(this.prefix.length))?.[1] : undefined;
      if (n !== undefined) next = Math.max(next, Number(n) + 1);
    }
    this.next = next;
  }

  /**
   * Appends one record durably: when this resolves the record survives a crash or a power loss. The
   * segment stays open between appends (one write and one fsync a record, no open and close).
   */
  async append(record: TestRecord): Promise<void> {
    await this.appendEncoded(encodeLine(record), 1);
    await this.ctx.io.point('append-log:appended');
    await this.sealIfDue();
  }

  /**
   * Appends `records` whole lines (`lines`, encoded as encodeLine does) with one write and one fsync:
   * when this resolves all of them survive a crash or a power loss.
   */
  async appendEncoded(lines: Uint8Array, records: number): Promise<void> {
    if (this.next === undefined) await this.open();
    const current = this.current ?? (await this.create());
    try {
      await current.file.append(lines, { fsync: true });
    } catch (error) {
      // The failed append may have left part of a line: no later record is appended after it. The
      // segment is left as it is (`.seg`), and finalize folds it with the other open ones.
      this.current = undefined;
      this.appended = 0;
      await current.file.close().catch(() => {});
      throw error;
    }
    this.appended += records;
  }

  /** Seals the current segment once it holds enough records or is old enough. */
  async sealIfDue(): Promise<void> {
    if (this.current === undefined) return;
    if (this.appended >= this.limits.records || this.ctx.clock.now() - this.createdAt >= this.limits.ageMs) await this.seal();
  }

  /** Hands the current segment to the compactor. Its records are durable already: no fsync needed for that. */
  async seal(): Promise<void> {
    const current = this.current;
    if (current === undefined) return;
    this.current = undefined;
    this.appended = 0;
    await current.file.close();
    await this.ctx.io.rename(current.path, current.path.slice(0, -OPEN.length) + SEALED);
    this.ctx.count('segmentsSealed');
  }

  /** A new, empty segment whose name survives a power loss before anything is acked in it. */
  private async create(): Promise<{ path: string; file: Appender }> {
    const dir = segmentDir(this.ctx);
    const path = join(dir, `${this.prefix}${String(this.next!++).padStart(6, '0')}${OPEN}`);
    const file = await this.ctx.io.openAppender(path, { exclusive: true });
    try {
      await this.ctx.io.fsyncDir(dir);
    } catch (error) {
      await file.close().catch(() => {});
      throw error;
    }
    this.current = { path, file };
    this.createdAt = this.ctx.clock.now();
    return this.current;
  }
}
