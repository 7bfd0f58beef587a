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


describe('review of issue 9: password-reset mail on the request path', () => {
  let server;
  let mgmt;
  let app;
  let relay;
  // A minimal SMTP relay that says nothing until the test opens the gate (a slow relay).
  const relayState = { gateOpen: false, waiting: [], messages: [], sockets: new Set() };

  const speak = (sock) => {
    let buf = '';
    let inData = false;
    let data = '';
    sock.write('220 relay.test ESMTP\r\n');
    sock.on('data', (d) => {
      buf += d;
      for (let nl = buf.indexOf('\n'); nl >= 0; nl = buf.indexOf('\n')) {
        const line = buf.slice(0, nl + 1);
        buf = buf.slice(nl + 1);
        if (inData) {
          if (line === '.\r\n' || line === '.\n') {
            inData = false;
            relayState.messages.push(data);
            sock.write('250 OK\r\n');
          } else {
            data += line;
          }
          continue;
        }
        const verb = line.slice(0, 4).toUpperCase();
        if (verb === 'EHLO' || verb === 'HELO') sock.write('250 relay.test\r\n');
        else if (verb === 'DATA') {
          inData = true;
          data = '';
          sock.write('354 go ahead\r\n');
        } else if (verb === 'QUIT') sock.end('221 bye\r\n');
        else sock.write('250 OK\r\n');
      }
    });
  };

  before(async () => {
    relay = net.createServer((sock) => {
      relayState.sockets.add(sock);
      sock.setEncoding('latin1');
      sock.on('error', () => {});
      sock.on('close', () => relayState.sockets.delete(sock));
      if (relayState.gateOpen) speak(sock);
      else relayState.waiting.push(sock);
    });
    await new Promise((resolve) => relay.listen(0, '127.0.0.1', resolve));
    server = await startTessera({ env: { TESSERA_SMTP_URL: `smtp://127.0.0.1:${relay.address().port}` } });
    relayState.gateOpen = true; // bootstrap and user creation are not under test
    mgmt = await Mgmt.forBootstrap(server);
    app = await mgmt.createWebApp(CB);
  });

  after(async () => {
    for (const s of relayState.sockets) s.destroy();
    relay?.close();
    if (server) assert.equal(await server.stop(), 0, 'tessera should exit 0 on SIGTERM');
  });

  test('an existing account\'s reset is answered without waiting for the mail relay (else its answer time tells that it exists)', async () => {
    await withLogs(() => server, async () => {
      const victim = await mgmt.createUser({ email: testEmail('smtp') });
      relayState.gateOpen = false;
      const res = await json(`${server.url}dbconnections/change_password`, 'POST', { client_id: app.client_id, connection: DB_CONNECTION, email: victim.email });
      assert.equal(res.status, 200, res.text);
      // Only now does the relay answer.  Mail sent after the answer (queued) still arrives;
      // mail sent on the request path (tsr_ticket_send_reset -> tsr_mail_send -> curl with a
      // 10 s timeout) was given up before the answer, so the answer waited for the relay:
      // an account's reset is slower than a name's without one by the relay's latency.
      relayState.gateOpen = true;
      for (const sock of relayState.waiting.splice(0)) if (!sock.destroyed) speak(sock);
      const to = victim.email.toLowerCase();
      for (let waited = 0; waited < 5000 && !relayState.messages.some((m) => m.toLowerCase().includes(to)); waited += 100) await sleep(100);
      assert.ok(relayState.messages.some((m) => m.toLowerCase().includes(to)), 'the reset mail never reached the relay: the request waited for it and gave up before answering');
    })();
  });
});
