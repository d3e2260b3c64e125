import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main, type Io } from '../harness/cli/cli.js';
import { gridPoints, interleave, sweptStrategies } from '../harness/orchestrate/sweep.js';
import { strategyOptions } from '../harness/cli/sweep-args.js';

function fakeIo() {
  const err: string[] = [];
  const io: Io = { out: () => undefined, err: (t) => void err.push(t), isTTY: false, env: {} };
  return { io, err: () => err.join('') };
}

describe('sweep grid and order', () => {
  const points = gridPoints(['checkpoint-batch:interval=1', 'checkpoint-batch:interval=5'], ['buffer-crash'], [1, 5, 10]);
  const key = (p: { strategy: string; workers: number }) => `${p.strategy}@${p.workers}`;

  it('runs every point exactly once per repeat, seeded per repeat', () => {
    const cells = interleave(points, 3, 7);
    expect(cells).toHaveLength(18);
    for (const r of [1, 2, 3]) {
      const round = cells.filter((c) => c.repeat === r);
      expect(round.map(key).sort()).toEqual(points.map(key).sort());
      expect(new Set(round.map((c) => c.seed))).toEqual(new Set([7 + r - 1]));
    }
    // Repeats are interleaved: repeat 2 starts only after repeat 1 has run every point.
    expect(cells.slice(0, 6).every((c) => c.repeat === 1)).toBe(true);
  });

  it('shuffles each repeat differently, and the same way for the same seed', () => {
    const cells = interleave(points, 2, 7);
    expect(cells.slice(0, 6).map(key)).not.toEqual(cells.slice(6).map(key));
    expect(interleave(points, 2, 7)).toEqual(cells);
    expect(interleave(points, 2, 8).map(key)).not.toEqual(cells.map(key));
  });
});

describe('sweep flags', () => {
  it('takes unknown flags as strategy options, with --checkpoint-interval as an alias of interval', async () => {
    const options = strategyOptions(['--checkpoint-interval', '1,5', '--buffer=memory']);
    expect(options).toEqual([['interval', ['1', '5']], ['buffer', ['memory']]]);
    expect(await sweptStrategies('checkpoint-batch', options)).toEqual(['checkpoint-batch:interval=1,buffer=memory', 'checkpoint-batch:interval=5,buffer=memory']);
  });

  it('keeps options given in the spec and rejects values the schema does not accept', async () => {
    expect(await sweptStrategies('checkpoint-batch:buffer=shared', [['interval', ['10']]])).toEqual(['checkpoint-batch:buffer=shared,interval=10']);
    await expect(sweptStrategies('checkpoint-batch', [['interval', ['0']]])).rejects.toThrow("--interval: got '0', expected an integer >= 1");
  });

  it.each([
    [['sweep', '--strategy', 'checkpoint-batch', '--colour', '1,2'], "--colour: got '1,2', expected a sweep flag or an option of checkpoint-batch: interval, buffer"],
    [['sweep', '--strategy', 'realtime,queue', '--interval', '1,5'], "--strategy: got 'realtime,queue', expected exactly one strategy when sweeping its options (--interval)"],
    [['sweep', '--strategy', 'realtime', '--repeat', '0'], "--repeat: got '0', expected an integer from 1 to 1000"],
    [['sweep', '--strategy', 'realtime', '--workers', '1,x'], "--workers: got '1,x', expected a comma list of integers from 1 to 256"],
    [['sweep', '--workers', '1,2'], "--strategy: got '', expected at least one strategy"],
    [['sweep', '--strategy', 'realtime', '--repeat'], "option '--repeat <N>' argument missing"],
    [['recommend', '--max-at-risk', '-1'], "--max-at-risk: got '-1', expected a number >= 0"],
    [['recommend', '--strategy', 'queue'], "unknown option '--strategy'; see 'parquet-chaos recommend --help'"],
    [['recommend', '--rank', 'fastest'], "--rank: got 'fastest', expected one of: parquet, ack"],
  ])('%j exits 2 naming the flag, the value and what is accepted', async (argv, message) => {
    const { io, err } = fakeIo();
    expect(await main(argv, io)).toBe(2);
    expect(err()).toContain(message);
  });
});

describe('report', () => {
  it('refuses a JSON file that is not a schema-1 result', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'parquet-chaos-report-')), 'r.json');
    writeFileSync(path, JSON.stringify({ schemaVersion: 2 }));
    const { io, err } = fakeIo();
    expect(await main(['report', path], io)).toBe(2);
    expect(err()).toContain(`${path}: schemaVersion: got 2, expected schemaVersion 1 (a parquet-chaos result)`);
  });
});
