// Slow clients: eviction in a nearly full connection table must
// not be steered onto a legitimate client whose request is still on its way
// (a TLS handshake, a slow link) by connections that announce a body and send
// nothing.  Every wait is bounded.
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, describe, test } from 'node:test';

import { sleep, startTessera, withLogs } from '../lib/server.mjs';

describe('slow clients: eviction when the connection table is nearly full', () => {
  const TABLE = 64;
  let server;
  const sockets = new Set();

  before(async () => {
    server = await startTessera({
      env: {
        TESSERA_THREADS: '2',
        TESSERA_MAX_CONNECTIONS: String(TABLE),
        TESSERA_MAX_CONNECTIONS_PER_IP: '0',
        TESSERA_HEADER_TIMEOUT: '20',
        TESSERA_BODY_MIN_RATE: '1024',
      },
    });
  });

  after(async () => {
    for (const s of sockets) s.destroy();
    if (server) assert.equal(await server.stop(), 0, 'tessera should exit 0 on SIGTERM');
  });

  // A connected socket that collects what it receives; bounded by a 30 s timeout.
  const open = (port, first) =>
    new Promise((resolve, reject) => {
      const sock = net.connect({ host: '127.0.0.1', port });
      sockets.add(sock);
      const s = { sock, data: '', closed: false };
      sock.setEncoding('latin1');
      sock.setTimeout(30_000, () => sock.destroy());
      sock.on('data', (d) => {
        s.data += d;
      });
      sock.on('error', () => {});
      sock.on('close', () => {
        s.closed = true;
        sockets.delete(sock);
      });
      sock.on('connect', () => {
        if (first) sock.write(first);
        resolve(s);
      });
      sock.once('error', reject);
    });

  const until = async (fn, ms) => {
    for (let waited = 0; waited < ms && !fn(); waited += 25) await sleep(25);
  };

  test('silent bodies filling the table, then one more connection: the legitimate client one round trip behind is kept and answered 200, a silent body is evicted', async () => {
    await withLogs(() => server, async () => {
      // reserve = 64/16 + 2 threads = 6, so eviction starts above 58 open connections.
      // The attacker holds them with request headers that announce a body it never sends
      // (within the header deadline such a body is not late, so the sweep leaves it).
      const held = TABLE - (TABLE / 16 + 2);
      const hold =
        'POST /dbconnections/signup HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n' +
        'Content-Length: 8000\r\n\r\n';
      for (let i = 0; i < held; i++) await open(server.port, hold);
      await sleep(300);
      // A legitimate client connects; its request is one round trip behind (a TLS
      // handshake, a slow link).
      const legit = await open(server.port);
      await sleep(100);
      // One more attacker connection forces an eviction: the silent bodies are further
      // behind their own progress than the legitimate client, so one of them goes.
      await open(server.port, hold);
      await sleep(100);
      if (!legit.closed) legit.sock.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n');
      await until(() => legit.closed || legit.data.includes('\r\n\r\n'), 5000);
      assert.match(
        legit.data,
        /^HTTP\/1\.1 200/,
        `the legitimate client was cut: ${JSON.stringify(legit.data.slice(0, 120))} (closed: ${legit.closed})`,
      );
    })();
  });

  test('bodies that sent far ahead of the minimum rate, then one more connection: the legitimate client in its first second is kept and answered 200', async () => {
    await withLogs(() => server, async () => {
      for (const s of sockets) s.destroy();
      await sleep(500);
      // Against a rule that only ranks by progress, an attacker banks credit: each body sends
      // 20,000 of its 100,000 bytes at once (about 20 s ahead of 1024 bytes/s) and then
      // nothing, so it looks less behind than any client still on its way.  Once they are
      // older than the grace period, they go before a connection still within it.
      const held = TABLE - (TABLE / 16 + 2);
      const hold =
        'POST /dbconnections/signup HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n' +
        `Content-Length: 100000\r\n\r\n{"email":"${'a'.repeat(20_000 - 10)}`;
      const attackers = [];
      for (let i = 0; i < held; i++) attackers.push(await open(server.port, hold));
      await sleep(1500);
      const legit = await open(server.port);
      await open(server.port, hold);
      await sleep(100);
      if (!legit.closed) legit.sock.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n');
      await until(() => legit.closed || legit.data.includes('\r\n\r\n'), 5000);
      assert.match(
        legit.data,
        /^HTTP\/1\.1 200/,
        `the legitimate client was cut: ${JSON.stringify(legit.data.slice(0, 120))} (closed: ${legit.closed})`,
      );
      assert.ok(
        attackers.some((a) => a.closed),
        'one of the attacker bodies older than the grace period should have been evicted',
      );
    })();
  });
});
