import { MetricsRecorder } from '../../measure/metrics.js';
import { ChaosError } from '../../sdk/errors.js';
import type { BackgroundRoleKind } from '../../sdk/strategy.js';
import { cellPaths, type RoleConfig } from './config.js';
import { createRuntime } from './runtime.js';
import { awaitGo } from '../start-barrier.js';
import { childUsage } from '../../foreign/child-usage.js';

/** Runs a strategy's merger or consumer until the orchestrator sends SIGTERM. */
export async function runBackground(config: RoleConfig, kind: BackgroundRoleKind): Promise<void> {
  const { loaded, ctx, counters, beforeCrash } = await createRuntime(config, kind);
  const factory = loaded.definition.roles?.[kind];
  if (!factory) throw new ChaosError('E_ROLE_FAILED', `strategy ${loaded.spec.label} has no ${kind} role`);
  const metrics = new MetricsRecorder(cellPaths(config.cellDir).metrics, kind, config.index, {
    io: ctx.io.counters, lock: ctx.lock.stats, acked: 0, attempted: 0, failed: 0, ackLatenciesMs: [], counters, harnessBytesWritten: () => 0, childUsage,
  });
  metrics.start(config.metricsEveryMs);
  beforeCrash(() => metrics.snapshot(false));
  const stop = new AbortController();
  process.once('SIGTERM', () => stop.abort());
  const role = factory(ctx, loaded.options);
  await role.open?.();
  // A first life starts with the writers, at the cell's `go`: its CPU from here is its work.
  if (config.startBarrier) await awaitGo();
  metrics.ready();
  await role.run(stop.signal);
  metrics.stop();
}

/** Recovery after every other process has ended, in a fresh process (as after a restart). */
export async function runFinalize(config: RoleConfig): Promise<void> {
  const { loaded, ctx, counters } = await createRuntime(config, 'finalize');
  const metrics = new MetricsRecorder(cellPaths(config.cellDir).metrics, 'finalize', 0, {
    io: ctx.io.counters, lock: ctx.lock.stats, acked: 0, attempted: 0, failed: 0, ackLatenciesMs: [], counters, harnessBytesWritten: () => 0, childUsage,
  });
  metrics.ready();
  await loaded.definition.finalize?.(ctx, loaded.options);
  metrics.stop();
}
