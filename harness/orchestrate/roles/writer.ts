import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LedgerWriter } from '../../oracle/ledger.js';
import { MetricsRecorder } from '../../measure/metrics.js';
import { makeRecord } from '../../sdk/records.js';
import { planSequence, runWriterLoop, WriterSession } from '../writer-loop.js';
import { cellPaths, type RoleConfig } from './config.js';
import { createRuntime } from './runtime.js';
import { awaitGo } from '../start-barrier.js';
import { ChaosError } from '../../sdk/errors.js';
import { childUsage } from '../../foreign/child-usage.js';

export async function runWriter(config: RoleConfig): Promise<void> {
  const paths = cellPaths(config.cellDir);
  const { loaded, ctx, counters, beforeCrash } = await createRuntime(config, 'writer');
  const ledgerPath = join(paths.ledger, `writer-${config.index}.jsonl`);
  const previous = existsSync(ledgerPath) ? readFileSync(ledgerPath, 'utf8') : '';
  const ledger = new LedgerWriter(ledgerPath);
  const source = {
    io: ctx.io.counters, lock: ctx.lock.stats, acked: 0, attempted: 0, failed: 0, ackLatenciesMs: [] as number[], counters,
    harnessBytesWritten: () => ledger.bytesWritten, childUsage,
  };
  // A real crash kills this process, so every error a write throws is one it survives, but a broken
  // writer protocol (a foreign strategy's): that ends the writer, and the cell's verdict is unknown.
  const session = new WriterSession(loaded.definition.writer(ctx, loaded.options), ledger, {
    clock: ctx.clock, pid: process.pid, tally: source, survives: (error) => !(error instanceof ChaosError && error.code === 'E_PROTOCOL'),
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
