// Brute force behind a proxy and across addresses: an attacker forges
// X-Forwarded-For to look like many clients, spreads password guesses over
// many addresses, switches between a user's email and username, and
// hammers the endpoints that hash passwords or send mail.  Every limit here
// is set small and its window an hour long, so no test can straddle a
// window however slow the machine: N requests pass, request N+1 gets 429.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { startTessera, withLogs } from '../lib/server.mjs';
import { Mgmt, uid } from '../lib/mgmt.mjs';
import { CookieJar } from '../lib/cookies.mjs';
import { alertTexts } from '../lib/html.mjs';
import { DB_CONNECTION, codeRequest, openLogin, testEmail } from '../lib/authflow.mjs';
import { form, json, request } from '../lib/http.mjs';
import { queryRows, sqlText } from '../lib/db.mjs';

const REALM = 'http://auth0.com/oauth/grant-type/password-realm';
const CB = 'http://127.0.0.1:9/bf-proxy-callback';
const HOUR = 3600;
const LIMIT = 3; // per window, for every limit under test

// Settings as environment variables: a binary that does not know one still starts.
const PER_IP = {
  TESSERA_RATE_LIMIT_LOGIN_PER_IP: `${LIMIT}/${HOUR}`,
  TESSERA_RATE_LIMIT_SIGNUP_PER_IP: `${LIMIT}/${HOUR}`,
  TESSERA_RATE_LIMIT_RESET_PER_IP: `${LIMIT}/${HOUR}`,
};

