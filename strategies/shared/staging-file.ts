import type { TestRecord } from '../../harness/sdk/records.js';
import type { StrategyContext } from '../../harness/sdk/strategy.js';
import { recordFromJson, recordToJson } from './record-json.js';

/** A staging file of records, one JSON line each, appended by many processes (O_APPEND, one write per line). */
export async function appendStaged(ctx: StrategyContext, path: string, record: TestRecord): Promise<void> {
  // fsync: an ack means durable, so the only way this buffer loses an acked record is the drain race.
  await ctx.io.appendFile(path, new TextEncoder().encode(`${recordToJson(record)}\n`), { fsync: true });
}

/** The complete lines of a staging file; a last line without its newline is still being appended. */
export function parseStaged(text: string): TestRecord[] {
  return text.split('\n').slice(0, -1).filter((line) => line.trim() !== '').map(recordFromJson);
}

/** The records staged at `path` (none if the file does not exist yet). */
export async function readStaged(ctx: StrategyContext, path: string): Promise<TestRecord[]> {
  if (!(await ctx.io.exists(path))) return [];
  return parseStaged(new TextDecoder().decode(await ctx.io.readFile(path)));
}
