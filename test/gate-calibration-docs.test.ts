import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { calibrationTable } from '../reports/gate-calibration.js';
import { GATE_DEFAULTS } from '../harness/cli/commands/gate.js';
import type { GateCalibration } from '../harness/result/gate-calibration.js';

const root = resolve(import.meta.dirname, '..');
const read = (path: string) => readFileSync(resolve(root, path), 'utf8');
const calibration = (name: string) => JSON.parse(read(`docs/results/${name}`)) as GateCalibration;

describe('the gate\'s measured power and false alarms, as the docs show them', () => {
  const loaded = calibration('gate-calibration-loaded.json');
  const plugin = calibration('gate-calibration-plugin.json');

  it('docs/gate.md holds each kept calibration\'s table as calibrate-gate renders it, with its command', () => {
    const page = read('docs/gate.md');
    for (const c of [loaded, plugin]) {
      expect(page).toContain(calibrationTable(c));
      expect(page).toContain(c.command.replace(/^parquet-chaos /, ''));
    }
  });

  it('was resampled from real A/A gates kept beside it, at the gate\'s defaults', () => {
    for (const c of [loaded, plugin]) {
      for (const source of c.sources) {
        const gate = JSON.parse(read(source.file)) as { kind: string; mode: string; cells: { samples: unknown[] }[] };
        expect(gate).toMatchObject({ kind: 'gate', mode: 'a/b' });
      }
      expect(c.settings).toMatchObject({ repeat: GATE_DEFAULTS.repeat, looks: GATE_DEFAULTS.looks, alpha: GATE_DEFAULTS.alpha, minEffect: GATE_DEFAULTS.minEffect, slowdown: { metric: 'ackedPerSec', change: 0.2 } });
    }
  });

  it('backs the default cap: at --max-repeat\'s default the loaded machine catches a 20% drop ≥ 80% of the time, false alarms ≤ α', () => {
    const row = loaded.rows.find((r) => r.cap === GATE_DEFAULTS.maxPairs)!;
    expect(row.slow.caught).toBeGreaterThanOrEqual(0.8);
    expect(row.aa.regressed).toBeLessThanOrEqual(GATE_DEFAULTS.alpha);
    for (const r of [...loaded.rows, ...plugin.rows]) expect(r.aa.regressed).toBeLessThanOrEqual(GATE_DEFAULTS.alpha);
  });

  it('the README\'s short table is the kept calibration\'s rows', () => {
    const readme = read('README.md');
    const rows = readme.split('\n').filter((l) => /^\| (a loaded machine|a quiet writer)/.test(l));
    expect(rows).toHaveLength(2);
    const pct = (x: number) => `${(x * 100).toFixed(0)}%`;
    for (const [row, c] of [[rows[0]!, loaded], [rows[1]!, plugin]] as const) {
      const r = c.rows.find((x) => x.cap === GATE_DEFAULTS.maxPairs)!;
      expect(row).toContain(`| ${pct(r.aa.regressed)} | ${pct(r.aa.noChange + r.aa.belowMinimum)} | ${pct(r.aa.inconclusive)} | ${pct(r.slow.caught)} | ${r.slow.meanPairs.toFixed(0)} |`);
    }
  });
});
