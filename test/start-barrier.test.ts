import { EventEmitter } from 'node:events';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { READY_LINE, StartBarrier } from '../harness/orchestrate/start-barrier.js';

/** A stand-in for a writer process: its stdout says what the test makes it say; its stdin keeps what it is told. */
function fakeWriter() {
  const stdout = new EventEmitter() as EventEmitter & NodeJS.ReadableStream;
  const stdin = new PassThrough();
  let told = '';
  stdin.on('data', (chunk: Buffer) => { told += chunk.toString(); });
  let exit!: () => void;
  const exited = new Promise<void>((resolve) => { exit = resolve; });
  const child = { stdout, stdin, exitCode: null as number | null, finally: (fn: () => void) => exited.then(fn) };
  return {
    child,
    say: (text: string) => stdout.emit('data', Buffer.from(text)),
    die: () => { child.exitCode = 137; exit(); },
    told: () => told,
  };
}

describe('the start barrier', () => {
  it('says go to every writer only once all are ready, even when the ready line comes in pieces', async () => {
    // Arrange
    const [a, b] = [fakeWriter(), fakeWriter()];
    const barrier = new StartBarrier();
    barrier.add(a.child);
    barrier.add(b.child);
    let released = false;
    const release = barrier.release(60_000).then(() => { released = true; });

    // Act
    a.say(READY_LINE);
    await new Promise((r) => setTimeout(r, 20));
    const releasedEarly = released;
    b.say('rea');
    const before = Date.now();
    b.say('dy\n');
    await release;
    const after = Date.now();

    // Assert: `go` is on the wall clock the writers' ledger times are on (Date.now(): their clock port's origin).
    expect(releasedEarly).toBe(false);
    expect([a.told(), b.told()]).toEqual(['go\n', 'go\n']);
    expect(barrier.goAt).toBeGreaterThanOrEqual(before);
    expect(barrier.goAt).toBeLessThanOrEqual(after);
  });

  it('does not wait for a writer that died before saying ready, nor tell it go', async () => {
    const [a, dead] = [fakeWriter(), fakeWriter()];
    const barrier = new StartBarrier();
    barrier.add(a.child);
    barrier.add(dead.child);

    a.say(READY_LINE);
    dead.die();
    await barrier.release(60_000);

    expect([a.told(), dead.told()]).toEqual(['go\n', '']);
  });

  it('releases the ready writers after the timeout when one never says ready', async () => {
    const [a, silent] = [fakeWriter(), fakeWriter()];
    const barrier = new StartBarrier();
    barrier.add(a.child);
    barrier.add(silent.child);

    a.say(READY_LINE);
    await barrier.release(30);

    // The silent one hears go too, whenever it gets to reading it.
    expect([a.told(), silent.told()]).toEqual(['go\n', 'go\n']);
  });
});
