import { IO_OPS, type IoOp } from './ports/io.js';
import { badValue, ChaosError } from './errors.js';
import { parseStrategySpec } from './spec.js';

/**
 * Faults are data. Process faults (kill, pause) are carried out by the orchestrator's nemesis
 * against real processes; I/O faults (slow-io, io-error, crash-point) are handed to the targeted
 * process and carried out by its I/O port hook. All of them are healed before the final check:
 * paused processes are resumed, and I/O faults apply only to a process's first life (a restarted
 * process and finalize run clean).
 */
export type FaultTarget = string; // 'writer' (one, seeded), 'writers' (all), 'writer-N', 'merger', 'consumer', 'redis'

/**
 * When a process fault fires: `at` ms after every writer runs, once the target writer's ledger holds
 * `afterAcks` acks or `afterAttempts` attempts (progress, so the fault lands mid-run on any machine;
 * after attempts lands with records in flight, after acks right behind a save), or (kill and pause)
 * when the target reaches a named `point` for the `nth` time (e.g. `lock:acquired`: while it holds a
 * lock). A point trigger is carried out by the target itself (it stops or kills itself there; the
 * nemesis resumes it).
 */
export interface Trigger {
  at?: number;
  afterAcks?: number;
  afterAttempts?: number;
  /** Whose ledger a progress trigger counts (a writer-N); default the target itself, writer-0 for a target that keeps no ledger. */
  of?: string;
  point?: string;
  /** With `point`: which arrival at it (1 = the first). */
  nth?: number;
}

const TRIGGERS = ['at', 'afterAcks', 'afterAttempts'] as const;

/**
 * A planned fault that never fires makes a cell's verdict `unknown` (the run did not test what it
 * claims to), unless the fault says it may go unfired: `true` for any reason (a perturbation such as
 * slow writes), `if-absent` only when its target is not part of the cell (a merger fault for a
 * strategy without a merger). A fault whose target runs must then fire.
 */
export type Optional = true | 'if-absent';

interface FaultBase {
  target: FaultTarget;
  optional?: Optional;
}

export interface KillFault extends Trigger, FaultBase {
  kind: 'kill';
  /** Target redis only: ms the server stays dead before it is restarted on the same port and data folder. */
  down?: number;
}
/**
 * A stop held until another process has made progress: until one other writer's ledger (any writer but
 * the stopped process) holds `count` more `op` lines than when the stop landed, or (`op: 'point'`) until
 * another process has reached a named point matching `point` after the stop landed (a process in its
 * first life: the one that carries faults). The pause's `duration` is then its cap, so that a stop nobody
 * can make progress past (a lock holder stopped while the others wait for its lock) still ends; a stop
 * ended by the cap says so in the fault log. Ledger lines are counted per writer so that `count=2` acks
 * means a whole save (attempt to ack) that began after the stop.
 */
export type UntilProgress = { op: 'attempt' | 'ack'; count: number } | { op: 'point'; point: string; count: 1 };
export interface PauseFault extends Trigger, FaultBase { kind: 'pause'; duration: number; until?: UntilProgress }
/** Network faults between one process and its service, carried out by that process's proxy. */
export interface LatencyFault extends Trigger, FaultBase { kind: 'latency'; delay: number; duration: number }
export interface DropFault extends Trigger, FaultBase { kind: 'drop' }
export interface PartitionFault extends Trigger, FaultBase { kind: 'partition'; duration: number }
export interface SlowIoFault extends FaultBase { kind: 'slow-io'; op: IoOp | '*'; path: string; probability: number; delay: number }
export interface IoErrorFault extends FaultBase { kind: 'io-error'; op: IoOp | '*'; path: string; errno: 'EIO' | 'ENOSPC'; probability: number; nth: number }
export interface CrashPointFault extends FaultBase { kind: 'crash-point'; point: string; nth: number }
/**
 * The machine loses power: every process of the cell is SIGKILLed at once, the cell's data/ and
 * state/ (mounted through crashfs) keep one state the persistence `model` allows for what was not
 * durable (`seeded`: chosen from the seed; `harshest`: nothing un-synced survives), and the cell goes
 * on as after a reboot. Its target is the whole cell; a progress trigger counts `of`'s ledger (default
 * writer-0), a point trigger stops the writer `of` (default writer-0) there until the power goes.
 */
