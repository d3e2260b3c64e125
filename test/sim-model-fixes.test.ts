import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadStrategy } from '../harness/orchestrate/load-strategy.js';
import { hyparquetCodec } from '../harness/sdk/codec/hyparquet.js';
import { runSchedule } from '../harness/sim/run-schedule.js';
import { SimFs } from '../harness/sim/fs.js';
import { createSimIoPort } from '../harness/sim/io-port.js';
import { persistenceModels, type ModelName } from '../harness/sim/models/index.js';

/**
 * The persistence models where they differed from the file systems they name: each test lists exactly
 * the post-crash states of a small operation sequence (files under /d as `name=content`), and fails on
 * the models as they were.
 */
const enc = (text: string) => new TextEncoder().encode(text);

function fresh(model: ModelName): SimFs {
  return new SimFs(persistenceModels[model], ['/d']);
}

/** open(O_CREAT | O_TRUNC) and one write, in one call (what writeFile does). */
function write(fs: SimFs, path: string, text: string) {
  const call = fs.beginCall();
  fs.open(path, { truncate: true }, call);
  fs.append(path, enc(text), call);
}

function durable(fs: SimFs, path: string, text: string) {
  write(fs, path, text);
  fs.fsyncFile(path);
  fs.fsyncDir('/d');
}

const show = (snapshot: Record<string, string>) =>
  Object.entries(snapshot).filter(([p]) => p.startsWith('/d/') && p !== '/d/').map(([p, c]) => `${p.slice(3)}=${c.replaceAll('\0', '0')}`).join(' ');

const states = (fs: SimFs) => [...new Set(fs.crashStates().map((s) => show(s.snapshot)))].sort();

describe('ext4-ordered: auto_da_alloc at every journal commit (ext4 documentation, mount option auto_da_alloc)', () => {
  it('a file renamed over another is committed with its data: an unrelated fsync never makes the replacement torn', () => {
    // Arrange: f is durable; t replaces it by rename without an fsync; then another file is fsynced.
    const fs = fresh('ext4-ordered');
    durable(fs, '/d/f', 'old');
    write(fs, '/d/t', 'new');
    fs.rename('/d/t', '/d/f');
    write(fs, '/d/u', 'x');

    // Act: the fsync of u commits the whole journal, the rename with it.
    fs.fsyncFile('/d/u');

    // Assert: the rename is durable, and so is the data auto_da_alloc forced before it (was: f=, f=n, f=ne too).
    expect(states(fs)).toEqual(['f=new u=x']);
  });

  it('in-place versions, each followed by a folder fsync: only the last, never two glued together', () => {
    // Arrange + Act: three versions written in place (truncate to 0 and write), a journal commit after each.
    const fs = fresh('ext4-ordered');
    for (const version of ['AA', 'BB', 'CC']) {
      write(fs, '/d/f', version);
      fs.fsyncDir('/d');
    }

    // Assert: each commit forced its version's data and settled the older ones (was: A, AA, AAB, AABB, AABBC, AABBCC).
    expect(states(fs)).toEqual(['f=CC']);
  });

  it('in-place versions with the last one not committed: the plain second version or the third, never a blend', () => {
    const fs = fresh('ext4-ordered');
    for (const version of ['AA', 'BB']) {
      write(fs, '/d/f', version);
      fs.fsyncDir('/d');
    }
    write(fs, '/d/f', 'CC');

    expect(states(fs)).toEqual(['f=BB', 'f=CC']);
  });
});

describe('writes go by handle, not by path (write(2) takes a file descriptor)', () => {
  it.each(['posix', 'ext4-ordered'] as const)('%s: an appender whose file was renamed appends to it under its new name', async (model) => {
    // Arrange
    const fs = fresh(model);
    const io = createSimIoPort(fs);
    const log = await io.openAppender('/d/a.seg');
    await log.append(enc('1'), { fsync: true });
    await io.rename('/d/a.seg', '/d/a.sealed');

    // Act: was ENOENT (the write looked the path up again).
    await log.append(enc('2'), { fsync: true });
    await io.fsyncDir('/d');

    // Assert
    expect(fs.snapshot()['/d/a.sealed']).toBe('12');
    expect(states(fs)).toEqual(['a.sealed=12']);
  });

  it.each(['posix', 'ext4-ordered'] as const)('%s: an appender whose file was unlinked writes to the unnamed file, and nothing reappears', async (model) => {
    const fs = fresh(model);
    const io = createSimIoPort(fs);
    const log = await io.openAppender('/d/a.seg');
    await io.fsyncDir('/d');
    await io.unlink('/d/a.seg');
    await io.fsyncDir('/d');

    await log.append(enc('late'), { fsync: true });

    expect(fs.exists('/d/a.seg')).toBe(false);
    expect(states(fs)).toEqual(['']);
  });
});

describe('an fsync that returned EIO may have dropped the dirty pages ("fsyncgate", Linux since 4.13)', () => {
  it.each(['posix', 'ext4-ordered'] as const)('%s: a retried fsync that succeeds does not make the failed data durable', (model) => {
    // Arrange: a durable empty file; a write whose fsync fails.
    const fs = fresh(model);
    durable(fs, '/d/f', '');
    const call = fs.beginCall();
    fs.open('/d/f', {}, call);
    fs.append('/d/f', enc('ab'), call);
    fs.failWriteback('/d/f');

    // Act: the retry "succeeds".
    fs.fsyncFile('/d/f');

    // Assert: the data may be gone (was: only f=ab, the retry had made it durable).
    expect(states(fs)).toEqual(['f=', 'f=a', 'f=ab']);
  });

  it('posix: a write after the failed one, fsynced, lands at its offset past a hole, never with the failed bytes', () => {
    const fs = fresh('posix');
    durable(fs, '/d/f', '');
    const call = fs.beginCall();
    fs.open('/d/f', {}, call);
    fs.append('/d/f', enc('ab'), call);
    fs.failWriteback('/d/f');
    fs.append('/d/f', enc('c'), call);

    fs.fsyncFile('/d/f');

    expect(states(fs)).toEqual(['f=00c']);
  });
});

describe('the simulation applies it: an injected EIO on an fsync drops what that fsync was to make durable', () => {
  it('a strategy that retries a failed fsync and acks loses the record at the power loss every schedule ends with', async () => {
    // Arrange: one writer, one record; the I/O error hits its first fsync (step 3: open, write, fsync).
    const setup = {
      strategy: await loadStrategy(resolve(import.meta.dirname, 'fixtures/retry-fsync.ts')), workers: 1, records: 1, payloadBytes: 16, thinkMs: 0, seed: 1,
      codec: hyparquetCodec, model: persistenceModels.posix, lock: { kind: 'lease' as const, staleMs: 5000, defaultTimeoutMs: 60_000 }, maxSteps: 1000,
    };
    const clean = await runSchedule(setup, { choices: [], faults: [], crash: [] });
    const fsyncStep = clean.trace.find((t) => t.op === 'fsync')!.step;

    // Act
    const run = await runSchedule(setup, { choices: [], faults: [{ kind: 'io-error', step: fsyncStep }], crash: [] });

    // Assert: without the fault nothing is lost; with it the retried fsync "succeeds", the record is acked and lost.
    expect(clean.verdict).toMatchObject({ acked: 1, lost: 0 });
    expect(run.fired.map((f) => `${f.kind} ${f.op}`)).toEqual(['io-error fsync', 'power-loss end']);
    expect(run.verdict).toMatchObject({ acked: 1, lost: 1 });
  });
});
