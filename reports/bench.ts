/** `bench`'s report: ratios against this machine's limit and the harness's own cost, pure from the bench JSON. */
import type { BenchCell, BenchResult, NoopKind } from '../harness/result/bench.js';
import { median } from '../harness/analyze/stats.js';
import { estimateOverhead, type OverheadEstimate } from '../harness/analyze/overhead.js';
import { ROLE_KINDS, type RoleKind } from '../harness/sdk/strategy.js';

const pct = (fraction: number) => `${(fraction * 100).toFixed(1)}%`;
const n0 = (n: number) => Math.round(n).toLocaleString('en-US');
const spread = (values: readonly number[], f: (n: number) => string) =>
  values.length === 0 ? '–' : `${f(median(values)!)} [${f(Math.min(...values))}, ${f(Math.max(...values))}]`;
const meanLimit = (c: BenchCell) => (c.limitBefore.opsPerSec + c.limitAfter.opsPerSec) / 2;
/** How far apart the limits right before and right after one cell are, relative to their mean. */
const limitDrift = (c: BenchCell) => (meanLimit(c) > 0 ? Math.abs(c.limitAfter.opsPerSec - c.limitBefore.opsPerSec) / meanLimit(c) : 0);

function table(head: string[], rows: string[][]): string[] {
  return [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)];
}

function strategyLines(result: BenchResult): string[] {
  const cells = result.strategies;
  if (cells.length === 0) return [];
  const { workers, records, repeat, scenario } = result.config;
  const names = [...new Set(cells.map((c) => c.strategy))];
  const rows = names.map((name) => {
    const mine = cells.filter((c) => c.strategy === name);
    return [
      name, `${mine.filter((c) => c.valid === true).length}/${mine.length}`,
      spread(mine.map((c) => c.ackedPerSec), n0), spread(mine.map((c) => c.parquetPerSec), n0),
      spread(mine.map((c) => c.fractionOfLimit), pct),
    ];
  }).sort((a, b) => median(cells.filter((c) => c.strategy === b[0]).map((c) => c.fractionOfLimit))! - median(cells.filter((c) => c.strategy === a[0]).map((c) => c.fractionOfLimit))!);
  const befores = cells.map((c) => c.limitBefore.opsPerSec);
  const afters = cells.map((c) => c.limitAfter.opsPerSec);
  return [
    `## Safe strategies at ${workers} writers × ${records} records (${scenario}, no faults), ${repeat} repeat${repeat > 1 ? 's' : ''} interleaved`,
    '',
    `Limit: fsync'd 4 KiB appends/s by ${workers} processes in the same folder, measured right before and right after every cell.`,
    `Before: ${spread(befores, n0)}; after: ${spread(afters, n0)} (median [min, max] over ${cells.length} cells); ` +
      `before/after drift per cell: ${spread(cells.map(limitDrift), pct)}. One process alone: ${result.oneProcessLimit ? n0(result.oneProcessLimit.opsPerSec) : '–'}/s.`,
    '',
    ...table(['strategy', 'valid', 'acked/s', 'parquet/s', 'acked/s ÷ limit'], rows),
    '',
    'median [min, max] over the repeats; acked/s ÷ limit divides each cell by the mean of its own two limits.',
    ...methodLines(cells),
  ];
}

/** Every way of measuring the limit, before and after the cells: the limit is the highest of them. */
function methodLines(cells: readonly BenchCell[]): string[] {
  const measurements = cells.flatMap((c) => [c.limitBefore, c.limitAfter]);
  const methods = [...new Set(measurements.flatMap((l) => (l.methods ?? []).map((m) => m.method)))];
  if (methods.length === 0) return [];
  const wins = (method: string) => measurements.filter((l) => l.method === method).length;
  const rows = methods.map((method) => {
    const rates = measurements.flatMap((l) => (l.methods ?? []).filter((m) => m.method === method).map((m) => m.opsPerSec));
    return [method, spread(rates, n0), `${wins(method)}/${measurements.length}`];
  });
  return [
    '',
    `The limit is the highest of ${methods.length} ways to make 4 KiB durable with as many processes as writers, each measured in turn before and after every cell:`,
    '',
    ...table(['method', 'durable 4 KiB writes/s', 'times it was the highest'], rows),
  ];
}

