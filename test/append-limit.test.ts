import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { APPEND_LIMIT_METHODS, measureAppendLimit } from '../harness/measure/append-limit.js';

const dir = mkdtempSync(join(tmpdir(), 'parquet-chaos-limit-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the same-run append limit (real processes)', () => {
  it('measures every method, takes the highest as the limit, and leaves no file behind', async () => {
    const limit = await measureAppendLimit(dir, 2, 150);
    expect(limit.methods!.map((m) => m.method)).toEqual([...APPEND_LIMIT_METHODS]);
    for (const m of limit.methods!) expect(m.ops, m.method).toBeGreaterThan(0);
    const best = Math.max(...limit.methods!.map((m) => m.opsPerSec));
    expect(limit.opsPerSec).toBe(best);
    expect(limit.methods!.find((m) => m.method === limit.method)!.opsPerSec).toBe(best);
    expect(readdirSync(dir)).toEqual([]);
  }, 30_000);
});
