// One person's mailbox: the mails a stranger can have Tessera send to
// someone else's address (reset links, lockout notices) are bounded per
// recipient account, however many addresses ask; the answers stay the same
// and an event tells the operator.  Limits are small and their windows an
// hour long, so no test straddles a window however slow the machine; every
// loop is bounded.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { sleep, startTessera, withLogs } from '../lib/server.mjs';
import { Mgmt } from '../lib/mgmt.mjs';
import { DB_CONNECTION, testEmail } from '../lib/authflow.mjs';
import { form, json } from '../lib/http.mjs';
import { outbox } from '../lib/mail.mjs';
import { CookieJar } from '../lib/cookies.mjs';
import { findForm, hiddenFields } from '../lib/html.mjs';
import { queryRows, sqlText } from '../lib/db.mjs';

const REALM = 'http://auth0.com/oauth/grant-type/password-realm';
const CB = 'http://127.0.0.1:9/mailbox-callback';
const HOUR = 3600;

describe('one person\'s mailbox: mails a stranger can cause are bounded per recipient', () => {
  const PER_IP = 2;
  const PER_ACCOUNT = 2;
  let server;
  let mgmt;
  let app;

  before(async () => {
    server = await startTessera({
      env: {
        TESSERA_TRUST_PROXY: 'true',
        TESSERA_RATE_LIMIT_RESET_PER_IP: `${PER_IP}/${HOUR}`,
        TESSERA_RATE_LIMIT_RESET_PER_TENANT: `600/${HOUR}`, // the default
        TESSERA_RATE_LIMIT_RESET_PER_ACCOUNT: `${PER_ACCOUNT}/${HOUR}`,
        // Every wrong password from a new address locks it out of the name at once.
        TESSERA_LOCKOUT_ATTEMPTS: '1',
        TESSERA_ACCOUNT_THROTTLE_FAILURES: '0',
      },
    });
    mgmt = await Mgmt.forBootstrap(server);
    app = await mgmt.createWebApp(CB, { grant_types: ['authorization_code', 'refresh_token', REALM] });
  });

  after(async () => {
    if (server) assert.equal(await server.stop(), 0, 'tessera should exit 0 on SIGTERM');
  });

  const mailsTo = (email, subject) => outbox(server.dataDir)
    .filter((m) => m.raw.toLowerCase().includes(email.toLowerCase()) && m.raw.includes(subject)).length;

  // Waits (bounded) until the mail worker has delivered or dropped everything queued.
  async function drained() {
    // A server without a mail queue sent its mail while answering.
    if (queryRows(server.dbPath, "SELECT name FROM sqlite_master WHERE name = 'mail_queue';").length === 0) return;
    for (let waited = 0; waited < 5000; waited += 100) {
      if (Number(queryRows(server.dbPath, 'SELECT count(*) FROM mail_queue;')[0]?.[0]) === 0) return;
      await sleep(100);
    }
    assert.fail('the mail queue did not drain within 5 s');
  }

  // Waits (bounded) until the mail worker has handled n reset requests of the user.
  async function resetEvents(userId, n) {
    let rows = [];
    for (let waited = 0; waited < 5000; waited += 100) {
      rows = queryRows(server.dbPath, `SELECT type, description FROM events WHERE user_id = ${sqlText(userId)} AND type IN ('scpr', 'fcpr') ORDER BY date, id;`);
      if (rows.length >= n) break;
      await sleep(100);
    }
    return rows;
  }

  test('an anonymous caller with a handful of IPv6 /64s cannot fill one person\'s mailbox with reset links', async () => {
    await withLogs(() => server, async () => {
      const victim = await mgmt.createUser({ email: testEmail('bomb') });
      // One home IPv6 allocation (/56) holds 256 /64s, each a fresh per-address budget.
      const PREFIXES = 4;
      const answers = new Set();
      for (let p = 1; p <= PREFIXES; p++) {
        for (let i = 0; i < PER_IP; i++) {
          const res = await json(`${server.url}dbconnections/change_password`, 'POST', { client_id: app.client_id, connection: DB_CONNECTION, email: victim.email }, undefined, { 'x-forwarded-for': `2001:db8:0:${p}::${i + 1}` });
          assert.equal(res.status, 200, `reset from /64 #${p}: ${res.status} ${res.text}`);
          answers.add(res.text);
        }
      }
      assert.equal(answers.size, 1, `every request gets the same answer, sent or not: ${[...answers]}`);
      // The worker has handled every request once each has its event.
      const events = await resetEvents(victim.user_id, PREFIXES * PER_IP);
      assert.equal(events.length, PREFIXES * PER_IP, `an event per reset request: ${JSON.stringify(events)}`);
      await drained();
      const mails = mailsTo(victim.email, 'Reset your password');
      assert.ok(mails <= PER_IP, `${mails} reset mails reached one person within the hour from ${PREFIXES} /64s; expected a per-recipient bound (<= ${PER_IP})`);
      assert.equal(mails, PER_ACCOUNT, 'the mails within the bound are sent');
      const limited = events.filter(([type, d]) => type === 'fcpr' && /rate limited/.test(d));
      assert.equal(limited.length, PREFIXES * PER_IP - PER_ACCOUNT, `the operator sees the mails not sent: ${JSON.stringify(events)}`);
      // The reset page's request form answers the same as before, and sends nothing more.
      const jar = new CookieJar();
      const url = `${server.url}u/reset-password/request`;
      const page = await jar.fetch(url);
      assert.equal(page.status, 200, page.text);
      const f = findForm(page.text, url, 'email');
      const sent = await jar.postForm(f.action, { ...hiddenFields(f), email: victim.email });
      assert.ok(sent.status < 400, `reset page request: ${sent.status} ${sent.text}`);
      await resetEvents(victim.user_id, PREFIXES * PER_IP + 1);
      await drained();
      assert.equal(mailsTo(victim.email, 'Reset your password'), PER_ACCOUNT, 'no reset mail beyond the bound from the reset page either');
    })();
  });

  test('an anonymous caller locking one name out from many addresses cannot fill its mailbox with lockout notices', async () => {
    await withLogs(() => server, async () => {
      const victim = await mgmt.createUser({ email: testEmail('locked') });
      const ADDRESSES = 5;
      for (let i = 1; i <= ADDRESSES; i++) {
        const res = await form(
          `${server.url}oauth/token`,
          { grant_type: REALM, client_id: app.client_id, client_secret: app.client_secret, username: victim.email, password: `wrong-${i}`, realm: DB_CONNECTION, scope: 'openid' },
          { 'x-forwarded-for': `2001:db8:1:${i}::1` },
        );
        assert.ok(res.status === 403 || res.status === 429 || res.status === 400, `wrong password from address #${i}: ${res.status} ${res.text}`);
      }
      await drained();
      const notices = mailsTo(victim.email, 'Logins to your account were blocked');
      assert.equal(notices, PER_ACCOUNT, `${notices} lockout notices reached one person from ${ADDRESSES} addresses; expected at most ${PER_ACCOUNT}`);
    })();
  });
});
