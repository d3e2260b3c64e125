import type { CodecName } from '../codec/codec.js';
import type { RoleKind } from '../../strategies/api.js';

/** What a restarted writer does with ids it attempted but never saw acked. */
export type RestartPolicy = 'retry' | 'skip' | 'none';

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
}

export function cellPaths(cellDir: string) {
  return {
    data: `${cellDir}/data`,
    ledger: `${cellDir}/ledger`,
    metrics: `${cellDir}/metrics`,
    state: `${cellDir}/state`,
    logs: `${cellDir}/logs`,
  };
}
