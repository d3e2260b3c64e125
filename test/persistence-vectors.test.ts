import { appendFileSync, closeSync, fsyncSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, renameSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SimFs } from '../harness/sim/fs.js';
import { persistenceModels, modelNames } from '../harness/sim/models/index.js';
import { CrashMount } from '../harness/fuse/mount.js';
import { fuseProblem } from '../harness/fuse/requirements.js';
import { crashfsMountsUnder } from '../harness/fuse/mounts.js';
import { Random } from '../harness/sdk/random.js';
import { persistenceVectors, showState, type VectorOp } from './support/persistence-vectors.js';

const enc = (text: string) => new TextEncoder().encode(text);

function onSim(fs: SimFs, op: VectorOp): void {
  if (op.op === 'write' || op.op === 'append') {
    const call = fs.beginCall();
    fs.open(op.path, { truncate: op.op === 'write' }, call);
    fs.append(op.path, enc(op.text), call);
  } else if (op.op === 'fsync') fs.fsyncFile(op.path);
  else if (op.op === 'fsyncdir') fs.fsyncDir(op.path);
  else if (op.op === 'rename') fs.rename(op.from, op.to);
  else if (op.op === 'unlink') fs.unlink(op.path);
  else fs.mkdir(op.path);
}

/** The same operation as real system calls, under `root`. */
function onDisk(root: string, op: VectorOp): void {
  const at = (path: string) => join(root, path);
  const sync = (path: string) => {
    const fd = openSync(at(path), 'r');
    fsyncSync(fd);
    closeSync(fd);
  };
  if (op.op === 'write') writeFileSync(at(op.path), op.text);
  else if (op.op === 'append') appendFileSync(at(op.path), op.text);
  else if (op.op === 'fsync' || op.op === 'fsyncdir') sync(op.path);
  else if (op.op === 'rename') renameSync(at(op.from), at(op.to));
  else if (op.op === 'unlink') unlinkSync(at(op.path));
  else mkdirSync(at(op.path));
}

/** A folder read back in the vectors' notation. */
function stateOf(root: string): string {
  const out: Record<string, string> = {};
  const walk = (dir: string, prefix: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.isDirectory()) {
        out[`${prefix}/${entry.name}/`] = '';
        walk(join(dir, entry.name), `${prefix}/${entry.name}`);
      } else out[`${prefix}/${entry.name}`] = readFileSync(join(dir, entry.name), 'utf8');
    }
  };
  walk(root, '');
  return showState(out);
}

describe('persistence vectors: the simulation\'s file system', () => {
  for (const vector of persistenceVectors) {
    for (const model of modelNames) {
      it(`${model}: ${vector.name}`, () => {
        const fs = new SimFs(persistenceModels[model], ['/']);
        for (const op of vector.ops) onSim(fs, op);
        expect(fs.crashStates().map((s) => showState(s.snapshot)).sort()).toEqual([...vector.states[model]].sort());
      });
    }
  }
});

const problem = fuseProblem();
const root = mkdtempSync(join(tmpdir(), 'pc-vectors-'));
afterAll(() => {
  expect(crashfsMountsUnder(root)).toEqual([]);
  rmSync(root, { recursive: true, force: true });
});

describe.skipIf(problem !== undefined)(`persistence vectors: the crashfs layer, through real system calls${problem ? ` (skipped: ${problem})` : ''}`, () => {
  let n = 0;
  for (const vector of persistenceVectors) {
    for (const model of modelNames) {
      it(`${model}: ${vector.name}`, async () => {
        const dir = join(root, String(n++));
        const mount = new CrashMount(join(dir, 'mnt'), join(dir, 'backing'), join(dir, 'work'), persistenceModels[model]);
        await mount.mount();
        try {
          for (const op of vector.ops) onDisk(mount.mountpoint, op);
          await mount.unmount();
          expect(mount.possibleStates().map(showState).sort()).toEqual([...vector.states[model]].sort());
          // One power loss, seeded: what the programs find after the reboot is one of those states.
          const outcome = await mount.powerLoss(new Random(n).fork(vector.name));
          expect(vector.states[model]).toContain(stateOf(mount.mountpoint));
          expect(outcome.choices.length).toBe(outcome.report.groups);
        } finally {
          await mount.close();
        }
        expect(crashfsMountsUnder(dir)).toEqual([]);
      });
    }
  }
});
