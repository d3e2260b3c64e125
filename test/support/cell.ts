import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect } from 'vitest';
import { defaultRunConfig } from '../../harness/orchestrate/run-config.js';
import type { RunConfig, RunResult } from '../../harness/result/result.js';
import { runMatrix } from '../../harness/orchestrate/run.js';
import { processesMentioning } from './processes.js';

const outDirs: string[] = [];

// Every test file that runs cells checks, at its end, that none of their processes outlived the run.
afterAll(() => {
  for (const dir of outDirs.splice(0)) {
    expect(processesMentioning(dir)).toEqual([]);
    rmSync(dir, { recursive: true, force: true });
  }
});

/** Runs a small matrix in a fresh temp folder, as the CLI would, and returns its result. */
export async function runSmall(overrides: Partial<RunConfig>): Promise<RunResult> {
  const outDir = mkdtempSync(join(tmpdir(), 'parquet-chaos-test-'));
  outDirs.push(outDir);
  return runMatrix({
    ...defaultRunConfig(),
    workers: 4,
    recordsPerWorker: 10,
    payloadBytes: 64,
    cellTimeoutMs: 60_000,
    ...overrides,
    outDir,
    command: 'test',
  });
}
