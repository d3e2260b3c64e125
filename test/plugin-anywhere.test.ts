import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import type { RunResult } from '../harness/result/result.js';
import { processesMentioning } from './support/processes.js';

const root = resolve(import.meta.dirname, '..');

// A plugin in a folder of its own outside the project, with no node_modules anywhere above it: only the
// harness can make `import … from 'parquet-chaos'` work there. It checks every record's checksum with
// the exported function, and saves each record as its own file (rename makes a retried id idempotent).
const PLUGIN = `
import { join } from 'node:path';
import { ChaosError, defineStrategy, recordChecksum } from 'parquet-chaos';

export default defineStrategy({
  name: 'outside',
  summary: 'one file per record, from a folder outside the project',
  options: {},
  guarantees: () => ({ noLostAcked: true, noDuplicates: true, noCorruption: true }),
  writer: (ctx) => ({
    async write(record) {
      if (recordChecksum(record) !== record.checksum) throw new ChaosError('E_PLUGIN', 'checksum mismatch');
      const path = join(ctx.dataDir, record.id + '.parquet');
      await ctx.io.writeFile(path + '.tmp', await ctx.codec.encode([record]), { fsync: true });
      await ctx.io.rename(path + '.tmp', path);
      await ctx.io.fsyncDir(ctx.dataDir);
      return [record.id];
    },
  }),
});
`;

const folder = mkdtempSync(join(tmpdir(), 'parquet-chaos-plugin-'));
writeFileSync(join(folder, 'plugin.mjs'), PLUGIN);

afterAll(() => {
  expect(processesMentioning(folder)).toEqual([]);
  rmSync(folder, { recursive: true, force: true });
});

const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

/** Runs one small cell of the plugin with the CLI, started in the plugin's folder, and reads its result. */
async function runFrom(name: string, cli: string[]): Promise<RunResult> {
  const json = join(folder, `${name}.json`);
  const run = await execa(process.execPath, [...cli, 'run', '--strategy', './plugin.mjs', '--scenario', 'main-file-contention',
    '--workers', '2', '--records', '3', '--faults', 'none', '--out', join(folder, `runs-${name}`), '--json', json, '--format', 'json'],
  { cwd: folder, reject: false });
  expect(run.exitCode, run.stderr).toBe(0);
  return JSON.parse(readFileSync(json, 'utf8')) as RunResult;
}

describe('a plugin outside the project (real processes)', () => {
  it.each([
    ['source', ['--import', tsx, join(root, 'harness/cli/main.ts')]],
    ['dist', [join(root, 'bin/parquet-chaos.js')]],
  ])('imports parquet-chaos in the parent and every writer, run from %s', async (name, cli) => {
    // Arrange: the compiled copy is what `npm ci` builds (the `prepare` script).
    if (name === 'dist') expect(existsSync(join(root, 'dist/harness/index.js')), 'dist/ is built: run npm run build').toBe(true);

    // Act
    const result = await runFrom(name, cli);

    // Assert: no load error anywhere, and every record of both writers acked and found.
    const cell = result.cells[0]!;
    expect(cell.errors).toEqual([]);
    expect(cell.verdict).toMatchObject({ attempted: 6, acked: 6, present: 6, lost: 0, valid: true });
  });
});
