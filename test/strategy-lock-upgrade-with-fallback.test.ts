import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkCell } from '../harness/oracle/checker.js';
import type { IoHook } from '../harness/sdk/ports/io.js';
import type { Release } from '../harness/sdk/ports/lock.js';
import type { StrategyContext } from '../harness/sdk/strategy.js';
import { lockUpgradeWithFallback } from '../strategies/lock-upgrade-with-fallback.js';
import { MAIN_LOCK } from '../strategies/shared/merge-main.js';
import { runSmall } from './support/cell.js';
import { LedgeredWriter, retryPlan } from './support/ledgered-writer.js';
import { expectRecountAgrees } from './support/recount.js';
import { crashAt, makeContext, SimulatedCrash, tempCell } from './support/sim.js';

const options = { timeoutMs: 1, retries: 2, lock: 'file' as const };


const fallbackFiles = (cellDir: string) => {
  const dir = join(cellDir, 'data', 'fallback');
  return existsSync(dir) ? readdirSync(dir).filter((name) => name.endsWith('.parquet')) : [];
};

async function openWriter(cellDir: string, worker: number, ctx: StrategyContext = makeContext(cellDir, { index: worker })): Promise<LedgeredWriter> {
  const writer = new LedgeredWriter(cellDir, worker, lockUpgradeWithFallback.writer(ctx, options));
  await writer.open();
  return writer;
}

/** Holds the main lock from another simulated process while `during` runs, so every try times out. */
async function whileLocked(cellDir: string, during: () => Promise<void>): Promise<void> {
  const release: Release = await makeContext(cellDir, { index: 9 }).lock.acquire(MAIN_LOCK);
  try {
    await during();
  } finally {
    await release();
  }
}

async function finalize(cellDir: string, hook?: IoHook): Promise<void> {
  await lockUpgradeWithFallback.finalize?.(makeContext(cellDir, { role: 'finalize', hook }), options);
}

/** How many I/O steps a fallback write takes: crashing at the last one dies after publishing, before the ack. */
async function fallbackWriteSteps(): Promise<number> {
  const scratch = tempCell();
  const counter = crashAt(Number.POSITIVE_INFINITY);
  const writer = await openWriter(scratch, 1, makeContext(scratch, { index: 1, hook: counter }));
  await whileLocked(scratch, () => writer.write(0));
  return counter.steps.length;
}

/**
 * A cell as finalize finds it: w0-0 and w0-1 in fallback files, w0-2 in main, and w1-0 in both (writer 1
 * died after publishing its fallback file but before the ack, and its restart retried it into main).
 */
async function cellWithFallbacks(): Promise<string> {
  const dir = tempCell();
  const writer0 = await openWriter(dir, 0);
  await whileLocked(dir, async () => {
    await writer0.write(0);
    await writer0.write(1);
  });
  await writer0.write(2);
  await writer0.close();

  const dying = await openWriter(dir, 1, makeContext(dir, { index: 1, hook: crashAt(await fallbackWriteSteps()) }));
  await whileLocked(dir, () => expect(dying.write(0)).rejects.toBeInstanceOf(SimulatedCrash));
  dying.abandon();
  const restarted = await openWriter(dir, 1);
  for (const seq of retryPlan(dir, 1, 1)) await restarted.write(seq);
  await restarted.close();
  return dir;
}

describe('lock-upgrade-with-fallback under main-file contention (real processes)', () => {
  it('falls back under a 1 ms lock timeout, and after finalize holds every acked id exactly once; the checker agrees with DuckDB', async () => {
    // Arrange
    const overrides = { strategies: ['lock-upgrade-with-fallback:timeoutMs=1,retries=1'], scenarios: ['main-file-contention'], workers: 8, recordsPerWorker: 15 };

    // Act
    const result = await runSmall(overrides);

    // Assert
    const cell = result.cells[0]!;
    const logs = readdirSync(join(cell.dir, 'logs')).map((name) => readFileSync(join(cell.dir, 'logs', name), 'utf8')).join('');
    expect(logs.match(/^\S+ fallback /gm)?.length ?? 0).toBeGreaterThan(0);
    expect(fallbackFiles(cell.dir)).toEqual([]);
    expect(cell.verdict).toMatchObject({ attempted: 120, acked: 120, lost: 0, duplicates: 0, corruptFiles: 0, valid: true });
    await expectRecountAgrees(cell);
  });
});

describe('lock-upgrade-with-fallback (in process)', () => {
  it('acks a record from its fallback file when the lock cannot be had, and finalize folds it into main', async () => {
    // Arrange
    const dir = tempCell();
    const messages: string[] = [];
    const writer = await openWriter(dir, 0, { ...makeContext(dir), log: (m) => messages.push(m) });

    // Act
    await whileLocked(dir, () => writer.write(0));
    await writer.write(1);
    await writer.close();
    const beforeFinalize = fallbackFiles(dir);
    await finalize(dir);

    // Assert
    expect(beforeFinalize).toEqual(['sim_writer_0_0.parquet']);
    expect(messages).toEqual([expect.stringMatching(/^fallback w0-0 -> .*sim_writer_0_0\.parquet after 2 tries of 1 ms$/)]);
    expect(fallbackFiles(dir)).toEqual([]);
    expect(readdirSync(join(dir, 'data')).filter((n) => n.endsWith('.parquet'))).toEqual(['main.parquet']);
    expect(await checkCell(dir, lockUpgradeWithFallback.guarantees(options))).toMatchObject({ acked: 2, present: 2, lost: 0, duplicates: 0, valid: true });
  });

  it('finalize dying at any step of its reconciliation loses nothing, and running it again leaves one copy of each id', async () => {
    const guarantees = lockUpgradeWithFallback.guarantees(options);
    const counter = crashAt(Number.POSITIVE_INFINITY);
    const counted = await cellWithFallbacks();
    expect(fallbackFiles(counted)).toHaveLength(3);
    expect((await checkCell(counted, guarantees)).duplicates).toBe(1);
    await finalize(counted, counter);
    expect(counter.steps.length).toBeGreaterThan(5);

    for (let n = 1; n <= counter.steps.length; n++) {
      // Arrange
      const dir = await cellWithFallbacks();

      // Act: finalize dies at step n; recovery runs it again in a fresh process
      await expect(finalize(dir, crashAt(n))).rejects.toBeInstanceOf(SimulatedCrash);
      const afterCrash = await checkCell(dir, guarantees);
      await finalize(dir);
      const afterRecovery = await checkCell(dir, guarantees);

      // Assert
      const at = `crash at step ${n} (${counter.steps[n - 1]})`;
      expect(afterCrash.lost, at).toBe(0);
      expect(afterRecovery, at).toMatchObject({ acked: 4, present: 4, lost: 0, duplicates: 0, corruptFiles: 0, valid: true });
      expect(fallbackFiles(dir), at).toEqual([]);
    }
  });
});
