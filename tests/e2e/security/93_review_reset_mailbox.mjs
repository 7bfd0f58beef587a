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


describe('review of issue 9: reset mail to one person from many addresses', () => {
  const PER_IP = 2;
  let server;
  let mgmt;
  let app;

  before(async () => {
    server = await startTessera({
      env: {
        TESSERA_TRUST_PROXY: 'true',
        TESSERA_RATE_LIMIT_RESET_PER_IP: `${PER_IP}/${HOUR}`,
        TESSERA_RATE_LIMIT_RESET_PER_TENANT: `600/${HOUR}`, // the default
      },
    });
    mgmt = await Mgmt.forBootstrap(server);
    app = await mgmt.createWebApp(CB);
  });

  after(async () => {
    if (server) assert.equal(await server.stop(), 0, 'tessera should exit 0 on SIGTERM');
  });

  test('an anonymous caller with a handful of IPv6 /64s cannot fill one person\'s mailbox with reset links', async () => {
    await withLogs(() => server, async () => {
      const victim = await mgmt.createUser({ email: testEmail('bomb') });
      // One home IPv6 allocation (/56) holds 256 /64s, each a fresh per-address budget.
      const PREFIXES = 4;
      for (let p = 1; p <= PREFIXES; p++) {
        for (let i = 0; i < PER_IP; i++) {
          const res = await json(`${server.url}dbconnections/change_password`, 'POST', { client_id: app.client_id, connection: DB_CONNECTION, email: victim.email }, undefined, { 'x-forwarded-for': `2001:db8:0:${p}::${i + 1}` });
          assert.equal(res.status, 200, `reset from /64 #${p}: ${res.status} ${res.text}`);
        }
      }
      let mails = 0;
      for (let waited = 0; waited < 3000; waited += 100) {
        mails = outbox(server.dataDir).filter((m) => m.raw.toLowerCase().includes(victim.email.toLowerCase())).length;
        if (mails >= PREFIXES * PER_IP) break;
        await sleep(100);
      }
      // Only the tenant's 600 an hour bounds it: nothing limits the mail one person gets.
      assert.ok(mails <= PER_IP, `${mails} reset mails reached one person within the hour from ${PREFIXES} /64s; expected a per-recipient bound (<= ${PER_IP})`);
    })();
  });
});
