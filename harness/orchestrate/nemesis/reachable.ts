/**
 * Faults checked against what a run can have, before anything runs: a fault that names a process or
 * a point no cell of the run has would never fire, so it is bad usage, named with the valid ones.
 */
import { badValue } from '../../sdk/errors.js';
import { matchesPattern, parseFaultList } from '../../sdk/faults.js';
import { IO_OPS } from '../../sdk/ports/io.js';
import { LOCK_ACQUIRED } from '../../sdk/ports/lock.js';
import type { ScenarioDefinition } from '../../sdk/scenario.js';
import type { StrategyDefinition } from '../../sdk/strategy.js';

export interface RunShape {
  /** The most writers any cell runs. */
  maxWorkers: number;
  strategies: readonly StrategyDefinition<object>[];
  scenarios: readonly ScenarioDefinition[];
  /** Strategies whose cells get a redis-server the harness starts (none with --redis-url): the `redis` target. */
  redisOwners?: readonly string[];
}

/** The processes a run's cells have, each with the strategies that bring it (background roles). */
function targets(shape: RunShape): Map<string, string> {
  const valid = new Map<string, string>([['writer', ''], ['writers', '']]);
  for (let i = 0; i < shape.maxWorkers; i++) valid.set(`writer-${i}`, '');
  for (const scenario of shape.scenarios) {
    for (const role of scenario.backgroundRoles) {
      const owners = shape.strategies.filter((s) => s.roles?.[role]).map((s) => s.name);
      if (owners.length) valid.set(role, ` (${[...new Set(owners)].join(', ')})`);
    }
  }
  if (shape.redisOwners?.length) valid.set('redis', ` (the server started for ${[...new Set(shape.redisOwners)].join(', ')})`);
  return valid;
}

/** Faults a foreign process (a manifest strategy) can take: its I/O bypasses the harness's I/O port. */
export const FOREIGN_FAULTS = ['kill', 'pause', 'crash-point'] as const;

/** Refuses a fault that acts on the harness's I/O port (slow-io, io-error, a crash point at an I/O op) when a strategy's I/O bypasses it. */
function checkForeignReach(fault: { kind: string; point?: string }, shape: RunShape): void {
  const foreign = shape.strategies.filter((s) => s.foreign).map((s) => s.name);
  if (foreign.length === 0) return;
  const atOp = fault.kind === 'crash-point' && fault.point !== undefined && IO_OPS.some((op) => matchesPattern(fault.point!, op));
  if (fault.kind !== 'slow-io' && fault.kind !== 'io-error' && !atOp) return;
  const points = [...new Set(shape.strategies.filter((s) => s.foreign).flatMap((s) => s.points ?? []))];
  throw badValue('E_BAD_OPTION', `--faults ${fault.kind}`, atOp ? `${fault.kind}:point=${fault.point}` : fault.kind,
    `a fault that can reach every strategy of the run: ${fault.kind}${atOp ? ' at an I/O op' : ''} cannot reach ${[...new Set(foreign)].join(', ')}, a foreign process whose I/O does not go through the harness; faults it can take: ${FOREIGN_FAULTS.join(', ')} (crash-point and point triggers at its points: ${points.join(', ') || 'none declared'})`);
}

/** Refuses a `--faults` list naming a process or a crash point no cell of the run can have. */
export function checkFaultsReachable(spec: string, shape: RunShape): void {
  if (spec === 'none' || spec === 'default') return;
  const valid = targets(shape);
  // Points are known only when every strategy declares the ones it marks (a plugin may not).
  const declared = shape.strategies.every((s) => s.points !== undefined) ? [...new Set(shape.strategies.flatMap((s) => s.points ?? []))] : undefined;
  for (const fault of parseFaultList(spec)) {
    checkForeignReach(fault as { kind: string; point?: string }, shape);
    if (!valid.has(fault.target)) {
      throw badValue('E_BAD_OPTION', `--faults ${fault.kind}:target`, fault.target, `a process of this run: ${[...valid].map(([name, owners]) => `${name}${owners}`).join(', ')}`);
    }
    // Crash points may also name an I/O op; point triggers of kill and pause name points only.
    const point = fault.kind === 'crash-point' || fault.kind === 'kill' || fault.kind === 'pause' ? fault.point : undefined;
    const names = fault.kind === 'crash-point' ? [...IO_OPS, ...(declared ?? []), LOCK_ACQUIRED] : [...(declared ?? []), LOCK_ACQUIRED];
    if (point !== undefined && declared && !names.some((name) => matchesPattern(point, name))) {
      throw badValue('E_BAD_OPTION', `--faults ${fault.kind}:point`, point, `a point the run's strategies mark (${[...declared, LOCK_ACQUIRED].join(', ')})${fault.kind === 'crash-point' ? ` or an I/O op (${IO_OPS.join(', ')})` : ''}; a trailing * matches a prefix`);
    }
  }
}
