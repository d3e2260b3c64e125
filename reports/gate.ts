/** The gate's reports, pure functions of the gate JSON: terminal table and Markdown (GitHub step summary). */
import { GATE_COUNTERS, GATE_METRICS, percent, ratio, type GateMetric } from '../harness/analyze/gate.js';
import type { MetricComparison } from '../harness/analyze/compare.js';
import type { GateResult } from '../harness/result/gate-result.js';
import type { MedianEstimate } from '../harness/analyze/stats.js';
import { plainPalette, type Palette } from './format.js';
import { fitGrid, wrapText } from './fit.js';

const num = (x: number) => (Math.abs(x) >= 100 ? x.toFixed(0) : Math.abs(x) >= 1 ? x.toFixed(1) : x.toPrecision(2));
const estimate = (e: MedianEstimate) => (e.n > 1 ? `${num(e.median)} [${num(e.lo)}, ${num(e.hi)}]` : num(e.median));
const p = (x: number) => (x < 0.0001 ? x.toExponential(1) : x.toPrecision(2));

export const GATE_HEADS = ['scenario', 'workers', 'pairs', 'measure', 'base', 'head', 'change [interval]', 'p (Holm)', 'answer'];

/** A timing change: head ÷ base with its interval on the ratio scale, else the shift relative to the base median. */
const change = (m: MetricComparison) => (m.scale === 'ratio'
  ? `${ratio(m.change)} [${ratio(m.changeLo)}, ${ratio(m.changeHi)}] (${percent(m.change)})`
  : `${percent(m.change)} [${percent(m.changeLo)}, ${percent(m.changeHi)}]`);

/** One row per cell and metric or counter, then one per cell for correctness. */
export function gateRows(result: GateResult): string[][] {
  return result.cells.map((c) => ({ ...c, scenario: c.strategy === undefined ? c.scenario : `${c.strategy} × ${c.scenario}` })).flatMap((cell) => [
    [cell.scenario, String(cell.workers), String(cell.pairs), 'correctness', '', '',
      cell.correctness.length ? `${cell.correctness.length} failing repeat(s)` : 'no anomaly in any repeat', '', cell.correctness.length ? 'FAILED' : 'ok'],
    ...cell.metrics.map((m) => [cell.scenario, String(cell.workers), String(cell.pairs), GATE_METRICS[m.metric as GateMetric]?.label ?? m.metric,
      estimate(m.base), estimate(m.head), change(m), `${p(m.pWorse)} (${p(m.pAdjusted)})`, m.answer]),
    ...cell.counters.map((c) => [cell.scenario, String(cell.workers), String(cell.pairs), GATE_COUNTERS[c.counter].label,
      num(c.base), num(c.head), `limit ${num(c.limit)}`, 'exact', c.answer]),
  ]);
}

const OUTCOME_TEXT: Record<GateResult['outcome'], string> = {
  pass: 'PASS',
  regressed: 'FAIL: regressed',
  correctness: 'FAIL: correctness',
  'control missed': 'INCONCLUSIVE: a positive control was missed',
  inconclusive: 'INCONCLUSIVE',
  stopped: 'STOPPED (not judged)',
  interrupted: 'INTERRUPTED',
};

function headline(result: GateResult): string {
  const suffix = result.outcome === 'inconclusive' && result.config.inconclusiveOk ? ' (accepted: --inconclusive-ok)' : '';
  return `gate ${OUTCOME_TEXT[result.outcome]}${suffix} · exit ${result.exitCode}`;
}

/** The method in one paragraph, so a reader knows what the intervals and p-values mean. */
export function gateMethod(result: GateResult): string {
  const c = result.config;
  const effects = Object.entries(c.minEffect).map(([m, e]) => `${GATE_METRICS[m as GateMetric]?.label ?? m} ${(e * 100).toFixed(0)}%`).join(', ');
  const paired = result.mode === 'a/b';
  return `Method: ${c.repeat} pairs first, then each cell sized from the noise its pairs measured (up to ${c.maxRepeat} pairs, ${c.looks} looks at most), base and head interleaved with the order seeded, ` +
    `one seed per pair for both sides (paired fault schedules). Per metric: median [order-statistics CI] per side; ` +
    (paired
      ? 'the within-pair change log(head ÷ base) of each pair; one-sided Wilcoxon signed-rank test (exact for small n) of "the head is worse"; '
      : 'one-sided Mann–Whitney U (exact for small n) of "the head is worse" (a baseline\'s samples are not paired in time); ') +
    `change = head ÷ base, the Hodges–Lehmann estimate of the log ratio with its ${((1 - 2 * c.alphaPerLook) * 100).toFixed(1)}% interval (each end a one-sided bound; ` +
    `a metric with a zero value: the shift ÷ base median); Holm across every cell × metric of the gate; ` +
    `α = ${c.alpha} (${c.alphaPerLook.toPrecision(3)} per look); minimum effect: ${effects}; a worsening shown but ruled out at the minimum effect is "below minimum effect", never "no change". ` +
    `Counters: head median ≤ base median × (1 + tolerance).` +
    `${result.baseline && !result.baseline.sameMachine ? ' Baseline from another machine: timing not compared, only counters and correctness.' : ''}`;
}

