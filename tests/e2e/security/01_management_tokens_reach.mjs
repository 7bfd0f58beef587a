// Management API tokens reach only as far as what made them still stands.
// Each test is an attack and what the attacker gets now:
//
//  - a person's Management API token dies with the application it was issued
//    to, and (third-party application) with the consent that made it;
//  - a client-credentials token dies when its client loses the
//    client_credentials grant or becomes public;
//  - a third-party app cannot get a person's consent recorded for Management
//    scopes the person does not hold, to have them silently once an admin
//    assigns one: the consent names only what the person holds, so a later
//    assignment asks again (prompt=none: consent_required); the same for an
//    API with enforce_policies;
//  - one person cannot use up the Management API's rate limit of everyone
//    else signed in to the same app: a person's calls count per person.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import * as jose from 'jose';

import { startTessera, withLogs } from '../lib/server.mjs';
import { form, tokenPost } from '../lib/http.mjs';
import { Mgmt } from '../lib/mgmt.mjs';
import { CookieJar } from '../lib/cookies.mjs';
import {
  DB_CONNECTION,
  acceptConsent,
  appRedirect,
  authorizeSilently,
  codeGrant,
  codeRequest,
  openLogin,
  submitLogin,
  testEmail,
} from '../lib/authflow.mjs';

const CB = 'http://127.0.0.1:9/callback';
const MGMT_RATE = 100; // Management API requests per caller per hour, in this file
const words = (s) => (s ?? '').split(' ').filter(Boolean);

