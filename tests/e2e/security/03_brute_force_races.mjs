// Brute force, second look: concurrent guesses against the account throttle,
// answers that would tell which names have an account, a victim kept out by
// someone else's guesses (and how they get back in), and an attacker
// rotating through the addresses of one IPv6 /64.  Limits are small and
// their windows an hour long, so no test straddles a window however slow the
// machine; every loop is bounded.
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, describe, test } from 'node:test';

import { sleep, startTessera, withLogs } from '../lib/server.mjs';
import { Mgmt, uid } from '../lib/mgmt.mjs';
import { CookieJar } from '../lib/cookies.mjs';
import { alertTexts, findForm, hiddenFields } from '../lib/html.mjs';
import { DB_CONNECTION, codeRequest, openLogin, submitLogin, testEmail } from '../lib/authflow.mjs';
import { basicAuth, form, json } from '../lib/http.mjs';
import { outbox } from '../lib/mail.mjs';

const REALM = 'http://auth0.com/oauth/grant-type/password-realm';
const CB = 'http://127.0.0.1:9/races-callback';
const HOUR = 3600;
const LIMIT = 3;


describe('brute force: concurrent guesses, enumeration, a victim\'s recovery, IPv6 /64s', () => {
  let server; // account throttle and per-address lockout both at LIMIT (the defaults are both 10)
  let racy; // account throttle only, several worker threads
  let proxied; // behind a trusted proxy (X-Forwarded-For), lockout at LIMIT, throttle at 2 * LIMIT
  let pmgmt;
  let papp;
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
    proxied = await startTessera({
      env: {
        TESSERA_TRUST_PROXY: 'true',
        TESSERA_RATE_LIMIT_LOGIN_PER_IP: `1000/${HOUR}`,
        TESSERA_RATE_LIMIT_LOGIN_PER_TENANT: `1000/${HOUR}`,
        TESSERA_ACCOUNT_THROTTLE_FAILURES: String(2 * LIMIT),
        TESSERA_ACCOUNT_THROTTLE_DELAY: String(HOUR),
        TESSERA_ACCOUNT_THROTTLE_MAX_DELAY: String(4 * HOUR),
        TESSERA_LOCKOUT_ATTEMPTS: String(LIMIT),
        TESSERA_LOCKOUT_WINDOW: String(HOUR),
      },
    });
    pmgmt = await Mgmt.forBootstrap(proxied);
    papp = await pmgmt.createWebApp(CB, { grant_types: ['authorization_code', 'refresh_token', REALM] });
    mgmt = await Mgmt.forBootstrap(server);
    app = await mgmt.createWebApp(CB, { grant_types: ['authorization_code', 'refresh_token', REALM] });
    rmgmt = await Mgmt.forBootstrap(racy);
    rapp = await rmgmt.createWebApp(CB, { grant_types: ['authorization_code', 'refresh_token', REALM] });
    t_ = (s, fn) => withLogs(() => s, fn);
  });

  after(async () => {
    for (const s of [server, racy, proxied]) {
      if (s) assert.equal(await s.stop(), 0, 'tessera should exit 0 on SIGTERM');
    }
  });

  const passwordGrant = (s, a, { username, password, xff }) =>
    form(
      `${s.url}oauth/token`,
      {
        grant_type: REALM,
        client_id: a.client_id,
        client_secret: a.client_secret,
        username,
        password,
        realm: DB_CONNECTION,
        scope: 'openid',
      },
      xff === undefined ? {} : { 'x-forwarded-for': xff },
    );

  // Opens a password-change link and posts a new password; returns the answer.
  async function resetWith(link, password) {
    const jar = new CookieJar();
    const page = await jar.fetch(link);
    assert.equal(page.status, 200, `GET ${link}: ${page.status} ${page.text.slice(0, 300)}`);
    const f = findForm(page.text, link, 'password');
    return jar.postForm(f.action, { ...hiddenFields(f), password, password_confirm: password });
  }

  const shape = (res) => ({
    status: res.status,
    error: res.body?.error,
    error_description: res.body?.error_description,
    retryAfter: res.headers.get('retry-after') !== null,
  });

  test('an attacker comparing answers after LIMIT wrong passwords cannot tell an existing account from a name without one on /oauth/token', async () => {
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

  test('an attacker comparing login pages after LIMIT wrong passwords cannot tell an existing account from a name without one', async () => {
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

  test('an attacker firing 16 guesses at once gets at most LIMIT of them checked past the account throttle', async () => {
    await t_(racy, async () => {
      const victim = await rmgmt.createUser({ email: testEmail('race') });
      const N = 16;
      const all = await Promise.all(
        Array.from({ length: N }, (_, i) => passwordGrant(racy, rapp, { username: victim.email, password: `Wrong!Passw0rd${i}` })),
      );
      const checked = all.filter((r) => r.body?.error === 'invalid_grant').length;
      const throttled = all.filter((r) => r.body?.error === 'too_many_attempts').length;
      assert.equal(checked + throttled, N, all.map((r) => r.text).join('\n'));
      // Each attempt is reserved in the count before the (slow) password hash,
      // so requests in flight cannot all pass a check made before any is counted.
      assert.ok(checked <= LIMIT, `${checked} of ${N} concurrent guesses had their password checked; at most ${LIMIT} may`);
    })();
  });

  test('a victim locked out by someone else\'s guesses gets back in once an administrator sets a new password', async () => {
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

  test('a victim locked out by someone else\'s guesses gets back in by setting a new password with a reset link', async () => {
    await t_(server, async () => {
      const victim = await mgmt.createUser({ email: testEmail('dosreset') });
      for (let i = 0; i < LIMIT; i++) await passwordGrant(server, app, { username: victim.email, password: `Wrong!Passw0rd${i}` });
      const locked = await passwordGrant(server, app, { username: victim.email, password: victim.password });
      assert.equal(locked.status, 429, locked.text);
      const t = await mgmt.post('/tickets/password-change', { user_id: victim.user_id });
      assert.equal(t.status, 201, t.text);
      const fresh = 'N3w!Passw0rd-by-link';
      const done = await resetWith(t.body.ticket, fresh);
      assert.ok([200, 302, 303].includes(done.status), `POST the reset form: ${done.status} ${done.text.slice(0, 300)}`);
      const res = await passwordGrant(server, app, { username: victim.email, password: fresh });
      assert.equal(res.status, 200, `the reset page should end the lock its old guesses caused: ${res.status} ${res.text}`);
    })();
  });

  test('an attacker rotating through the addresses of one IPv6 /64 is locked out after LIMIT guesses; another /64 is not', async () => {
    await t_(proxied, async () => {
      const victim = await pmgmt.createUser({ email: testEmail('v6') });
      for (let i = 1; i <= LIMIT; i++) {
        const r = await passwordGrant(proxied, papp, { username: victim.email, password: `Wrong!Passw0rd${i}`, xff: `2001:db8:77:1::${i}` });
        assert.equal(r.body?.error, 'invalid_grant', r.text);
      }
      const same64 = await passwordGrant(proxied, papp, { username: victim.email, password: victim.password, xff: '2001:db8:77:1:ffff::9' });
      assert.equal(same64.status, 429, `a new address of the same /64 should be locked out: ${same64.status} ${same64.text}`);
      assert.equal(same64.body?.error, 'too_many_attempts', same64.text);
      const other64 = await passwordGrant(proxied, papp, { username: victim.email, password: victim.password, xff: '2001:db8:77:2::1' });
      assert.equal(other64.status, 200, `another /64 is not locked out: ${other64.status} ${other64.text}`);
    })();
  });

  test('an attacker guessing from many addresses does not slow the owner down at the address they last logged in from', async () => {
    await t_(proxied, async () => {
      const victim = await pmgmt.createUser({ email: testEmail('known') });
      const home = '198.51.100.77';
      const first = await passwordGrant(proxied, papp, { username: victim.email, password: victim.password, xff: home });
      assert.equal(first.status, 200, first.text);
      // One guess per address: no address reaches the lockout, the account throttle blocks.
      for (let i = 1; i <= 2 * LIMIT; i++) {
        const r = await passwordGrant(proxied, papp, { username: victim.email, password: `Wrong!Passw0rd${i}`, xff: `203.0.113.${i}` });
        assert.equal(r.body?.error, 'invalid_grant', r.text);
      }
      const attacker = await passwordGrant(proxied, papp, { username: victim.email, password: 'Wrong!Passw0rdX', xff: '203.0.113.200' });
      assert.equal(attacker.status, 429, `the attacker is throttled: ${attacker.status} ${attacker.text}`);
      assert.ok(attacker.headers.get('retry-after'), 'with Retry-After');
      const owner = await passwordGrant(proxied, papp, { username: victim.email, password: victim.password, xff: home });
      assert.equal(owner.status, 200, `the owner at their last login's address gets in: ${owner.status} ${owner.text}`);
    })();
  });
});
