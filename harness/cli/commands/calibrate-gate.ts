/** `parquet-chaos calibrate-gate FILE…`: false alarms, duration and power of the gate on this machine, from A/A gates' JSON. */
import { readJsonFile } from '../../result/read-json.js';
import { badValue } from '../../sdk/errors.js';
import type { GateResult } from '../../result/gate-result.js';
import { GATE_METRICS, gateMetricNames, type GateMetric } from '../../analyze/gate.js';
import { rateUpperBound, relativePool, resampledAnswers } from '../../analyze/power.js';
import { median } from '../../analyze/stats.js';
import type { CommandSpec } from '../command.js';
import { parseCount } from '../sweep-args.js';
import { GATE_DEFAULTS, parseMinEffect } from './gate.js';

const PAIRS = [5, 6, 8, 10, 12, 15, 20, 25, 30, 40, 60];
const CHANGES = [0.1, 0.25];
const pct = (x: number) => `${(x * 100).toFixed(0)}%`;

function readGate(path: string): GateResult {
  const data = readJsonFile(path, 'E_BAD_OPTION', 'FILE', 'a gate JSON (gate --json FILE)') as Partial<GateResult> | null;
  if (!data || data.kind !== 'gate' || !Array.isArray(data.cells)) throw badValue('E_BAD_OPTION', 'FILE', path, 'a gate JSON (gate --json FILE)');
  return data as GateResult;
}

export const calibrateGate = {
  summary: 'from A/A gates (same strategy both sides, --json files): false-alarm rate, duration, and pairs needed for 80% power by resampling',
  args: [{ name: 'FILES', describe: 'gate JSON files of A/A gates, comma-separated' }],
  flags: {
    metric: { value: 'NAME', describe: `metric to resample: ${gateMetricNames.join(', ')}`, default: 'ackedPerSec' },
    simulations: { value: 'N', describe: 'resampled comparisons per table entry', default: '1000' },
    looks: { value: 'N', describe: 'looks the gate may take (α is divided by them)', default: String(GATE_DEFAULTS.looks) },
    'min-effect': { value: 'E', describe: 'minimum effect to evaluate (as gate --min-effect)', default: 'the gate\'s default for the metric' },
  },
  async run({ flags, args }, io) {
    const files = args[0]!.split(',').map((f) => f.trim()).filter(Boolean);
    const metric = (flags.metric ?? 'ackedPerSec') as GateMetric;
    if (!(gateMetricNames as string[]).includes(metric)) throw badValue('E_BAD_OPTION', '--metric', metric, `one of: ${gateMetricNames.join(', ')}`);
    const simulations = parseCount('--simulations', flags.simulations as string | undefined, 1000, 10, 100_000);
    const looks = parseCount('--looks', flags.looks as string | undefined, GATE_DEFAULTS.looks, 1, 100);
    const gates = files.map(readGate);
    const notAA = gates.find((g) => g.config.base !== g.config.head);
    if (notAA) throw badValue('E_BAD_OPTION', 'FILES', notAA.gateDir, 'A/A gates only (the same --base and --head)');

    const outcomes = new Map<string, number>();
    for (const g of gates) outcomes.set(g.outcome, (outcomes.get(g.outcome) ?? 0) + 1);
    const falseAlarms = outcomes.get('regressed') ?? 0;
    const minutes = gates.map((g) => (Date.parse(g.finishedAt) - Date.parse(g.startedAt)) / 60_000);
    const pairs = gates.flatMap((g) => g.cells.map((c) => c.pairs));
    const pool = relativePool(gates.flatMap((g) => g.cells.map((c) => c.samples.map((s) => s.metrics[metric]).filter((v): v is number => v !== null))));
    const family = Math.max(...gates.flatMap((g) => g.cells.map((c) => c.metrics.length)), 1);
    const alpha = gates[0]!.config.alpha / looks;
    const minEffect = parseMinEffect(flags['min-effect'] as string | undefined)[metric];
    const lines = [
      `A/A gates: ${gates.length} (${[...outcomes].map(([o, n]) => `${n} ${o}`).join(', ')}); pairs per cell: ${Math.min(...pairs)}–${Math.max(...pairs)}`,
      `false alarms (regressed): ${falseAlarms} of ${gates.length} = ${pct(falseAlarms / gates.length)} (one-sided 95% upper bound ${pct(rateUpperBound(falseAlarms, gates.length))})`,
      `duration per gate: median ${median(minutes)!.toFixed(1)} min (${Math.min(...minutes).toFixed(1)}–${Math.max(...minutes).toFixed(1)})`,
      `${GATE_METRICS[metric].label}: ${pool.length} A/A values, relative to their cell's median: spread (p10–p90) ${pct(quantile(pool, 0.1) - 1)} to +${pct(quantile(pool, 0.9) - 1)}`,
      `Resampled (${simulations} per entry): n pairs drawn from the pool with replacement, head worsened by the change; regressed when p × ${family} (Holm's first step for ${family} metrics) ≤ α per look = ${alpha.toPrecision(3)} and the change ≥ the minimum effect.`,
      '',
      `| pairs | A/A: no change (min ${pct(minEffect)}) | ${CHANGES.map((c) => `${pct(c)} slower: regressed (min ${pct(minEffect)})`).join(' | ')} | ${CHANGES.map((c) => `${pct(c)} slower: regressed (min ${pct(c / 2)})`).join(' | ')} |`,
      `| ---: | ---: | ${CHANGES.map(() => '---:').join(' | ')} | ${CHANGES.map(() => '---:').join(' | ')} |`,
    ];
    const better = GATE_METRICS[metric].better;
    const need = new Map<string, number>();
    for (const [i, n] of PAIRS.entries()) {
      const settings = { pairs: n, alpha, family, better, simulations, seed: 1000 + i };
      const aa = resampledAnswers(pool, { ...settings, change: 0, minEffect });
      const atDefault = CHANGES.map((c) => resampledAnswers(pool, { ...settings, change: c, minEffect }).regressed);
      const atHalf = CHANGES.map((c) => resampledAnswers(pool, { ...settings, change: c, minEffect: c / 2 }).regressed);
      CHANGES.forEach((c, j) => {
        if (atDefault[j]! >= 0.8 && !need.has(`${c}/default`)) need.set(`${c}/default`, n);
        if (atHalf[j]! >= 0.8 && !need.has(`${c}/half`)) need.set(`${c}/half`, n);
      });
      lines.push(`| ${n} | ${pct(aa.noChange)} | ${atDefault.map(pct).join(' | ')} | ${atHalf.map(pct).join(' | ')} |`);
    }
    lines.push('', ...CHANGES.map((c) => `80% power for ${pct(c)}: ${need.get(`${c}/default`) ?? `more than ${PAIRS.at(-1)}`} pairs at minimum effect ${pct(minEffect)}; ${need.get(`${c}/half`) ?? `more than ${PAIRS.at(-1)}`} pairs at minimum effect ${pct(c / 2)}`), '');
    io.out(lines.join('\n'));
    return 0;
  },
} satisfies CommandSpec;

function quantile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}
