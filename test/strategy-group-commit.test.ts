import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main, type Io } from '../harness/cli/cli.js';
import { checkCell } from '../harness/oracle/checker.js';
import { resolveOptions, type StrategyContext } from '../harness/sdk/strategy.js';
import { groupCommit } from '../strategies/group-commit.js';
import { LedgeredWriter } from './support/ledgered-writer.js';
import { makeContext, tempCell } from './support/sim.js';

// group-commit in one process over a real socket and real files: batching and acks, and a writer
// whose committer is out of reach. Kills of its processes run in test/slow/group-commit.test.ts.

type Options = ReturnType<typeof options>;
const options = (given: Record<string, string> = {}) => resolveOptions(groupCommit, given);
const claims = groupCommit.guarantees(options());

/** A context whose ctx.count lands in `counters`. */
function counted(cell: string, role: Parameters<typeof makeContext>[1] = {}): { ctx: StrategyContext; counters: Record<string, number> } {
  const counters: Record<string, number> = {};
  const ctx = { ...makeContext(cell, role), count: (name: string, n = 1) => void (counters[name] = (counters[name] ?? 0) + n) };
  return { ctx, counters };
}

/** The committer role, running until the returned stop() (which resolves once it has ended). */
async function startCommitter(ctx: StrategyContext, o: Options): Promise<() => Promise<void>> {
  const role = groupCommit.roles!.consumer!(ctx, o);
  await role.open?.();
  const stop = new AbortController();
  const running = role.run(stop.signal);
  return () => {
    stop.abort();
    return running;
  };
}

async function writeAll(cell: string, o: Options, worker: number, records: number): Promise<void> {
  const w = new LedgeredWriter(cell, worker, groupCommit.writer(makeContext(cell, { index: worker }), o));
  await w.open();
  for (let seq = 0; seq < records; seq++) await w.write(seq);
  await w.close();
}

describe('group-commit in one process', () => {
  it('one fsync acks a record of each of 4 writers: 5 batches for 20 records, all saved once', async () => {
    // Arrange: batches wait (up to 1 s, the longest allowed) until one record of each writer is in;
    // each writer waits for its record's ack before the next.
    const cell = tempCell();
    const o = options({ maxBatch: '4', maxWaitMs: '1000', window: '1' });
    const { ctx, counters } = counted(cell, { role: 'consumer' });
    const stop = await startCommitter(ctx, o);

    // Act
    await Promise.all([0, 1, 2, 3].map((worker) => writeAll(cell, o, worker, 5)));
    await stop();
    await groupCommit.finalize!(makeContext(cell, { role: 'finalize' }), o);

    // Assert
    expect(counters).toMatchObject({ batches: 5, batchedRecords: 20 });
    expect(await checkCell(cell, claims)).toMatchObject({ acked: 20, present: 20, lost: 0, duplicates: 0, corruptFiles: 0, valid: true });
    expect(readdirSync(join(cell, 'state', 'append-log'))).toEqual([]);
  });

  it('a window of 4: writes go on before their acks, each id acked once its batch is durable', async () => {
    // Arrange
    const cell = tempCell();
    const o = options({ window: '4' });
    const stop = await startCommitter(makeContext(cell, { role: 'consumer' }), o);

    // Act
    await Promise.all([0, 1].map((worker) => writeAll(cell, o, worker, 30)));
    await stop();
    await groupCommit.finalize!(makeContext(cell, { role: 'finalize' }), o);

    // Assert
    expect(await checkCell(cell, claims)).toMatchObject({ acked: 60, present: 60, lost: 0, duplicates: 0, valid: true });
  });

  it('a record unacked for reconnectMs while no committer answers is indeterminate: no ack, no fail; a committer that comes back takes the next', async () => {
    // Arrange: no committer yet.
    const cell = tempCell();
    // A window of 1: the first write waits (for reconnectMs) for its ack before the committer starts.
    const o = options({ reconnectMs: '100', window: '1' });
    const { ctx, counters } = counted(cell);
    const w = new LedgeredWriter(cell, 0, groupCommit.writer(ctx, o));
    await w.open();

    // Act
    await w.write(0);
    const stop = await startCommitter(makeContext(cell, { role: 'consumer' }), o);
    await w.write(1);
    await w.close();
    await stop();
    await groupCommit.finalize!(makeContext(cell, { role: 'finalize' }), o);

    // Assert: w0-0 never reached a committer; w0-1 did.
    expect(counters['indeterminate']).toBe(1);
    expect(await checkCell(cell, claims)).toMatchObject({ attempted: 2, acked: 1, present: 1, unackedLost: 1, lost: 0, valid: true });
  });
});

describe('group-commit and the simulation', () => {
  it('sim refuses it before anything runs (exit 2), naming the socket and pointing at run', async () => {
    // Arrange
    const err: string[] = [];
    const io: Io = { out: () => {}, err: (t) => void err.push(t), isTTY: false, env: {} };

    // Act
    const code = await main(['sim', '--strategy', 'group-commit', '--out', tempCell()], io);

    // Assert
    expect(code).toBe(2);
    expect(err.join('')).toMatch(/--strategy: got 'group-commit', expected a strategy whose processes share no socket: group-commit's writers and committer talk over a unix-socket.*test it with `run`/);
  });
});