/** CPU of all the cell's roles (once ready) per acked record, µs; undefined for a cell without it. */
const cpuPerAck = (c: BenchCell) => {
  const us = Object.values(c.cpuUsPerAck ?? {}).reduce((a: number, b) => a + (b ?? 0), 0);
  return us > 0 ? us : undefined;
};

/** Each strategy's CPU per acked record by role (from the writers' `go`), from the cells that carry it. */
function cpuLines(result: BenchResult): string[] {
  const cells = result.strategies.filter((c) => c.cpuUsPerAck && Object.keys(c.cpuUsPerAck).length > 0);
  if (cells.length === 0) return [];
  const roles = ROLE_KINDS.filter((role) => cells.some((c) => c.cpuUsPerAck![role] !== undefined));
  const names = [...new Set(cells.map((c) => c.strategy))];
  const rows = names.map((name) => {
    const mine = cells.filter((c) => c.strategy === name);
    const of = (role: RoleKind) => mine.flatMap((c) => (c.cpuUsPerAck![role] === undefined ? [] : [c.cpuUsPerAck![role]!]));
    const total = mine.map((c) => cpuPerAck(c) ?? 0);
    return [name, ...roles.map((role) => spread(of(role), n0)), spread(total, n0)];
  });
  return [
    '## CPU per acked record (µs, user + system)',
    '',
    ...table(['strategy', ...roles.map((r) => `${r}s`), 'all roles'], rows),
    '',
    'Each role\'s CPU from the writers\' `go` (after loading and opening) to its end, summed over its processes, ÷ the cell\'s acked records; median [min, max] over the repeats. ' +
      'On a shared machine this is far steadier than a rate: at the limit, the roles\' CPU per record times the rate is what the cores must supply.',
  ];
}

/** What an overhead estimate says, in a sentence (the interval and p included). */
function overheadVerdict(e: OverheadEstimate): string {
  const interval = `${pct(e.lo)} to ${pct(e.hi)} (${pct(e.confidence)} interval), p = ${e.p.toFixed(3)}`;
  return {
    'above the goal': `the port costs at least the goal of 5%: ${interval}.`,
    'below the goal': `below the goal of 5%: an overhead of 5% or more is ruled out (${interval}).`,
    'within the noise': `within the noise of this run: ${interval}, from below the goal of 5% to above it, and the test does not reject equal ports, so these cells cannot tell (more with --overhead-repeat).`,
    'instrumented faster': `the instrumented cells were faster (${interval}): drift of the machine between cells, which the port cannot cause.`,
  }[e.answer];
}

function overheadLines(result: BenchResult): string[] {
  const o = result.overhead;
  if (!o || o.instrumented.length === 0 || o.raw.length === 0) return [];
  const [instrumented, raw] = [o.instrumented.map((c) => c.ackedPerSec), o.raw.map((c) => c.ackedPerSec)];
  const e = estimateOverhead(instrumented, raw)!;
  const lines = [
    `## Harness overhead: the instrumented I/O port against a raw pass-through port (${o.strategy}, ${o.instrumented.length} + ${o.raw.length} cells interleaved)`,
    '',
    `acked/s, instrumented: ${spread(instrumented, n0)}; raw: ${spread(raw, n0)}.`,
    `Overhead 1 − instrumented ÷ raw (Hodges–Lehmann): ${pct(e.overhead)}; ${overheadVerdict(e)}`,
  ];
  // The port can only cost CPU (both ports make the same system calls), and a cell is CPU-bound: its cost
  // in CPU per record is the steadier measure of the same thing on a shared machine.
  const [cpuInstrumented, cpuRaw] = [o.instrumented.flatMap((c) => cpuPerAck(c) ?? []), o.raw.flatMap((c) => cpuPerAck(c) ?? [])];
  if (cpuInstrumented.length === 0 || cpuRaw.length === 0) return lines;
  const perCpuSecond = (us: number[]) => us.map((u) => 1e6 / u);
  const cpu = estimateOverhead(perCpuSecond(cpuInstrumented), perCpuSecond(cpuRaw))!;
  return [
    ...lines,
    `CPU of all roles per acked record (µs), instrumented: ${spread(cpuInstrumented, n0)}; raw: ${spread(cpuRaw, n0)}.`,
    `Overhead in CPU, 1 − raw ÷ instrumented CPU a record (Hodges–Lehmann, on acked records per CPU second): ${pct(cpu.overhead)}; ${overheadVerdict(cpu)}`,
  ];
}

