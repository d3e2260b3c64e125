import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseLedger, LedgerWriter } from '../../oracle/ledger.js';
import { MetricsRecorder } from '../../measure/metrics.js';
import { makeRecord, recordId } from '../../sdk/records.js';
import { cellPaths, type RestartPolicy, type RoleConfig } from './config.js';
import { createRuntime } from './runtime.js';

/**
 * Which sequence numbers this writer process should attempt. A fresh writer attempts them all; a
 * restarted one reads its own ledger and, like the seed's runner, retries ids it attempted but never
 * saw acked (policy `retry`) or leaves them unsaved (`skip`), then goes on with new ones.
 */
export function planSequence(ledgerText: string, recordsPerWorker: number, worker: number, policy: RestartPolicy = 'retry'): number[] {
  const { segments } = parseLedger(ledgerText);
  const attempted = new Set(segments.flatMap((s) => s.attempted));
  const acked = new Set(segments.flatMap((s) => s.acked));
  const plan: number[] = [];
  for (let seq = 0; seq < recordsPerWorker; seq++) {
    const id = recordId(worker, seq);
    if (!attempted.has(id) || (policy === 'retry' && !acked.has(id))) plan.push(seq);
  }
  return plan;
}

export async function runWriter(config: RoleConfig): Promise<void> {
  const paths = cellPaths(config.cellDir);
  const { loaded, ctx, counters, beforeCrash } = await createRuntime(config, 'writer');
  const ledgerPath = join(paths.ledger, `writer-${config.index}.jsonl`);
  const previous = existsSync(ledgerPath) ? readFileSync(ledgerPath, 'utf8') : '';
  const ledger = new LedgerWriter(ledgerPath);
  ledger.append({ op: 'start', pid: process.pid, t: ctx.clock.now() });

  const attemptAt = new Map<string, number>();
  const source = {
    io: ctx.io.counters, lock: ctx.lock.stats, acked: 0, attempted: 0, failed: 0, ackLatenciesMs: [] as number[], counters,
    harnessBytesWritten: () => ledger.bytesWritten,
  };
  const metrics = new MetricsRecorder(paths.metrics, 'writer', config.index, source);
  metrics.start(config.metricsEveryMs);
  beforeCrash(() => metrics.snapshot(false));

  const ack = (ids: readonly string[]) => {
    const t = ctx.clock.now();
    for (const id of ids) {
      ledger.append({ op: 'ack', id, t });
      source.acked++;
      const started = attemptAt.get(id);
      if (started !== undefined) source.ackLatenciesMs.push(t - started);
    }
  };

  const handle = loaded.definition.writer(ctx, loaded.options);
  await handle.open?.();
  for (const seq of planSequence(previous, config.recordsPerWorker, config.index, config.restart)) {
    const record = makeRecord(config.seed, config.index, seq, config.payloadBytes, ctx.clock.nowMicros());
    const t = ctx.clock.now();
    attemptAt.set(record.id, t);
    ledger.append({ op: 'attempt', id: record.id, t });
    source.attempted++;
    try {
      ack(await handle.write(record));
    } catch (error) {
      // A failed write is not acked; a real runner logs it and goes on with the next test.
      source.failed++;
      ledger.append({ op: 'fail', id: record.id, t: ctx.clock.now(), error: String((error as Error)?.message ?? error) });
    }
    if (config.thinkMs > 0) await ctx.clock.sleep(config.thinkMs * (0.5 + ctx.random.next()));
  }
  ack((await handle.close?.()) ?? []);
  ledger.append({ op: 'end', t: ctx.clock.now() });
  ledger.close();
  metrics.stop();
}