/** What was compared with what, and at which sizes. */
function sides(result: GateResult): string {
  const base = result.baseline
    ? `baseline ${result.baseline.file} (${result.baseline.sameMachine ? 'same machine: timing compared' : `measured on ${result.baseline.machine.cpus} × ${result.baseline.machine.cpuModel}: timing not compared`})`
    : result.config.base ?? 'none (head only)';
  const git = result.config.git;
  const specs = git ? ` · strategies (each side's checkout): ${git.strategies.join(', ')}` : '';
  return `base: ${base} · head: ${result.config.head}${specs}${git ? ` · ${harnesses(git)}` : ''} · records/worker ${result.config.run.recordsPerWorker} · seed ${result.config.run.seed}`;
}

/** Whose harness ran each side: `harness: each side's own (base: parquet-chaos 0.1.0 built from 1a2b3c4; head: …)`. */
function harnesses(git: NonNullable<GateResult['config']['git']>): string {
  const one = (side: 'base' | 'head') => {
    const h = git[side].harness;
    if (!h) return `${side}: not recorded`;
    return `${side}: parquet-chaos ${h.version} ${h.commit ? `built from ${h.commit.slice(0, 7)}${git[side].dirty ? ' + uncommitted changes' : ''}` : `from its package-lock.json (${h.dependencies.lockfileHash})`}`;
  };
  return git.harness === 'running tool' ? 'harness: the running tool for both sides' : `harness: each side's own (${one('base')}; ${one('head')}; controls: the running tool)`;
}

function controlLine(result: GateResult): string[] {
  return result.controls.map((c) => `positive control, ${c.name}: ${c.strategy} × ${c.scenario} (${c.workers} workers): ${c.caught ? `caught (${c.found} ${c.expects.join(' or ')})` : `NOT CAUGHT${c.why ? ` (${c.why})` : ''}`}`);
}

/** The terminal report; every line fits `width` (the terminal's) when given. */
export function renderGateTable(result: GateResult, palette: Palette = plainPalette, width?: number): string {
  const colour = (answer: string) => (answer === 'regressed' || answer === 'FAILED' ? palette.bad : answer === 'inconclusive' || answer === 'below minimum effect' ? palette.warn : palette.good);
  const grid = fitGrid(GATE_HEADS, gateRows(result).map((row) => [...row.slice(0, -1), { text: row.at(-1)!, style: colour(row.at(-1)!) }]), width);
  const good = result.exitCode === 0;
  const lines: string[] = [];
  const prose = (text: string, style: (t: string) => string) => lines.push(...(width ? wrapText(text, width) : [text]).map(style));
  prose(`command: ${result.command}`, palette.dim);
  prose(`machine: ${result.machine.cpus} × ${result.machine.cpuModel}, ${result.machine.platform}/${result.machine.arch}, Node ${result.machine.node}, ${result.machine.fileSystem}`, palette.dim);
  prose(sides(result), palette.dim);
  for (const l of controlLine(result)) prose(l, l.includes('NOT CAUGHT') ? palette.bad : palette.dim);
  lines.push(...grid.lines);
  if (grid.dropped.length) prose(`(left out to fit ${width} columns: ${grid.dropped.join(', ')})`, palette.dim);
  for (const r of result.reasons) prose(r, good ? palette.dim : palette.bad);
  prose(gateMethod(result), palette.dim);
  prose(headline(result), good ? (t) => palette.good(palette.bold(t)) : palette.bad);
  prose(`gate folder: ${result.gateDir}`, palette.dim);
  return `${lines.join('\n')}\n`;
}

const mdCell = (s: string) => s.replace(/\|/g, '\\|').replace(/\[/g, '\\[').replace(/\]/g, '\\]');

export function renderGateMarkdown(result: GateResult): string {
  const icon = result.exitCode !== 0 ? '❌' : result.outcome === 'pass' ? '✅' : '⚠️';
  return [
    `### ${icon} parquet-chaos ${headline(result)}`,
    '',
    `- command: \`${result.command}\``,
    `- machine: ${result.machine.cpus} × ${result.machine.cpuModel}, ${result.machine.platform}/${result.machine.arch}, Node ${result.machine.node}, ${result.machine.fileSystem}`,
    `- ${sides(result)}`,
    ...controlLine(result).map((l) => `- ${l}`),
    '',
    `| ${GATE_HEADS.join(' | ')} |`,
    `| ${GATE_HEADS.map((_, i) => (i === 1 || i === 2 ? '---:' : '---')).join(' | ')} |`,
    ...gateRows(result).map((row) => `| ${row.map(mdCell).join(' | ')} |`),
    '',
    ...result.reasons.map((r) => `- ${mdCell(r)}`),
    '',
    `<sub>${mdCell(gateMethod(result))}</sub>`,
    '',
  ].join('\n');
}
