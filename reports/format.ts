import type { CellResult, RunResult } from '../harness/result/result.js';

/** Colours a renderer may use; the caller decides (TTY, NO_COLOR), renderers stay pure. */
export interface Palette {
  bad(text: string): string;
  good(text: string): string;
  warn(text: string): string;
  dim(text: string): string;
  bold(text: string): string;
}

/** What a cell's strategy is called in a report: a plugin's own name (its path stays in `strategy`). */
export const strategyName = (cell: CellResult): string => cell.label ?? cell.strategy;

const identity = (text: string) => text;
export const plainPalette: Palette = { bad: identity, good: identity, warn: identity, dim: identity, bold: identity };

const sgr = (code: string) => (text: string) => `\u001b[${code}m${text}\u001b[0m`;
export const ansiPalette: Palette = { bad: sgr('31;1'), good: sgr('32'), warn: sgr('33'), dim: sgr('2'), bold: sgr('1') };

export function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 ** 2) return `${(n / 1024).toFixed(1)} KiB`;
  if (n < 1024 ** 3) return `${(n / 1024 ** 2).toFixed(1)} MiB`;
  return `${(n / 1024 ** 3).toFixed(2)} GiB`;
}

export function ms(value: number | null): string {
  if (value === null) return '–';
  return value >= 1000 ? `${(value / 1000).toFixed(2)} s` : `${value.toFixed(1)} ms`;
}

export function percent(fraction: number | null): string {
  return fraction === null ? '–' : `${(fraction * 100).toFixed(1)}%`;
}

/** The cost columns every per-cell table ends with, and their values for a cell. */
export const COST_HEADS = ['acked/s', 'parquet/s', '% of limit', 'ack p99', 'lock wait p99', 'lock compromised', 'fsyncs', 'bytes written', 'files in data'];

export function costFigures(cell: CellResult): string[] {
  return [
    String(cell.throughput.ackedPerSec),
    // Results saved before the end-to-end rate existed do not have it.
    cell.throughput.parquetPerSec === undefined ? '–' : String(cell.throughput.parquetPerSec),
    percent(cell.throughput.fractionOfLimit),
    ms(cell.throughput.ackLatencyMsP99),
    ms(cell.locks.waitMsP99),
    String(cell.locks.compromised),
    String(cell.io.fsyncs),
    bytes(cell.io.bytesWritten),
    String(cell.io.filesInData),
  ];
}

/**
 * Faults fired / planned, e.g. `2/3` (– when none were planned). Results from before faults were
 * accounted for carry no outcomes: their fired count shows as `?`.
 */
export function faultsFired(cell: CellResult): string {
  // `faults` is absent from results written before the nemesis existed.
  const planned = cell.faults?.planned.length ?? 0;
  if (planned === 0) return '–';
  const outcomes = cell.faults.outcomes;
  return `${outcomes ? outcomes.filter((o) => o.fired).length : '?'}/${planned}`;
}

/** One line per planned fault that did not fire, which and why (those an unknown verdict already names as its reasons left out). */
export function unfiredFaults(cell: CellResult, optional = true): string[] {
  return (cell.faults?.outcomes ?? []).filter((o) => !o.fired && !(o.blocking && cell.verdict.valid === 'unknown') && (optional || o.blocking))
    .map((o) => `fault #${o.id} ${o.kind} ${o.target} not fired${o.blocking ? '' : ' (optional)'}: ${o.reason ?? 'no reason recorded'}`);
}

/** Optional planned faults that had nothing to hit (they do not decide the verdict): counted, not listed, without --verbose. */
export function unfiredOptional(cell: CellResult): number {
  return (cell.faults?.outcomes ?? []).filter((o) => !o.fired && !o.blocking).length;
}

/** Anomalies a cell shows in categories its strategy does not claim (valid, yet worth seeing). */
export function unclaimedAnomalies(cell: CellResult): string[] {
  const { verdict: v, guarantees: g } = cell;
  return [
    ...(!g.noLostAcked && v.lost > 0 ? ['lost'] : []),
    ...(!g.noDuplicates && v.duplicates > 0 ? ['duplicates'] : []),
    ...(!g.noCorruption && v.corruptFiles + v.corruptRecords > 0 ? ['corrupt'] : []),
  ];
}

/** The anomaly each claim is about, as tables name it. */
const ANOMALY_OF_CLAIM: Record<string, string> = { noLostAcked: 'lost', noDuplicates: 'duplicates', noCorruption: 'corrupt' };