function orchestratorLines(result: BenchResult): string[] {
  const cells = [...result.strategies, ...(result.overhead?.instrumented ?? []), ...(result.overhead?.raw ?? [])].filter((c) => c.windowMs > 0);
  if (cells.length === 0) return [];
  const shares = cells.map((c) => c.orchestratorCpuMs / c.windowMs);
  const cpus = result.machine.cpus;
  return [
    '## The orchestrator\'s own CPU while a cell\'s processes run',
    '',
    `CPU time of the orchestrating process ÷ wall time, from spawning a cell's processes to its writers' end: ${spread(shares, pct)} of one core ` +
      `(${spread(shares.map((s) => s / cpus), pct)} of the machine's ${cpus}) over ${cells.length} cells.`,
  ];
}

function checkerLines(result: BenchResult): string[] {
  const c = result.checker;
  if (!c) return [];
  return [
    `## The checker on ${n0(c.records)} records`,
    '',
    `${c.writers} ledgers (${(c.ledgerBytes / 2 ** 20).toFixed(0)} MiB) and ${c.files} Parquet files (${(c.parquetBytes / 2 ** 20).toFixed(0)} MiB), every record acked once and present once; every row regenerated and compared field by field, as in a real cell.`,
    `Check: ${(c.checkMs / 1000).toFixed(2)} s = ${n0(c.recordsPerSec)} records/s (goal ≥ 500,000), ${(c.cpuMs / 1000).toFixed(2)} s of CPU = ${n0(c.recordsPerCpuSec)} records per CPU second; peak RSS of the checking process ${c.peakRssMiB} MiB (goal < 200 MiB); ` +
      `verdict valid: ${c.valid} (${n0(c.acked)} acked, ${n0(c.present)} present).`,
  ];
}

function startLines(result: BenchResult): string[] {
  const s = result.start;
  if (!s) return [];
  return [
    '## `npm start` (the default matrix)',
    '',
    `${s.command}: ${(s.wallMs / 1000).toFixed(1)} s wall for ${s.cells} cells (${s.valid} valid), exit code ${s.exitCode} (goal < 60 s).`,
  ];
}

const KIND_LABEL: Record<NoopKind, string> = { 'in-process': 'in-process (the SDK)', 'foreign-js': 'foreign: plain Node', 'foreign-python': 'foreign: Python kit' };
const ms = (n: number | null | undefined) => (n === null || n === undefined ? '–' : `${n.toFixed(0)} ms`);
const us = (n: number | undefined) => (n === undefined ? '–' : `${n.toFixed(n < 10 ? 1 : 0)} µs`);

