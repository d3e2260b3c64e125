import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main, type Io } from '../harness/cli/cli.js';
import { checkFaultsReachable } from '../harness/orchestrate/nemesis/reachable.js';
import type { StrategyDefinition } from '../harness/sdk/strategy.js';
import { scenarios } from '../scenarios/index.js';
import { strategies } from '../strategies/index.js';

function fakeIo() {
  const err: string[] = [];
  const io: Io = { out: () => undefined, err: (t) => void err.push(t), isTTY: false, env: {} };
  return { io, err: () => err.join('') };
}

const realtime = strategies.realtime as StrategyDefinition<object>;
const incremental = strategies['incremental-file'] as StrategyDefinition<object>;

describe('faults naming what no cell of the run has (CLI)', () => {
  it.each([
    [['--strategy', 'realtime', '--workers', '2', '--faults', 'kill:target=writer-9,at=100'],
      "--faults kill:target: got 'writer-9', expected a process of this run: writer, writers, cell (power-loss), writer-0, writer-1"],
    [['--strategy', 'realtime,incremental-file', '--scenario', 'merge-race', '--faults', 'pause:target=consumer,at=5,duration=50'],
      "--faults pause:target: got 'consumer', expected a process of this run: writer, writers, cell (power-loss), writer-0, writer-1, writer-2, writer-3, merger (incremental-file)"],
    [['--strategy', 'realtime', '--faults', 'crash-point:target=writers,point=no-such-point'],
      "--faults crash-point:point: got 'no-such-point', expected a point the run's strategies mark (publish:temp-written, main:read, lock:acquired) or an I/O op (open,"],
    [['--strategy', 'realtime', '--faults', 'crash-point:target=writers,point=merge:*'],
      "--faults crash-point:point: got 'merge:*', expected a point the run's strategies mark (publish:temp-written, main:read, lock:acquired)"],
    [['--strategy', 'realtime', '--faults', 'pause:target=writer-0,point=rename,duration=5'],
      "--faults pause:point: got 'rename', expected a point the run's strategies mark (publish:temp-written, main:read, lock:acquired); a trailing * matches a prefix"],
  ])('run %j exits 2 naming the valid ones, before anything runs', async (flags, message) => {
    // Arrange
    const { io, err } = fakeIo();

    // Act
    const code = await main(['run', '--scenario', 'main-file-contention', '--out', mkdtempSync(join(tmpdir(), 'parquet-chaos-reach-')), ...flags], io);

    // Assert
    expect(code).toBe(2);
    expect(err()).toContain(message);
    expect(err()).not.toContain('[1/');
  });
});

describe('checkFaultsReachable', () => {
  const shape = { maxWorkers: 3, strategies: [realtime, incremental], scenarios: [scenarios['merge-race']] };

  it('accepts targets and points some cell has, I/O ops and prefixes', () => {
    for (const spec of ['kill:target=writer-2,at=5', 'kill:target=merger,at=5', 'crash-point:target=merger,point=merge:*',
      'crash-point:target=writer,point=rename', 'crash-point:target=writers,point=publish:temp-written', 'none', 'default']) {
      expect(() => checkFaultsReachable(spec, shape)).not.toThrow();
    }
  });

  it('leaves points unchecked when a strategy (a plugin) does not declare the ones it marks', () => {
    const plugin = { ...realtime, name: 'plugin', points: undefined };
    expect(() => checkFaultsReachable('crash-point:target=writer,point=my-point', { ...shape, strategies: [plugin] })).not.toThrow();
    expect(() => checkFaultsReachable('kill:target=writer-3,at=5', { ...shape, strategies: [plugin] })).toThrow("got 'writer-3'");
  });

  it('every built-in strategy declares its crash points', () => {
    for (const definition of Object.values(strategies) as StrategyDefinition<object>[]) expect(definition.points?.length).toBeGreaterThan(0);
  });
});
