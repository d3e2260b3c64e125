import * as v from 'valibot';
import { faultKindNames, type InProcessFault, type Planned } from '../../sdk/faults.js';
import { looseFields, typedAs } from '../../sdk/schema.js';
import type { ServiceEndpoints } from '../../sdk/services.js';
import { CODEC_NAMES } from '../../sdk/codec/codec.js';
import { ROLE_KINDS } from '../../sdk/strategy.js';
import { RESTART_POLICIES } from '../../result/result.js';

const count = v.pipe(v.number(), v.integer(), v.minValue(0));

/** Everything a role process needs, passed as one JSON argument (validated by the child on start). */
export const RoleConfigSchema = v.object({
  role: v.picklist(ROLE_KINDS),
  index: count,
  cellDir: v.string(),
  /** The strategy spec as written (label), and for plugins the absolute module path replacing the name. */
  strategy: v.string(),
  codec: v.picklist(CODEC_NAMES),
  seed: v.pipe(v.number(), v.integer()),
  recordsPerWorker: count,
  payloadBytes: count,
  thinkMs: v.pipe(v.number(), v.minValue(0)),
  lockStaleMs: v.pipe(v.number(), v.minValue(0)),
  lockTimeoutMs: v.pipe(v.number(), v.minValue(0)),
  /** Snapshot interval for metrics/ (ms). */
  metricsEveryMs: v.pipe(v.number(), v.minValue(1)),
  restart: v.picklist(RESTART_POLICIES),
  /** The process's name in fault logs: writer-3, merger, consumer, finalize. */
  name: v.string(),
  /** 0 for the first life, n for the nth restart. */
  incarnation: count,
  /** In-process faults for this life (I/O faults, point triggers; empty after a restart: faults are healed); the plan made them. */
  ioFaults: v.array(typedAs<Planned<InProcessFault>>()(looseFields({ kind: v.picklist(faultKindNames), target: v.string(), id: v.number() }))),
  /** Points that a stop elsewhere waits for this process to reach (`until=point:`; first life only, like faults): reported in the fault log. */
  awaitedPoints: v.optional(v.array(v.string())),
  /** A writer's progress triggers (every life): it stops itself at each for the nemesis to act (nemesis/hold.ts). */
  holds: v.optional(v.array(v.object({ fault: v.number(), kind: v.picklist(faultKindNames), op: v.picklist(['attempt', 'ack']), count: count }))),
  /** Endpoints of the services the strategy needs (this process's own proxy when network faults apply). */
  services: typedAs<ServiceEndpoints>()(v.looseObject({})),
  /** Epoch ms when the writers started: fault events are timed from it. */
  startedAt: v.number(),
  /** The uninstrumented pass-through I/O port (no faults, no counts): only `bench` sets it, to measure the instrumented port's cost. */
  rawIo: v.optional(v.boolean()),
  /** A first-life writer waits after opening for the cell's `go` on stdin (orchestrate/start-barrier.ts). */
  startBarrier: v.optional(v.boolean()),
  /**
   * The role leads its own process group (a foreign strategy's: the process it starts joins the group),
   * and every kill or stop, the faults' included, goes to the whole group.
   */
  processGroup: v.optional(v.boolean()),
});
export type RoleConfig = v.InferOutput<typeof RoleConfigSchema>;

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
