import { describe, expect, it } from 'vitest';
import { SimFs } from '../harness/sim/fs.js';
import { persistenceModels, type ModelName } from '../harness/sim/models/index.js';
import { modelVectors } from './fixtures/model-vectors.js';

/**
 * The persistence models: for each small sequence of operations, exactly the post-crash states the
 * model allows. A state is written as the files under /d (`name=content`, folders as `name/`), sorted.
 */
const enc = (text: string) => new TextEncoder().encode(text);

function fresh(model: ModelName): SimFs {
  return new SimFs(persistenceModels[model], ['/d', '/e']);
}

function write(fs: SimFs, path: string, text: string, options: { fsync?: boolean; exclusive?: boolean } = {}) {
  const call = fs.beginCall();
  fs.open(path, { truncate: true, exclusive: options.exclusive }, call);
  fs.append(path, enc(text), call);
  if (options.fsync) fs.fsyncFile(path);
}

function append(fs: SimFs, path: string, text: string, fsync = false) {
  const call = fs.beginCall();
  fs.open(path, {}, call);
  fs.append(path, enc(text), call);
  if (fsync) fs.fsyncFile(path);
}

/** Durable starting content: a file written, synced, and its folder synced. */
function durable(fs: SimFs, path: string, text: string) {
  write(fs, path, text, { fsync: true });
  fs.fsyncDir(path.slice(0, path.lastIndexOf('/')));
}

const show = (snapshot: Record<string, string>) =>
  Object.entries(snapshot).filter(([p]) => /^\/[de]\/./.test(p)).map(([p, c]) => (p.endsWith('/') ? p.slice(1) : `${p.slice(1)}=${c}`)).join(' ');

function states(fs: SimFs): string[] {
  return fs.crashStates().map((s) => show(s.snapshot)).sort();
}

describe('posix model: only what was fsynced survives', () => {
  it('an un-synced create and write: the file may be missing, empty, torn or whole', () => {
    const fs = fresh('posix');
    write(fs, '/d/a', 'hello');
    expect(states(fs)).toEqual(['', 'd/a=', 'd/a=h', 'd/a=he', 'd/a=hell', 'd/a=hello'].sort());
  });

  it('a synced file whose folder was not synced may vanish, but never tears', () => {
    const fs = fresh('posix');
    write(fs, '/d/a', 'hello', { fsync: true });
    expect(states(fs)).toEqual(['', 'd/a=hello']);
  });

  it('a synced file in a synced folder survives as it is', () => {
    const fs = fresh('posix');
    write(fs, '/d/a', 'hello', { fsync: true });
    fs.fsyncDir('/d');
    expect(states(fs)).toEqual(['d/a=hello']);
  });

  it('temp + fsync + rename over a file without syncing the folder: the rename may be undone', () => {
    const fs = fresh('posix');
    durable(fs, '/d/a', 'old');
    write(fs, '/d/a.tmp', 'new', { fsync: true });
    fs.rename('/d/a.tmp', '/d/a');
    expect(states(fs)).toEqual(['d/a=new', 'd/a=old', 'd/a=old d/a.tmp=new']);
    fs.fsyncDir('/d');
    expect(states(fs)).toEqual(['d/a=new']);
  });

  it('rename of an un-synced temp over a file: the file may end up empty or torn', () => {
    const fs = fresh('posix');
    durable(fs, '/d/a', 'old');
    write(fs, '/d/a.tmp', 'new');
    fs.rename('/d/a.tmp', '/d/a');
    fs.fsyncDir('/d');
    expect(states(fs)).toEqual(['d/a=', 'd/a=n', 'd/a=ne', 'd/a=new']);
  });

  it('un-synced appends survive as any prefix; synced ones always', () => {
    const fs = fresh('posix');
    durable(fs, '/d/log', 'a\n');
    append(fs, '/d/log', 'bb\n');
    append(fs, '/d/log', 'cc\n');
    expect(states(fs)).toEqual(['d/log=a\n', 'd/log=a\nb', 'd/log=a\nbb', 'd/log=a\nbb\n', 'd/log=a\nbb\nc', 'd/log=a\nbb\ncc', 'd/log=a\nbb\ncc\n'].sort());
  });

  it('a new folder whose parent was never synced takes its synced files with it', () => {
    const fs = fresh('posix');
    fs.mkdir('/d/sub');
    write(fs, '/d/sub/f', 'x', { fsync: true });
    fs.fsyncDir('/d/sub');
    expect(states(fs)).toEqual(['', 'd/sub/ d/sub/f=x']);
    fs.fsyncDir('/d');
    expect(states(fs)).toEqual(['d/sub/ d/sub/f=x']);
  });

  it('folders are decided independently: a later create in another folder may survive an earlier one', () => {
    const fs = fresh('posix');
    write(fs, '/d/f', 'x', { fsync: true });
    write(fs, '/e/g', 'y', { fsync: true });
    expect(states(fs)).toEqual(['', 'd/f=x', 'd/f=x e/g=y', 'e/g=y']);
  });

  it('an un-synced unlink may be undone', () => {
    const fs = fresh('posix');
    durable(fs, '/d/a', 'x');
    fs.unlink('/d/a');
    expect(states(fs)).toEqual(['', 'd/a=x']);
  });

  it('an exclusive create of an existing name fails and changes nothing', () => {
    const fs = fresh('posix');
    durable(fs, '/d/a', 'x');
    expect(() => write(fs, '/d/a', 'y', { exclusive: true })).toThrow(/EEXIST/);
    expect(fs.pending()).toEqual([]);
  });

  it('a power loss keeps what the choices pick and makes it durable', () => {
    const fs = fresh('posix');
    write(fs, '/d/a', 'hello', { fsync: true });
    const report = fs.powerLoss([0]);
    expect(report.outcomes.map((o) => `${o.op.kind}:${o.fate}`)).toEqual(['entry:dropped']);
    expect(show(fs.snapshot())).toBe('');
    expect(fs.pending()).toEqual([]);
  });
});

