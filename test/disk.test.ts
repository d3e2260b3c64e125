import { existsSync, mkdtempSync, openSync, readdirSync, readFileSync, writeSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { main, type Io } from '../harness/cli/cli.js';
import { checkOutDir, checkOutFile } from '../harness/cli/outputs.js';
import { calibrate } from '../harness/measure/calibrate.js';
import { measureAppendLimit } from '../harness/measure/append-limit.js';
import { makeDirs, writeFileAtomic } from '../harness/result/files.js';
import { mountTinyTmpfs } from './support/tmpfs.js';

function fakeIo(onErr: (text: string) => void = () => undefined) {
  const out: string[] = [];
  const err: string[] = [];
  const io: Io = { out: (t) => void out.push(t), err: (t) => { err.push(t); onErr(t); }, isTTY: false, env: {} };
  return { io, out: () => out.join(''), err: () => err.join('') };
}

/** Appends to a file until the disk is full. */
function fillDisk(dir: string): void {
  const fd = openSync(join(dir, 'filler'), 'a');
  const block = Buffer.alloc(64 * 1024, 1);
  try {
    for (;;) writeSync(fd, block);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
    // Fill the last partial block too.
    try { for (;;) writeSync(fd, Buffer.alloc(512, 1)); } catch { /* full */ }
  } finally {
    closeSync(fd);
  }
}

const tiny: { unmount(): void }[] = [];
afterEach(() => {
  for (const t of tiny.splice(0)) t.unmount();
});
const canMount = (() => {
  const probe = mountTinyTmpfs(16);
  probe?.unmount();
  return probe !== undefined;
})();

describe('output locations are checked before the first cell', () => {
  it.each([
    [['--out', '/proc/x'], "--out: got '/proc/x', expected a folder that can be created and written to; here ENOENT"],
    [['--out', '/etc/hostname/runs'], "--out: got '/etc/hostname/runs', expected a folder that can be created and written to; here ENOTDIR"],
    [['--json', tmpdir()], `--json: got '${tmpdir()}', expected a file path that can be written; here it is a folder`],
    [['--json', '/no-such-folder/r.json'], "--json: got '/no-such-folder/r.json', expected a file path that can be written; here its folder /no-such-folder does not exist"],
  ])('run %j exits 2 naming the path and the reason, before any cell', async (flags, message) => {
    // Arrange
    const out = mkdtempSync(join(tmpdir(), 'parquet-chaos-out-'));
    const { io, err } = fakeIo();

    // Act
    const code = await main(['run', '--strategy', 'realtime', '--scenario', 'main-file-contention', '--out', out, ...flags], io);

    // Assert: nothing ran (no run folder, no progress line).
    expect(code).toBe(2);
    expect(err()).toContain(message);
    expect(err()).not.toContain('[1/1]');
    expect(readdirSync(out)).toEqual([]);
  });

  it('report --out under an impossible folder exits 2 before rendering', async () => {
    const { io, err } = fakeIo();
    expect(await main(['report', 'anything.json', '--out', '/proc/x/r.html'], io)).toBe(2);
    expect(err()).toContain("--out: got '/proc/x/r.html', expected a file path that can be written; here its folder /proc/x does not exist");
  });

  it('makeDirs creates nested folders and fails at once where mkdir -p cannot succeed', () => {
    const base = mkdtempSync(join(tmpdir(), 'parquet-chaos-dirs-'));
    makeDirs(join(base, 'a/b/c'));
    expect(existsSync(join(base, 'a/b/c'))).toBe(true);
    expect(() => makeDirs('/proc/x/y')).toThrow(/ENOENT/);
    expect(() => checkOutDir('--out', '/proc/x')).toThrow(/ENOENT/);
    expect(() => checkOutFile('--json', join(base, 'a'))).toThrow('it is a folder');
  });
});

describe.skipIf(!canMount)('a full disk (a tiny tmpfs; needs root)', () => {
  it('writeFileAtomic leaves the old file whole when the new one does not fit', () => {
    // Arrange
    const t = mountTinyTmpfs(64)!;
    tiny.push(t);
    const path = join(t.dir, 'result.json');
    writeFileAtomic(path, '{"cells":[1]}\n');
    fillDisk(t.dir);

    // Act
    const write = () => writeFileAtomic(path, `{"cells":[${'1,'.repeat(50_000)}2]}\n`);

    // Assert
    expect(write).toThrow(/ENOSPC/);
    expect(readFileSync(path, 'utf8')).toBe('{"cells":[1]}\n');
    expect(readdirSync(t.dir).sort()).toEqual(['filler', 'result.json']);
  });

  it('calibration writes a bounded amount, and says what happened when even that does not fit', () => {
    const roomy = mountTinyTmpfs(512)!;
    tiny.push(roomy);
    expect(calibrate(roomy.dir).ops).toBeGreaterThan(0);
    const full = mountTinyTmpfs(16)!;
    tiny.push(full);
    fillDisk(full.dir);
    expect(() => calibrate(full.dir)).toThrow(/^calibration: ENOSPC writing .*calibration\.bin after 0 fsync'd 4 KiB appends/);
  });

  it('the per-cell append limit writes a bounded amount too, and names a full disk', async () => {
    const roomy = mountTinyTmpfs(4096)!;
    tiny.push(roomy);
    expect((await measureAppendLimit(roomy.dir, 2, 300)).ops).toBeGreaterThan(0);
    fillDisk(roomy.dir);
    await expect(measureAppendLimit(roomy.dir, 2, 300)).rejects.toThrow(/^append limit: ENOSPC writing in .* with 2 processes/);
  }, 30_000);

  it('the disk filling mid-run stops cleanly: exit 1, a clear message, the table, a valid result.json with the cells measured', async () => {
    // Arrange: two cells; the disk fills as soon as the first one is measured.
    const t = mountTinyTmpfs(4096)!;
    tiny.push(t);
    let filled = false;
    const { io, out, err } = fakeIo((text) => {
      if (!filled && text.includes(' · acked ')) {
        filled = true;
        fillDisk(t.dir);
      }
    });

    // Act
    const code = await main(['run', '--strategy', 'realtime,log-commit', '--scenario', 'main-file-contention', '--workers', '1', '--records', '3', '--faults', 'none', '--out', t.dir], io);

    // Assert
    expect(code).toBe(1);
    expect(err()).toMatch(/parquet-chaos: the disk failed under the harness's own files: ENOSPC .*; stopped after 1 of 2 cells\. .*result\.json keeps the cells measured\./);
    expect(err()).not.toMatch(/\n\s+at /);
    expect(out()).toMatch(/^realtime\s+ok\s+3\/3/m);
    const [runId] = readdirSync(t.dir).filter((n) => n !== 'filler');
    const saved = JSON.parse(readFileSync(join(t.dir, runId!, 'result.json'), 'utf8'));
    expect(saved.cells.map((c: { strategy: string }) => c.strategy)).toEqual(['realtime']);
    expect(saved.stopped).toContain('ENOSPC');
  }, 60_000);
});
