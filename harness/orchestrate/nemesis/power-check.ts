/**
 * Power losses checked before the first cell: the models they name exist, one per run, and this
 * machine can mount crashfs (FUSE present, the daemon compiled). Otherwise the run stops with exit 2
 * naming what is missing, before anything runs.
 */
import { ChaosError, badValue } from '../../sdk/errors.js';
import { parseFaultList, type Fault } from '../../sdk/faults.js';
import { Random } from '../../sdk/random.js';
import type { ScenarioDefinition } from '../../sdk/scenario.js';
import { modelNames } from '../../sim/models/index.js';
import { crashfsBinary } from '../../fuse/build.js';
import { fuseProblem } from '../../fuse/requirements.js';

export interface PowerCheckEnv {
  workers: number;
  recordsPerWorker: number;
  lockStaleMs: number;
}

/** Which faults of the run are power losses, and who asked for them (for the message). */
function powerLosses(spec: string, scenarios: readonly ScenarioDefinition[], env: PowerCheckEnv): { faults: Fault[]; by: string } {
  if (spec === 'none') return { faults: [], by: '' };
  if (spec !== 'default') return { faults: parseFaultList(spec).filter((f) => f.kind === 'power-loss'), by: '--faults power-loss' };
  const asking = scenarios.filter((s) => s.defaultFaults({ random: new Random(0), ...env }).some((f) => f.kind === 'power-loss'));
  return {
    faults: asking.flatMap((s) => s.defaultFaults({ random: new Random(0), ...env }).filter((f) => f.kind === 'power-loss')),
    by: `--scenario ${asking.map((s) => s.name).join(',')} (a power loss is among its default faults)`,
  };
}

export function checkPowerLoss(spec: string, scenarios: readonly ScenarioDefinition[], env: PowerCheckEnv): void {
  const { faults, by } = powerLosses(spec, scenarios, env);
  if (faults.length === 0) return;
  const models = [...new Set(faults.map((f) => (f.kind === 'power-loss' ? f.model : '')))];
  for (const model of models) {
    if (!(modelNames as string[]).includes(model)) throw badValue('E_BAD_OPTION', '--faults power-loss:model', model, `one of: ${modelNames.join(', ')}`);
  }
  if (models.length > 1) throw badValue('E_BAD_OPTION', '--faults power-loss:model', models.join(','), 'one model for every power loss of a run');
  const problem = fuseProblem();
  if (problem) throw new ChaosError('E_FUSE', `${by}: ${problem}`, { option: by, expected: 'FUSE: /dev/fuse, fusermount3, libfuse3-dev, gcc, root or the fuse group' });
  try {
    crashfsBinary();
  } catch (error) {
    const stderr = String((error as { stderr?: unknown }).stderr ?? '').trim();
    throw new ChaosError('E_FUSE', `${by}: the crashfs daemon (harness/fuse/crashfs.c) did not compile: ${stderr || (error as Error).message}`, { option: by, cause: error });
  }
}
