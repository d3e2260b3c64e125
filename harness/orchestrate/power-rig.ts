import { renameSync, rmdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { CrashMount, type PowerLossOutcome } from '../fuse/mount.js';
import { persistenceModels, type ModelName } from '../sim/models/index.js';
import type { FaultEvent, Planned, PowerLossFault } from '../sdk/faults.js';
import { POWER_TARGET } from '../sdk/faults.js';
import type { Random } from '../sdk/random.js';
import type { FaultableProcess } from './nemesis/nemesis.js';
import { trackService } from './supervise.js';

/** The cell's side of a power loss: what dies with the power, and what comes back after it. */
export interface PowerHooks {
  /** SIGKILLs every process of the cell at once; resolves with their pids once all have exited. */
  killEverything(): Promise<number[]>;
  /** Starts again what the cell needs before its processes restart (its redis-server). */
  afterReboot(): Promise<void>;
  log(event: Omit<FaultEvent, 'at'>): void;
  /** The stream each power loss's post-crash state is drawn from (forked per fault and folder). */
  random: Random;
}

/** Folders of a cell that live on the power-loss file system: what a program may have written. */
const FOLDERS = ['data', 'state'] as const;

/** "data/: kept 2 of 5 pending (entries of /: 1 of 3, data of /own-0.parquet: 0 of 4)". */
function describe(folder: string, outcome: PowerLossOutcome): string {
  const groups = outcome.choices.map((c) => `${c.group}: option ${c.option} of ${c.options}`).join(', ');
  return `${folder}/: ${outcome.survived} of ${outcome.pending} pending operations survived${groups ? ` (${groups})` : ''}`;
}

/**
 * A cell whose data/ and state/ are mounted through crashfs, as the nemesis's `cell` target. A power
 * loss kills every process, keeps in each folder one state the fault's model allows, remounts, and
 * lets the supervisors restart what --restart says (they wait for `rebooted()`). Mounted before the
 * cell's services start, unmounted (`close`) before the check, which then reads plain folders.
 */
export class PowerRig implements FaultableProcess {
  readonly name = POWER_TARGET;
  private readonly mounts: Map<string, CrashMount>;
  private reboot: Promise<boolean> = Promise.resolve(true);
  private hooks: PowerHooks | undefined;
  private readonly untrack: () => void;
  /** Power losses carried out. */
  count = 0;
  errors: string[] = [];
  private closed = false;

  private constructor(private readonly cellDir: string, model: ModelName) {
    this.mounts = new Map(FOLDERS.map((folder) => [folder, new CrashMount(join(cellDir, folder), join(cellDir, 'power', folder), join(cellDir, 'power', `${folder}-journal`), persistenceModels[model])]));
    // Ctrl-C and a failed run end the daemons and their mounts with the cell's processes.
    this.untrack = trackService(() => this.killMounts());
  }

  static async mount(cellDir: string, model: ModelName): Promise<PowerRig> {
    const rig = new PowerRig(cellDir, model);
    try {
      for (const mount of rig.mounts.values()) await mount.mount();
    } catch (error) {
      await rig.killMounts();
      throw error;
    }
    return rig;
  }

  /** The cell's hooks, once its processes and services exist. */
  attach(hooks: PowerHooks): void {
    this.hooks = hooks;
  }

  pid(): number | undefined {
    return process.pid;
  }

  powerLoss(fault: Planned<PowerLossFault>): void {
    const hooks = this.hooks;
    if (!hooks) return;
    const previous = this.reboot;
    this.reboot = (async () => {
      if (!(await previous)) return false;
      const pids = await hooks.killEverything();
      hooks.log({ kind: 'power-loss', target: this.name, action: 'power cut', detail: `${pids.length} processes SIGKILLed at once (pids ${pids.join(', ') || 'none'}); model ${fault.model}, state ${fault.state}`, fault: fault.id });
      try {
        for (const [folder, mount] of this.mounts) {
          const outcome = await mount.powerLoss(hooks.random.fork(`power-loss/${fault.id}/${folder}`), fault.state === 'harshest');
          hooks.log({ kind: 'power-loss', target: this.name, action: 'post-crash state', detail: describe(folder, outcome), fault: fault.id });
        }
        await hooks.afterReboot();
        this.count++;
        hooks.log({ kind: 'power-loss', target: this.name, action: 'rebooted', detail: 'data/ and state/ remounted; processes restart per --restart', fault: fault.id });
        return true;
      } catch (error) {
        this.errors.push((error as Error).message);
        hooks.log({ kind: 'power-loss', target: this.name, action: 'reboot failed', detail: (error as Error).message, fault: fault.id });
        return false;
      }
    })();
  }

  /** Resolves once no power loss is in progress: whether the cell's folders are mounted and sound. */
  rebooted(): Promise<boolean> {
    return this.reboot;
  }

  /**
   * Unmounts for good (the journals' last replay checked against the folders), then puts each
   * backing folder where the mount was, so the check and `check DIR` read plain folders. Never
   * throws: what went wrong is in `errors` (the cell is then not a pass), and no daemon survives it.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      await this.reboot;
      for (const mount of this.mounts.values()) {
        try {
          await mount.close();
        } catch (error) {
          this.errors.push((error as Error).message);
        }
      }
    } finally {
      await this.killMounts();
      this.untrack();
    }
    let moved = 0;
    for (const folder of FOLDERS) {
      try {
        rmdirSync(join(this.cellDir, folder));
        renameSync(join(this.cellDir, 'power', folder), join(this.cellDir, folder));
        moved++;
      } catch (error) {
        // E.g. a daemon died and programs went on writing into the bare mountpoint.
        this.errors.push(`${folder}/: the crashfs backing folder could not take the mountpoint's place (${(error as Error).message}); it stays in power/${folder}`);
      }
    }
    if (moved === FOLDERS.length) rmSync(join(this.cellDir, 'power'), { recursive: true, force: true });
  }

  private async killMounts(): Promise<void> {
    await Promise.all([...this.mounts.values()].map((m) => m.kill()));
  }
}
