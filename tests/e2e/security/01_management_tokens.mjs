// Privilege by audience: the Management API ({issuer}api/v2/) is not "just
// another API".  A person's token for it carries only the current-user
// scopes (their own /api/v2/users/{sub} record, its user_metadata) and the
// Management permissions assigned to them or their roles; a client's token
// only what its client grant holds.  Both are checked again at every
// request, so a removed permission, a blocked or deleted person, a narrowed
// or deleted client grant stop an earlier token at once.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import * as jose from 'jose';

import { startTessera, withLogs } from '../lib/server.mjs';
import { form, json, tokenPost } from '../lib/http.mjs';
import { Mgmt, assertMgmtError } from '../lib/mgmt.mjs';
import { CookieJar } from '../lib/cookies.mjs';
import {
  DB_CONNECTION,
  GOOD_PASSWORD,
  acceptConsent,
  appRedirect,
  codeGrant,
  codeRequest,
  loginOverHttp,
  openLogin,
  refreshGrant,
  submitLogin,
  testEmail,
} from '../lib/authflow.mjs';

const APP = 'http://127.0.0.1:9';
const CB = `${APP}/callback`;
const REALM = 'http://auth0.com/oauth/grant-type/password-realm';
const ADMIN = ['read:users', 'update:users', 'create:clients', 'update:tenant_settings'];
const CURRENT_USER = ['read:current_user', 'update:current_user_metadata'];

const words = (s) => (s ?? '').split(' ').filter(Boolean);

