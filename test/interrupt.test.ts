import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { processesMentioning } from './support/processes.js';

describe('Ctrl-C during a run (real processes)', () => {
  it('kills every child, keeps what was measured, exits 130 and leaves no process behind', async () => {
    // Arrange: a quick first cell, then a cell whose writers hang until interrupted.
    const out = mkdtempSync(join(tmpdir(), 'parquet-chaos-int-'));
    const cli = execa(process.execPath, ['--import', 'tsx', resolve(import.meta.dirname, '../harness/cli/main.ts'), 'run',
      '--strategy', `realtime,${resolve(import.meta.dirname, 'fixtures/hanging.ts')}`, '--scenario', 'main-file-contention', '--workers', '3', '--records', '5', '--out', out,
    ], { reject: false });

    // Act: interrupt once the second cell's writers are running.
    await new Promise<void>((done) => {
      cli.stderr!.on('data', (chunk: Buffer) => {
        if (chunk.toString().includes('[2/2]')) setTimeout(done, 1000);
      });
    });
    cli.kill('SIGINT');
    const result = await cli;

    // Assert
    expect(result.exitCode).toBe(130);
    const [runId] = readdirSync(out);
    const saved = JSON.parse(readFileSync(join(out, runId!, 'result.json'), 'utf8'));
    expect(saved.interrupted).toBe(true);
    expect(saved.cells).toHaveLength(1);
    expect(saved.cells[0].verdict).toMatchObject({ acked: 15, valid: true });
    expect(processesMentioning(out)).toEqual([]);
  });
});