describe('brute force behind a proxy and across addresses', () => {
  let direct; // no --trust-proxy
  let proxied; // --trust-proxy, the default trusted networks (loopback and private)
  let outsider; // --trust-proxy, but 127.0.0.1 is not a trusted proxy
  let mgmtOnly; // a small Management API rate
  const apps = new Map();
  let t_;

  // A confidential app allowed the password-realm grant, and a user, on a server.
  async function setUp(server) {
    const mgmt = await Mgmt.forBootstrap(server);
    const app = await mgmt.createWebApp(CB, { grant_types: ['authorization_code', 'refresh_token', REALM] });
    const user = await mgmt.createUser({ email: testEmail('bfp') });
    apps.set(server, { mgmt, app, user });
  }

  before(async () => {
    direct = await startTessera({ env: { ...PER_IP } });
    proxied = await startTessera({
      env: {
        ...PER_IP,
        TESSERA_TRUST_PROXY: 'true',
        TESSERA_ACCOUNT_THROTTLE_FAILURES: String(LIMIT),
        TESSERA_ACCOUNT_THROTTLE_DELAY: String(HOUR),
        TESSERA_ACCOUNT_THROTTLE_MAX_DELAY: String(4 * HOUR),
      },
    });
    outsider = await startTessera({
      env: {
        TESSERA_TRUST_PROXY: 'true',
        TESSERA_TRUSTED_PROXIES: '192.0.2.0/24, 2001:db8::/32',
        TESSERA_RATE_LIMIT_RESET_PER_TENANT: `${LIMIT}/${HOUR}`,
      },
    });
    mgmtOnly = await startTessera({ env: { TESSERA_RATE_LIMIT_MGMT_PER_CLIENT: `${LIMIT}/${HOUR}` } });
    for (const s of [direct, proxied, outsider]) await setUp(s);
    t_ = (server, fn) => withLogs(() => server, fn);
  });

  after(async () => {
    for (const s of [direct, proxied, outsider, mgmtOnly]) {
      if (s) assert.equal(await s.stop(), 0, 'tessera should exit 0 on SIGTERM');
    }
  });

  const passwordGrant = (server, { username, password, xff, realm = DB_CONNECTION }) => {
    const { app } = apps.get(server);
    return form(
      `${server.url}oauth/token`,
      { grant_type: REALM, client_id: app.client_id, client_secret: app.client_secret, username, password, realm, scope: 'openid' },
      xff === undefined ? {} : { 'x-forwarded-for': xff },
    );
  };

  // The address the server recorded for the user's last login.
  const lastIp = (server, user) =>
    queryRows(server.dbPath, `SELECT last_ip FROM users WHERE user_id = ${sqlText(user.user_id)};`)[0]?.[0];

  const assertRetryAfter = (res, max, what) => {
    const v = res.headers.get('retry-after');
    assert.match(v ?? '', /^[1-9][0-9]*$/, `${what}: Retry-After in seconds, got ${v}`);
    assert.ok(Number(v) <= max, `${what}: Retry-After ${v} is within the window (${max} s)`);
  };

  const assertLimited = (res, what) => {
    assert.equal(res.status, 429, `${what}: expected 429, got ${res.status} ${res.text.slice(0, 200)}`);
    assertRetryAfter(res, HOUR, what);
  };

  test('without --trust-proxy, a forged X-Forwarded-For neither changes the address nor escapes the per-address limit', async () => {
    await t_(direct, async () => {
      const { user } = apps.get(direct);
      const ok = await passwordGrant(direct, { username: user.email, password: user.password, xff: '198.51.100.10' });
      assert.equal(ok.status, 200, ok.text);
      for (let i = 1; i < LIMIT; i++) {
        const res = await passwordGrant(direct, { username: user.email, password: 'Wrong!Passw0rd', xff: `198.51.100.${10 + i}` });
        assert.equal(res.body?.error, 'invalid_grant', `guess ${i + 1}: ${res.text}`);
      }
      const res = await passwordGrant(direct, { username: user.email, password: 'Wrong!Passw0rd', xff: '198.51.100.99' });
      assertLimited(res, `request ${LIMIT + 1} with yet another forged address`);
      assert.equal(res.body?.error, 'too_many_requests', res.text);
      assert.equal(lastIp(direct, user), '127.0.0.1', 'the address is the connection\'s, not the forged header');
    })();
  });

  test('behind a trusted proxy, the address is the nearest untrusted X-Forwarded-For hop; hops the client writes do not count', async () => {
    await t_(proxied, async () => {
      // [what the proxy forwards, the address that must count]
      const cases = [
        ['198.51.100.7', '198.51.100.7'],
        // The client wrote "203.0.113.5, 10.0.0.9" itself; its proxy appended its real address.
        ['203.0.113.5, 10.0.0.9, 198.51.100.8', '198.51.100.8'],
        // Two trusted proxies in a row: skipped from the right.
        ['198.51.100.9, 10.1.2.3, 192.168.7.7', '198.51.100.9'],
        // Several headers are one list, in order.
        [['203.0.113.6', '198.51.100.10'], '198.51.100.10'],
        // A hop that is not an address ends the walk at the last good one: the proxy itself.
        ['198.51.100.11, junk', '127.0.0.1'],
        ['[::1]', '127.0.0.1'],
        ['2001:db8::7', '2001:db8::7'],
        ['::ffff:198.51.100.12', '198.51.100.12'],
      ];
      const { user } = apps.get(proxied);
      for (const [xff, want] of cases) {
        const headers = new Headers({ 'content-type': 'application/x-www-form-urlencoded' });
        for (const v of [xff].flat()) headers.append('x-forwarded-for', v);
        const { app } = apps.get(proxied);
        const body = new URLSearchParams({ grant_type: REALM, client_id: app.client_id, client_secret: app.client_secret, username: user.email, password: user.password, realm: DB_CONNECTION, scope: 'openid' });
        const res = await request(`${proxied.url}oauth/token`, { method: 'POST', headers, body: body.toString() });
        assert.equal(res.status, 200, `${JSON.stringify(xff)}: ${res.text}`);
        assert.equal(lastIp(proxied, user), want, `X-Forwarded-For ${JSON.stringify(xff)}`);
      }

      // With --trust-proxy on, a connection from outside the trusted proxies sets nothing.
      const outside = apps.get(outsider).user;
      const res = await passwordGrant(outsider, { username: outside.email, password: outside.password, xff: '198.51.100.13' });
      assert.equal(res.status, 200, res.text);
      assert.equal(lastIp(outsider, outside), '127.0.0.1', 'an untrusted peer\'s X-Forwarded-For is ignored');
    })();
  });

  test('behind a proxy, rotating forged hops does not escape the per-address limit; another real address is not affected', async () => {
    await t_(proxied, async () => {
      const real = '198.51.100.20';
      const name = `${uid('spray')}@example.com`;
      for (let i = 0; i < LIMIT; i++) {
        const res = await passwordGrant(proxied, { username: `${i}${name}`, password: 'Wrong!Passw0rd', xff: `10.9.9.${i}, 203.0.113.${i}, ${real}` });
        assert.equal(res.body?.error, 'invalid_grant', `guess ${i + 1}: ${res.text}`);
      }
      const res = await passwordGrant(proxied, { username: `x${name}`, password: 'Wrong!Passw0rd', xff: `203.0.113.77, ${real}` });
      assertLimited(res, `guess ${LIMIT + 1} from the same real address`);
      assert.equal(res.body?.error, 'too_many_requests', res.text);
      const other = await passwordGrant(proxied, { username: `y${name}`, password: 'Wrong!Passw0rd', xff: '198.51.100.21' });
      assert.equal(other.body?.error, 'invalid_grant', `another address is counted apart: ${other.text}`);
    })();
  });

  test('guesses from many addresses against one account: 429 too_many_attempts with Retry-After, even for the right password', async () => {
    await t_(proxied, async () => {
      const { mgmt } = apps.get(proxied);
      const victim = await mgmt.createUser({ email: testEmail('spread') });
      for (let i = 0; i < LIMIT; i++) {
        const res = await passwordGrant(proxied, { username: victim.email, password: `Wrong!Passw0rd${i}`, xff: `198.51.100.${30 + i}` });
        assert.equal(res.body?.error, 'invalid_grant', `guess ${i + 1}: ${res.text}`);
      }
      const res = await passwordGrant(proxied, { username: victim.email, password: victim.password, xff: '198.51.100.39' });
      assert.equal(res.status, 429, `the account is slowed down whatever the address: ${res.status} ${res.text}`);
      assert.equal(res.body?.error, 'too_many_attempts', res.text);
      assert.equal(res.body?.access_token, undefined, 'no token');
      assertRetryAfter(res, HOUR, 'the account throttle');
      // A name no account has is slowed down alike, so the answer does not tell which exist.
      const ghost = `${uid('ghost')}@example.com`;
      for (let i = 0; i < LIMIT; i++) await passwordGrant(proxied, { username: ghost, password: 'Wrong!Passw0rd', xff: `198.51.100.${40 + i}` });
      const g = await passwordGrant(proxied, { username: ghost, password: 'Wrong!Passw0rd', xff: '198.51.100.49' });
      assert.equal(g.status, 429, `a name without an account: ${g.text}`);
      assert.equal(g.body?.error, 'too_many_attempts', g.text);
    })();
  });

  test('switching between the email and the username of one account counts as one account', async () => {
    await t_(proxied, async () => {
      const { mgmt, app } = apps.get(proxied);
      const connName = `bf-usernames-${uid('c')}`.slice(0, 40);
      const conn = await mgmt.post('/connections', { name: connName, strategy: 'auth0', options: { requires_username: true }, enabled_clients: [app.client_id] });
      assert.equal(conn.status, 201, conn.text);
      const username = uid('bfuser').replace(/[^A-Za-z0-9_]/g, '_').slice(0, 30);
      const victim = await mgmt.createUser({ email: testEmail('both'), username, connection: connName });
      const names = [victim.email, username, victim.email];
      for (let i = 0; i < LIMIT; i++) {
        const res = await passwordGrant(proxied, { username: names[i % names.length], password: `Wrong!Passw0rd${i}`, realm: connName, xff: `198.51.100.${60 + i}` });
        assert.equal(res.body?.error, 'invalid_grant', `guess ${i + 1} as ${names[i % names.length]}: ${res.text}`);
      }
      const res = await passwordGrant(proxied, { username, password: victim.password, realm: connName, xff: '198.51.100.69' });
      assert.equal(res.status, 429, `email and username share one count: ${res.status} ${res.text}`);
      assert.equal(res.body?.error, 'too_many_attempts', res.text);
      assertRetryAfter(res, HOUR, 'the account throttle');
    })();
  });

  test('the login page: a throttled account gets 429, Retry-After and a message, even with the right password', async () => {
    await t_(proxied, async () => {
      const { mgmt, app } = apps.get(proxied);
      const victim = await mgmt.createUser({ email: testEmail('page') });
      const jar = new CookieJar();
      const login = await openLogin(proxied, jar, codeRequest({ clientId: app.client_id, redirectUri: CB }).params);
      // From a new address each time, through the proxy.
      const post = (password, i) =>
        jar.postForm(login.form.action, { ...login.hidden, username: victim.email, password }, { 'x-forwarded-for': `198.51.100.${80 + i}` });
      for (let i = 0; i < LIMIT; i++) {
        const res = await post(`Wrong!Passw0rd${i}`, i);
        assert.equal(res.status, 200, `guess ${i + 1}: ${res.status}`);
      }
      const res = await post(victim.password, LIMIT);
      assert.equal(res.status, 429, `the right password while throttled: ${res.status} ${res.location ?? ''}`);
      assertRetryAfter(res, HOUR, 'the login page');
      assert.match(alertTexts(res.text).join(' '), /Too many failed logins for this account/, 'the page says why');
      // The operator's release (DELETE /user-blocks) lets the owner in at once.
      assert.equal((await mgmt.del(`/user-blocks/${encodeURIComponent(victim.user_id)}`)).status, 204);
      const ok = await post(victim.password, LIMIT + 1);
      assert.ok(ok.status === 302 || ok.status === 303, `released, the owner logs in: ${ok.status} ${alertTexts(ok.text).join(' ')}`);
    })();
  });

  test('each endpoint that checks passwords, creates accounts or sends mail has a per-address limit', async () => {
    await t_(proxied, async () => {
      const { app } = apps.get(proxied);
      const endpoints = [
        ['POST /dbconnections/signup', (xff) => json(`${proxied.url}dbconnections/signup`, 'POST', { client_id: app.client_id, connection: DB_CONNECTION }, undefined, { 'x-forwarded-for': xff })],
        ['POST /dbconnections/change_password', (xff) => json(`${proxied.url}dbconnections/change_password`, 'POST', { client_id: app.client_id, connection: DB_CONNECTION, email: `${uid('r')}@example.com` }, undefined, { 'x-forwarded-for': xff })],
        ['POST /u/login', (xff) => form(`${proxied.url}u/login`, { state: 'x' }, { 'x-forwarded-for': xff })],
        ['POST /u/signup', (xff) => form(`${proxied.url}u/signup`, { state: 'x' }, { 'x-forwarded-for': xff })],
        ['POST /u/reset-password/request', (xff) => form(`${proxied.url}u/reset-password/request`, { email: 'x@example.com' }, { 'x-forwarded-for': xff })],
      ];
      let n = 100;
      for (const [what, send] of endpoints) {
        const addr = `198.51.100.${n++}`;
        for (let i = 0; i < LIMIT; i++) {
          const res = await send(addr);
          assert.notEqual(res.status, 429, `${what} request ${i + 1} of ${LIMIT}: ${res.text.slice(0, 200)}`);
        }
        assertLimited(await send(addr), `${what} request ${LIMIT + 1}`);
        const other = await send(`198.51.100.${n++}`);
        assert.notEqual(other.status, 429, `${what} from another address: ${other.text.slice(0, 200)}`);
      }
    })();
  });

  test('many addresses together reach the tenant\'s limit on password reset mail', async () => {
    await t_(outsider, async () => {
      const { app, user } = apps.get(outsider);
      const reset = () => json(`${outsider.url}dbconnections/change_password`, 'POST', { client_id: app.client_id, connection: DB_CONNECTION, email: user.email });
      for (let i = 0; i < LIMIT; i++) {
        const res = await reset();
        assert.equal(res.status, 200, `reset ${i + 1}: ${res.text}`);
      }
      const res = await reset();
      assertLimited(res, `reset ${LIMIT + 1} in the tenant`);
      assert.equal(res.body?.code, 'too_many_requests', res.text);
    })();
  });

  test('the Management API rate per client is a setting: request N+1 in the window gets 429 with Retry-After', async () => {
    await t_(mgmtOnly, async () => {
      const mgmt = await Mgmt.forBootstrap(mgmtOnly);
      for (let i = 0; i < LIMIT; i++) {
        const res = await mgmt.get('/clients');
        assert.equal(res.status, 200, `request ${i + 1}: ${res.text}`);
        assert.equal(res.headers.get('x-ratelimit-limit'), String(LIMIT));
      }
      const res = await mgmt.get('/clients');
      assertLimited(res, `request ${LIMIT + 1}`);
      assert.equal(res.body?.errorCode, 'too_many_requests', res.text);
    })();
  });
});