describe('Management API tokens for people and clients', () => {
  let server;
  let mgmt;
  let mgmtAud;
  let spa;
  let web;
  let other;
  const t_ = (fn) => withLogs(() => server, fn);

  before(async () => {
    server = await startTessera();
    mgmt = await Mgmt.forBootstrap(server);
    mgmtAud = `${server.url}api/v2/`;
    spa = await mgmt.createSpa(APP);
    web = await mgmt.createWebApp(CB, { grant_types: ['authorization_code', 'refresh_token', 'password', REALM] });
    const settings = await mgmt.patch('/tenants/settings', { default_directory: DB_CONNECTION });
    assert.equal(settings.status, 200, `default_directory: ${settings.text}`);
    other = await mgmt.createUser({ email: testEmail('bystander'), user_metadata: { mine: 'yes' } });
  });

  after(async () => {
    if (server) assert.equal(await server.stop(), 0, 'tessera should exit 0 on SIGTERM');
  });

  /** A Management API client holding the given token. */
  const as = (token) => new Mgmt(server, token);

  /** Code flow for the SPA (first-party, public) as email/password; returns the token response body. */
  async function spaToken(email, password, scope) {
    const req = codeRequest({ clientId: spa.client_id, redirectUri: CB, audience: mgmtAud, scope });
    const { redirect } = await loginOverHttp(server, { params: req.params, email, password });
    const res = await codeGrant(server, { clientId: spa.client_id, code: redirect.code, redirectUri: CB, verifier: req.verifier });
    assert.equal(res.status, 200, `code grant: ${res.text}`);
    return res.body;
  }

  /** The password grants of the web app for the Management API. */
  function passwordToken(user, scope, { realm = false, extra = {} } = {}) {
    return form(`${server.url}oauth/token`, {
      grant_type: realm ? REALM : 'password',
      ...(realm ? { realm: DB_CONNECTION } : {}),
      client_id: web.client_id,
      client_secret: web.client_secret,
      username: user.email,
      password: user.password,
      audience: mgmtAud,
      scope,
      ...extra,
    });
  }

  /** The token carries no admin scope, in its claims or the response's scope. */
  function assertNoAdminScope(body, what) {
    const claims = jose.decodeJwt(body.access_token);
    assert.ok(claims.aud === mgmtAud || claims.aud?.includes?.(mgmtAud), `${what}: a Management API token (aud ${claims.aud})`);
    for (const s of ADMIN) {
      assert.ok(!words(claims.scope).includes(s), `${what}: the token must not carry ${s} (scope: ${claims.scope})`);
      assert.ok(!words(body.scope).includes(s), `${what}: the response must not grant ${s} (scope: ${body.scope})`);
    }
    return claims;
  }

  /** Each admin call answers 403 insufficient_scope and changes nothing. */
  async function assertAdminRefused(token, what) {
    const who = as(token);
    const before = await mgmt.get('/tenants/settings');
    assertMgmtError(await who.get('/users'), 403, { errorCode: 'insufficient_scope' }, `${what}: GET /users`);
    assertMgmtError(await who.post('/clients', { name: 'takeover', app_type: 'non_interactive' }), 403,
      { errorCode: 'insufficient_scope' }, `${what}: POST /clients`);
    assertMgmtError(await who.patch('/tenants/settings', { friendly_name: 'owned' }), 403,
      { errorCode: 'insufficient_scope' }, `${what}: PATCH /tenants/settings`);
    assertMgmtError(await who.patch(`/users/${encodeURIComponent(other.user_id)}`, { blocked: true }), 403,
      { errorCode: 'insufficient_scope' }, `${what}: PATCH another user`);
    const after = await mgmt.get('/tenants/settings');
    assert.equal(after.body.friendly_name, before.body.friendly_name, `${what}: tenant settings unchanged`);
    const clients = await mgmt.get('/clients');
    assert.ok(!clients.body.some((c) => c.name === 'takeover'), `${what}: no client was created`);
    const bystander = await mgmt.get(`/users/${encodeURIComponent(other.user_id)}`);
    assert.equal(bystander.body.blocked ?? false, false, `${what}: the other user is not blocked`);
  }

  test('a self-signed-up person asks /authorize for the Management API with admin scopes: no admin scope, every admin call 403', t_(async () => {
    const email = testEmail('takeover');
    const signup = await json(`${server.url}dbconnections/signup`, 'POST', {
      client_id: spa.client_id, email, password: GOOD_PASSWORD, connection: DB_CONNECTION,
    });
    assert.equal(signup.status, 200, `signup: ${signup.text}`);
    const body = await spaToken(email, GOOD_PASSWORD, `openid ${ADMIN.join(' ')}`);
    assertNoAdminScope(body, 'code grant');
    await assertAdminRefused(body.access_token, 'code grant');
  }));

  test('the password and password-realm grants and refresh give a person no admin scope for the Management API', t_(async () => {
    const user = await mgmt.createUser({ email: testEmail('pwgrant') });
    for (const realm of [false, true]) {
      const what = realm ? 'password-realm grant' : 'password grant';
      const res = await passwordToken(user, `openid offline_access ${ADMIN.join(' ')} ${CURRENT_USER.join(' ')}`, { realm });
      assert.equal(res.status, 200, `${what}: ${res.text}`);
      const claims = assertNoAdminScope(res.body, what);
      assert.deepEqual(words(claims.scope).filter((s) => s !== 'openid').sort(), [...CURRENT_USER].sort(),
        `${what}: only the current-user scopes (the Management API has no offline access)`);
      await assertAdminRefused(res.body.access_token, what);
      assert.equal(res.body.refresh_token, undefined, `${what}: the Management API has no offline access, so no refresh token`);
    }
    // A refresh token of another audience never turns into a Management API token.
    const api = await mgmt.createUserApi();
    const req = codeRequest({ clientId: web.client_id, redirectUri: CB, audience: api.identifier, scope: 'openid offline_access read:messages' });
    const { redirect } = await loginOverHttp(server, { params: req.params, email: user.email, password: user.password });
    const code = await codeGrant(server, { clientId: web.client_id, clientSecret: web.client_secret, code: redirect.code, redirectUri: CB, verifier: req.verifier });
    assert.equal(code.status, 200, code.text);
    assert.ok(code.body.refresh_token, 'a refresh token for the custom API');
    const widened = await refreshGrant(server, {
      clientId: web.client_id, clientSecret: web.client_secret, refreshToken: code.body.refresh_token,
      scope: 'read:users', extra: { audience: mgmtAud },
    });
    assert.equal(widened.status, 400, `refresh asking a scope it was not granted: ${widened.text}`);
    assert.equal(widened.body?.error, 'invalid_scope', `refresh asking a scope it was not granted: ${widened.text}`);
    const swapped = await refreshGrant(server, {
      clientId: web.client_id, clientSecret: web.client_secret, refreshToken: code.body.refresh_token,
      extra: { audience: mgmtAud },
    });
    assert.equal(swapped.status, 200, `refresh naming another audience: ${swapped.text}`);
    const claims = jose.decodeJwt(swapped.body.access_token);
    const auds = [claims.aud].flat();
    assert.ok(auds.includes(api.identifier) && !auds.includes(mgmtAud), `a refresh keeps the audience it was issued for: ${auds}`);
    assertMgmtError(await as(swapped.body.access_token).get('/users'), 401, { errorCode: 'invalid_token' },
      'a custom API token at the Management API');
  }));

  test('a third-party app asking the Management API through the consent page gets a person no admin scope', t_(async () => {
    const user = await mgmt.createUser({ email: testEmail('consent') });
    const partner = await mgmt.createWebApp(CB, { is_first_party: false });
    const req = codeRequest({ clientId: partner.client_id, redirectUri: CB, audience: mgmtAud, scope: `openid ${ADMIN.join(' ')}` });
    const jar = new CookieJar();
    const login = await openLogin(server, jar, req.params);
    const posted = await submitLogin(jar, login, { username: user.email, password: user.password });
    assert.ok(posted.status === 302 || posted.status === 303, `login POST: ${posted.status}`);
    const next = new URL(posted.location, login.form.action).href;
    assert.ok(next.startsWith(`${server.url}u/consent?state=`), `a third-party app goes to the consent page, got ${next}`);
    const back = await acceptConsent(jar, next, await jar.fetch(next));
    const redirect = appRedirect(back);
    assert.ok(redirect.code, `a code after consent: ${back}`);
    const res = await codeGrant(server, { clientId: partner.client_id, clientSecret: partner.client_secret, code: redirect.code, redirectUri: CB, verifier: req.verifier });
    assert.equal(res.status, 200, res.text);
    assertNoAdminScope(res.body, 'after consent');
    await assertAdminRefused(res.body.access_token, 'after consent');
  }));

  test('current-user scopes: a person reads and patches their own user_metadata, and nothing else', t_(async () => {
    const user = await mgmt.createUser({ email: testEmail('self') });
    const body = await spaToken(user.email, user.password, `openid ${CURRENT_USER.join(' ')} read:users`);
    const claims = jose.decodeJwt(body.access_token);
    assert.deepEqual(words(claims.scope).filter((s) => s !== 'openid').sort(), [...CURRENT_USER].sort(),
      `the token carries the current-user scopes only: ${claims.scope}`);
    const me = as(body.access_token);
    const self = `/users/${encodeURIComponent(user.user_id)}`;
    const them = `/users/${encodeURIComponent(other.user_id)}`;

    const read = await me.get(self);
    assert.equal(read.status, 200, `GET own record: ${read.text}`);
    assert.equal(read.body.user_id, user.user_id);
    const patched = await me.patch(self, { user_metadata: { theme: 'dark' } });
    assert.equal(patched.status, 200, `PATCH own user_metadata: ${patched.text}`);
    assert.deepEqual(patched.body.user_metadata, { theme: 'dark' });

    assertMgmtError(await me.get(them), 403, { errorCode: 'insufficient_scope' }, 'GET another user');
    assertMgmtError(await me.patch(them, { user_metadata: { mine: 'no' } }), 403, { errorCode: 'insufficient_scope' },
      "PATCH another user's user_metadata");
    for (const change of [{ app_metadata: { plan: 'gold' } }, { email: 'someone@example.com' }, { password: 'N3w!Passw0rd-x' },
      { blocked: false }, { email_verified: true }, { user_metadata: { theme: 'light' }, app_metadata: { admin: true } }]) {
      assertMgmtError(await me.patch(self, change), 403, { errorCode: 'insufficient_scope' }, `PATCH own ${Object.keys(change)}`);
    }
    for (const [method, path] of [['GET', `${self}/permissions`], ['GET', `${self}/roles`], ['GET', `${self}/logs`],
      ['DELETE', self], ['POST', `${self}/permissions`]]) {
      assertMgmtError(await me.call(method, path, method === 'POST' ? { permissions: [] } : undefined), 403,
        { errorCode: 'insufficient_scope' }, `${method} ${path}`);
    }
    const stored = await mgmt.get(self);
    assert.deepEqual(stored.body.user_metadata, { theme: 'dark' }, 'only the allowed change was stored');
    assert.deepEqual(stored.body.app_metadata ?? {}, {}, 'app_metadata unchanged');
    assert.equal(stored.body.email, user.email, 'email unchanged');
    const bystander = await mgmt.get(them);
    assert.deepEqual(bystander.body.user_metadata, { mine: 'yes' }, "the other user's metadata unchanged");
  }));

  test('a person with an assigned Management permission gets exactly it; removing it, blocking or deleting them stops the earlier token', t_(async () => {
    const user = await mgmt.createUser({ email: testEmail('operator') });
    const perms = (names) => ({ permissions: names.map((n) => ({ resource_server_identifier: mgmtAud, permission_name: n })) });
    const userPerms = `/users/${encodeURIComponent(user.user_id)}/permissions`;
    assert.equal((await mgmt.post(userPerms, perms(['read:users']))).status, 201);
    const role = await mgmt.post('/roles', { name: `auditors-${Date.now()}` });
    assert.equal(role.status, 200, role.text);
    assert.equal((await mgmt.post(`/roles/${role.body.id}/permissions`, perms(['read:logs']))).status, 201);
    const userRoles = `/users/${encodeURIComponent(user.user_id)}/roles`;
    assert.equal((await mgmt.post(userRoles, { roles: [role.body.id] })).status, 204);

    const body = await spaToken(user.email, user.password, `openid read:users read:logs ${ADMIN.join(' ')} read:clients`);
    const claims = jose.decodeJwt(body.access_token);
    assert.deepEqual(words(claims.scope).sort(), ['openid', 'read:logs', 'read:users'], `exactly the assigned scopes: ${claims.scope}`);
    assert.deepEqual(words(body.scope).sort(), ['openid', 'read:logs', 'read:users'], `the response says so: ${body.scope}`);
    const op = as(body.access_token);
    assert.equal((await op.get('/users')).status, 200, 'read:users works');
    assert.equal((await op.get('/logs')).status, 200, 'read:logs (through the role) works');
    assertMgmtError(await op.get('/clients'), 403, { errorCode: 'insufficient_scope' }, 'read:clients was not assigned');
    assertMgmtError(await op.patch(`/users/${encodeURIComponent(other.user_id)}`, { blocked: true }), 403,
      { errorCode: 'insufficient_scope' }, 'update:users was not assigned');

    // Taking the permissions away stops the earlier token at once.
    assert.equal((await mgmt.call('DELETE', userPerms, perms(['read:users']))).status, 204);
    assertMgmtError(await op.get('/users'), 403, { errorCode: 'insufficient_scope' }, 'GET /users after the permission was removed');
    assert.equal((await op.get('/logs')).status, 200, 'the role still gives read:logs');
    assert.equal((await mgmt.call('DELETE', userRoles, { roles: [role.body.id] })).status, 204);
    assertMgmtError(await op.get('/logs'), 403, { errorCode: 'insufficient_scope' }, 'GET /logs after the role was removed');

    // Blocked, then deleted: the token is no longer good at all.
    assert.equal((await mgmt.post(userPerms, perms(['read:users']))).status, 201);
    assert.equal((await op.get('/users')).status, 200, 'the permission given back works again');
    await mgmt.patchUser(user.user_id, { blocked: true });
    assertMgmtError(await op.get('/users'), 401, { errorCode: 'invalid_token' }, 'GET /users by a blocked person');
    await mgmt.patchUser(user.user_id, { blocked: false });
    assert.equal((await op.get('/users')).status, 200, 'unblocked');
    assert.equal((await mgmt.del(`/users/${encodeURIComponent(user.user_id)}`)).status, 204);
    assertMgmtError(await op.get('/users'), 401, { errorCode: 'invalid_token' }, 'GET /users by a deleted person');
  }));

  test('a client-credentials token stops working when its client grant is narrowed or deleted', t_(async () => {
    const client = await mgmt.createClient();
    const grant = await mgmt.createGrant(client.client_id, mgmtAud, ['read:clients', 'read:users']);
    const res = await tokenPost(server, { clientId: client.client_id, clientSecret: client.client_secret, audience: mgmtAud });
    assert.equal(res.status, 200, res.text);
    const m2m = as(res.body.access_token);
    assert.equal((await m2m.get('/clients')).status, 200, 'read:clients works');
    assert.equal((await m2m.get('/users')).status, 200, 'read:users works');

    const narrowed = await mgmt.patch(`/client-grants/${grant.id}`, { scope: ['read:users'] });
    assert.equal(narrowed.status, 200, narrowed.text);
    assertMgmtError(await m2m.get('/clients'), 403, { errorCode: 'insufficient_scope' }, 'read:clients after the grant was narrowed');
    assert.equal((await m2m.get('/users')).status, 200, 'read:users still granted');

    assert.equal((await mgmt.del(`/client-grants/${grant.id}`)).status, 204);
    assertMgmtError(await m2m.get('/users'), 401, { errorCode: 'invalid_token' }, 'GET /users after the grant was deleted');
    const again = await tokenPost(server, { clientId: client.client_id, clientSecret: client.client_secret, audience: mgmtAud });
    assert.equal(again.body?.error, 'access_denied', `no new token without a grant: ${again.text}`);
  }));
});