describe('Management API tokens reach only as far as their application, consent, client grant and rate limit still allow', () => {
  let server;
  let mgmt;
  let mgmtAud;
  const t_ = (fn) => withLogs(() => server, fn);
  const as = (token) => new Mgmt(server, token);
  const userPath = (u) => `/users/${encodeURIComponent(u.user_id)}`;

  before(async () => {
    // A Management API rate the flood below reaches and the rest of this
    // file (a few dozen calls per caller) does not, however fast or slow.
    server = await startTessera({ env: { TESSERA_RATE_LIMIT_MGMT_PER_CLIENT: `${MGMT_RATE}/3600` } });
    mgmt = await Mgmt.forBootstrap(server);
    mgmtAud = `${server.url}api/v2/`;
    const settings = await mgmt.patch('/tenants/settings', { default_directory: DB_CONNECTION });
    assert.equal(settings.status, 200, `default_directory: ${settings.text}`);
  });

  after(async () => {
    if (server) assert.equal(await server.stop(), 0, 'tessera should exit 0 on SIGTERM');
  });

  /** Password grant of app for the Management API; returns the access token. */
  async function passwordToken(app, user, scope) {
    const res = await form(`${server.url}oauth/token`, {
      grant_type: 'password',
      client_id: app.client_id,
      client_secret: app.client_secret,
      username: user.email,
      password: user.password,
      audience: mgmtAud,
      scope,
    });
    assert.equal(res.status, 200, `password grant: ${res.text}`);
    return res.body.access_token;
  }

  /** A third-party app's code flow through the consent page (accepted); returns {token, jar}. */
  async function consentedToken(partner, user, scope, audience = mgmtAud) {
    const req = codeRequest({ clientId: partner.client_id, redirectUri: CB, audience, scope });
    const jar = new CookieJar();
    const login = await openLogin(server, jar, req.params);
    const posted = await submitLogin(jar, login, { username: user.email, password: user.password });
    assert.ok(posted.status === 302 || posted.status === 303, `login POST: ${posted.status}`);
    const next = new URL(posted.location, login.form.action).href;
    assert.ok(next.startsWith(`${server.url}u/consent?state=`), `a third-party app goes to the consent page, got ${next}`);
    const page = await jar.fetch(next);
    const back = await acceptConsent(jar, next, page);
    const redirect = appRedirect(back);
    assert.ok(redirect.code, `a code after consent: ${back}`);
    const res = await codeGrant(server, {
      clientId: partner.client_id, clientSecret: partner.client_secret, code: redirect.code, redirectUri: CB, verifier: req.verifier,
    });
    assert.equal(res.status, 200, res.text);
    return { token: res.body.access_token, jar, consentPage: page.text };
  }

  test('a person\'s Management API token (with an assigned admin permission) dies with the application it was issued to', t_(async () => {
    // A malicious or compromised app collected its users' Management API tokens
    // (one of them an admin's); the operator deletes the app.
    const app = await mgmt.createWebApp(CB, { grant_types: ['password'] });
    const admin = await mgmt.createUser({ email: testEmail('reach-admin') });
    const assigned = await mgmt.post(`${userPath(admin)}/permissions`, {
      permissions: [{ resource_server_identifier: mgmtAud, permission_name: 'read:users' }],
    });
    assert.equal(assigned.status, 201, assigned.text);
    const token = await passwordToken(app, admin, 'read:current_user update:current_user_metadata read:users');
    assert.ok(words(jose.decodeJwt(token).scope).includes('read:users'), 'the admin\'s token carries read:users');
    assert.equal((await as(token).get('/users')).status, 200, 'GET /users before the app is deleted');

    const del = await mgmt.del(`/clients/${app.client_id}`);
    assert.equal(del.status, 204, del.text);

    const list = await as(token).get('/users');
    assert.equal(list.status, 401, `GET /users with a token of a deleted application: expected 401, got ${list.status}`);
    const patch = await as(token).patch(userPath(admin), { user_metadata: { after_delete: true } });
    assert.equal(patch.status, 401, `PATCH own user_metadata with a token of a deleted application: expected 401, got ${patch.status}`);
  }));

  test('a third-party app\'s current-user token dies when the person\'s consent is revoked', t_(async () => {
    const partner = await mgmt.createWebApp(CB, { is_first_party: false });
    const victim = await mgmt.createUser({ email: testEmail('reach-consent'), user_metadata: { plan: 'free' } });
    const { token } = await consentedToken(partner, victim, 'openid read:current_user update:current_user_metadata');
    assert.equal((await as(token).get(userPath(victim))).status, 200, 'GET own record with the consented token');

    const grants = await mgmt.get(`/grants?user_id=${encodeURIComponent(victim.user_id)}`);
    assert.equal(grants.status, 200, grants.text);
    const mine = grants.body.filter((g) => g.clientID === partner.client_id);
    assert.equal(mine.length, 1, `one consent for the partner app: ${grants.text}`);
    const revoked = await mgmt.del(`/grants/${mine[0].id}`);
    assert.equal(revoked.status, 204, revoked.text);

    const patch = await as(token).patch(userPath(victim), { user_metadata: { plan: 'owned-after-revocation' } });
    assert.equal(patch.status, 401, `the app patches the person's user_metadata after the consent was revoked: expected 401, got ${patch.status}`);
    const read = await mgmt.get(userPath(victim));
    assert.equal(read.body.user_metadata?.plan, 'free', 'user_metadata unchanged after the consent was revoked');
  }));

  test('a client-credentials token dies when its client loses the client_credentials grant or becomes public', t_(async () => {
    // Becoming public takes dropping client_credentials too: the Management
    // API refuses a public client that lists it (checked below).
    const becomesPublic = { app_type: 'spa', token_endpoint_auth_method: 'none', grant_types: ['authorization_code', 'refresh_token'] };
    for (const change of [{ grant_types: [] }, becomesPublic]) {
      const what = JSON.stringify(change);
      const c = await mgmt.createClient();
      await mgmt.createGrant(c.client_id, mgmtAud, ['read:users']);
      const res = await tokenPost(server, { clientId: c.client_id, clientSecret: c.client_secret, audience: mgmtAud });
      assert.equal(res.status, 200, res.text);
      const m2m = as(res.body.access_token);
      assert.equal((await m2m.get('/users')).status, 200, `${what}: GET /users before the change`);
      const patched = await mgmt.patch(`/clients/${c.client_id}`, change);
      assert.equal(patched.status, 200, `${what}: ${patched.text}`);
      const again = await tokenPost(server, { clientId: c.client_id, clientSecret: c.client_secret, audience: mgmtAud });
      assert.notEqual(again.status, 200, `${what}: the client can no longer get a token`);
      const list = await m2m.get('/users');
      assert.equal(list.status, 401, `${what}: the token issued before the change: expected 401, got ${list.status}`);
    }
    const c = await mgmt.createClient();
    const half = await mgmt.patch(`/clients/${c.client_id}`, { token_endpoint_auth_method: 'none' });
    assert.equal(half.status, 400, `a client listing client_credentials cannot become public: ${half.text}`);
  }));

  test('a third-party app asking for Management scopes the person does not hold gets no consent for them, and no silent grant once they are assigned', t_(async () => {
    // A third-party app asks an ordinary person for admin scopes.  The token
    // it gets has none, but the consent page showed them and the consent
    // recorded them; when the person is later made an admin, the app gets
    // update:users silently, without the person being asked again.
    const partner = await mgmt.createWebApp(CB, { is_first_party: false });
    const person = await mgmt.createUser({ email: testEmail('reach-promoted') });
    const scope = 'openid read:current_user update:users';
    const first = await consentedToken(partner, person, scope);
    assert.ok(!words(jose.decodeJwt(first.token).scope).includes('update:users'), 'the first token has no update:users');

    const grants = await mgmt.get(`/grants?user_id=${encodeURIComponent(person.user_id)}`);
    const recorded = grants.body.find((g) => g.clientID === partner.client_id)?.scope ?? [];
    assert.ok(!recorded.includes('update:users'), `the consent names only what the person held: ${JSON.stringify(recorded)}`);
    const promoted = await mgmt.post(`${userPath(person)}/permissions`, {
      permissions: [{ resource_server_identifier: mgmtAud, permission_name: 'update:users' }],
    });
    assert.equal(promoted.status, 201, promoted.text);

    const req = codeRequest({ clientId: partner.client_id, redirectUri: CB, audience: mgmtAud, scope, extra: { prompt: 'none' } });
    const silent = await authorizeSilently(server, first.jar, req.params);
    assert.equal(silent.error ?? null, 'consent_required', 'a newly assigned Management scope needs the person\'s consent again');
    let later = [];
    if (silent.code) {
      const res = await codeGrant(server, {
        clientId: partner.client_id, clientSecret: partner.client_secret, code: silent.code, redirectUri: CB, verifier: req.verifier,
      });
      assert.equal(res.status, 200, res.text);
      later = words(jose.decodeJwt(res.body.access_token).scope);
    }
    assert.ok(!later.includes('update:users'),
      `the third-party app got update:users without asking the person again (consent recorded ${JSON.stringify(recorded)} ` +
        `when the person held none of the admin scopes; token scope now: ${later.join(' ')})`);
  }));

  test('a third-party app asking for an RBAC API\'s scope the person does not hold gets no consent for it, and no silent grant once it is assigned', t_(async () => {
    // The same class on an API of the tenant with enforce_policies: a
    // consent recorded for a scope the person lacks must not wait there
    // for the day it is assigned.
    const api = await mgmt.createApi({ enforce_policies: true });
    const partner = await mgmt.createWebApp(CB, { is_first_party: false });
    const person = await mgmt.createUser({ email: testEmail('reach-rbac') });
    const scope = 'openid read:x write:x';
    const first = await consentedToken(partner, person, scope, api.identifier);
    assert.ok(!words(jose.decodeJwt(first.token).scope).includes('write:x'), 'the first token has no write:x');
    const grants = await mgmt.get(`/grants?user_id=${encodeURIComponent(person.user_id)}`);
    const recorded = grants.body.find((g) => g.clientID === partner.client_id && g.audience === api.identifier)?.scope ?? [];
    assert.ok(!recorded.includes('write:x'), `the consent names only what the person held: ${JSON.stringify(recorded)}`);

    const assigned = await mgmt.post(`${userPath(person)}/permissions`, {
      permissions: [{ resource_server_identifier: api.identifier, permission_name: 'write:x' }],
    });
    assert.equal(assigned.status, 201, assigned.text);
    const req = codeRequest({ clientId: partner.client_id, redirectUri: CB, audience: api.identifier, scope, extra: { prompt: 'none' } });
    const silent = await authorizeSilently(server, first.jar, req.params);
    assert.equal(silent.error ?? null, 'consent_required', 'a newly assigned scope needs the person\'s consent again');
  }));

  test('one person flooding their own record does not make another person\'s call to theirs fail (rate limit per person, not per app)', t_(async () => {
    const app = await mgmt.createWebApp(CB, { grant_types: ['password'] });
    const flooder = await mgmt.createUser({ email: testEmail('reach-flood') });
    const bystander = await mgmt.createUser({ email: testEmail('reach-bystander') });
    const a = as(await passwordToken(app, flooder, 'read:current_user'));
    const b = as(await passwordToken(app, bystander, 'read:current_user'));
    // Two rounds of 1.5 times the rate: the flooder's window is spent in the
    // first and stays spent (an hour), all to 127.0.0.1.
    const flood = Math.ceil(MGMT_RATE * 1.5);
    for (let round = 0; round < 2; round++) {
      const results = await Promise.all([...Array.from({ length: flood }, () => a.get(userPath(flooder))), b.get(userPath(bystander))]);
      const limited = results.slice(0, -1).filter((r) => r.status === 429).length;
      assert.ok(limited > 0, `round ${round}: the flooder is limited (${limited} of ${flood} refused)`);
      const answer = results[results.length - 1];
      assert.equal(answer.status, 200,
        `round ${round}: the bystander was refused because another person of the same app used up the app's bucket: ${answer.text}`);
    }
  }));
});
