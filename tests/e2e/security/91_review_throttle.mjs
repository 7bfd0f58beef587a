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


describe('review of issue 9: brute-force throttle and lockout', () => {
  let server; // account throttle and per-address lockout both at LIMIT (the defaults are both 10)
  let racy; // account throttle only, several worker threads
  let mgmt;
  let app;
  let rmgmt;
  let rapp;
  let t_;

  before(async () => {
    server = await startTessera({
      env: {
        TESSERA_ACCOUNT_THROTTLE_FAILURES: String(LIMIT),
        TESSERA_ACCOUNT_THROTTLE_DELAY: String(HOUR),
        TESSERA_ACCOUNT_THROTTLE_MAX_DELAY: String(4 * HOUR),
        TESSERA_LOCKOUT_ATTEMPTS: String(LIMIT),
        TESSERA_LOCKOUT_WINDOW: String(HOUR),
      },
    });
    racy = await startTessera({
      env: {
        TESSERA_THREADS: '8',
        TESSERA_ACCOUNT_THROTTLE_FAILURES: String(LIMIT),
        TESSERA_ACCOUNT_THROTTLE_DELAY: String(HOUR),
        TESSERA_ACCOUNT_THROTTLE_MAX_DELAY: String(4 * HOUR),
        TESSERA_LOCKOUT_ATTEMPTS: '0',
      },
    });
    mgmt = await Mgmt.forBootstrap(server);
    app = await mgmt.createWebApp(CB, { grant_types: ['authorization_code', 'refresh_token', REALM] });
    rmgmt = await Mgmt.forBootstrap(racy);
    rapp = await rmgmt.createWebApp(CB, { grant_types: ['authorization_code', 'refresh_token', REALM] });
    t_ = (s, fn) => withLogs(() => s, fn);
  });

  after(async () => {
    for (const s of [server, racy]) {
      if (s) assert.equal(await s.stop(), 0, 'tessera should exit 0 on SIGTERM');
    }
  });

  const passwordGrant = (s, a, { username, password }) =>
    form(`${s.url}oauth/token`, {
      grant_type: REALM,
      client_id: a.client_id,
      client_secret: a.client_secret,
      username,
      password,
      realm: DB_CONNECTION,
      scope: 'openid',
    });

  const shape = (res) => ({
    status: res.status,
    error: res.body?.error,
    error_description: res.body?.error_description,
    retryAfter: res.headers.get('retry-after') !== null,
  });

  test('enumeration: after LIMIT wrong passwords, an existing account and a name without one answer alike on /oauth/token', async () => {
    await t_(server, async () => {
      const victim = await mgmt.createUser({ email: testEmail('enum') });
      const ghost = `${uid('ghost')}@example.com`;
      for (let i = 0; i < LIMIT; i++) {
        const a = await passwordGrant(server, app, { username: victim.email, password: `Wrong!Passw0rd${i}` });
        assert.equal(a.body?.error, 'invalid_grant', a.text);
        const b = await passwordGrant(server, app, { username: ghost, password: `Wrong!Passw0rd${i}` });
        assert.equal(b.body?.error, 'invalid_grant', b.text);
      }
      const a = await passwordGrant(server, app, { username: victim.email, password: 'Wrong!Passw0rdX' });
      const b = await passwordGrant(server, app, { username: ghost, password: 'Wrong!Passw0rdX' });
      // The per-address lockout counts only "fp" events (wrong password of an existing
      // account) and answers first without Retry-After; a name without an account falls
      // through to the account throttle, which sends Retry-After.
      assert.deepEqual(shape(a), shape(b), 'the answer must not reveal which name has an account');
    })();
  });

  test('enumeration: the login page answers an existing account and a name without one alike after LIMIT failures', async () => {
    await t_(server, async () => {
      const victim = await mgmt.createUser({ email: testEmail('enumpage') });
      const ghost = `${uid('ghostp')}@example.com`;
      const answers = [];
      for (const name of [victim.email, ghost]) {
        const jar = new CookieJar();
        const login = await openLogin(server, jar, codeRequest({ clientId: app.client_id, redirectUri: CB }).params);
        let last;
        for (let i = 0; i <= LIMIT; i++) last = await submitLogin(jar, login, { username: name, password: `Wrong!Passw0rd${i}` });
        answers.push({ status: last.status, alerts: alertTexts(last.text) });
      }
      assert.deepEqual(answers[0], answers[1], 'the login page must not reveal which name has an account');
    })();
  });

  test('concurrent guesses do not get past the account throttle', async () => {
    await t_(racy, async () => {
      const victim = await rmgmt.createUser({ email: testEmail('race') });
      const N = 16;
      const all = await Promise.all(
        Array.from({ length: N }, (_, i) => passwordGrant(racy, rapp, { username: victim.email, password: `Wrong!Passw0rd${i}` })),
      );
      const checked = all.filter((r) => r.body?.error === 'invalid_grant').length;
      const throttled = all.filter((r) => r.body?.error === 'too_many_attempts').length;
      assert.equal(checked + throttled, N, all.map((r) => r.text).join('\n'));
      // tsr_throttle_wait() reads the count before the (slow) password hash and
      // tsr_throttle_failed() writes it after: every request in flight passes.
      assert.ok(checked <= LIMIT, `${checked} of ${N} concurrent guesses had their password checked; at most ${LIMIT} may`);
    })();
  });

  test('a victim locked out by someone else gets back in by setting a new password, as the page tells them to', async () => {
    await t_(server, async () => {
      const victim = await mgmt.createUser({ email: testEmail('dos') });
      // The attacker, from anywhere, with LIMIT wrong passwords.
      for (let i = 0; i < LIMIT; i++) await passwordGrant(server, app, { username: victim.email, password: `Wrong!Passw0rd${i}` });
      const locked = await passwordGrant(server, app, { username: victim.email, password: victim.password });
      assert.equal(locked.status, 429, locked.text);
      // The login page says "Wait a while before trying again, or reset your password."
      const fresh = 'N3w!Passw0rd-after-reset';
      const patch = await mgmt.patch(`/users/${encodeURIComponent(victim.user_id)}`, { password: fresh, connection: DB_CONNECTION });
      assert.equal(patch.status, 200, patch.text);
      const res = await passwordGrant(server, app, { username: victim.email, password: fresh });
      assert.equal(res.status, 200, `a new password should end the throttle its old guesses caused: ${res.status} ${res.text}`);
    })();
  });
});
