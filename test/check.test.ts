import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main, type Io } from '../harness/cli/cli.js';
import { checkCell } from '../harness/oracle/checker.js';
import { readLedgers } from '../harness/oracle/ledger.js';
import { defaultRunConfig } from '../harness/orchestrate/run-config.js';
import { runMatrix } from '../harness/orchestrate/run.js';
import { processesMentioning } from './support/processes.js';

function fakeIo() {
  const out: string[] = [];
  const io: Io = { out: (t) => void out.push(t), err: () => undefined, isTTY: false, env: {} };
  return { io, out: () => out.join('') };
}

describe('check DIR on a cell stopped before finalize (real processes)', () => {
  it('says unknown with the reason instead of counting records still in the queue as lost', async () => {
    // Arrange: queue with its consumer paused for the whole cell, so every ack waits in the queue;
    // the run is stopped (as Ctrl-C does) once records are acked, before finalize drains the queue.
    const out = mkdtempSync(join(tmpdir(), 'parquet-chaos-check-'));
    const abort = new AbortController();
    let cellDir = '';
    const run = runMatrix({
      ...defaultRunConfig(), strategies: ['queue'], scenarios: ['main-file-contention'], workers: 2, recordsPerWorker: 40, thinkMs: 50,
      faults: 'pause:target=consumer,afterAcks=1,duration=60000', outDir: out, command: 'test', signal: abort.signal,
      onCellStart: (_i, _n, strategy, scenario) => void (cellDir = join(out, '*', strategy, scenario)),
    });
    // The consumer is paused once writer-0's first ack is seen: acks logged after its SIGSTOP wait in the
    // queue. (Counting acks alone is not enough: on a loaded machine the pause can come late, and a
    // consumer still running may have drained every ack so far.)
    let ackedAtPause: number | undefined;
    for (;;) {
      await new Promise((r) => setTimeout(r, 100));
      const [runId] = readdirSync(out);
      if (!runId) continue;
      cellDir = cellDir.replace('*', runId);
      // (The fault log before the ledgers: the count taken when the SIGSTOP is first seen has every ack from before it.)
      const paused = existsSync(join(cellDir, 'faults.jsonl')) && readFileSync(join(cellDir, 'faults.jsonl'), 'utf8').includes('"SIGSTOP"');
      const acked = existsSync(join(cellDir, 'ledger'))
        ? [...readLedgers(join(cellDir, 'ledger')).values()].flatMap((l) => l.segments.flatMap((s) => s.acked)).length : 0;
      if (paused) ackedAtPause ??= acked;
      if (ackedAtPause !== undefined && acked >= Math.max(5, ackedAtPause + 2)) break;
    }
    abort.abort();
    const result = await run;
    expect(result.interrupted).toBe(true);
    // What the old check said: acked records missing from the dataset, a false loss.
    const naive = await checkCell(cellDir, { noLostAcked: true, noDuplicates: true, noCorruption: true });
    expect(naive.lost).toBeGreaterThan(0);

    // Act
    const { io, out: printed } = fakeIo();
    const code = await main(['check', cellDir], io);

    // Assert
    expect(code).toBe(1);
    const verdict = JSON.parse(printed().slice(printed().indexOf('{')));
    expect(verdict).toMatchObject({ valid: 'unknown', lost: 0 });
    expect(verdict.error).toContain('the cell did not run to its end (its run was stopped before finalize)');
    expect(processesMentioning(out)).toEqual([]);
  }, 120_000);

  it('judges a cell that ran to its end as before', async () => {
    const out = mkdtempSync(join(tmpdir(), 'parquet-chaos-check-'));
    const result = await runMatrix({
      ...defaultRunConfig(), strategies: ['realtime'], scenarios: ['main-file-contention'], workers: 1, recordsPerWorker: 3, faults: 'none', outDir: out, command: 'test',
    });
    const { io, out: printed } = fakeIo();
    expect(await main(['check', result.cells[0]!.dir], io)).toBe(0);
    expect(JSON.parse(printed().slice(printed().indexOf('{')))).toMatchObject({ valid: true, acked: 3, lost: 0 });
  }, 60_000);
});
