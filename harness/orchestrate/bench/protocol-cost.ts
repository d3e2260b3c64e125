/**
 * `bench --parts protocol`: what writer protocol 1 costs. The same no-op writer (acks every record at
 * once, saves nothing) in-process, as a plain-Node foreign process and as a Python kit process, in
 * real cells (records/s per writer, CPU per record), then the pieces the difference is made of, each
 * measured alone: starting the process (and Python's imports) up to `init_ok`, the harness's JSON for
 * one record, and one `write` → `ok` round trip over the pipes. Last, every Python reference writer's
 * acked/s against the same-run limit. A part that needs python3 (or pandas) where it is missing is
 * skipped with a note, never failed.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { extname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { median } from '../../analyze/stats.js';
import { bundledManifests, kitPythonPath } from '../../foreign/bundled.js';
import { missingRequirements } from '../../foreign/requires.js';
import { packageRoot } from '../../measure/package-info.js';
import type { BenchCell, NoopKind, ProtocolBench } from '../../result/bench.js';
import { makeRecord, type TestRecord } from '../../sdk/records.js';
import { loadStrategy } from '../load-strategy.js';

const NOOP_DIR = join(packageRoot(), 'harness', 'orchestrate', 'bench', 'noop');

/** The no-op writer of each kind, as a strategy spec (the in-process one compiled or not, as this module is). */
export const NOOP_STRATEGIES: Record<NoopKind, string> = {
  'in-process': fileURLToPath(new URL(`./noop/ack-only${extname(fileURLToPath(import.meta.url))}`, import.meta.url)),
  'foreign-js': join(NOOP_DIR, 'ack-only-js.json'),
  'foreign-python': join(NOOP_DIR, 'ack-only-python.json'),
};

/** The Python reference writers (bundled, pandas), with their default options. */
export function pythonReferenceWriters(): string[] {
  return [...bundledManifests().keys()].filter((name) => name.startsWith('pandas-'));
}

/** Why a strategy cannot run here (empty when it can): a foreign one's missing interpreter or modules. */
async function missingFor(spec: string): Promise<string[]> {
  const loaded = await loadStrategy(spec);
  return loaded.foreign ? missingRequirements(loaded.foreign) : [];
}

/** A cell measured between two limits (run-bench's measuredCell), with the folder it goes in. */
export type MeasureCell = (strategy: string, folder: string, records: number) => Promise<BenchCell>;

export interface ProtocolOptions {
  dir: string;
  payloadBytes: number;
  /** Records per writer in the no-op cells (enough that a cell's fixed costs fade), and in the Python writers' cells. */
  noopRecords: number;
  pythonRecords: number;
  /** Round trips timed per foreign writer, and starts timed per program. */
  roundTrips: number;
  starts: number;
  /** Python reference writers to measure (default: every bundled pandas writer). */
  pythonWriters?: readonly string[];
  stopped(): boolean;
  progress(line: string): void;
}

/** Median wall ms of running `argv` to its end, `times` times. */
function medianRunMs(argv: readonly string[], times: number, env: NodeJS.ProcessEnv = process.env): number | null {
  const runs: number[] = [];
  for (let i = 0; i < times; i++) {
    const started = performance.now();
    const child = spawnSync(argv[0]!, argv.slice(1), { stdio: 'ignore', env });
    if (child.error || child.status !== 0) return null;
    runs.push(performance.now() - started);
  }
  return Number(median(runs)!.toFixed(1));
}

/** The harness's side of one record, in µs: its `write` line made, its `ok` line parsed (what ForeignSession does per record besides the pipe). */
function jsonUsPerRecord(record: TestRecord, n = 20_000): number {
  const wire = { ...record, created_at: Number(record.created_at) };
  const answer = `{"type":"ok","id":"${record.id}"}`;
  let size = 0;
  const started = performance.now();
  for (let i = 0; i < n; i++) {
    size += JSON.stringify({ type: 'write', id: record.id, record: wire }).length;
    size += (JSON.parse(answer) as { id: string }).id.length;
  }
  const us = ((performance.now() - started) * 1000) / n;
  return size > 0 ? Number(us.toFixed(2)) : 0;
}