describe('ext4-ordered model: one journal, data before the metadata that exposes it', () => {
  it('an un-synced create and write: as in posix, the file may be missing, empty, torn or whole', () => {
    const fs = fresh('ext4-ordered');
    write(fs, '/d/a', 'hello');
    expect(states(fs)).toEqual(['', 'd/a=', 'd/a=h', 'd/a=he', 'd/a=hell', 'd/a=hello'].sort());
  });

  it('fsync of a file commits the journal: its name survives without a folder fsync', () => {
    const fs = fresh('ext4-ordered');
    write(fs, '/d/a', 'hello', { fsync: true });
    expect(states(fs)).toEqual(['d/a=hello']);
  });

  it('rename of an un-synced temp over a file: old or complete new, never empty (auto_da_alloc)', () => {
    const fs = fresh('ext4-ordered');
    durable(fs, '/d/a', 'old');
    write(fs, '/d/a.tmp', 'new');
    fs.rename('/d/a.tmp', '/d/a');
    expect(states(fs)).toEqual(['d/a=new', 'd/a=old', 'd/a=old d/a.tmp=', 'd/a=old d/a.tmp=n', 'd/a=old d/a.tmp=ne', 'd/a=old d/a.tmp=new'].sort());
  });

  it('rename of an un-synced file to a new name may leave it empty', () => {
    const fs = fresh('ext4-ordered');
    write(fs, '/d/b.tmp', 'new');
    fs.rename('/d/b.tmp', '/d/b');
    expect(states(fs)).toContain('d/b=');
  });

  it('metadata survives in order across folders: a later create never without an earlier one', () => {
    const fs = fresh('ext4-ordered');
    fs.mkdir('/d/sub');
    const call = fs.beginCall();
    fs.open('/e/g', {}, call);
    expect(states(fs)).toEqual(['', 'd/sub/', 'd/sub/ e/g='].sort());
  });

  it('rewriting a file in place without fsync: old or new content, not empty (replace-via-truncate)', () => {
    const fs = fresh('ext4-ordered');
    durable(fs, '/d/a', 'old');
    write(fs, '/d/a', 'new');
    expect(states(fs)).toEqual(['d/a=new', 'd/a=old']);
  });

  it('posix allows the empty file that ext4 rules out', () => {
    const fs = fresh('posix');
    durable(fs, '/d/a', 'old');
    write(fs, '/d/a', 'new');
    expect(states(fs)).toEqual(['d/a=', 'd/a=n', 'd/a=ne', 'd/a=new', 'd/a=old'].sort());
  });
});

describe('shared crash-state vectors (test/fixtures/model-vectors.ts)', () => {
  for (const vector of modelVectors) {
    for (const [model, expected] of Object.entries(vector.states) as [ModelName, string[]][]) {
      it(`${model}: ${vector.name}`, () => {
        const fs = fresh(model);
        for (const step of vector.ops) {
          if (step.op === 'write') write(fs, step.path, step.text, { fsync: step.fsync });
          else if (step.op === 'rename') fs.rename(step.from, step.to);
          else if (step.op === 'fsyncDir') fs.fsyncDir(step.path);
          else fs.fsyncFile(step.path);
        }
        expect(states(fs)).toEqual([...expected].sort());
      });
    }
  }
});
