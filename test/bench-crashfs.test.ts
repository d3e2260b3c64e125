import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main, type Io } from '../harness/cli/cli.js';
import { fuseProblem } from '../harness/fuse/requirements.js';
import { crashfsMountsUnder } from '../harness/fuse/mounts.js';
import type { BenchResult } from '../harness/result/bench.js';
import { renderBench } from '../reports/bench.js';

const outDir = mkdtempSync(join(tmpdir(), 'parquet-chaos-bench-crashfs-'));
afterAll(() => rmSync(outDir, { recursive: true, force: true }));
const problem = fuseProblem();

async function benchCrashfs(): Promise<{ code: number; result: BenchResult; out: string }> {
  const json = join(outDir, `bench-${Date.now()}.json`);
  const out: string[] = [];
  const io: Io = { out: (t) => void out.push(t), err: () => undefined, isTTY: false, env: {} };
  const code = await main(['bench', '--parts', 'crashfs', '--crashfs-rounds', '2', '--crashfs-appends', '20', '--out', outDir, '--json', json], io);
  return { code, result: JSON.parse(readFileSync(json, 'utf8')) as BenchResult, out: out.join('') };
}

describe('bench --parts crashfs: the power-loss layer\'s cost', () => {
  it.skipIf(problem !== undefined)(`reports appends/s direct and through crashfs per round, and the daemon's CPU${problem ? ` — skipped: ${problem}` : ''}`, async () => {
    // Act
    const { code, result, out } = await benchCrashfs();

    // Assert
    expect(code).toBe(0);
    const c = result.crashfs;
    if (!c || 'skipped' in c) throw new Error(`crashfs not measured: ${JSON.stringify(c)}`);
    expect(c).toMatchObject({ rounds: 2, appendsPerRound: 20, bytes: 4096 });
    expect(c.direct).toHaveLength(2);
    expect(c.layer).toHaveLength(2);
    for (const rate of [...c.direct, ...c.layer]) expect(rate).toBeGreaterThan(0);
    // /proc counts CPU in 10 ms ticks: 40 appends may cost the daemon less than one tick
    expect(c.daemonCpuUsPerAppend).toBeGreaterThanOrEqual(0);
    expect(c.writerCpuUsPerAppend.layer).toBeGreaterThan(0);
    expect(result.strategies).toEqual([]);
    expect(out).toMatch(/## The power-loss layer \(crashfs\): fsync'd 4,096 B appends, 2 interleaved rounds of 20/);
    expect(out).toMatch(/ratio of the medians, crashfs ÷ direct: \d+\.\d\d/);
    expect(out).toMatch(/the crashfs daemon \d+ µs/);
    expect(crashfsMountsUnder(outDir)).toEqual([]);
  });

  it.skipIf(problem === undefined)('where FUSE is missing, says why in the result and the report, and still exits 0', async () => {
    const { code, result, out } = await benchCrashfs();
    expect(code).toBe(0);
    expect(result.crashfs).toEqual({ skipped: problem });
    expect(out).toContain(`## The power-loss layer (crashfs)\n\nNot measured: ${problem}`);
  });

  it('renders a skipped part as its note, from the JSON alone', () => {
    const result: BenchResult = { benchVersion: 1, tool: { name: 'parquet-chaos', version: '0' }, command: 'bench', runDir: '/r', startedAt: '', finishedAt: '',
      machine: { cpus: 2, cpuModel: 'x', memoryGiB: 1, platform: 'linux', arch: 'x64', node: 'v20', fileSystem: 'ext4' },
      config: { workers: 1, records: 1, repeat: 1, seed: 1, scenario: 'main-file-contention', parts: ['crashfs'] },
      oneProcessLimit: null, strategies: [], overhead: null, checker: null, start: null, interrupted: false,
      crashfs: { skipped: 'power loss needs a FUSE file system, and this machine lacks: gcc' } };
    expect(renderBench(result)).toContain('## The power-loss layer (crashfs)\n\nNot measured: power loss needs a FUSE file system, and this machine lacks: gcc\n');
  });
});
