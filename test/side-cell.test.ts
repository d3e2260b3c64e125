import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runSideCell } from '../harness/orchestrate/side-cell.js';
import { defaultRunConfig } from '../harness/orchestrate/run-config.js';
import { fixtureResult } from './support/result-fixture.js';
import { processesMentioning } from './support/processes.js';

const scratch = mkdtempSync(join(tmpdir(), 'parquet-chaos-side-cell-'));
afterAll(() => {
  delete process.env.FAKE_MODE;
  expect(processesMentioning(scratch)).toEqual([]);
  rmSync(scratch, { recursive: true, force: true });
});

/**
 * A side's CLI as `runSideCell` sees it: `node BIN run … --out DIR --json FILE`. It records its
 * arguments and folder, then per FAKE_MODE writes a one-cell result (`ok`), refuses its arguments
 * (`refuse`, exit 2), or starts a helper in its process group that ignores SIGINT and waits to be
 * interrupted (`hang`: on SIGINT it writes an interrupted result and exits 130, leaving the helper).
 */
const bin = join(scratch, 'fake-parquet-chaos.mjs');
writeFileSync(bin, `
import { writeFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
const args = process.argv.slice(2);
const get = (flag) => args[args.indexOf(flag) + 1];
writeFileSync(${JSON.stringify(join(scratch, 'seen.json'))}, JSON.stringify({ args, cwd: process.cwd() }));
const result = (cells, interrupted) => writeFileSync(get('--json'), JSON.stringify({ runDir: get('--out') + '/run-1', interrupted, cells }));
const mode = process.env.FAKE_MODE;
if (mode === 'refuse') { console.error('parquet-chaos: --codec zstd: expected one of hyparquet, parquetjs-lite'); process.exit(2); }
if (mode === 'hang') {
  spawn(process.execPath, ['-e', "process.on('SIGINT', () => {}); setInterval(() => {}, 1000); // ${scratch}"], { stdio: 'ignore' });
  process.on('SIGINT', () => { result([], true); process.exit(130); });
  setInterval(() => {}, 1000);
} else {
  result([${JSON.stringify(fixtureResult().cells[0])}], false);
}
`);

const { strategies: _s, scenarios: _c, workers: _w, ...run } = defaultRunConfig();
const cell = { strategy: '/co/base/plugin.js', scenario: 'main-file-contention', workers: 2, seed: 3, repeat: 1 };
const harness = { bin, side: 'base HEAD~1 (1a2b3c4)', cwd: scratch };
const mode = (name: string) => {
  process.env.FAKE_MODE = name;
};

describe('a cell run by a side\'s own CLI', () => {
  it('runs `run` with the cell and every setting in the side\'s folder, and reads its cell back', async () => {
    // Arrange
    mode('ok');

    // Act
    const outcome = await runSideCell(harness, cell, run, join(scratch, 'base'));

    // Assert
    const seen = JSON.parse(readFileSync(join(scratch, 'seen.json'), 'utf8')) as { args: string[]; cwd: string };
    expect(seen.cwd).toBe(scratch);
    expect(seen.args.slice(0, 11)).toEqual(['run', '--strategy', '/co/base/plugin.js', '--scenario', 'main-file-contention', '--workers', '2', '--records', '20', '--seed', '3']);
    expect(seen.args.slice(-6)).toEqual(['--out', join(scratch, 'base'), '--json', expect.stringMatching(/\.json$/), '--format', 'json']);
    expect(outcome).toEqual({ cell: fixtureResult().cells[0], runDir: join(scratch, 'base', 'run-1'), interrupted: false });
  });

  it('a side that refuses the cell\'s settings is an error naming the side, with its own words', async () => {
    // Arrange
    mode('refuse');

    // Act / Assert
    await expect(runSideCell(harness, cell, run, join(scratch, 'base'))).rejects.toMatchObject({
      option: '--base', message: expect.stringMatching(/^base HEAD~1 \(1a2b3c4\): its harness refused the cell's settings .*exit 2\): parquet-chaos: --codec zstd: expected one of/),
    });
  });

  it('Ctrl-C interrupts the side\'s run (SIGINT) and ends whatever is left in its process group', async () => {
    // Arrange
    mode('hang');
    const abort = new AbortController();
    const running = runSideCell(harness, cell, run, join(scratch, 'base'), abort.signal);
    const deadline = Date.now() + 20_000;
    while (processesMentioning(`// ${scratch}`).length === 0 && Date.now() < deadline) await new Promise((done) => setTimeout(done, 50));
    expect(processesMentioning(`// ${scratch}`)).toHaveLength(1);

    // Act
    abort.abort();
    const outcome = await running;

    // Assert
    expect(outcome).toEqual({ interrupted: true });
    await new Promise((done) => setTimeout(done, 200));
    expect(processesMentioning(scratch)).toEqual([]);
    expect(existsSync(join(scratch, 'base'))).toBe(true);
  }, 30_000);
});
