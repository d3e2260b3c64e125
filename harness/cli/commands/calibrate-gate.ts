/** `parquet-chaos calibrate-gate FILE…`: the whole gate's false alarms and power on this machine, resampled from A/A gates' cells. */
import { readJsonFile } from '../../result/read-json.js';
import { badValue } from '../../sdk/errors.js';
import type { GateResult } from '../../result/gate-result.js';
import { GATE_COUNTERS, GATE_METRICS, gateCounterNames, gateMetricNames, type GateCounter, type GateMetric, type Tolerance } from '../../analyze/gate.js';
import { rateUpperBound, relativeSamples, simulateGate } from '../../analyze/power.js';
import { median } from '../../analyze/stats.js';
import type { CommandSpec } from '../command.js';
import { parseCount } from '../sweep-args.js';
import { GATE_DEFAULTS, parseFraction, parseMinEffect } from './gate.js';

const PAIRS = [4, 5, 6, 8, 10, 12, 15];
const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

function readGate(path: string): GateResult {
  const data = readJsonFile(path, 'E_BAD_OPTION', 'FILE', 'a gate JSON (gate --json FILE)') as Partial<GateResult> | null;
  if (!data || data.kind !== 'gate' || !Array.isArray(data.cells)) throw badValue('E_BAD_OPTION', 'FILE', path, 'a gate JSON (gate --json FILE)');
  return data as GateResult;
}

