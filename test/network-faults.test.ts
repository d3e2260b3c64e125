import { connect, createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { parseFaultList } from '../harness/sdk/faults.js';
import { FaultProxy } from '../harness/orchestrate/services/fault-proxy.js';

describe('service and network fault specs', () => {
  it('parse kill/pause of redis, latency, drop and partition with their fields', () => {
    // Arrange / Act
    const faults = parseFaultList('kill:target=redis,at=100,down=250;pause:target=redis,afterAcks=3,of=writer-1,duration=80;latency:target=writers,at=0,delay=20;drop:target=consumer,afterAcks=2;partition:target=writer-0,at=5,duration=900');

    // Assert
    expect(faults).toEqual([
      { kind: 'kill', target: 'redis', at: 100, down: 250 },
      { kind: 'pause', target: 'redis', afterAcks: 3, of: 'writer-1', duration: 80 },
      { kind: 'latency', target: 'writers', at: 0, delay: 20, duration: 86_400_000 },
      { kind: 'drop', target: 'consumer', afterAcks: 2 },
      { kind: 'partition', target: 'writer-0', at: 5, duration: 900 },
    ]);
  });

  it('reject what cannot be carried out, naming the field and what was expected', () => {
    expect(() => parseFaultList('kill:target=writer-0,at=1,down=5')).toThrow(/kill:down: got '5', expected no value unless target=redis/);
    expect(() => parseFaultList('partition:target=redis,at=1,duration=5')).toThrow(/partition:target: got 'redis', expected one of: writer, writers, writer-N, merger, consumer$/);
    expect(() => parseFaultList('drop:target=consumer,at=1,of=writer-0')).toThrow(/drop:of: got 'writer-0', expected writer-N, with afterAcks or afterAttempts/);
    expect(() => parseFaultList('partition:target=writer-0,at=1')).toThrow(/partition: got '', expected duration=/);
  });
});

/** An echo server on loopback, and a client through a proxy in front of it. */
async function echoThroughProxy(): Promise<{ proxy: FaultProxy; client: Socket; received: () => string; server: Server }> {
  const server = createServer((socket) => socket.pipe(socket));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const proxy = await FaultProxy.start('127.0.0.1', (server.address() as { port: number }).port);
  const client = connect({ host: '127.0.0.1', port: proxy.port });
  let text = '';
  client.on('data', (d) => { text += d.toString(); });
  client.on('error', () => {});
  await new Promise((resolve) => client.once('connect', resolve));
  return { proxy, client, server, received: () => text };
}

const until = async (check: () => boolean, ms = 3000) => {
  const end = Date.now() + ms;
  while (!check() && Date.now() < end) await new Promise((r) => setTimeout(r, 5));
  return check();
};

describe('the fault proxy', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0)) await c();
  });

  it('passes bytes through, holds them during a partition and delivers them in order when it heals', async () => {
    // Arrange
    const { proxy, client, server, received } = await echoThroughProxy();
    cleanups.push(async () => { client.destroy(); await proxy.close(); server.close(); });

    // Act / Assert
    client.write('a');
    expect(await until(() => received() === 'a')).toBe(true);
    proxy.setPartitioned(true);
    client.write('b');
    client.write('c');
    await new Promise((r) => setTimeout(r, 150));
    expect(received()).toBe('a');
    proxy.setPartitioned(false);
    expect(await until(() => received() === 'abc')).toBe(true);
  });

  it('delays every chunk by the latency and resets connections on a drop', async () => {
    // Arrange
    const { proxy, client, server, received } = await echoThroughProxy();
    cleanups.push(async () => { client.destroy(); await proxy.close(); server.close(); });
    proxy.delayMs = 120;

    // Act
    const sent = Date.now();
    client.write('x');
    await until(() => received() === 'x');
    const roundTrip = Date.now() - sent;
    const closed = new Promise((resolve) => client.once('close', resolve));
    proxy.dropConnections();

    // Assert: held once each way.
    expect(roundTrip).toBeGreaterThanOrEqual(230);
    await closed;
    expect(proxy.dropped).toBe(1);
  });
});
