/**
 * Every subcommand, in the order `--help` lists them. To add one: write `commands/<name>.ts`
 * exporting a `CommandSpec` (see ../command.ts) and add it here; parsing and help follow.
 */
import type { CommandSpec } from '../command.js';
import { bench } from './bench.js';
import { calibrateGate as calibrate_gate } from './calibrate-gate.js';
import { check } from './check.js';
import { gateSpec as gate } from './gate.js';
import { list } from './list.js';
import { merge } from './merge.js';
import { recommend } from './recommend.js';
import { report } from './report.js';
import { run } from './run.js';
import { sim } from './sim.js';
import { sweep } from './sweep.js';

export const commands = { run, sweep, recommend, gate, 'calibrate-gate': calibrate_gate, merge, report, sim, list, check, bench } satisfies Record<string, CommandSpec>;