/** Writer protocol 1's cost: the no-op writer three ways, the pieces alone, and the Python reference writers against the limit. */
function protocolLines(result: BenchResult): string[] {
  const p = result.protocol;
  if (!p) return [];
  const { workers } = result.config;
  const lines = [`## Writer protocol 1's cost: one no-op writer (acks at once, saves nothing), ${workers} writer${workers === 1 ? '' : 's'}`, ''];
  if (p.noop.length) {
    lines.push(...table(['writer', 'acked/s per writer', 'CPU per record (writer role, with its child)', 'records'],
      p.noop.map(({ kind, cell }) => [KIND_LABEL[kind], n0(cell.ackedPerSec / workers), us(cell.cpuUsPerAck?.writer), String(cell.acked)])), '');
  }
  const inProcess = p.noop.find((n) => n.kind === 'in-process')?.cell.cpuUsPerAck?.writer;
  const start = p.startMs;
  lines.push('Where the time goes:', '');
  for (const d of p.direct) {
    const cell = p.noop.find((n) => n.kind === d.kind)?.cell.cpuUsPerAck?.writer;
    const alone = d.kind === 'foreign-python'
      ? `a python3 that does nothing ${ms(start.python)}, one that only imports the kit ${ms(start.pythonKitImport)}${start.pythonPandasImport != null ? `, one that only imports pandas + pyarrow (as every pandas writer does) ${ms(start.pythonPandasImport)}` : ''}`
      : `a node that does nothing ${ms(start.node)}`;
    lines.push(`- ${KIND_LABEL[d.kind]}: start to \`init_ok\` ${ms(d.startMs)} once per process (${alone}); \`write\` → \`ok\` round trip ${us(d.roundTripUs)} a record ` +
      `(median of ${d.starts} starts, mean of ${d.roundTrips} round trips, driven directly)` +
      `${cell !== undefined && inProcess !== undefined ? `; in the cell, ${us(cell - inProcess)} more CPU a record than in-process` : ''}.`);
  }
  lines.push(`- JSON, the harness's side of one record (its \`write\` line made, its \`ok\` parsed): ${us(p.jsonUsPerRecord)}; the rest of a round trip is the two pipes, the child's own parsing and answering, and the scheduler waking each side.`);
  if (p.python.length) {
    lines.push('', '## Python reference writers against the same-run limit', '',
      ...table(['writer', 'valid', 'acked/s', 'limit (appends/s)', '% of limit', 'CPU per record, all roles'],
        p.python.map((c) => [c.strategy, String(c.valid), c.ackedPerSec.toFixed(1), n0(meanLimit(c)), pct(c.fractionOfLimit), us(cpuPerAck(c))])));
  }
  if (p.skipped.length) lines.push('', `Skipped here: ${p.skipped.join('; ')}.`);
  return lines;
}

const CRASHFS_HEADING = '## The power-loss layer (crashfs)';

function crashfsLines(result: BenchResult): string[] {
  const c = result.crashfs;
  if (!c) return [];
  if ('skipped' in c) return [CRASHFS_HEADING, '', `Not measured: ${c.skipped}`];
  const [direct, layer] = [median(c.direct), median(c.layer)];
  const ratio = direct && layer !== undefined ? `${(layer / direct).toFixed(2)}` : '–';
  const us = (n: number) => `${n0(n)} µs`;
  return [
    `${CRASHFS_HEADING}: fsync'd ${n0(c.bytes)} B appends, ${c.rounds} interleaved rounds of ${n0(c.appendsPerRound)}`,
    '',
    `Appends/s straight into the folder: ${spread(c.direct, n0)}; through crashfs over the same file system: ${spread(c.layer, n0)} (median [min, max] over the rounds); ratio of the medians, crashfs ÷ direct: ${ratio}.`,
    `CPU per append (user + system): the crashfs daemon ${us(c.daemonCpuUsPerAppend)} (its journal included); the writing process ${us(c.writerCpuUsPerAppend.direct)} direct, ${us(c.writerCpuUsPerAppend.layer)} through crashfs.`,
  ];
}

export function renderBench(result: BenchResult): string {
  const m = result.machine;
  const sections = [strategyLines(result), cpuLines(result), overheadLines(result), orchestratorLines(result), checkerLines(result), protocolLines(result), startLines(result), crashfsLines(result)].filter((s) => s.length > 0);
  return [
    `# parquet-chaos ${result.tool.version} bench${result.interrupted ? ' (interrupted: partial)' : ''}`,
    '',
    `command: ${result.command}`,
    `machine: ${m.cpus} × ${m.cpuModel}, ${m.memoryGiB} GiB, ${m.platform}/${m.arch}, Node ${m.node}, ${m.fileSystem}`,
    `started ${result.startedAt}, finished ${result.finishedAt}; result: ${result.runDir}/bench.json`,
    ...sections.flatMap((s) => ['', ...s]),
    '',
  ].join('\n');
}
