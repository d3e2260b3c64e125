import { describe, expect, it } from 'vitest';
import { loadStrategy } from '../harness/orchestrate/load-strategy.js';
import { hyparquetCodec } from '../harness/sdk/codec/hyparquet.js';
import { persistenceModels } from '../harness/sim/models/index.js';
import { runSchedule, type SimSetup } from '../harness/sim/run-schedule.js';
import { pctBound, search } from '../harness/sim/search.js';

/**
 * PCT priority schedules (Burckhardt et al., ASPLOS 2010) beside random picks: the ready process of
 * highest priority goes; at each change point the process taking that step drops below all others.
 */

async function setup(spec: string): Promise<SimSetup> {
  return {
    strategy: await loadStrategy(spec), workers: 2, records: 1, payloadBytes: 16, thinkMs: 0, seed: 1, codec: hyparquetCodec,
    model: persistenceModels.posix, lock: { kind: 'lease', staleMs: 5000, defaultTimeoutMs: 60_000 }, maxSteps: 1000,
  };
}

const order = (trace: readonly { process: string; op: string }[]) => trace.filter((t) => t.op !== 'end').map((t) => t.process.slice(-1)).join('');

describe('PCT schedules', () => {
  it('the highest priority runs until its change point, then drops below the other', async () => {
    // Arrange: writer-1 ranks above writer-0 (ranks follow the order names first appear: writer-0, writer-1).
    const s = await setup('realtime:lock=none');

    // Act
    const none = await runSchedule(s, { choices: [], faults: [], crash: [], pct: { ranks: [0, 1], changes: [] } });
    const changed = await runSchedule(s, { choices: [], faults: [], crash: [], pct: { ranks: [0, 1], changes: [2] } });

    // Assert: writer-1 first, all the way; with a change at step 2, writer-1 takes steps 1–2, then writer-0 runs.
    expect(order(none.trace)).toMatch(/^1+0+$/);
    expect(order(changed.trace)).toMatch(/^110+1+$/);
  });

  it('its bound: 1 / (n · k^(d−1)) a schedule, and over the runs', () => {
    expect(pctBound({ depth: 1, processes: 3 }, 40, 1).perSchedule).toBeCloseTo(1 / 3);
    expect(pctBound({ depth: 2, processes: 2 }, 10, 1).perSchedule).toBeCloseTo(1 / 20);
    expect(pctBound({ depth: 3, processes: 2 }, 10, 50).overRuns).toBeCloseTo(1 - (1 - 1 / 200) ** 50);
  });

  it('a depth-2 bug (a writer reads main, the other publishes, the first publishes over it) is found, shrunk and replayed', async () => {
    const s = await setup('realtime:lock=none');

    const found = await search({ setup: s, runs: 60, seed: 1, faults: [], target: 'unclaimed', pctDepth: 2 });
    const again = await search({ setup: s, runs: 60, seed: 1, faults: [], target: 'unclaimed', pctDepth: 2, replay: found.counterexample?.path });

    expect(found.pct).toMatchObject({ depth: 2, processes: 2 });
    expect(found.pct!.overRuns).toBeGreaterThan(0);
    expect(found.counterexample?.broken).toEqual(['noLostAcked']);
    expect(again.counterexample?.verdict.evidence.lost).toEqual(found.counterexample!.verdict.evidence.lost);
  });
});
