// Review of issue 9 ("close what a hostile user finds"): attacks that still
// work.  Each test is written as the attacker would try it and fails until the
// server is fixed.  Limits are small and their windows an hour long, so no test
// straddles a window however slow the machine; every loop is bounded.
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, describe, test } from 'node:test';

import { sleep, startTessera, withLogs } from '../lib/server.mjs';
import { Mgmt, uid } from '../lib/mgmt.mjs';
import { CookieJar } from '../lib/cookies.mjs';
import { alertTexts } from '../lib/html.mjs';
import { DB_CONNECTION, codeRequest, openLogin, submitLogin, testEmail } from '../lib/authflow.mjs';
import { basicAuth, form, json } from '../lib/http.mjs';
import { outbox } from '../lib/mail.mjs';

const REALM = 'http://auth0.com/oauth/grant-type/password-realm';
const CB = 'http://127.0.0.1:9/review-callback';
const HOUR = 3600;
const LIMIT = 3;


describe('review of issue 9: eviction when the connection table is nearly full', () => {
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

  test('a fresh client whose request is on its way is not evicted in favour of bodies that send nothing', async () => {
    await withLogs(() => server, async () => {
      // reserve = 64/16 + 2 threads = 6, so eviction starts above 58 open connections.
      // The attacker holds them with request headers that announce a body it never sends:
      // within the header deadline, a body with no bytes is not late, and bodies are
      // evicted only when no connection waits for its header.
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
      // One more attacker connection: it evicts the connection that has "waited longest
      // for its request", the legitimate one, not any of the silent bodies.
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
});
