import type { TestRecord } from '../../harness/records.js';
import type { StrategyContext } from '../api.js';

/**
 * A staging file of records, one JSON line each, appended by many processes (O_APPEND, one write per
 * line). `created_at` is a bigint, which JSON cannot hold, so it travels as a decimal string.
 */
export function encodeStagedLine(record: TestRecord): Uint8Array {
  return new TextEncoder().encode(`${JSON.stringify({ ...record, created_at: record.created_at.toString() })}\n`);
}

/** The complete lines of a staging file; a last line without its newline is still being appended. */
export function parseStagedLines(text: string): TestRecord[] {
  const lines = text.split('\n').slice(0, -1);
  return lines.filter((line) => line.trim() !== '').map((line) => {
    const parsed = JSON.parse(line) as Omit<TestRecord, 'created_at'> & { created_at: string };
    return { ...parsed, created_at: BigInt(parsed.created_at) };
  });
}

export async function appendStaged(ctx: StrategyContext, path: string, record: TestRecord): Promise<void> {
  // fsync: an ack means durable, so the only way this buffer loses an acked record is the drain race.
  await ctx.io.appendFile(path, encodeStagedLine(record), { fsync: true });
}

/** The records staged at `path` (none if the file does not exist yet). */
export async function readStaged(ctx: StrategyContext, path: string): Promise<TestRecord[]> {
  if (!(await ctx.io.exists(path))) return [];
  return parseStagedLines(new TextDecoder().decode(await ctx.io.readFile(path)));
}
