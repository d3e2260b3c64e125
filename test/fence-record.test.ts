import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { fenceRecord } from '../harness/sdk/ports/locks/fence.js';

const hasStrace = spawnSync('strace', ['-V']).status === 0;

describe('the fence record\'s own I/O', () => {
  it.runIf(hasStrace)('counts exactly the fsyncs SQLite makes for it (strace on a real process)', () => {
    // Arrange
    const dir = mkdtempSync(join(tmpdir(), 'parquet-chaos-fence-'));

    // Act: the sequence in support/fence-steps.ts, every fsync and fdatasync traced with its file's path.
    const run = spawnSync('strace', ['-f', '-qq', '-y', '-e', 'trace=fsync,fdatasync', '-e', 'signal=none', process.execPath, '--import', 'tsx', join(import.meta.dirname, 'support', 'fence-steps.ts'), dir], { encoding: 'utf8' });

    // Assert: what the record counted equals the syncs of the files in its folder (the folder included).
    const traced = run.stderr.split('\n').filter((line) => /\b(fsync|fdatasync)\(\d+</.test(line) && line.includes(dir)).length;
    expect(run.status).toBe(0);
    expect(traced).toBeGreaterThan(0);
    expect(Number(run.stdout.trim())).toBe(traced);
  });
});

describe('the fence record under a busy SQLite', () => {
  /** Another connection's read transaction on the record: a writer's COMMIT meets SQLITE_BUSY until it ends. */
  function reader(dir: string) {
    const db = new Database(join(dir, 'main.fence.sqlite'), { timeout: 0 });
    db.exec('BEGIN');
    db.prepare('SELECT token FROM fence').all();
    return db;
  }

  it('retries a COMMIT that finds the record busy, and the announce lands', async () => {
    // Arrange
    const dir = mkdtempSync(join(tmpdir(), 'parquet-chaos-fence-'));
    const fence = fenceRecord(dir);
    await fence.announce('main', 1);
    const other = reader(dir);
    setTimeout(() => other.exec('COMMIT'), 100);

    // Act
    await fence.announce('main', 2);

    // Assert
    expect(await fence.commitIfCurrent('main', 1, async () => 'published')).toEqual({ refused: true, current: 2 });
    other.close();
  });

  it('gives up after its limit with a clear error, and leaves the record as it was', async () => {
    // Arrange: the reader never ends.
    const dir = mkdtempSync(join(tmpdir(), 'parquet-chaos-fence-'));
    const fence = fenceRecord(dir, { busyLimitMs: 200 });
    await fence.announce('main', 1);
    const other = reader(dir);

    // Act
    const stuck = await fence.announce('main', 2).catch((error: unknown) => error);
    other.exec('COMMIT');

    // Assert
    expect(stuck).toMatchObject({ code: 'E_LOCK_TIMEOUT', option: 'fence record', expected: 'SQLite free within 200 ms' });
    expect((stuck as Error).message).toMatch(/busy at COMMIT for 200 ms/);
    expect(await fence.commitIfCurrent('main', 1, async () => 'published')).toEqual({ refused: false, value: 'published' });
    other.close();
  });
});
