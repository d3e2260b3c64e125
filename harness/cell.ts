import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ScenarioDefinition } from '../scenarios/api.js';
import type { BackgroundRoleKind, RoleKind } from '../strategies/api.js';
import { checkCell, emptyVerdict } from './checker.js';
import type { LoadedStrategy } from './load-strategy.js';
import { aggregateSnapshots, readSnapshots } from './metrics.js';
import { logicalBytes, makeRecord } from './records.js';
import type { CellError, CellResult, RunConfig } from './result.js';
import { cellPaths, type RoleConfig } from './roles/config.js';
import { percentile, round, sum } from './stats.js';
import { killProcess, spawnRole, stderrTail, type RoleProcess } from './supervise.js';

export interface CellPlan {
  strategy: LoadedStrategy;
  scenario: ScenarioDefinition;
  cellDir: string;
  config: RunConfig;
  calibrationOpsPerSec: number;
}

/** A role process with what it is, so its failure can be named. */
interface Running {
  name: string;
  child: RoleProcess;
  expectedStop: boolean;
}

const BACKGROUND_GRACE_MS = 10_000;

function countFiles(dir: string): number {
  let n = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) n += entry.isDirectory() ? countFiles(join(dir, entry.name)) : 1;
  return n;
}

/** Waits for children until the deadline; then kills what is left and says so. */
async function awaitAll(running: readonly Running[], deadline: number, errors: CellError[]): Promise<number> {
  let timedOut = 0;
  const timer = setTimeout(() => {
    for (const r of running) {
      if (r.child.exitCode === null) {
        timedOut++;
        errors.push({ source: r.name, code: 'E_CELL_TIMEOUT', message: `${r.name} still running at the cell timeout; killed with SIGKILL` });
        killProcess(r.child);
      }
    }
  }, Math.max(0, deadline - Date.now()));
  const results = await Promise.all(running.map((r) => r.child));
  clearTimeout(timer);
  results.forEach((result, i) => {
    const r = running[i]!;
    if (result.exitCode === 0 || result.isTerminated && (r.expectedStop || errors.some((e) => e.source === r.name))) return;
    errors.push({
      source: r.name, code: 'E_ROLE_FAILED',
      message: `${r.name} exited with ${result.signal ?? `code ${result.exitCode}`}: ${stderrTail(result.stderr) || 'no output'}`,
    });
  });
  return timedOut;
}

/** Logical bytes of the acked records: records of one configuration differ only by a few bytes of id. */
function ackedLogicalBytes(acked: number, config: RunConfig): number {
  return logicalBytes(makeRecord(config.seed, 0, 0, config.payloadBytes, 0n)) * acked;
}