export function validLabel(cell: CellResult): string {
  const v = cell.verdict.valid;
  const breaks = cell.verdict.assumptionsBroken ?? [];
  if (v === 'unknown' && breaks.length > 0) {
    // A claim whose assumption the cell broke was not judged: what it shows is expected, and no pass.
    const expected = [...new Set(breaks.flatMap((b) => b.excused.map((claim) => ANOMALY_OF_CLAIM[claim] ?? claim)))];
    return expected.length ? `${expected.join(', ')} (expected: assumption broken)` : 'UNKNOWN (assumption broken)';
  }
  if (v === 'unknown') return 'UNKNOWN';
  if (!v) return `FAIL (${cell.verdict.broken.join(', ')})`;
  // Anomalies in what the strategy does not claim: the seed's unsafe variants losing data, as documented.
  const unclaimed = unclaimedAnomalies(cell);
  return unclaimed.length ? `${unclaimed.join(', ')} (expected: unsafe)` : 'ok';
}

/** The lines every report starts with: what produced it, on what machine. */
export function provenance(result: RunResult): string[] {
  const m = result.machine;
  return [
    `parquet-chaos ${result.tool.version} · run ${result.runId}${result.interrupted ? ' (interrupted: partial result)' : ''}${result.stopped ? ` (stopped early: ${result.stopped})` : ''}`,
    `command: ${result.command}`,
    `machine: ${m.cpus} × ${m.cpuModel}, ${m.memoryGiB} GiB, ${m.platform}/${m.arch}, Node ${m.node}, ${m.fileSystem}`,
    `codec: ${result.config.codec} · seed: ${result.config.seed} · workers: ${result.sweep ? `${result.sweep.workers.join(',')} (swept)` : result.config.workers} · records/worker: ${result.config.recordsPerWorker} · payload: ${result.config.payloadBytes} B`,
    ...(result.calibration ? [`calibration: ${result.calibration.opsPerSec} fsync'd 4 KiB appends/s by 1 process (${result.calibration.ops} in ${result.calibration.durationMs} ms)` +
      (result.calibration.sameProcesses ?? []).map((l) => `; ${l.opsPerSec}/s by ${l.processes} processes${l.methods ? ` (${l.method}, the best of ${l.methods.length} methods)` : ''}`).join('') +
      (result.calibration.sameProcesses?.length ? ' (% of limit uses the one with as many processes as writers)' : '')] : []),
    ...(result.shard ? [`shard ${result.shard.index}/${result.shard.count}: ${result.cells.length} of the ${result.shard.plannedCells} planned cells (join the shards with \`parquet-chaos merge\`)`] : []),
    ...(result.mergedFrom ? [`merged from ${result.mergedFrom.length} shards: ${result.mergedFrom.map((s) => `${s.index} (${s.cells} cells, ${s.machine.cpus} × ${s.machine.cpuModel}${s.calibration ? `, ${s.calibration.opsPerSec} fsync/s` : ''})`).join('; ')}`] : []),
  ];
}

/** Escapes text for HTML and SVG, in element content and in quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ENTITIES[c] ?? c);
}
const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/**
 * What a cell ran against beyond files, one line per cell that had anything: the backend's server,
 * its durability setting and what that promises, and the network faults put between its processes
 * and the server. Cells without services or network faults give no line.
 */
export function serviceLines(result: RunResult): string[] {
  return result.cells.flatMap((cell) => {
    const parts: string[] = [];
    const redis = cell.services?.redis;
    if (redis) {
      parts.push(`redis ${redis.version} (${redis.managed ? 'started for the cell' : `existing server ${redis.url}`}) · durability=${redis.durability}: ${redis.promise}`);
    }
    const network = networkFaultsOf(cell);
    if (network.length) parts.push(`service and network faults: ${network.join('; ')}`);
    const cellName = `${strategyName(cell)} × ${cell.scenario}${cell.repeat === undefined ? '' : ` · ${cell.workers} workers · repeat ${cell.repeat}`}`;
    return parts.length ? [`${cellName}: ${parts.join(' · ')}`] : [];
  });
}

const NETWORK_KINDS = new Set(['latency', 'drop', 'partition']);

/** The planned faults between processes and a service, and those aimed at the service itself, as written. */
function networkFaultsOf(cell: CellResult): string[] {
  return (cell.faults?.planned ?? [])
    .filter((f) => NETWORK_KINDS.has(f.kind) || f.target === 'redis')
    .map((f) => `${f.kind}:${Object.entries(f).filter(([k]) => k !== 'kind').map(([k, v]) => `${k}=${String(v)}`).join(',')}`);
}

/** One footnote per strategy whose claims rest on an assumption: `† realtime assumes: …`. */
export function assumptionLines(result: RunResult): string[] {
  const lines = new Map<string, string>();
  for (const cell of result.cells) {
    if (!cell.assumptions?.length) continue;
    const name = strategyName(cell);
    lines.set(name, `† ${name} assumes: ${cell.assumptions.map((a) => a.says).join('; ')} (a cell whose faults break it does not judge the claims resting on it)`);
  }
  return [...lines.values()];
}
