import type { Codec } from './codec/codec.js';
import type { ClockPort } from './ports/clock.js';
import type { IoPort } from './ports/io.js';
import type { LockPort } from './ports/lock.js';
import type { Random } from './random.js';
import type { ServiceEndpoints, ServiceNeeds } from './services.js';
import type { TestRecord } from './records.js';
import { badValue } from './errors.js';
import type { AssumptionName } from './assumptions.js';
import { lockBackendNames, lockBackends, type LockBackendName } from './ports/locks/index.js';

/** What a strategy promises. The checker fails a cell only for a broken promise. */
export interface Guarantees {
  /** Every acked id is in the dataset after finalize. */
  noLostAcked: boolean;
  /** No id is in the dataset twice. */
  noDuplicates: boolean;
  /** Every .parquet file decodes and every row's checksum holds. */
  noCorruption: boolean;
}

export const ROLE_KINDS = ['writer', 'merger', 'consumer', 'finalize'] as const;

export type RoleKind = (typeof ROLE_KINDS)[number];

export interface RoleIdentity {
  kind: RoleKind;
  /** Writer index (0-based); 0 for singleton roles. */
  index: number;
  pid: number;
  /** The seed system's process id: `{pid}_{YYYYmmdd_HHMMSS}`. */
  processId: string;
}

/** Everything a strategy may use. It never touches `fs` itself, so every byte is counted. */
export interface StrategyContext {
  io: IoPort;
  lock: LockPort;
  clock: ClockPort;
  codec: Codec;
  /** Absolute path of the cell's data/ folder: the dataset is every *.parquet under it. */
  dataDir: string;
  /** Absolute path of the cell's state/ folder: queues, logs, journals, locks. */
  stateDir: string;
  role: RoleIdentity;
  /** Endpoints of the services the strategy declared in `services(options)` (e.g. the cell's Redis). */
  services: ServiceEndpoints;
  random: Random;
  /** Named event counters a strategy reports (e.g. fallbacks, commitConflicts); summed per cell. */
  count(name: string, n?: number): void;
  log(message: string): void;
}

/** A strategy's per-writer-process handle. Each method resolves with the ids it has made durable. */
export interface WriterHandle {
  open?(): Promise<void>;
  /** Hands one record over; resolves with the ids now durably saved (maybe none, maybe a batch). */
  write(record: TestRecord): Promise<readonly string[]>;
  /** Makes everything buffered durable and releases resources; called once when the writer ends cleanly. */
  close?(): Promise<readonly string[]>;
}

/** A long-running helper process (merger, consumer) that runs until `signal` aborts. */
export interface BackgroundRole {
  /** Loading done before the cell's `go` (a foreign role's process start and handshake), so that it runs beside the writers from their start. */
  open?(): Promise<void>;
  run(signal: AbortSignal): Promise<void>;
}

export type BackgroundRoleKind = 'merger' | 'consumer';

export interface OptionSpec<T> {
  default: T;
  describe: string;
  /** Human-readable set of accepted values, used in error messages and `list`. */
  accepts: string;
  /** Returns undefined when the raw value is not acceptable. */
  parse(raw: string): T | undefined;
}

export type OptionSchema<O> = { [K in keyof O]: OptionSpec<O[K]> };

export interface StrategyDefinition<O extends object = Record<string, unknown>> {
  name: string;
  summary: string;
  options: OptionSchema<O>;
  guarantees(options: O): Guarantees;
  /**
   * What the guarantees rest on besides the strategy's code (sdk/assumptions.ts), e.g. a lease-locked
   * variant's "no lock holder stalls past its lease". A cell whose faults break one does not judge the
   * claims resting on it: their anomalies are reported as expected, and the verdict is unknown.
   */
  assumes?(options: O): readonly AssumptionName[];
  /** Services the harness must provide for a cell (started per cell, or given with --redis-url). */
  services?(options: O): ServiceNeeds;
  writer(ctx: StrategyContext, options: O): WriterHandle;
  /** Background processes this strategy needs beside its writers. */
  roles?: Partial<Record<BackgroundRoleKind, (ctx: StrategyContext, options: O) => BackgroundRole>>;
  /** Recovery, run once in a fresh process after every other process has ended (as after a restart). */
  finalize?(ctx: StrategyContext, options: O): Promise<void>;
  /**
   * The named points (`ctx.io.point`) this strategy may mark, for crash-point faults. Declared, a
   * fault naming a point no strategy of the run has is refused before anything runs, and marking an
   * undeclared point is an error; undeclared (a plugin may leave it out), points are not checked.
   */
  points?: readonly string[];
  /**
   * Set for a strategy whose work a foreign process does (a manifest: docs/protocol.md). Its I/O does
   * not go through `ctx.io`, so faults that act on the port (slow-io, io-error, crash points at I/O
   * ops) cannot reach it, and a simulation, which drives in-process code only, cannot run it.
   */
  foreign?: true;
  /**
   * Set for a strategy whose processes talk to each other over a local socket (group-commit's writers
   * and committer), not through `ctx`'s ports: real processes run it, a simulation, which runs every
   * role in one process over simulated files and cannot deliver or lose a socket's messages, cannot.
   */
  ipc?: 'unix-socket';
}

