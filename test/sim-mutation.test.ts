import { describe, expect, it } from 'vitest';
import { loadStrategy } from '../harness/orchestrate/load-strategy.js';
import { hyparquetCodec } from '../harness/sdk/codec/hyparquet.js';
import { persistenceModels } from '../harness/sim/models/index.js';
import { callerSite, type DurabilityProbe } from '../harness/sim/mutation.js';
import { writtenSites } from '../harness/sim/mutation-score.js';
import { KNOWN_REDUNDANT } from '../harness/sim/mutation-targets.js';
import { runSchedule, type SimSetup } from '../harness/sim/run-schedule.js';
import { crashPointPlans } from '../harness/sim/search.js';

/**
 * The mutation switch of harness/sim/mutation.ts: sites found from the stack, `skip` removes an fsync and
 * its step, `late` moves it past the process's next operation, and nothing changes without a mutation.
 * (The mutation score itself, a search per mutant, is test/slow/mutation.test.ts and `npm run mutate`.)
 */

const WRITE_TEMP = 'strategies/shared/main-file.ts:48:16 fsync-file';
const SYNC_FOLDER = 'strategies/shared/main-file.ts:56:16 fsync-dir';

async function realtime(durability?: DurabilityProbe): Promise<SimSetup> {
  return {
    strategy: await loadStrategy('realtime'), workers: 1, records: 1, payloadBytes: 16, thinkMs: 0, seed: 1, codec: hyparquetCodec,
    model: persistenceModels.posix, lock: { kind: 'lease', staleMs: 5000, defaultTimeoutMs: 60_000 }, maxSteps: 1000, durability,
  };
}

const ops = (trace: readonly { op: string; path: string }[]) => trace.map((t) => `${t.op} ${t.path}`);

describe('durability sites', () => {
  it('a site is the first stack frame outside the port and the simulation, relative to the project', () => {
    const root = new URL('..', import.meta.url).pathname;
    const stack = ['Error', `    at here (${root}harness/sim/mutation.ts:60:17)`, `    at Object.writeFile (${root}harness/sim/mutation.ts:120:5)`,
      `    at writeParquet (${root}strategies/shared/main-file.ts:48:16)`, `    at async x (${root}strategies/realtime.ts:1:1)`].join('\n');
    expect(callerSite(stack)).toBe('strategies/shared/main-file.ts:48:16');
    expect(callerSite('Error\n    at node:internal/x:1:1')).toBe('unknown');
  });

  it('realtime\'s fault-free schedule reaches its publish\'s two fsyncs, each once a record, and both are written in the source', async () => {
    const sites = new Map<string, number>();
    await runSchedule(await realtime({ sites }), { choices: [], faults: [], crash: [] });
    expect([...sites]).toEqual([[WRITE_TEMP, 1], [SYNC_FOLDER, 1]]);
    expect(writtenSites()).toEqual(expect.arrayContaining(['strategies/shared/main-file.ts:48', 'strategies/shared/main-file.ts:56']));
  });
});

describe('listed redundancies', () => {
  it('each names an fsync line written in strategies/ today (a line moved by an edit leaves its reason behind)', () => {
    const written = new Set(writtenSites());
    const stale = Object.keys(KNOWN_REDUNDANT).filter((key) => {
      const site = /(strategies\/\S+):(\d+):\d+ fsync-(?:file|dir) (?:skip|late)$/.exec(key);
      return !site || !written.has(`${site[1]}:${site[2]}`);
    });
    expect(stale).toEqual([]);
  });
});

describe('mutants', () => {
  it('without a mutation the schedule is the unmutated one', async () => {
    const plain = await runSchedule(await realtime(), { choices: [], faults: [], crash: [] });
    const probed = await runSchedule(await realtime({ sites: new Map() }), { choices: [], faults: [], crash: [] });
    expect(ops(probed.trace)).toEqual(ops(plain.trace));
  });

  it('skip removes the fsync and its step; late moves it after the next operation (the rename)', async () => {
    const plain = ops((await runSchedule(await realtime(), { choices: [], faults: [], crash: [] })).trace);
    const skipped = ops((await runSchedule(await realtime({ mutation: { site: WRITE_TEMP, kind: 'skip' } }), { choices: [], faults: [], crash: [] })).trace);
    const late = ops((await runSchedule(await realtime({ mutation: { site: WRITE_TEMP, kind: 'late' } }), { choices: [], faults: [], crash: [] })).trace);
    const tempSync = plain.findIndex((op) => /^fsync data\/main\.parquet\.\d+\.tmp$/.test(op));

    expect(tempSync).toBeGreaterThan(0);
    expect(skipped).toEqual(plain.filter((_, i) => i !== tempSync));
    expect(late).toEqual([...plain.slice(0, tempSync), plain[tempSync + 1], plain[tempSync], ...plain.slice(tempSync + 2)]);
    expect(plain[tempSync + 1]).toBe('rename data/main.parquet');
  });

  it('a folder fsync made late runs after the ack, when the writer ends: a power loss between them loses the acked record', async () => {
    // Arrange: the fault-free trace of the mutant; its last step (before the power loss every schedule
    // ends with) is the late folder fsync, after the ack.
    const mutant = await realtime({ mutation: { site: SYNC_FOLDER, kind: 'late' } });
    const clean = await runSchedule(mutant, { choices: [], faults: [], crash: [] });
    const last = clean.trace.filter((t) => t.op !== 'end').at(-1)!;

    // Act: the crash points include a power loss before that step.
    const plan = crashPointPlans(clean.trace, ['power-loss']).find((p) => p.faults[0]?.step === last.step)!;
    const run = await runSchedule(mutant, plan);

    // Assert: the unmutated strategy survives the same plan.
    expect(`${last.op} ${last.path}`).toBe('fsync data');
    expect(clean.verdict).toMatchObject({ acked: 1, lost: 0 });
    expect(run.verdict).toMatchObject({ acked: 1, lost: 1 });
    expect((await runSchedule(await realtime(), plan)).verdict).toMatchObject({ acked: 1, lost: 0 });
  });
});
