import type { CodecName } from '../../sdk/codec/codec.js';
import type { RoleKind } from '../../sdk/strategy.js';
import type { IoFault } from '../../sdk/faults.js';
import type { RestartPolicy } from '../writer-loop.js';
import type { ServiceEndpoints } from '../../sdk/services.js';

/** Everything a role process needs, passed as one JSON argument. */
export interface RoleConfig {
  role: RoleKind;
  index: number;
  cellDir: string;
  /** The strategy spec as written (label), and for plugins the absolute module path replacing the name. */
  strategy: string;
  codec: CodecName;
  seed: number;
  recordsPerWorker: number;
  payloadBytes: number;
  thinkMs: number;
  lockStaleMs: number;
  lockTimeoutMs: number;
  /** Snapshot interval for metrics/ (ms). */
  metricsEveryMs: number;
  restart: RestartPolicy;
  /** The process's name in fault logs: writer-3, merger, consumer, finalize. */
  name: string;
  /** 0 for the first life, n for the nth restart. */
  incarnation: number;
  /** I/O faults for this life (empty after a restart: faults are healed). */
  ioFaults: IoFault[];
  /** Endpoints of the services the strategy needs (this process's own proxy when network faults apply). */
  services: ServiceEndpoints;
  /** Epoch ms when the writers started: fault events are timed from it. */
  startedAt: number;
  /** The uninstrumented pass-through I/O port (no faults, no counts): only `bench` sets it, to measure the instrumented port's cost. */
  rawIo?: boolean;
}

export function cellPaths(cellDir: string) {
  return {
    data: `${cellDir}/data`,
    ledger: `${cellDir}/ledger`,
    metrics: `${cellDir}/metrics`,
    state: `${cellDir}/state`,
    logs: `${cellDir}/logs`,
    faults: `${cellDir}/faults.jsonl`,
  };
}
