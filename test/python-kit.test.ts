import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { afterEach, describe, expect, it } from 'vitest';
import { initMessage, ProtocolPeer, pythonMissing } from './support/python.js';

/**
 * The Python kit (strategies/python/parquet_chaos_kit.py) against a stand-in for the harness's side of
 * writer protocol 1: each answer it must give, byte for byte, without the TypeScript adapter.
 */
const missing = pythonMissing();

const FIXTURES = resolve(import.meta.dirname, 'fixtures/python');
const peers: ProtocolPeer[] = [];
const dirs: string[] = [];

function cell(): string {
  const dir = mkdtempSync(join(tmpdir(), 'parquet-chaos-kit-'));
  mkdirSync(join(dir, 'data'));
  mkdirSync(join(dir, 'state'));
  dirs.push(dir);
  return dir;
}

function start(fixture: string): ProtocolPeer {
  const peer = new ProtocolPeer(join(FIXTURES, fixture));
  peers.push(peer);
  return peer;
}

const record = (seq: number, score = 0.5) => ({
  id: `w0-${seq}`, worker: 0, seq, model: 'm', test_name: 't_001', score, latency_ms: 12, ok: true, payload: 'abc', created_at: 1765120000000000 + seq, checksum: 'c',
});

afterEach(() => {
  for (const peer of peers.splice(0)) peer.kill();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(missing)('the Python kit speaks writer protocol 1', () => {
  it('answers ok, fail, info and batch acks as save returns or raises, keeps prints off the protocol, and closes', async () => {
    // Arrange
    const peer = start('kit_writer.py');
    peer.send(initMessage('writer', cell()));
    expect(await peer.next()).toEqual({ type: 'init_ok', protocol: 1, points: ['between'] });

    // Act: one write at a time, as the harness sends them
    const answers = [];
    for (const seq of [0, 1, 2, 3, 4]) {
      peer.send({ type: 'write', id: `w0-${seq}`, record: record(seq) });
      answers.push(...(await peer.until('ok', 'fail', 'info')));
    }
    peer.send({ type: 'write', id: 'w0-5', record: record(5, 1) });
    answers.push(...(await peer.until('ok', 'fail', 'info')));
    peer.send({ type: 'close' });
    answers.push(...(await peer.until('close_ok')));

    // Assert
    expect(answers).toEqual([
      { type: 'ok', id: 'w0-0' },
      { type: 'fail', id: 'w0-1', error: 'DefinitelyNotSaved: a conflict known not to have been applied' },
      { type: 'info', id: 'w0-2', error: 'ValueError: failed half-way' },
      { type: 'count', name: 'prints', n: 1 },
      { type: 'ok', id: 'w0-3' },
      { type: 'point', name: 'between' },
      { type: 'ok', id: 'w0-4', acks: [] },
      { type: 'ok', id: 'w0-5' },
      { type: 'close_ok', acks: ['w0-4'] },
    ]);
    expect(await peer.exited).toBe(0);
    expect(await peer.next()).toBeUndefined();
    expect(peer.stderr.join('')).toContain('a stray print');
    expect(peer.stderr.join('')).toContain('ValueError: failed half-way');
  });

  it('refuses a role the program does not serve, and a protocol version it does not speak, with exit 2', async () => {
    const wrongRole = start('kit_writer.py');
    wrongRole.send(initMessage('merger', cell()));
    expect(await wrongRole.exited).toBe(2);
    expect(await wrongRole.next()).toBeUndefined();
    expect(wrongRole.stderr.join('')).toContain("runs the writer role, but the harness started it as 'merger'");

    const wrongVersion = start('kit_writer.py');
    wrongVersion.send({ ...initMessage('writer', cell()), protocol: 2 });
    expect(await wrongVersion.exited).toBe(2);
    expect(wrongVersion.stderr.join('')).toContain('protocol 2 offered; this kit speaks 1');
  });

  it('answers fail when a FileLock times out, and reports the wait', async () => {
    // Arrange: another process holds the writer's lock file
    const dir = cell();
    const holder = spawn('python3', ['-c', `import fcntl, os, sys
fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT)
fcntl.flock(fd, fcntl.LOCK_EX)
print("held", flush=True)
sys.stdin.read()`, join(dir, 'state', 'main.lock')]);
    try {
      await new Promise<void>((ready) => createInterface({ input: holder.stdout }).once('line', () => ready()));
      const peer = start('kit_lock.py');
      peer.send(initMessage('writer', dir));
      await peer.until('init_ok');

      // Act
      peer.send({ type: 'write', id: 'w0-0', record: record(0) });
      const [lock, answer] = await peer.until('ok', 'fail', 'info');

      // Assert
      expect(lock).toMatchObject({ type: 'lock', name: 'main', outcome: 'timeout' });
      expect(lock!.wait_ms).toBeGreaterThanOrEqual(50);
      expect(answer).toEqual({ type: 'fail', id: 'w0-0', error: expect.stringMatching(/^LockTimeout: lock .*main\.lock not acquired within 0\.05 s$/) });
    } finally {
      holder.kill('SIGKILL');
    }
  });

  it('runs a background role step by step, waits at its points, and exits 0 on stop even while at a point', async () => {
    // Arrange
    const peer = start('kit_background.py');
    peer.send(initMessage('merger', cell()));
    expect(await peer.next()).toEqual({ type: 'init_ok', protocol: 1, points: ['merge:step'] });

    // Act: two steps, then a stop that arrives while it waits at its third point
    for (let step = 0; step < 2; step++) {
      expect(await peer.next()).toEqual({ type: 'point', name: 'merge:step' });
      peer.send({ type: 'continue' });
      expect(await peer.next()).toEqual({ type: 'count', name: 'steps', n: 1 });
    }
    expect(await peer.next()).toEqual({ type: 'point', name: 'merge:step' });
    peer.send({ type: 'stop' });
    peer.send({ type: 'continue' });

    // Assert: the step it was in finishes, then it ends
    expect(await peer.next()).toEqual({ type: 'count', name: 'steps', n: 1 });
    expect(await peer.exited).toBe(0);
    expect(await peer.next()).toBeUndefined();
  });

  it('publishes atomically: a block that raises leaves the old file and no temp; finalize removes dead temps and sends done', async () => {
    // Arrange
    const dir = cell();
    const peer = start('kit_atomic.py');

    // Act
    peer.send(initMessage('finalize', dir));
    const messages = await peer.until('done');

    // Assert
    expect(messages.map((m) => m.type)).toEqual(['init_ok', 'done']);
    expect(await peer.exited).toBe(0);
    expect(readdirSync(join(dir, 'data'))).toEqual(['out.bin']);
    expect(readFileSync(join(dir, 'data', 'out.bin'), 'utf8')).toBe('first');
    expect(peer.stderr.join('')).toContain('removed 1');
  });
});