export interface PowerLossFault extends Trigger, FaultBase { kind: 'power-loss'; model: string; state: PowerLossState }
export const POWER_LOSS_STATES = ['seeded', 'harshest'] as const;
export type PowerLossState = (typeof POWER_LOSS_STATES)[number];
/** The persistence model a power loss follows unless it names one (see harness/sim/models/). */
export const DEFAULT_POWER_MODEL = 'posix';
/** The target of a power loss: every process of the cell. */
export const POWER_TARGET = 'cell';

export type NetworkFault = LatencyFault | DropFault | PartitionFault;
export type Fault = KillFault | PauseFault | NetworkFault | SlowIoFault | IoErrorFault | CrashPointFault | PowerLossFault;
/** A fault of a cell's plan, numbered: every event it causes names its `id`. */
export type Planned<F extends Fault = Fault> = F & { id: number };
export type FaultKind = Fault['kind'];
/** Faults the orchestrator's nemesis carries out on its triggers: on processes, on the service, on the network. */
export type ProcessFault = KillFault | PauseFault | NetworkFault | PowerLossFault;
export type IoFault = SlowIoFault | IoErrorFault | CrashPointFault;

type Raw = Record<string, string>;

function num(kind: string, raw: Raw, key: string, min: number, max: number, fallback?: number): number {
  const text = raw[key];
  if (text === undefined) {
    if (fallback === undefined) throw badValue('E_BAD_OPTION', `--faults ${kind}`, '', `${key}=<number from ${min} to ${max}>`);
    return fallback;
  }
  const n = Number(text);
  if (text.trim() === '' || !Number.isFinite(n) || n < min || n > max) throw badValue('E_BAD_OPTION', `--faults ${kind}:${key}`, text, `a number from ${min} to ${max}`);
  return n;
}

function target(kind: string, raw: Raw, orRedis = false): FaultTarget {
  const t = raw.target ?? '';
  if (!/^(writer|writers|writer-\d+|merger|consumer)$/.test(t) && !(orRedis && t === 'redis')) {
    throw badValue('E_BAD_OPTION', `--faults ${kind}:target`, t, `one of: writer, writers, writer-N, merger, consumer${orRedis ? ', redis' : ''}`);
  }
  return t;
}

function trigger(kind: string, raw: Raw, points = false): Trigger {
  const keys = points ? [...TRIGGERS, 'point'] : TRIGGERS;
  const given = keys.filter((key) => raw[key] !== undefined);
  if (given.length !== 1) {
    throw badValue('E_BAD_OPTION', `--faults ${kind}`, Object.keys(raw).join(','), `exactly one of at=<ms>, afterAcks=<n>${points ? ', afterAttempts=<n> or point=<name>' : ' or afterAttempts=<n>'}`);
  }
  const key = given[0]!;
  if (key === 'point') return { point: raw.point!, nth: num(kind, raw, 'nth', 1, 1e9, 1) };
  if (raw.nth !== undefined) throw badValue('E_BAD_OPTION', `--faults ${kind}:nth`, raw.nth, 'nth only with point=<name>');
  const of = raw.of;
  if (of !== undefined && (key === 'at' || !/^writer-\d+$/.test(of))) {
    throw badValue('E_BAD_OPTION', `--faults ${kind}:of`, of, 'writer-N, with afterAcks or afterAttempts');
  }
  return { [key]: num(kind, raw, key, 0, key === 'at' ? 86_400_000 : 1e9), ...(of ? { of } : {}) };
}