export async function runCell(plan: CellPlan): Promise<CellResult> {
  const { strategy, scenario, cellDir, config } = plan;
  const paths = cellPaths(cellDir);
  for (const dir of Object.values(paths)) mkdirSync(dir, { recursive: true });
  // What `parquet-chaos check DIR` needs to judge this cell again later.
  writeFileSync(join(cellDir, 'cell.json'), JSON.stringify({ strategy: strategy.spec.label, scenario: scenario.name, guarantees: strategy.guarantees }, null, 2));
  const errors: CellError[] = [];
  const deadline = Date.now() + config.cellTimeoutMs;
  const roleConfig = (role: RoleKind, index: number): RoleConfig => ({
    role, index, cellDir, strategy: strategy.modulePath ? strategy.spec.label.replace(strategy.spec.name, strategy.modulePath) : strategy.spec.label,
    codec: config.codec, seed: config.seed, recordsPerWorker: config.recordsPerWorker, payloadBytes: config.payloadBytes,
    thinkMs: scenario.thinkMs || config.thinkMs, lockStaleMs: config.lockStaleMs, lockTimeoutMs: config.lockTimeoutMs,
    metricsEveryMs: 250, restart: config.restart,
  });
  const start = (name: string, role: RoleKind, index: number): Running => ({ name, child: spawnRole(roleConfig(role, index)), expectedStop: false });

  const backgroundKinds = scenario.backgroundRoles.filter((k): k is BackgroundRoleKind => Boolean(strategy.definition.roles?.[k]));
  const background = backgroundKinds.map((kind) => start(kind, kind, 0));
  const writeStarted = Date.now();
  const writers = Array.from({ length: config.workers }, (_, i) => start(`writer-${i}`, 'writer', i));
  let timedOut = await awaitAll(writers, deadline, errors);
  const wallMs = Date.now() - writeStarted;

  for (const b of background) {
    b.expectedStop = true;
    b.child.kill('SIGTERM');
  }
  timedOut += await awaitAll(background, Math.min(deadline, Date.now() + BACKGROUND_GRACE_MS), errors);

  const finalizeStarted = Date.now();
  if (strategy.definition.finalize) timedOut += await awaitAll([start('finalize', 'finalize', 0)], Math.max(deadline, Date.now() + 30_000), errors);
  const finalizeMs = Date.now() - finalizeStarted;

  let verdict = await checkCell(cellDir, strategy.guarantees);
  if (verdict.error) errors.push({ source: 'check', code: 'E_CHECK', message: verdict.error });
  // A strategy that could not run as planned has not shown its guarantees hold.
  if (verdict.valid === true && errors.length > 0) verdict = { ...verdict, valid: 'unknown' };

  const m = aggregateSnapshots(readSnapshots(paths.metrics));
  const logical = ackedLogicalBytes(verdict.acked, config);
  const ackedPerSec = wallMs > 0 ? (verdict.acked / wallMs) * 1000 : 0;
  return {
    strategy: strategy.spec.label,
    scenario: scenario.name,
    workers: config.workers,
    recordsPerWorker: config.recordsPerWorker,
    dir: cellDir,
    guarantees: strategy.guarantees,
    verdict,
    io: {
      bytesWritten: m.proc.wchar,
      bytesRead: m.proc.rchar,
      writeOps: m.io.writeOps,
      fsyncs: m.io.fsyncs,
      renames: m.io.renames,
      filesCreated: m.io.filesCreated,
      writeAmplification: logical > 0 ? round(m.proc.wchar / logical) : null,
      filesInData: countFiles(paths.data),
      portBytesWritten: m.io.bytesWritten,
    },
    locks: {
      acquisitions: m.lockAcquisitions,
      waitMsTotal: round(sum(m.lockWaitsMs)),
      waitMsP50: nullable(percentile(m.lockWaitsMs, 50)),
      waitMsP99: nullable(percentile(m.lockWaitsMs, 99)),
      waitMsMax: m.lockWaitsMs.length ? round(Math.max(...m.lockWaitsMs)) : null,
      timeouts: m.lockTimeouts,
      compromised: m.lockCompromised,
    },
    throughput: {
      ackedPerSec: round(ackedPerSec, 1),
      wallMs,
      ackLatencyMsP50: nullable(percentile(m.ackLatenciesMs, 50)),
      ackLatencyMsP99: nullable(percentile(m.ackLatenciesMs, 99)),
      fractionOfLimit: plan.calibrationOpsPerSec > 0 ? round(ackedPerSec / plan.calibrationOpsPerSec, 4) : null,
      finalizeMs,
    },
    processes: { spawned: writers.length + background.length + (strategy.definition.finalize ? 1 : 0), failed: errors.filter((e) => e.code === 'E_ROLE_FAILED').length, timedOut },
    errors,
  };
}

function nullable(value: number | undefined): number | null {
  return value === undefined ? null : round(value);
}

/** A cell that could not run at all: nothing measured, verdict "unknown", the error kept. */
export function brokenCell(strategy: string, scenario: string, config: RunConfig, cellDir: string, error: CellError): CellResult {
  return {
    strategy, scenario, workers: config.workers, recordsPerWorker: config.recordsPerWorker, dir: cellDir,
    guarantees: { noLostAcked: false, noDuplicates: false, noCorruption: false },
    verdict: { ...emptyVerdict(), valid: 'unknown', error: error.message },
    io: { bytesWritten: 0, bytesRead: 0, writeOps: 0, fsyncs: 0, renames: 0, filesCreated: 0, writeAmplification: null, filesInData: 0, portBytesWritten: 0 },
    locks: { acquisitions: 0, waitMsTotal: 0, waitMsP50: null, waitMsP99: null, waitMsMax: null, timeouts: 0, compromised: 0 },
    throughput: { ackedPerSec: 0, wallMs: 0, ackLatencyMsP50: null, ackLatencyMsP99: null, fractionOfLimit: null, finalizeMs: 0 },
    processes: { spawned: 0, failed: 0, timedOut: 0 },
    errors: [error],
  };
}
