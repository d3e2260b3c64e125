import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LedgerWriter } from '../../oracle/ledger.js';
import { MetricsRecorder } from '../../measure/metrics.js';
import { makeRecord } from '../../sdk/records.js';
import { planSequence, runWriterLoop, WriterSession } from '../writer-loop.js';
import { cellPaths, type RoleConfig } from './config.js';
import { createRuntime, logFaultEvent } from './runtime.js';
import { holdingSink } from '../nemesis/hold.js';
import { awaitGo } from '../start-barrier.js';

export async function runWriter(config: RoleConfig): Promise<void> {
  const paths = cellPaths(config.cellDir);
  const { loaded, ctx, counters, beforeCrash } = await createRuntime(config, 'writer');
  const ledgerPath = join(paths.ledger, `writer-${config.index}.jsonl`);
  const previous = existsSync(ledgerPath) ? readFileSync(ledgerPath, 'utf8') : '';
  const ledger = new LedgerWriter(ledgerPath);
  const source = {
    io: ctx.io.counters, lock: ctx.lock.stats, acked: 0, attempted: 0, failed: 0, ackLatenciesMs: [] as number[], counters,
    harnessBytesWritten: () => ledger.bytesWritten,
  };
  // Progress triggers: the writer stops itself right after the line that reaches one, until the nemesis has acted.
  const sink = holdingSink(ledger, config.holds ?? [], previous, (event) => logFaultEvent(config, event), () => process.kill(process.pid, 'SIGSTOP'));
  // A real crash kills this process, so every error a write throws is one it survives.
  const session = new WriterSession(loaded.definition.writer(ctx, loaded.options), sink, {
    clock: ctx.clock, pid: process.pid, tally: source, survives: () => true,
  });
  const metrics = new MetricsRecorder(paths.metrics, 'writer', config.index, source);
  metrics.start(config.metricsEveryMs);
  beforeCrash(() => metrics.snapshot(false));

  await runWriterLoop(session, {
    seqs: planSequence(previous, config.recordsPerWorker, config.index, config.restart),
    record: (seq) => makeRecord(config.seed, config.index, seq, config.payloadBytes, ctx.clock.nowMicros()),
    thinkMs: config.thinkMs,
    random: ctx.random,
    // Ready once open and, behind the start barrier, told `go`: the CPU of its writing counts from here.
    go: async () => {
      if (config.startBarrier) await awaitGo();
      metrics.ready();
    },
  }, ctx.clock);
  ledger.close();
  metrics.stop();
}