function op(kind: string, raw: Raw, fallback?: '*'): IoOp | '*' {
  const value = raw.op ?? fallback;
  if (value !== '*' && !(IO_OPS as readonly string[]).includes(value ?? '')) {
    throw badValue('E_BAD_OPTION', `--faults ${kind}:op`, value ?? '', `* or one of: ${IO_OPS.join(', ')}`);
  }
  return value as IoOp | '*';
}

function allowOnly(kind: string, raw: Raw, keys: readonly string[]): void {
  for (const key of Object.keys(raw)) {
    if (!keys.includes(key) && key !== 'optional') throw badValue('E_BAD_OPTION', `--faults ${kind}`, key, `one of: ${[...keys, 'optional'].join(', ')}`);
  }
}

/** `optional=true|if-absent` (see Optional); absent: the fault must fire. */
function optional(kind: string, raw: Raw): { optional?: Optional } {
  const value = raw.optional;
  if (value === undefined || value === 'false') return {};
  if (value === 'true') return { optional: true };
  if (value === 'if-absent') return { optional: 'if-absent' };
  throw badValue('E_BAD_OPTION', `--faults ${kind}:optional`, value, 'one of: true, false, if-absent');
}

/** `until=acks:K`, `until=attempts:K` (K ≥ 1) or `until=point:<pattern>`: see UntilProgress. */
function untilProgress(text: string): UntilProgress {
  const point = /^point:(.+)$/.exec(text);
  if (point) return { op: 'point', point: point[1]!, count: 1 };
  const match = /^(acks|attempts):(\d+)$/.exec(text);
  const count = Number(match?.[2]);
  if (!match || count < 1 || count > 1e9) throw badValue('E_BAD_OPTION', '--faults pause:until', text, 'acks:<n> or attempts:<n>, n from 1 (another writer\'s ledger lines after the stop), or point:<pattern> (another process reaching a point)');
  return { op: match[1] === 'acks' ? 'ack' : 'attempt', count };
}

/** An `until` as `--faults` spells it: `acks:2`, `point:shared-buffer:appended`. */
export function untilSpec(until: UntilProgress): string {
  return until.op === 'point' ? `point:${until.point}` : `${until.op === 'ack' ? 'acks' : 'attempts'}:${until.count}`;
}

/** An `until` as the fault log and the docs say it: `2 acks by another writer`, `another process at shared-buffer:appended`. */
export function untilText(until: UntilProgress): string {
  return until.op === 'point' ? `another process at ${until.point}` : `${until.count} ${until.op}s by another writer`;
}

/** The action of the event a process logs on reaching a point that a stop elsewhere waits for (`until=point:`). */
export const REACHED = 'reached';

/** The point patterns the cell's pauses wait for (`until=point:`), once each: every first life reports reaching them. */
export function awaitedPoints(faults: readonly Fault[]): string[] {
  return [...new Set(faults.flatMap((f) => (f.kind === 'pause' && f.until?.op === 'point' ? [f.until.point] : [])))];
}

