/** `calibrate-gate`'s report, a pure function of its JSON: what was resampled, the noise, and the table. */
import { GATE_METRICS, type GateMetric } from '../harness/analyze/gate.js';
import type { GateCalibration } from '../harness/result/gate-calibration.js';

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
const label = (m: string) => GATE_METRICS[m as GateMetric]?.label ?? m;

/** The table alone: one row per cap, the A/A columns then the slowed columns. */
export function calibrationTable(c: GateCalibration): string {
  const slowed = `${pct(c.settings.slowdown.change)} slower ${label(c.settings.slowdown.metric)}`;
  return [
    `| cap (--max-repeat) | A/A: false alarm | A/A: pass | A/A: below min. effect | A/A: inconclusive | A/A: mean pairs | ${slowed}: caught | ${slowed}: mean pairs |`,
    '| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...c.rows.map((r) => `| ${r.cap}${r.looks === 1 ? ' (1 look)' : ''} | ${pct(r.aa.regressed)} (≤ ${pct(r.falseAlarmBound)}) | ${pct(r.aa.noChange)} | ${pct(r.aa.belowMinimum)} | ${pct(r.aa.inconclusive)} | ` +
      `${r.aa.meanPairs.toFixed(1)} | ${pct(r.slow.caught)} | ${r.slow.meanPairs.toFixed(1)} |`),
  ].join('\n');
}

export function renderCalibration(c: GateCalibration): string {
  const s = c.settings;
  const load = (l: { start: number; end: number } | undefined) => (l ? `, load ${l.start.toFixed(0)}→${l.end.toFixed(0)}` : '');
  const lines = [
    `A/A gates: ${c.sources.length}: ${c.sources.map((g) => `${g.file} (${g.outcome}, ${g.cells} cell(s), ${g.pairs} pairs, ${g.machine.cpus} × ${g.machine.cpuModel}${load(g.load)})`).join('; ')}`,
    `measured noise, σ of log(head ÷ base) within a pair (1.4826 × median |change|): ${Object.entries(c.noise).map(([m, v]) => `${label(m)} ${v === null ? 'not measured' : v.toFixed(3)}`).join('; ')}`,
    `time per cell: median ${c.secondsPerCell.toFixed(1)} s (load included)`,
    `Simulated: ${s.simulations} whole gates per entry of ${s.cells} cell(s), each drawing its pairs from one measured cell's (with replacement, sides swapped by a coin, ×e^±0.2% smoothing): ` +
    `${s.repeat} pairs at the first look, then each cell sized from its noise up to the cap, ${s.looks} looks at α = ${s.alpha} ÷ ${s.looks}, signed-rank tests with Holm across every cell × metric, counters as measured; ` +
    `minimum effects ${Object.entries(s.minEffect).map(([m, e]) => `${label(m)} ${pct(e)}`).join(', ')}.`,
    '',
    calibrationTable(c),
    '',
    c.enough === null
      ? `No cap up to ${c.rows.at(-1)?.cap} pairs catches a ${pct(s.slowdown.change)} slowdown of ${label(s.slowdown.metric)} 80% of the time here: raise --min-effect only if that slowdown does not matter, or gate on a quieter machine.`
      : `--max-repeat ${c.enough} catches a ${pct(s.slowdown.change)} slowdown of ${label(s.slowdown.metric)} at least 80% of the time with A/A false alarms ≤ α here.`,
    '',
  ];
  return lines.join('\n');
}
