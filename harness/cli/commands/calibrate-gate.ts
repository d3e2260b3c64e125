/** `parquet-chaos calibrate-gate FILE…`: the whole gate's false alarms and power on this machine, resampled from A/A gates' cells. */
import { readJsonFile } from '../../result/read-json.js';
import { badValue } from '../../sdk/errors.js';
import type { GateResult } from '../../result/gate-result.js';
import { GATE_COUNTERS, GATE_METRICS, gateCounterNames, gateMetricNames, type GateCounter, type GateMetric, type Tolerance } from '../../analyze/gate.js';
import { rateUpperBound, realPairs, simulateGate } from '../../analyze/power.js';
import { pairNoise } from '../../analyze/sizing.js';
import { median } from '../../analyze/stats.js';
import type { CalibrationRow, GateCalibration } from '../../result/gate-calibration.js';
import { writeFileAtomic } from '../../result/files.js';
import { renderCalibration } from '../../../reports/gate-calibration.js';
import type { CommandSpec } from '../command.js';
import { parseCount } from '../sweep-args.js';
import { GATE_DEFAULTS, parseFraction, parseMinEffect } from './gate.js';

/** The caps compared: --max-repeat values (the first of them, equal to the first look, is a single look). */
const CAPS = [8, 16, 24, 32, 40, 60, 80];

function readGate(path: string): GateResult {
  const data = readJsonFile(path, 'E_BAD_OPTION', 'FILE', 'a gate JSON (gate --json FILE)') as Partial<GateResult> | null;
  if (!data || data.kind !== 'gate' || !Array.isArray(data.cells)) throw badValue('E_BAD_OPTION', 'FILE', path, 'a gate JSON (gate --json FILE)');
  return data as GateResult;
}

/** A/A gates: the same strategy on both sides (or the same commit between commits), run here (not against a baseline). */
const isAA = (g: GateResult) => g.mode === 'a/b' && (g.config.git ? g.config.git.base.commit === g.config.git.head.commit && !g.config.git.head.dirty : g.config.base === g.config.head);

export const calibrateGate = {
  summary: 'from A/A gates (the same strategy or commit on both sides, --json files): the whole gate\'s false-alarm rate and its power against a slowdown, by resampling their pairs, for each cap on the pairs',
  args: [{ name: 'FILES', describe: 'gate JSON files of A/A gates, comma-separated' }],
  flags: {
    metric: { value: 'NAME', describe: `metric to slow down in the power columns: ${gateMetricNames.join(', ')}`, default: 'ackedPerSec' },
    slowdown: { value: 'E', describe: 'the true change to catch (0.2 or 20%: a rate × 0.8, a time × 1.2)', default: '20%' },
    simulations: { value: 'N', describe: 'simulated gates per table entry', default: '400' },
    repeat: { value: 'N', describe: 'pairs at the first look (as gate --repeat)', default: String(GATE_DEFAULTS.repeat) },
    looks: { value: 'N', describe: 'looks the gate may take', default: String(GATE_DEFAULTS.looks) },
    cells: { value: 'N', describe: 'cells (scenario × workers) in the simulated gate', default: 'as in the gates given' },
    'min-effect': { value: 'E', describe: 'minimum effects (as gate --min-effect)', default: 'the gate\'s' },
    json: { value: 'FILE', describe: 'write the calibration (sources, noise, every row) as JSON' },
  },
  async run({ flags, args, argv }, io) {
    const files = args[0]!.split(',').map((f) => f.trim()).filter(Boolean);
    const metric = (flags.metric ?? 'ackedPerSec') as GateMetric;
    if (!(gateMetricNames as string[]).includes(metric)) throw badValue('E_BAD_OPTION', '--metric', metric, `one of: ${gateMetricNames.join(', ')}`);
    const slowdown = parseFraction('--slowdown', (flags.slowdown as string | undefined) ?? '20%', 0.99);
    const simulations = parseCount('--simulations', flags.simulations as string | undefined, 400, 10, 100_000);
    const repeat = parseCount('--repeat', flags.repeat as string | undefined, GATE_DEFAULTS.repeat, 1, 1000);
    const looks = parseCount('--looks', flags.looks as string | undefined, GATE_DEFAULTS.looks, 1, 100);
    const gates = files.map(readGate);
    const notAA = gates.find((g) => !isAA(g));
    if (notAA) throw badValue('E_BAD_OPTION', 'FILES', notAA.gateDir, 'A/A gates only (the same --base and --head, or the same commit on both sides, run here)');
    const cellCount = parseCount('--cells', flags.cells as string | undefined, Math.max(...gates.map((g) => g.cells.length)), 1, 100);
    const minEffect = parseMinEffect(flags['min-effect'] as string | undefined);
    const tolerances = Object.fromEntries(gateCounterNames.map((k) => [k, GATE_COUNTERS[k].tolerance])) as Record<GateCounter, Tolerance>;
    const alpha = gates[0]!.config.alpha;

    const groups = realPairs(gates.flatMap((g) => g.cells.map((c) => c.samples)));
    const pairs = groups.flat();
    if (pairs.length === 0) throw badValue('E_BAD_OPTION', 'FILES', files.join(','), 'A/A gates with at least one correct pair');
    const secondsPerCell = gates.map((g) => (Date.parse(g.finishedAt) - Date.parse(g.startedAt)) / 1000 / Math.max(1, g.cells.reduce((n, c) => n + c.samples.length, 0) + g.controls.length));
    const noise = (m: GateMetric) => pairNoise(pairs.flatMap(([b, h]) => (b.metrics[m] !== null && h.metrics[m] !== null && b.metrics[m]! > 0 && h.metrics[m]! > 0 ? [Math.log(h.metrics[m]! / b.metrics[m]!)] : [])));
    const rows: CalibrationRow[] = CAPS.filter((c) => c >= repeat).map((cap, i) => {
      const settings = { repeat, maxRepeat: cap, looks: cap === repeat ? 1 : looks, alpha, minEffect, tolerances, cells: cellCount, simulations, seed: 1000 + i };
      const aa = simulateGate(groups, { ...settings, slowdown: null });
      return { cap, looks: settings.looks, aa, falseAlarmBound: rateUpperBound(Math.round(aa.regressed * simulations), simulations), slow: simulateGate(groups, { ...settings, slowdown: { metric, change: slowdown } }) };
    });
    const calibration: GateCalibration = {
      kind: 'gate-calibration', command: ['parquet-chaos', 'calibrate-gate', ...argv].join(' '),
      sources: gates.map((g, i) => ({
        file: files[i]!, command: g.command, outcome: g.outcome, cells: g.cells.length, pairs: g.cells.reduce((n, c) => n + c.pairs, 0), machine: g.machine, ...(g.load ? { load: g.load } : {}),
      })),
      noise: Object.fromEntries(gateMetricNames.map((m) => [m, noise(m)])),
      secondsPerCell: median(secondsPerCell)!,
      settings: { repeat, looks, alpha, cells: cellCount, simulations, minEffect, slowdown: { metric, change: slowdown } },
      rows,
      enough: rows.find((r) => r.slow.caught >= 0.8 && r.aa.regressed <= alpha)?.cap ?? null,
    };
    if (typeof flags.json === 'string') writeFileAtomic(flags.json, `${JSON.stringify(calibration, null, 2)}\n`);
    io.out(renderCalibration(calibration));
    return 0;
  },
} satisfies CommandSpec;