/** Each fault kind: how it is parsed from `kind:key=value,…`. Unknown kinds are rejected with this list. */
export const faultKinds = {
  kill: (raw: Raw): KillFault => {
    allowOnly('kill', raw, ['target', ...TRIGGERS, 'point', 'nth', 'of', 'down']);
    const t = target('kill', raw, true);
    if (raw.down !== undefined && t !== 'redis') throw badValue('E_BAD_OPTION', '--faults kill:down', raw.down, 'no value unless target=redis (a killed process restarts at once)');
    return { kind: 'kill', target: t, ...trigger('kill', raw, true), ...(t === 'redis' ? { down: num('kill', raw, 'down', 0, 600_000, 500) } : {}), ...optional('kill', raw) };
  },
  pause: (raw: Raw): PauseFault => {
    allowOnly('pause', raw, ['target', ...TRIGGERS, 'point', 'nth', 'of', 'duration', 'until']);
    const until = raw.until === undefined ? {} : { until: untilProgress(raw.until) };
    return { kind: 'pause', target: target('pause', raw, true), ...trigger('pause', raw, true), duration: num('pause', raw, 'duration', 1, 600_000), ...until, ...optional('pause', raw) };
  },
  latency: (raw: Raw): LatencyFault => {
    allowOnly('latency', raw, ['target', ...TRIGGERS, 'of', 'delay', 'duration']);
    return {
      kind: 'latency', target: target('latency', raw), ...trigger('latency', raw),
      delay: num('latency', raw, 'delay', 1, 60_000), duration: num('latency', raw, 'duration', 1, 86_400_000, 86_400_000), ...optional('latency', raw),
    };
  },
  drop: (raw: Raw): DropFault => {
    allowOnly('drop', raw, ['target', ...TRIGGERS, 'of']);
    return { kind: 'drop', target: target('drop', raw), ...trigger('drop', raw), ...optional('drop', raw) };
  },
  partition: (raw: Raw): PartitionFault => {
    allowOnly('partition', raw, ['target', ...TRIGGERS, 'of', 'duration']);
    return { kind: 'partition', target: target('partition', raw), ...trigger('partition', raw), duration: num('partition', raw, 'duration', 1, 600_000), ...optional('partition', raw) };
  },
  'slow-io': (raw: Raw): SlowIoFault => {
    allowOnly('slow-io', raw, ['target', 'op', 'path', 'probability', 'delay']);
    return {
      kind: 'slow-io', target: target('slow-io', raw), op: op('slow-io', raw, '*'), path: raw.path ?? '',
      probability: num('slow-io', raw, 'probability', 0, 1, 1), delay: num('slow-io', raw, 'delay', 0, 60_000), ...optional('slow-io', raw),
    };
  },
  'io-error': (raw: Raw): IoErrorFault => {
    allowOnly('io-error', raw, ['target', 'op', 'path', 'errno', 'probability', 'nth']);
    const errno = raw.errno ?? 'EIO';
    if (errno !== 'EIO' && errno !== 'ENOSPC') throw badValue('E_BAD_OPTION', '--faults io-error:errno', errno, 'one of: EIO, ENOSPC');
    return {
      kind: 'io-error', target: target('io-error', raw), op: op('io-error', raw), path: raw.path ?? '', errno,
      probability: num('io-error', raw, 'probability', 0, 1, raw.nth === undefined ? 1 : 0), nth: num('io-error', raw, 'nth', 0, 1e9, 0), ...optional('io-error', raw),
    };
  },
  'power-loss': (raw: Raw): PowerLossFault => {
    allowOnly('power-loss', raw, [...TRIGGERS, 'point', 'nth', 'of', 'model', 'state']);
    const state = raw.state ?? 'seeded';
    if (!(POWER_LOSS_STATES as readonly string[]).includes(state)) throw badValue('E_BAD_OPTION', '--faults power-loss:state', state, `one of: ${POWER_LOSS_STATES.join(', ')}`);
    // `of` names the writer whose ledger counts or who stops at the point, for every trigger but `at`.
    const { of, ...rest } = raw;
    const when = trigger('power-loss', rest, true);
    if (of !== undefined && (when.at !== undefined || !/^writer-\d+$/.test(of))) {
      throw badValue('E_BAD_OPTION', '--faults power-loss:of', of, 'writer-N (whose ledger or point triggers the power loss), with afterAcks, afterAttempts or point');
    }
    return {
      kind: 'power-loss', target: POWER_TARGET, ...when, ...(of ? { of } : {}),
      model: raw.model ?? DEFAULT_POWER_MODEL, state: state as PowerLossState, ...optional('power-loss', raw),
    };
  },
  'crash-point': (raw: Raw): CrashPointFault => {
    allowOnly('crash-point', raw, ['target', 'point', 'nth']);
    if (!raw.point) throw badValue('E_BAD_OPTION', '--faults crash-point:point', '', 'a point name (e.g. publish:temp-written, merge:*) or an I/O op (e.g. rename)');
    return { kind: 'crash-point', target: target('crash-point', raw), point: raw.point, nth: num('crash-point', raw, 'nth', 1, 1e9, 1), ...optional('crash-point', raw) };
  },
} satisfies { [K in FaultKind]: (raw: Raw) => Extract<Fault, { kind: K }> };

