// Confused deputy through single sign-on: a session made for one application
// (and its connection) must not sign the person in to an application that
// does not accept that connection, nor answer after the user or the
// connection changed.  The attacker holds an account in a connection that
// app B does not use, and a session made at app A.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { startTessera, withLogs } from '../lib/server.mjs';
import { Mgmt } from '../lib/mgmt.mjs';
import { findForm, hiddenFields } from '../lib/html.mjs';
import {
  DB_CONNECTION,
  appRedirect,
  authorizeUrl,
  codeGrant,
  codeRequest,
  loginOverHttp,
  refreshGrant,
  testEmail,
} from '../lib/authflow.mjs';

// Non-loopback callbacks (never fetched: the jar follows no redirect), so no consent page.
const CB_A = 'https://app-a.example.com/callback';
const CB_B = 'https://app-b.example.com/callback';
const CB_C = 'https://app-c.example.com/callback';
const CB_P = 'https://partner.example.com/callback';
const PARTNERS = 'partners';

describe('security: single sign-on respects connections', () => {
  let server;
  let mgmt;
  let appA; // default connection only
  let appB; // partners only
  let appC; // both connections
  let partner; // third-party (consent page), both connections
  let defaultConn;
  let partnersConn;
  const t_ = (fn) => withLogs(() => server, fn);

  async function setEnabled(conn, clients) {
    const res = await mgmt.patch(`/connections/${conn.id}`, { enabled_clients: clients });
    assert.equal(res.status, 200, `PATCH /connections/${conn.id}: ${res.status} ${res.text}`);
  }

  before(async () => {
    server = await startTessera();
    mgmt = await Mgmt.forBootstrap(server);
    appA = await mgmt.createWebApp(CB_A);
    appB = await mgmt.createWebApp(CB_B);
    appC = await mgmt.createWebApp(CB_C);
    partner = await mgmt.createWebApp(CB_P, { is_first_party: false });
    const list = await mgmt.get('/connections');
    assert.equal(list.status, 200, `GET /connections: ${list.text}`);
    defaultConn = (Array.isArray(list.body) ? list.body : list.body.connections).find((c) => c.name === DB_CONNECTION);
    const created = await mgmt.post('/connections', { name: PARTNERS, strategy: 'auth0' });
    assert.equal(created.status, 201, `POST /connections: ${created.status} ${created.text}`);
    partnersConn = created.body;
    await setEnabled(defaultConn, [appA.client_id, appC.client_id, partner.client_id]);
    await setEnabled(partnersConn, [appB.client_id, appC.client_id, partner.client_id]);
  });

  after(async () => {
    if (server) assert.equal(await server.stop(), 0, 'tessera should exit 0 on SIGTERM');
  });

  /** A user of the default connection logged in at app A; returns the browser's jar. */
  async function sessionAtA() {
    const user = await mgmt.createUser({ email: testEmail('sso') });
    const req = codeRequest({ clientId: appA.client_id, redirectUri: CB_A, scope: 'openid' });
    const { jar, redirect } = await loginOverHttp(server, { params: req.params, email: user.email, password: user.password });
    assert.ok(redirect.code, 'the login at app A gives a code');
    return { jar, user };
  }

  /** GET /authorize with the jar's session; returns the response (no redirect followed). */
  function authorize(jar, client, cb, extra) {
    const req = codeRequest({ clientId: client.client_id, redirectUri: cb, scope: 'openid', extra });
    return jar.fetch(authorizeUrl(server, req.params));
  }

  function assertLoginRequired(res, what) {
    assert.ok(res.status === 302 || res.status === 303, `${what}: ${res.status} ${res.text.slice(0, 200)}`);
    const r = appRedirect(res.location);
    assert.equal(r.code, null, `${what}: a code was issued from another connection's session (${res.location})`);
    assert.equal(r.error, 'login_required', `${what}: ${res.location}`);
  }

  function assertLoginPage(res, what) {
    assert.ok(res.status === 302 || res.status === 303, `${what}: ${res.status} ${res.text.slice(0, 200)}`);
    assert.ok(
      res.location.startsWith(`${server.url}u/login?state=`),
      `${what}: expected the login page, got ${res.location}`,
    );
  }

  test('a session made at app A (default connection) does not sign its user in to app B, which only accepts the partners connection', t_(async () => {
    const { jar } = await sessionAtA();
    assertLoginRequired(await authorize(jar, appB, CB_B, { connection: PARTNERS, prompt: 'none' }), 'prompt=none at app B');
    assertLoginPage(await authorize(jar, appB, CB_B, { connection: PARTNERS }), 'interactive /authorize at app B');
    // The same session still works where its connection is enabled.
    const back = appRedirect((await authorize(jar, appA, CB_A, { prompt: 'none' })).location);
    assert.ok(back.code, `app A still gets SSO: ${back.url}`);
  }));

  test('connection=partners is not answered by a session of the default connection, even where both are enabled', t_(async () => {
    const { jar } = await sessionAtA();
    assertLoginRequired(await authorize(jar, appC, CB_C, { connection: PARTNERS, prompt: 'none' }), 'connection=partners, prompt=none');
    assertLoginPage(await authorize(jar, appC, CB_C, { connection: PARTNERS }), 'connection=partners, interactive');
    const same = appRedirect((await authorize(jar, appC, CB_C, { connection: DB_CONNECTION, prompt: 'none' })).location);
    assert.ok(same.code, `connection=${DB_CONNECTION} is the session's own: SSO answers (${same.url})`);
  }));

  test('a session whose connection was disabled for the application since the login no longer answers there', t_(async () => {
    const { jar } = await sessionAtA();
    const before = appRedirect((await authorize(jar, appC, CB_C, { prompt: 'none' })).location);
    assert.ok(before.code, 'app C accepts the default connection at first');
    await setEnabled(defaultConn, [appA.client_id, partner.client_id]);
    try {
      assertLoginRequired(await authorize(jar, appC, CB_C, { connection: PARTNERS, prompt: 'none' }), 'after disabling the connection for app C');
    } finally {
      await setEnabled(defaultConn, [appA.client_id, appC.client_id, partner.client_id]);
    }
  }));

  test('a refresh token stops working once the user\'s connection is disabled for the application', t_(async () => {
    const user = await mgmt.createUser({ email: testEmail('refresh-conn') });
    const req = codeRequest({ clientId: appC.client_id, redirectUri: CB_C, scope: 'openid offline_access' });
    const { redirect } = await loginOverHttp(server, { params: req.params, email: user.email, password: user.password });
    const tokens = await codeGrant(server, {
      clientId: appC.client_id, clientSecret: appC.client_secret, code: redirect.code, redirectUri: CB_C, verifier: req.verifier,
    });
    assert.equal(tokens.status, 200, `code exchange: ${tokens.text}`);
    assert.equal(typeof tokens.body.refresh_token, 'string', 'a refresh token was issued');
    await setEnabled(defaultConn, [appA.client_id, partner.client_id]);
    try {
      const res = await refreshGrant(server, { clientId: appC.client_id, clientSecret: appC.client_secret, refreshToken: tokens.body.refresh_token });
      assert.equal(res.status, 400, `refresh after the connection was disabled for app C: ${res.status} ${res.text}`);
      assert.equal(res.body?.error, 'invalid_grant', res.text);
    } finally {
      await setEnabled(defaultConn, [appA.client_id, appC.client_id, partner.client_id]);
    }
  }));

  test('a person whose connection is disabled for the application while on its consent page gets no code by accepting', t_(async () => {
    // A user of the partners connection, with a session made at app B.
    const user = await mgmt.createUser({ email: testEmail('partner-user'), connection: PARTNERS });
    const atB = codeRequest({ clientId: appB.client_id, redirectUri: CB_B, scope: 'openid', extra: { connection: PARTNERS } });
    const { jar } = await loginOverHttp(server, { params: atB.params, email: user.email, password: user.password });
    // SSO to the third-party app (both connections enabled) goes to its consent page.
    const res = await authorize(jar, partner, CB_P, {});
    assert.ok(res.status === 302 || res.status === 303, `/authorize at the partner app: ${res.status} ${res.text.slice(0, 200)}`);
    const consentUrl = new URL(res.location, server.url).href;
    assert.ok(consentUrl.startsWith(`${server.url}u/consent?state=`), `a third-party app asks for consent: ${consentUrl}`);
    const page = await jar.fetch(consentUrl);
    assert.equal(page.status, 200, `consent page: ${page.status} ${page.text.slice(0, 200)}`);
    await setEnabled(partnersConn, [appB.client_id, appC.client_id]);
    try {
      const f = findForm(page.text, consentUrl, 'csrf');
      const posted = await jar.postForm(f.action, { ...hiddenFields(f), decision: 'accept' });
      assert.ok(posted.status === 302 || posted.status === 303, `consent POST: ${posted.status} ${posted.text.slice(0, 200)}`);
      const back = appRedirect(new URL(posted.location, f.action).href);
      assert.equal(back.code, null, `a code for a user whose connection is no longer enabled: ${posted.location}`);
      assert.equal(back.error, 'access_denied', `consent POST: ${posted.location}`);
    } finally {
      await setEnabled(partnersConn, [appB.client_id, appC.client_id, partner.client_id]);
    }
  }));
});
