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
export type FaultTarget = string; // 'writer' (one, seeded), 'writers' (all), 'writer-N', 'merger', 'consumer'

/**
 * When a process fault fires: `at` ms after every writer runs, or once the target writer's ledger holds
 * `afterAcks` acks or `afterAttempts` attempts (progress, so the fault lands mid-run on any machine;
 * after attempts lands with records in flight, after acks right behind a save).
 */
export interface Trigger {
  at?: number;
  afterAcks?: number;
  afterAttempts?: number;
}

const TRIGGERS = ['at', 'afterAcks', 'afterAttempts'] as const;

export interface KillFault extends Trigger { kind: 'kill'; target: FaultTarget }
export interface PauseFault extends Trigger { kind: 'pause'; target: FaultTarget; duration: number }
export interface SlowIoFault { kind: 'slow-io'; target: FaultTarget; op: IoOp | '*'; path: string; probability: number; delay: number }
export interface IoErrorFault { kind: 'io-error'; target: FaultTarget; op: IoOp | '*'; path: string; errno: 'EIO' | 'ENOSPC'; probability: number; nth: number }
export interface CrashPointFault { kind: 'crash-point'; target: FaultTarget; point: string; nth: number }

export type Fault = KillFault | PauseFault | SlowIoFault | IoErrorFault | CrashPointFault;
export type FaultKind = Fault['kind'];
export type ProcessFault = KillFault | PauseFault;
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

function target(kind: string, raw: Raw): FaultTarget {
  const t = raw.target ?? '';
  if (!/^(writer|writers|writer-\d+|merger|consumer)$/.test(t)) {
    throw badValue('E_BAD_OPTION', `--faults ${kind}:target`, t, 'one of: writer, writers, writer-N, merger, consumer');
  }
  return t;
}

function trigger(kind: string, raw: Raw): Trigger {
  const given = TRIGGERS.filter((key) => raw[key] !== undefined);
  if (given.length !== 1) {
    throw badValue('E_BAD_OPTION', `--faults ${kind}`, Object.keys(raw).join(','), 'exactly one of at=<ms>, afterAcks=<n> or afterAttempts=<n>');
  }
  const key = given[0]!;
  return { [key]: num(kind, raw, key, 0, key === 'at' ? 86_400_000 : 1e9) };
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
    if (!keys.includes(key)) throw badValue('E_BAD_OPTION', `--faults ${kind}`, key, `one of: ${keys.join(', ')}`);
  }
}

/** Each fault kind: how it is parsed from `kind:key=value,…`. Unknown kinds are rejected with this list. */
export const faultKinds = {
  kill: (raw: Raw): KillFault => {
    allowOnly('kill', raw, ['target', ...TRIGGERS]);
    return { kind: 'kill', target: target('kill', raw), ...trigger('kill', raw) };
  },
  pause: (raw: Raw): PauseFault => {
    allowOnly('pause', raw, ['target', ...TRIGGERS, 'duration']);
    return { kind: 'pause', target: target('pause', raw), ...trigger('pause', raw), duration: num('pause', raw, 'duration', 1, 600_000) };
  },
  'slow-io': (raw: Raw): SlowIoFault => {
    allowOnly('slow-io', raw, ['target', 'op', 'path', 'probability', 'delay']);
    return {
      kind: 'slow-io', target: target('slow-io', raw), op: op('slow-io', raw, '*'), path: raw.path ?? '',
      probability: num('slow-io', raw, 'probability', 0, 1, 1), delay: num('slow-io', raw, 'delay', 0, 60_000),
    };
  },
  'io-error': (raw: Raw): IoErrorFault => {
    allowOnly('io-error', raw, ['target', 'op', 'path', 'errno', 'probability', 'nth']);
    const errno = raw.errno ?? 'EIO';
    if (errno !== 'EIO' && errno !== 'ENOSPC') throw badValue('E_BAD_OPTION', '--faults io-error:errno', errno, 'one of: EIO, ENOSPC');
    return {
      kind: 'io-error', target: target('io-error', raw), op: op('io-error', raw), path: raw.path ?? '', errno,
      probability: num('io-error', raw, 'probability', 0, 1, raw.nth === undefined ? 1 : 0), nth: num('io-error', raw, 'nth', 0, 1e9, 0),
    };
  },
  'crash-point': (raw: Raw): CrashPointFault => {
    allowOnly('crash-point', raw, ['target', 'point', 'nth']);
    if (!raw.point) throw badValue('E_BAD_OPTION', '--faults crash-point:point', '', 'a point name (e.g. publish:temp-written, merge:*) or an I/O op (e.g. rename)');
    return { kind: 'crash-point', target: target('crash-point', raw), point: raw.point, nth: num('crash-point', raw, 'nth', 1, 1e9, 1) };
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

export function isProcessFault(fault: Fault): fault is ProcessFault {
  return fault.kind === 'kill' || fault.kind === 'pause';
}

/** Does a point or op name match a fault's pattern (`merge:*` matches every `merge:` point)? */
export function matchesPattern(pattern: string, name: string): boolean {
  return pattern.endsWith('*') ? name.startsWith(pattern.slice(0, -1)) : pattern === name;
}

/** One line of a cell's faults.jsonl: what was done, to which process, when, and what it hit. */
export interface FaultEvent {
  /** ms since the writers were spawned (process start-up included; the `start` event marks all running). */
  at: number;
  kind: FaultKind | 'start' | 'restart' | 'heal';
  target: string;
  pid?: number;
  action: string;
  detail?: string;
}