export const faultKindNames = Object.keys(faultKinds) as FaultKind[];

/** Parses `kind:key=value,…;kind:…` into faults. */
export function parseFaultList(text: string): Fault[] {
  return text.split(';').map((s) => s.trim()).filter(Boolean).map((item) => {
    const { name, options } = parseStrategySpec(item, '--faults');
    const parse = (faultKinds as Record<string, (raw: Raw) => Fault>)[name];
    if (!parse) throw new ChaosError('E_UNKNOWN_FAULT', `--faults: got fault kind '${name}', expected one of: ${faultKindNames.join(', ')}`, {
      option: '--faults', value: name, expected: faultKindNames.join(', '),
    });
    return parse(options);
  });
}

const NEMESIS_KINDS: readonly FaultKind[] = ['kill', 'pause', 'latency', 'drop', 'partition', 'power-loss'];

export function isProcessFault(fault: Fault): fault is ProcessFault {
  return NEMESIS_KINDS.includes(fault.kind);
}

export const NETWORK_FAULT_KINDS: readonly FaultKind[] = ['latency', 'drop', 'partition'];

export function isNetworkFault(fault: Fault): fault is NetworkFault {
  return NETWORK_FAULT_KINDS.includes(fault.kind);
}

/** Faults the target process carries out itself (through its I/O port hook); the rest are the nemesis's. */
export type InProcessFault = IoFault | ((KillFault | PauseFault | PowerLossFault) & { point: string });

export function isInProcessFault(fault: Fault): fault is InProcessFault {
  return !isProcessFault(fault) || ((fault.kind === 'kill' || fault.kind === 'pause' || fault.kind === 'power-loss') && fault.point !== undefined);
}

/**
 * The action of the event a writer logs when it stops itself at a progress trigger (afterAttempts,
 * afterAcks) for the nemesis to act on the fault: not the fault itself, which the nemesis logs.
 */
export const HELD_AT_TRIGGER = 'held at trigger';

/** The `detail` of a `skipped` event whose target is not part of the cell's topology. */
export const NO_SUCH_PROCESS = 'no such process in this cell';

/**
 * Does a point or op name match a fault's pattern? `*` stands for any run of characters: `merge:*`
 * matches every `merge:` point, `merge:*-read` every merge's read (`merge:inputs-read`, `merge:segments-read`).
 */
export function matchesPattern(pattern: string, name: string): boolean {
  const [first = '', ...rest] = pattern.split('*');
  if (rest.length === 0) return pattern === name;
  const last = rest.pop()!;
  if (!name.startsWith(first)) return false;
  let at = first.length;
  for (const part of rest) {
    const found = name.indexOf(part, at);
    if (found < 0) return false;
    at = found + part.length;
  }
  return name.length - last.length >= at && name.endsWith(last);
}

/** One line of a cell's faults.jsonl: what was done, to which process, when, and what it hit. */
export interface FaultEvent {
  /** ms since the writers were spawned (process start-up included; the `start` event marks `go`: all have opened and start writing). */
  at: number;
  kind: FaultKind | 'start' | 'restart' | 'heal';
  target: string;
  pid?: number;
  action: string;
  detail?: string;
  /** The planned fault (its `id`) this event carries out or reports on; absent for start/restart/heal. */
  fault?: number;
}
