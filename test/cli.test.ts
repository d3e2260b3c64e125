import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main, type Io } from '../harness/cli/cli.js';
import { fixtureResult } from './support/result-fixture.js';

function fakeIo() {
  const out: string[] = [];
  const err: string[] = [];
  const io: Io = { out: (t) => void out.push(t), err: (t) => void err.push(t), isTTY: false, env: {} };
  return { io, out: () => out.join(''), err: () => err.join('') };
}

describe('CLI bad input', () => {
  it.each([
    [['run', '--strategy', 'realtme'], "--strategy: got 'realtme', expected one of: realtime"],
    [['run', '--scenario', 'merge-rase'], "--scenario: got 'merge-rase', expected one of: main-file-contention"],
    [['run', '--workers', 'many'], "--workers: got 'many', expected an integer from 1 to 256"],
    [['run', '--codec', 'arrow'], "--codec: got 'arrow', expected one of: hyparquet, parquetjs-lite"],
    [['run', '--strategy', 'realtime:lock=maybe'], "realtime:lock: got 'maybe', expected one of: file, none"],
    [['run', '--format', 'pdf'], "--format: got 'pdf', expected one of: table"],
    [['run', '--wrokers', '3'], "Unknown option '--wrokers'"],
    [['frobnicate'], "command: got 'frobnicate', expected one of: run, sweep, recommend, report, list, check"],
  ])('%j exits 2 naming the flag, the value and what is accepted', async (argv, message) => {
    // Arrange
    const { io, err } = fakeIo();

    // Act
    const code = await main(argv, io);

    // Assert
    expect(code).toBe(2);
    expect(err()).toContain(message);
  });

  it('lists strategies with options and guarantees, and scenarios', async () => {
    const { io, out } = fakeIo();
    expect(await main(['list'], io)).toBe(0);
    expect(out()).toMatch(/realtime — .*\n\s+guarantees \(default options\): noLostAcked, noDuplicates, noCorruption\n\s+lock=file\s+\(one of: file, none\)/);
    expect(out()).toContain('main-file-contention (seed risk: high)');
  });
});

describe('colour', () => {
  const saved = join(mkdtempSync(join(tmpdir(), 'parquet-chaos-cli-')), 'result.json');
  writeFileSync(saved, JSON.stringify(fixtureResult()));
  const ESC = '\u001b[';

  it.each([
    ['a terminal', true, {}, true],
    ['a terminal with NO_COLOR', true, { NO_COLOR: '1' }, false],
    ['a pipe', false, {}, false],
  ])('report on %s: colour %s', async (_where, isTTY, env, coloured) => {
    // Arrange
    const { io, out } = fakeIo();
    Object.assign(io, { isTTY, env });

    // Act
    const code = await main(['report', saved], io);

    // Assert
    expect(code).toBe(0);
    expect(out().includes(ESC)).toBe(coloured);
  });
});
