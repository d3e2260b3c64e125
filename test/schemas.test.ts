import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseLedger } from '../harness/oracle/ledger.js';
import { RoleConfigSchema } from '../harness/orchestrate/roles/config.js';
import { readConfigFile } from '../harness/orchestrate/run-config.js';
import { readSnapshots } from '../harness/measure/metrics.js';
import { parseWith } from '../harness/sdk/schema.js';

const tempDir = () => mkdtempSync(join(tmpdir(), 'parquet-chaos-schemas-'));

describe('schemas at the boundaries name the bad field', () => {
  it('a role configuration', () => {
    const config = { role: 'writer', index: 0, cellDir: '/c', strategy: 'realtime', codec: 'hyparquet', seed: 1, recordsPerWorker: 3,
      payloadBytes: 8, thinkMs: 0, lockStaleMs: 5000, lockTimeoutMs: 1000, metricsEveryMs: 100, restart: 'retry', name: 'writer-0',
      incarnation: 0, ioFaults: [{ id: 0, kind: 'crash-point', target: 'writer-0', point: 'x', nth: 1 }], services: {}, startedAt: 0 };
    expect(parseWith(RoleConfigSchema, config, 'role configuration', 'E_USAGE').ioFaults).toHaveLength(1);
    expect(() => parseWith(RoleConfigSchema, { ...config, restart: 'sometimes' }, 'role configuration', 'E_USAGE'))
      .toThrow(`role configuration: restart: got 'sometimes', expected ("retry" | "skip" | "none")`);
    expect(() => parseWith(RoleConfigSchema, { ...config, ioFaults: [{ id: 0, kind: 'meteor', target: 'writer-0' }] }, 'role configuration', 'E_USAGE'))
      .toThrow("role configuration: ioFaults[0].kind: got 'meteor'");
  });

  it('a config file value', () => {
    const path = join(tempDir(), 'config.json');
    writeFileSync(path, JSON.stringify({ workers: 8, strategy: ['realtime', 'queue'], seed: { n: 1 } }));
    expect(() => readConfigFile(path)).toThrow(`--config ${path}: seed: got 'an object', expected (string | number | boolean | Array)`);
    writeFileSync(path, JSON.stringify({ workers: 8, strategy: ['realtime', 'queue'] }));
    expect(readConfigFile(path)).toEqual({ workers: '8', strategy: 'realtime,queue' });
  });

  it('a metrics snapshot', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'writer-0-1.json'), JSON.stringify({ role: 'writer', index: 0, pid: 1, final: true, startedAt: 0, at: 1, io: {}, lock: {}, proc: {} }));
    expect(() => readSnapshots(dir)).toThrow(`metrics snapshot ${join(dir, 'writer-0-1.json')}: lock.acquisitions: got 'nothing', expected the field to be present (it is required)`);
  });

  it('a ledger line of the wrong shape counts as bad; a torn last line as torn', () => {
    const text = ['{"op":"start","pid":1,"t":0}', '{"op":"attempt","t":1}', '{"op":"attempt","id":"w0-0","t":1}', '{"op":"ack","id":"w0-0"'].join('\n');
    const { segments, badLines, tornLines } = parseLedger(text);
    expect([badLines, tornLines]).toEqual([1, 1]);
    expect(segments[0]!.attempted).toEqual(['w0-0']);
  });
});
