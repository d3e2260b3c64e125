import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { processesMentioning } from './support/processes.js';

const until = async (what: () => boolean, ms: number) => {
  for (const end = Date.now() + ms; Date.now() < end && !what();) await new Promise((r) => setTimeout(r, 50));
  return what();
};

describe('the orchestrator SIGKILLed while a child is SIGSTOPped (real processes)', () => {
  it('leaves no process of the run behind within a few seconds, the stopped one included', async () => {
    // Arrange: writer-0 is paused for a minute after its first attempt.
    const out = mkdtempSync(join(tmpdir(), 'parquet-chaos-orphan-'));
    const cli = execa(process.execPath, ['--import', 'tsx', resolve(import.meta.dirname, '../harness/cli/main.ts'), 'run',
      '--strategy', 'realtime', '--scenario', 'main-file-contention', '--workers', '2', '--records', '50', '--think-ms', '20', '--out', out,
      '--faults', 'pause:target=writer-0,afterAttempts=1,duration=60000',
    ], { reject: false });
    const faultLog = () => {
      const [runId] = existsSync(out) ? readdirSync(out) : [];
      const path = runId && join(out, runId, 'realtime', 'main-file-contention', 'faults.jsonl');
      return path && existsSync(path) ? readFileSync(path, 'utf8') : '';
    };
    expect(await until(() => faultLog().includes('SIGSTOP'), 60_000), faultLog()).toBe(true);

    // Act
    cli.kill('SIGKILL');
    await cli;

    // Assert
    expect(await until(() => processesMentioning(out).length === 0, 5000), processesMentioning(out).join('\n')).toBe(true);
  });
});
