import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createIoPort, type IoPort } from '../harness/sdk/ports/io.js';
import { createRawIoPort } from '../harness/sdk/ports/raw-io.js';

/** One port operation on names inside a folder (a small name space, so operations collide often). */
type Op =
  | { op: 'writeFile'; name: string; data: string; fsync: boolean; exclusive: boolean }
  | { op: 'appendFile'; name: string; data: string; fsync: boolean }
  | { op: 'appender'; name: string; chunks: string[]; fsync: boolean; exclusive: boolean }
  | { op: 'truncate'; name: string; length: number }
  | { op: 'rename'; name: string; to: string }
  | { op: 'unlink' | 'readFile' | 'exists' | 'size' | 'fsyncDir' | 'mkdir' | 'readdir'; name: string };

const name = fc.constantFrom('a', 'b', 'sub', 'sub/c');
const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ op: fc.constant('writeFile' as const), name, data: fc.string({ maxLength: 20 }), fsync: fc.boolean(), exclusive: fc.boolean() }),
  fc.record({ op: fc.constant('appendFile' as const), name, data: fc.string({ maxLength: 20 }), fsync: fc.boolean() }),
  fc.record({ op: fc.constant('appender' as const), name, chunks: fc.array(fc.string({ maxLength: 8 }), { maxLength: 3 }), fsync: fc.boolean(), exclusive: fc.boolean() }),
  fc.record({ op: fc.constant('truncate' as const), name, length: fc.nat(10) }),
  fc.record({ op: fc.constant('rename' as const), name, to: name }),
  fc.record({ op: fc.constantFrom('unlink' as const, 'readFile' as const, 'exists' as const, 'size' as const, 'fsyncDir' as const, 'mkdir' as const, 'readdir' as const), name }),
);

/** What an operation returned, or the errno it failed with. */
async function apply(io: IoPort, dir: string, o: Op): Promise<unknown> {
  const path = join(dir, o.name);
  const bytes = (text: string) => new TextEncoder().encode(text);
  try {
    switch (o.op) {
      case 'writeFile': return await io.writeFile(path, bytes(o.data), { fsync: o.fsync, exclusive: o.exclusive });
      case 'appendFile': return await io.appendFile(path, bytes(o.data), { fsync: o.fsync });
      case 'appender': {
        const file = await io.openAppender(path, { exclusive: o.exclusive });
        for (const chunk of o.chunks) await file.append(bytes(chunk), { fsync: o.fsync });
        return await file.close();
      }
      case 'truncate': return await io.truncate(path, o.length);
      case 'rename': return await io.rename(path, join(dir, o.to));
      case 'unlink': return await io.unlink(path);
      case 'readFile': return new TextDecoder().decode(await io.readFile(path));
      case 'exists': return await io.exists(path);
      case 'size': return await io.size(path);
      case 'fsyncDir': return await io.fsyncDir(path);
      case 'mkdir': return await io.mkdir(path);
      case 'readdir': return await io.readdir(path);
    }
  } catch (error) {
    return { error: (error as NodeJS.ErrnoException).code };
  }
}

/** Every file and folder under `dir` with its content. */
function tree(dir: string, prefix = ''): string[] {
  return readdirSync(join(dir, prefix)).sort().flatMap((entry) => {
    const rel = join(prefix, entry);
    return statSync(join(dir, rel)).isDirectory() ? [`${rel}/`, ...tree(dir, rel)] : [`${rel}=${readFileSync(join(dir, rel), 'utf8')}`];
  });
}

