import * as v from 'valibot';
import { ROLE_KINDS } from '../sdk/strategy.js';

/**
 * Writer protocol 1 (docs/protocol.md): newline-delimited JSON between the harness and a foreign
 * strategy process. Every message either side sends is described here; the adapter parses what the
 * child says with these schemas, and `npm run schema` turns them into schema/writer-protocol.schema.json.
 */
export const PROTOCOL_VERSION = 1;

const id = v.pipe(v.string(), v.minLength(1));
const name = v.pipe(v.string(), v.minLength(1));

// ---- harness → child ---------------------------------------------------------------------------

export const ColumnSchema = v.object({
  name: v.string(),
  type: v.picklist(['string', 'int64', 'double', 'bool']),
  /** For timestamps kept as integers: the unit (`us` for created_at). */
  unit: v.optional(v.literal('us')),
});

export const InitSchema = v.object({
  type: v.literal('init'),
  protocol: v.literal(PROTOCOL_VERSION),
  role: v.picklist(ROLE_KINDS),
  /** The writer's index (0-based); 0 for the other roles. */
  index: v.pipe(v.number(), v.integer(), v.minValue(0)),
  run_id: v.string(),
  cell_id: v.string(),
  /** The seed system's process id of the harness role process: `{pid}_{YYYYmmdd_HHMMSS}`. */
  process_id: v.string(),
  data_dir: v.string(),
  state_dir: v.string(),
  /** The manifest's options, resolved (defaults + the spec's key=value), typed. */
  options: v.record(v.string(), v.union([v.string(), v.number(), v.boolean()])),
  /** A deterministic integer for this process, drawn from the run's seed. */
  seed: v.pipe(v.number(), v.integer()),
  schema: v.array(ColumnSchema),
});

/** One generated record as it goes over the wire: created_at is a JSON integer (µs since the epoch, < 2^53). */
export const WireRecordSchema = v.object({
  id, worker: v.number(), seq: v.number(), model: v.string(), test_name: v.string(), score: v.number(),
  latency_ms: v.number(), ok: v.boolean(), payload: v.string(), created_at: v.pipe(v.number(), v.integer()), checksum: v.string(),
});

export const WriteSchema = v.object({ type: v.literal('write'), id, record: WireRecordSchema });
export const CloseSchema = v.object({ type: v.literal('close') });
export const StopSchema = v.object({ type: v.literal('stop') });
export const ContinueSchema = v.object({ type: v.literal('continue') });

export const HarnessMessageSchema = v.variant('type', [InitSchema, WriteSchema, CloseSchema, StopSchema, ContinueSchema]);
export type HarnessMessage = v.InferOutput<typeof HarnessMessageSchema>;

// ---- child → harness ---------------------------------------------------------------------------

const ids = v.array(id);

export const InitOkSchema = v.object({
  type: v.literal('init_ok'),
  /** The protocol version the child speaks: must be the harness's. */
  protocol: v.number(),
  /** Crash points the child may mark (each must be among the manifest's `points`). */
  points: v.optional(v.array(name)),
});
/** Durably saved: `id` (or, with `acks`, exactly those ids sent so far; `[]`: buffered, not durable yet). */
export const OkSchema = v.object({ type: v.literal('ok'), id, acks: v.optional(ids) });
/** Definitely not saved (and not buffered). */
export const FailSchema = v.object({ type: v.literal('fail'), id, error: v.string() });
/** Unknown: may or may not have been saved (indeterminate: never acked, never counted lost). */
export const InfoSchema = v.object({ type: v.literal('info'), id, error: v.string() });
export const CloseOkSchema = v.object({ type: v.literal('close_ok'), acks: ids });
export const DoneSchema = v.object({ type: v.literal('done') });
/** The child reached a crash point and waits for `continue`. */
export const PointSchema = v.object({ type: v.literal('point'), name });
/** A named event counter, summed per cell. */
export const CountSchema = v.object({ type: v.literal('count'), name, n: v.optional(v.pipe(v.number(), v.integer()), 1) });
/** One lock acquisition attempt, for the cell's lock statistics. */
export const LockSchema = v.object({ type: v.literal('lock'), name, wait_ms: v.pipe(v.number(), v.minValue(0)), outcome: v.picklist(['acquired', 'timeout']) });

export const CHILD_MESSAGE_TYPES = ['init_ok', 'ok', 'fail', 'info', 'close_ok', 'done', 'point', 'count', 'lock'] as const;

export const ChildMessageSchema = v.variant('type', [InitOkSchema, OkSchema, FailSchema, InfoSchema, CloseOkSchema, DoneSchema, PointSchema, CountSchema, LockSchema]);
export type ChildMessage = v.InferOutput<typeof ChildMessageSchema>;

/** Every message of the protocol, either way: what the published JSON Schema describes. */
export const ProtocolMessageSchema = v.union([HarnessMessageSchema, ChildMessageSchema]);