/** The typed factory every strategy module exports through. */
export function defineStrategy<O extends object>(definition: StrategyDefinition<O>): StrategyDefinition<O> {
  return definition;
}

// ---- option helpers -------------------------------------------------------------------------

export function choice<const C extends readonly string[]>(choices: C, defaultValue: C[number], describe: string): OptionSpec<C[number]> {
  return {
    default: defaultValue,
    describe,
    accepts: `one of: ${choices.join(', ')}`,
    parse: (raw) => (choices.includes(raw) ? (raw as C[number]) : undefined),
  };
}

export function integer(defaultValue: number, describe: string, min = 0, max = Number.MAX_SAFE_INTEGER): OptionSpec<number> {
  return {
    default: defaultValue,
    describe,
    accepts: max === Number.MAX_SAFE_INTEGER ? `an integer >= ${min}` : `an integer from ${min} to ${max}`,
    parse: (raw) => {
      if (!/^-?\d+$/.test(raw)) return undefined;
      const n = Number(raw);
      return n >= min && n <= max ? n : undefined;
    },
  };
}

export function decimal(defaultValue: number, describe: string, min = 0, max = Number.MAX_VALUE): OptionSpec<number> {
  return {
    default: defaultValue,
    describe,
    accepts: `a number from ${min} to ${max === Number.MAX_VALUE ? 'any' : max}`,
    parse: (raw) => {
      const n = Number(raw);
      return raw.trim() !== '' && Number.isFinite(n) && n >= min && n <= max ? n : undefined;
    },
  };
}

/** What each lock backend is, for an option's help (`name: what it is; …`), from the backends' registry. */
export function describeLockBackends(): string {
  return lockBackendNames.map((name) => `${name}: ${lockBackends[name].describe}`).join('; ');
}

/** The `lock=` option every lock-based strategy takes: which lock backend holds its locks (see ports/locks/). */
export function lockOption(): OptionSpec<LockBackendName> {
  return choice(lockBackendNames, 'file', `lock backend. ${describeLockBackends()}`);
}

/** The services a lock-based strategy needs for its `lock=` backend (the cell's Redis for the Redis locks). */
export function lockServices(backend: LockBackendName | 'none'): ServiceNeeds {
  return backend === 'none' ? {} : lockBackends[backend].services;
}

/**
 * What a lock-based strategy's claims assume of its `lock=` backend: an unfenced lease holds only while
 * no holder stalls past it (a fenced one refuses the stalled holder's commit; a kernel lock never expires).
 */
export function lockAssumptions(backend: LockBackendName | 'none'): AssumptionName[] {
  if (backend === 'none') return [];
  const spec = lockBackends[backend];
  return spec.kind === 'lease' && !spec.fenced ? ['no-stall-past-lease'] : [];
}

/** Resolves `key=value` pairs against a schema: defaults, then given values; unknown keys rejected. */
export function resolveOptions<O extends object>(
  definition: Pick<StrategyDefinition<O>, 'name' | 'options'>,
  given: Readonly<Record<string, string>>,
): O {
  const schema = definition.options as Record<string, OptionSpec<unknown>>;
  const resolved: Record<string, unknown> = {};
  for (const [key, spec] of Object.entries(schema)) resolved[key] = spec.default;
  for (const [key, raw] of Object.entries(given)) {
    const spec = schema[key];
    if (!spec) {
      const known = Object.keys(schema);
      throw badValue('E_BAD_OPTION', `${definition.name} option`, key,
        known.length ? `one of: ${known.join(', ')}` : 'no options (this strategy takes none)');
    }
    const value = spec.parse(raw);
    if (value === undefined) throw badValue('E_BAD_OPTION', `${definition.name}:${key}`, raw, spec.accepts);
    resolved[key] = value;
  }
  return resolved as O;
}