describe('the raw pass-through I/O port', () => {
  it('returns, fails and leaves the files exactly as the instrumented port does, for any sequence of operations', async () => {
    await fc.assert(fc.asyncProperty(fc.array(opArb, { maxLength: 25 }), async (ops) => {
      // Arrange
      const [instrumentedDir, rawDir] = [mkdtempSync(join(tmpdir(), 'io-instr-')), mkdtempSync(join(tmpdir(), 'io-raw-'))];
      const [instrumented, raw] = [createIoPort(), createRawIoPort()];
      try {
        // Act
        const outcomes: [unknown, unknown][] = [];
        for (const o of ops) outcomes.push([await apply(instrumented, instrumentedDir, o), await apply(raw, rawDir, o)]);

        // Assert
        for (const [i, [a, b]] of outcomes.entries()) expect(b, `${i}: ${JSON.stringify(ops[i])}`).toEqual(a);
        expect(tree(rawDir)).toEqual(tree(instrumentedDir));
      } finally {
        rmSync(instrumentedDir, { recursive: true, force: true });
        rmSync(rawDir, { recursive: true, force: true });
      }
    }), { numRuns: 60 });
  });

  it('counts nothing and has no fault hook: its counters stay zero', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'io-raw-'));
    const raw = createRawIoPort();
    await raw.appendFile(join(dir, 'x'), new Uint8Array([1, 2]), { fsync: true });
    expect(Object.values(raw.counters).every((n) => n === 0)).toBe(true);
    rmSync(dir, { recursive: true, force: true });
  });

  it('the instrumented port counts a file created by an append once, and one open per append', async () => {
    // Arrange
    const dir = mkdtempSync(join(tmpdir(), 'io-instr-'));
    const io = createIoPort();

    // Act
    for (let i = 0; i < 3; i++) await io.appendFile(join(dir, 'log'), new Uint8Array([i]));
    const missingFolder = await io.appendFile(join(dir, 'no', 'log'), new Uint8Array([9])).catch((e: NodeJS.ErrnoException) => e.code);

    // Assert
    expect({ filesCreated: io.counters.filesCreated, opens: io.counters.opens }).toEqual({ filesCreated: 1, opens: 4 });
    expect(readFileSync(join(dir, 'log'))).toEqual(Buffer.from([0, 1, 2]));
    expect(missingFolder).toBe('ENOENT');
    rmSync(dir, { recursive: true, force: true });
  });
});

describe('the instrumented port\'s appender', () => {
  it('opens once, then counts a write (and an fsync when asked) per append', async () => {
    // Arrange
    const dir = mkdtempSync(join(tmpdir(), 'io-instr-'));
    const io = createIoPort();

    // Act
    const file = await io.openAppender(join(dir, 'log'), { exclusive: true });
    for (let i = 0; i < 3; i++) await file.append(new Uint8Array([i]), { fsync: i > 0 });
    await file.close();
    const again = await io.openAppender(join(dir, 'log'), { exclusive: true }).catch((e: NodeJS.ErrnoException) => e.code);

    // Assert
    const { opens, filesCreated, writeOps, fsyncs, bytesWritten } = io.counters;
    expect({ opens, filesCreated, writeOps, fsyncs, bytesWritten }).toEqual({ opens: 2, filesCreated: 1, writeOps: 3, fsyncs: 2, bytesWritten: 3 });
    expect(readFileSync(join(dir, 'log'))).toEqual(Buffer.from([0, 1, 2]));
    expect(again).toBe('EEXIST');
    rmSync(dir, { recursive: true, force: true });
  });
});

describe('the instrumented port\'s hook on the per-record path', () => {
  it('awaits a hook that returns a promise before the write and before the fsync, and fails the append when it rejects', async () => {
    // Arrange: a hook that holds the write until released, then refuses the fsync.
    const dir = mkdtempSync(join(tmpdir(), 'io-hook-'));
    let release = () => {};
    const held = new Promise<void>((resolve) => { release = resolve; });
    const io = createIoPort({
      before: (op) => (op === 'write' ? held : op === 'fsync' ? Promise.reject(Object.assign(new Error('injected'), { code: 'EIO' })) : undefined),
      point() {},
    });
    const file = await io.openAppender(join(dir, 'log'));

    // Act
    const appending = file.append(new Uint8Array([7]), { fsync: true }).catch((e: NodeJS.ErrnoException) => e.code);
    await new Promise((resolve) => setTimeout(resolve, 20));
    const whileHeld = readFileSync(join(dir, 'log'));
    release();
    const outcome = await appending;
    await file.close();

    // Assert
    expect(whileHeld.length).toBe(0);
    expect(outcome).toBe('EIO');
    expect(readFileSync(join(dir, 'log'))).toEqual(Buffer.from([7]));
    expect({ writeOps: io.counters.writeOps, fsyncs: io.counters.fsyncs }).toEqual({ writeOps: 1, fsyncs: 0 });
    rmSync(dir, { recursive: true, force: true });
  });
});