/** A foreign no-op writer driven directly (no role process): ms from spawn to `init_ok`, then µs per `write` → `ok`. */
async function driveDirectly(manifestPath: string, command: readonly string[], dir: string, records: readonly TestRecord[]): Promise<{ startMs: number; roundTripUs: number }> {
  const child = spawn(command[0]!, command.slice(1), { cwd: NOOP_DIR, stdio: ['pipe', 'pipe', 'ignore'], env: { ...process.env, PYTHONPATH: kitPythonPath() } });
  const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  const next = async (type: string) => {
    const line = await lines.next();
    if (line.done) throw new Error(`${manifestPath}: stdout ended before '${type}'`);
    const message = JSON.parse(line.value) as { type: string };
    if (message.type !== type) throw new Error(`${manifestPath}: expected '${type}', got ${line.value}`);
  };
  const exited = new Promise((resolve) => child.once('close', resolve));
  try {
    const started = performance.now();
    child.stdin!.write(`${JSON.stringify({
      type: 'init', protocol: 1, role: 'writer', index: 0, run_id: 'bench', cell_id: 'protocol', process_id: `${process.pid}_bench`,
      data_dir: join(dir, 'data'), state_dir: join(dir, 'state'), options: {}, seed: 1, schema: [],
    })}\n`);
    await next('init_ok');
    const startMs = performance.now() - started;
    const tripsStarted = performance.now();
    for (const record of records) {
      child.stdin!.write(`${JSON.stringify({ type: 'write', id: record.id, record: { ...record, created_at: Number(record.created_at) } })}\n`);
      await next('ok');
    }
    const roundTripUs = ((performance.now() - tripsStarted) * 1000) / records.length;
    child.stdin!.write('{"type":"close"}\n');
    await next('close_ok');
    await exited;
    return { startMs: Number(startMs.toFixed(1)), roundTripUs: Number(roundTripUs.toFixed(1)) };
  } finally {
    child.kill('SIGKILL');
  }
}

const FOREIGN: readonly NoopKind[] = ['foreign-js', 'foreign-python'];

export async function benchProtocol(options: ProtocolOptions, measureCell: MeasureCell): Promise<ProtocolBench> {
  mkdirSync(join(options.dir, 'direct', 'data'), { recursive: true });
  const result: ProtocolBench = { noop: [], direct: [], jsonUsPerRecord: 0, startMs: {}, python: [], skipped: [] };
  const runnable: NoopKind[] = [];
  for (const kind of Object.keys(NOOP_STRATEGIES) as NoopKind[]) {
    const missing = await missingFor(NOOP_STRATEGIES[kind]);
    if (missing.length) result.skipped.push(`${kind} no-op writer: needs ${missing.join(', ')}`);
    else runnable.push(kind);
  }

  // Cells: the same no-op writer three ways.
  for (const kind of runnable) {
    if (options.stopped()) break;
    result.noop.push({ kind, cell: await measureCell(NOOP_STRATEGIES[kind], `protocol/noop-${kind}`, options.noopRecords) });
  }

  // The pieces, each alone.
  const records = Array.from({ length: options.roundTrips }, (_, seq) => makeRecord(1, 0, seq, options.payloadBytes, 0n));
  result.jsonUsPerRecord = jsonUsPerRecord(records[0]!);
  for (const kind of runnable.filter((k) => FOREIGN.includes(k))) {
    if (options.stopped()) break;
    const loaded = await loadStrategy(NOOP_STRATEGIES[kind]);
    const command = loaded.foreign!.manifest.roles.writer.command;
    const runs = [];
    for (let i = 0; i < options.starts; i++) runs.push(await driveDirectly(NOOP_STRATEGIES[kind], command, join(options.dir, 'direct'), i === 0 ? records : []));
    result.direct.push({ kind, startMs: median(runs.map((r) => r.startMs))!, roundTripUs: runs[0]!.roundTripUs, roundTrips: records.length, starts: runs.length });
    options.progress(`protocol: ${kind} directly: start to init_ok ${result.direct.at(-1)!.startMs} ms, write → ok ${runs[0]!.roundTripUs} µs`);
  }
  // Interpreter start and imports, alone (median wall ms of a program that does only that).
  const python = runnable.includes('foreign-python');
  const env = { ...process.env, PYTHONPATH: kitPythonPath() };
  result.startMs = {
    node: medianRunMs([process.execPath, '-e', '0'], options.starts),
    ...(python ? {
      python: medianRunMs(['python3', '-c', 'pass'], options.starts),
      pythonKitImport: medianRunMs(['python3', '-B', '-c', 'import parquet_chaos_kit'], options.starts, env),
    } : {}),
  };

  // Every Python reference writer against the same-run limit.
  const writers = options.pythonWriters ?? pythonReferenceWriters();
  for (const writer of writers) {
    if (options.stopped()) break;
    const missing = await missingFor(writer);
    if (missing.length) {
      result.skipped.push(`${writer}: needs ${missing.join(', ')}`);
      continue;
    }
    result.python.push(await measureCell(writer, `protocol/${writer.replace(/[^\w.=-]+/g, '_')}`, options.pythonRecords));
  }
  if (python && writers.length && result.python.length) {
    result.startMs.pythonPandasImport = medianRunMs(['python3', '-B', '-c', 'import pandas, pyarrow'], options.starts, env);
  }
  return result;
}
