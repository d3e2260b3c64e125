import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main, type Io } from '../harness/cli/cli.js';
import { fixtureResult } from './support/result-fixture.js';
import { commands } from '../harness/cli/commands/index.js';
import type { CommandSpec } from '../harness/cli/command.js';
import { toolVersion } from '../harness/measure/package-info.js';
import { afterMeasurement, InternalError, internalErrorMessage } from '../harness/cli/internal-error.js';

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
    [['run', '--strategy', 'realtime:lock=maybe'], "realtime:lock: got 'maybe', expected one of: file, fcntl, redis, redis-fenced, none"],
    [['run', '--format', 'pdf'], "--format: got 'pdf', expected one of: table"],
    [['run', '--wrokers', '3'], "unknown option '--wrokers' (did you mean --workers?); see 'parquet-chaos run --help'"],
    [['run', '--records', '-1'], "--records: got '-1', expected an integer from 1 to 1000000"],
    [['run', '--workers=-3'], "--workers: got '-3', expected an integer from 1 to 256"],
    [['run', '--faults', 'kill:target'], "--faults: got 'kill:target', expected options as key=value pairs after 'kill:' (got 'target')"],
    [['sweep', '--strategy', 'checkpoint-batch', '--wrokers', '1,5'], '(did you mean --workers?)'],
    [['report'], "missing required argument 'FILE'; see 'parquet-chaos report --help'"],
    [['recommend', '--family', 'polars'], "--family: got 'polars', expected one of: builtin, pandas"],
    [['frobnicate'], "unknown command 'frobnicate'; commands: run, sweep, recommend, gate, calibrate-gate, merge, report, sim, list, check"],
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
    expect(out()).toMatch(/realtime — .*\n\s+guarantees \(default options\): noLostAcked, noDuplicates, noCorruption, assuming no lock holder stalls past its lease \(the lock stale time\)\n\s+lock=file\s+\(one of: file, fcntl, redis, redis-fenced, none\)/);
    expect(out()).toContain('main-file-contention (risk in the original analysis: high)');
  });
});

describe('help and version from the command table', () => {
  it.each(Object.entries(commands))('`%s --help` shows the summary and every flag with its default', async (name, spec: CommandSpec) => {
    // Arrange
    const { io, out } = fakeIo();

    // Act
    const code = await main([name, '--help'], io);

    // Assert
    const help = out().replace(/\s+/g, ' ');
    expect(code).toBe(0);
    expect(help).toContain(`Usage: parquet-chaos ${name}`);
    expect(help).toContain(spec.summary);
    for (const [flag, def] of Object.entries(spec.flags)) {
      expect(help).toContain(`--${flag}${def.value ? ` <${def.value}>` : ''}`);
      if (def.default !== undefined) expect(help).toContain(`(default: ${def.default})`);
    }
  });

  it('--version prints the package version', async () => {
    const { io, out } = fakeIo();
    expect(await main(['--version'], io)).toBe(0);
    expect(out().trim()).toBe(toolVersion());
  });

  it('with no command, lists every command and exits 2', async () => {
    const { io, out } = fakeIo();
    expect(await main([], io)).toBe(2);
    for (const name of Object.keys(commands)) expect(out()).toContain(name);
    expect(out()).toContain('Exit codes:');
  });
});

describe('report on a JSON that is not a result', () => {
  it('names the missing field instead of failing inside a renderer', async () => {
    // Arrange
    const path = join(mkdtempSync(join(tmpdir(), 'parquet-chaos-cli-')), 'r.json');
    writeFileSync(path, JSON.stringify({ schemaVersion: 1 }));
    const { io, err } = fakeIo();

    // Act
    const code = await main(['report', path], io);

    // Assert
    expect(code).toBe(2);
    expect(err()).toContain(`${path}: cells: got null, expected an array of cell results (a parquet-chaos result.json)`);
    expect(err()).not.toContain('is not iterable');
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

describe('an internal error', () => {
  it('exits 70, not 1 or 2, and says it is a bug in the tool, with its stack', async () => {
    // Arrange: a failure no part of the harness raises on purpose (the output itself throws).
    const { io, err } = fakeIo();
    io.out = () => {
      throw new RangeError('Invalid count value: -5');
    };

    // Act
    const code = await main(['list'], io);

    // Assert
    expect(code).toBe(70);
    expect(err()).toContain('parquet-chaos: internal error, a bug in parquet-chaos (not in your strategy, input or machine): Invalid count value: -5');
    expect(err()).toContain('RangeError: Invalid count value: -5\n    at ');
  });

  it('after a measurement, names the saved result', () => {
    // Act
    const error = (() => {
      try {
        return afterMeasurement('/runs/r1/result.json', () => '-'.repeat(-5));
      } catch (e) {
        return e;
      }
    })();

    // Assert
    expect(error).toBeInstanceOf(InternalError);
    expect(internalErrorMessage(error)).toContain('The measurement was saved before it: /runs/r1/result.json');
  });
});