export const calibrateGate = {
  summary: 'from A/A gates (same strategy both sides, --json files): the whole gate\'s false-alarm rate and its power against a slowdown, by resampling their cells, for each number of pairs',
  args: [{ name: 'FILES', describe: 'gate JSON files of A/A gates, comma-separated' }],
  flags: {
    metric: { value: 'NAME', describe: `metric to slow down in the power columns: ${gateMetricNames.join(', ')}`, default: 'ackedPerSec' },
    slowdown: { value: 'E', describe: 'the true change to catch (0.2 or 20%: a rate × 0.8, a time × 1.2)', default: '20%' },
    simulations: { value: 'N', describe: 'simulated gates per table entry', default: '400' },
    looks: { value: 'N', describe: 'looks the gate may take (--max-repeat = pairs × looks)', default: String(GATE_DEFAULTS.looks) },
    cells: { value: 'N', describe: 'cells (scenario × workers) in the simulated gate', default: 'as in the gates given' },
    'min-effect': { value: 'E', describe: 'minimum effects (as gate --min-effect)', default: 'the gate\'s' },
  },
  async run({ flags, args }, io) {
    const files = args[0]!.split(',').map((f) => f.trim()).filter(Boolean);
    const metric = (flags.metric ?? 'ackedPerSec') as GateMetric;
    if (!(gateMetricNames as string[]).includes(metric)) throw badValue('E_BAD_OPTION', '--metric', metric, `one of: ${gateMetricNames.join(', ')}`);
    const slowdown = parseFraction('--slowdown', (flags.slowdown as string | undefined) ?? '20%', 0.99);
    const simulations = parseCount('--simulations', flags.simulations as string | undefined, 400, 10, 100_000);
    const looks = parseCount('--looks', flags.looks as string | undefined, GATE_DEFAULTS.looks, 1, 100);
    const gates = files.map(readGate);
    const notAA = gates.find((g) => g.config.base !== g.config.head);
    if (notAA) throw badValue('E_BAD_OPTION', 'FILES', notAA.gateDir, 'A/A gates only (the same --base and --head)');
    const cellCount = parseCount('--cells', flags.cells as string | undefined, Math.max(...gates.map((g) => g.cells.length)), 1, 100);
    const minEffect = parseMinEffect(flags['min-effect'] as string | undefined);
    const tolerances = Object.fromEntries(gateCounterNames.map((k) => [k, GATE_COUNTERS[k].tolerance])) as Record<GateCounter, Tolerance>;
    const alpha = gates[0]!.config.alpha;

    const outcomes = new Map<string, number>();
    for (const g of gates) outcomes.set(g.outcome, (outcomes.get(g.outcome) ?? 0) + 1);
    const groups = relativeSamples(gates.flatMap((g) => g.cells.map((c) => c.samples)));
    const pool = groups.flat();
    if (pool.length === 0) throw badValue('E_BAD_OPTION', 'FILES', files.join(','), 'A/A gates with at least one correct sample');
    const secondsPerCell = gates.map((g) => (Date.parse(g.finishedAt) - Date.parse(g.startedAt)) / 1000 / Math.max(1, g.cells.reduce((n, c) => n + c.samples.length, 0) + g.controls.length));
    const spread = (m: GateMetric) => {
      const v = pool.map((s) => s.metrics[m]).filter((x): x is number => x !== null).sort((a, b) => a - b);
      return v.length ? `${pct(v[Math.floor(0.1 * v.length)]! - 1)} to ${pct(v[Math.floor(0.9 * v.length)]! - 1)}` : 'not measured';
    };
    const lines = [
      `A/A gates: ${gates.length} (${[...outcomes].map(([o, n]) => `${n} ${o}`).join(', ')}); ${pool.length} correct samples of ${groups.length} cells, each timing metric ÷ its cell's median`,
      `measured noise (p10 to p90 around the cell median): ${gateMetricNames.map((m) => `${GATE_METRICS[m].label} ${spread(m)}`).join('; ')}`,
      `time per cell: median ${median(secondsPerCell)!.toFixed(1)} s (load included)`,
      `Simulated: ${simulations} whole gates per entry of ${cellCount} cell(s), each drawing its base and head samples from one measured cell (with replacement, ×e^±${0.2}% smoothing), ` +
      `every look (pairs, then pairs more while inconclusive, up to pairs × ${looks}) at α = ${alpha} ÷ ${looks} per look, Holm across every cell × metric, counters as measured; ` +
      `minimum effects ${gateMetricNames.map((m) => `${GATE_METRICS[m].label} ${pct(minEffect[m])}`).join(', ')}.`,
      '',
      `| pairs (max) | A/A: false alarm | A/A: pass | A/A: below min. effect | A/A: inconclusive | ${pct(slowdown)} slower ${GATE_METRICS[metric].label}: caught | mean pairs run |`,
      '| ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ];
    let enough: number | undefined;
    for (const [i, n] of PAIRS.entries()) {
      const settings = { repeat: n, maxRepeat: n * looks, step: n, alpha, minEffect, tolerances, cells: cellCount, simulations, seed: 1000 + i };
      const aa = simulateGate(groups, { ...settings, slowdown: null });
      const slow = simulateGate(groups, { ...settings, slowdown: { metric, change: slowdown } });
      const falseAlarmBound = rateUpperBound(Math.round(aa.regressed * simulations), simulations);
      if (enough === undefined && slow.caught >= 0.8 && aa.regressed <= alpha) enough = n;
      lines.push(`| ${n} (${n * looks}) | ${pct(aa.regressed)} (≤ ${pct(falseAlarmBound)}) | ${pct(aa.noChange)} | ${pct(aa.belowMinimum)} | ${pct(aa.inconclusive)} | ${pct(slow.caught)} | ${slow.meanPairs.toFixed(1)} |`);
    }
    lines.push('', enough === undefined
      ? `No number of pairs up to ${PAIRS.at(-1)} catches a ${pct(slowdown)} slowdown of ${GATE_METRICS[metric].label} 80% of the time here: raise --min-effect only if that slowdown does not matter, or gate on a quieter machine.`
      : `--repeat ${enough} (up to ${enough * looks} pairs) catches a ${pct(slowdown)} slowdown of ${GATE_METRICS[metric].label} at least 80% of the time with A/A false alarms ≤ α here.`, '');
    io.out(lines.join('\n'));
    return 0;
  },
} satisfies CommandSpec;
