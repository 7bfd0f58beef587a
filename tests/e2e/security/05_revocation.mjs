// Revocation reach: when a consent, a password, a client secret or a
// client's authentication method changes, what was issued under the old
// state dies with it; and a client authenticates only with the method it
// registered.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { startTessera, withLogs } from '../lib/server.mjs';
import { Mgmt } from '../lib/mgmt.mjs';
import { CookieJar } from '../lib/cookies.mjs';
import { findForm, hiddenFields } from '../lib/html.mjs';
import {
  appRedirect,
  assertTokens,
  authorizeUrl,
  codeGrant,
  codeRequest,
  followOnServer,
  loginOverHttp,
  openLogin,
  refreshGrant,
  submitLogin,
  testEmail,
} from '../lib/authflow.mjs';
import { basicAuth, form } from '../lib/http.mjs';
import { countWhere, sqlText } from '../lib/db.mjs';

const CB = 'http://127.0.0.1:9/revocation-callback';

describe('revocation reach: consent, password and client credential changes end what they covered', () => {
  let server;
  let mgmt;
  let api;
  const t_ = (fn) => withLogs(() => server, fn);

  before(async () => {
    server = await startTessera();
    mgmt = await Mgmt.forBootstrap(server);
    api = await mgmt.createUserApi();
  });

  after(async () => {
    if (server) assert.equal(await server.stop(), 0, 'tessera should exit 0 on SIGTERM');
  });

  /** The code flow of a confidential app: {jar, tokens}; third-party apps pass the consent page. */
  async function webLogin(app, who, { audience = api.identifier, consent = false } = {}) {
    const req = codeRequest({ clientId: app.client_id, redirectUri: CB, audience, scope: 'openid read:messages offline_access' });
    let redirect;
    let jar = new CookieJar();
    if (consent) {
      const login = await openLogin(server, jar, req.params);
      const posted = await submitLogin(jar, login, { username: who.email, password: who.password });
      const page = await followOnServer(server, jar, new URL(posted.location, login.form.action).href);
      assert.ok(page.url.startsWith(`${server.url}u/consent?state=`), `the consent page: ${page.url}`);
      const f = findForm(page.res.text, page.url, 'csrf');
      const res = await jar.postForm(f.action, { ...hiddenFields(f), decision: 'accept' });
      redirect = appRedirect(new URL(res.location, f.action).href);
    } else {
      ({ jar, redirect } = await loginOverHttp(server, { params: req.params, email: who.email, password: who.password }));
    }
    const res = await codeGrant(server, {
      clientId: app.client_id, clientSecret: app.client_secret, code: redirect.code, redirectUri: CB, verifier: req.verifier,
    });
    const tokens = assertTokens(res, 'code grant');
    assert.equal(typeof tokens.refresh_token, 'string', `offline_access gives a refresh token: ${res.text}`);
    return { jar, tokens };
  }

  const refresh = (app, rt) => refreshGrant(server, { clientId: app.client_id, clientSecret: app.client_secret, refreshToken: rt });

  function assertRefreshRefused(res, what) {
    assert.equal(res.body?.error, 'invalid_grant', `${what}: the refresh token must be dead, got ${res.status} ${res.text}`);
  }

  test('an app whose consent was deleted (DELETE /grants/{id}) cannot go on refreshing: the refresh token is revoked', t_(async () => {
    const app = await mgmt.createWebApp(CB, { is_first_party: false });
    const other = await mgmt.createWebApp(CB, { is_first_party: false });
    const user = await mgmt.createUser({ email: testEmail('consent-del') });
    const { tokens } = await webLogin(app, user, { consent: true });
    const kept = (await webLogin(other, user, { consent: true })).tokens;
    const list = await mgmt.get(`/grants?user_id=${encodeURIComponent(user.user_id)}`);
    const grant = list.body.find((g) => g.clientID === app.client_id);
    assert.ok(grant, `the consent is listed: ${list.text}`);
    assert.equal((await mgmt.del(`/grants/${grant.id}`)).status, 204, 'DELETE /grants/{id}');
    assertRefreshRefused(await refresh(app, tokens.refresh_token), 'after DELETE /grants/{id}');
    assertTokens(await refresh(other, kept.refresh_token), 'the consent to another app is untouched');
  }));

  test('DELETE /grants?user_id= revokes the refresh tokens of every app the user had consented to', t_(async () => {
    const app = await mgmt.createWebApp(CB, { is_first_party: false });
    const user = await mgmt.createUser({ email: testEmail('consent-all') });
    const { tokens } = await webLogin(app, user, { consent: true });
    assert.equal((await mgmt.del(`/grants?user_id=${encodeURIComponent(user.user_id)}`)).status, 204);
    assertRefreshRefused(await refresh(app, tokens.refresh_token), 'after DELETE /grants?user_id=');
  }));

  test('a password set through PATCH /api/v2/users/{id} ends the user\'s sessions and revokes their refresh tokens', t_(async () => {
    const app = await mgmt.createWebApp(CB);
    const user = await mgmt.createUser({ email: testEmail('pw-patch') });
    const { jar, tokens } = await webLogin(app, user);
    await mgmt.patchUser(user.user_id, { password: 'An0ther!Passw0rd', connection: 'Username-Password-Authentication' });
    assertRefreshRefused(await refresh(app, tokens.refresh_token), 'after the password was set');
    const silent = codeRequest({ clientId: app.client_id, redirectUri: CB, extra: { prompt: 'none' } });
    const f = await followOnServer(server, jar, authorizeUrl(server, silent.params));
    assert.ok(f.location, `prompt=none answers the app: ${f.url} ${f.res.status}`);
    assert.equal(appRedirect(f.location).error, 'login_required', `the old session is over: ${f.location}`);
  }));

  test('a confidential client switched to token_endpoint_auth_method none cannot redeem its old refresh tokens with client_id alone', t_(async () => {
    const app = await mgmt.createWebApp(CB);
    const user = await mgmt.createUser({ email: testEmail('to-public') });
    const { tokens } = await webLogin(app, user);
    const patched = await mgmt.patch(`/clients/${app.client_id}`, { token_endpoint_auth_method: 'none' });
    assert.equal(patched.status, 200, `PATCH to none: ${patched.text}`);
    const res = await refreshGrant(server, { clientId: app.client_id, refreshToken: tokens.refresh_token });
    assertRefreshRefused(res, 'a confidential refresh token presented with client_id alone');
  }));

  test('rotating a client secret revokes the refresh tokens issued under the old one', t_(async () => {
    const app = await mgmt.createWebApp(CB);
    const user = await mgmt.createUser({ email: testEmail('rotate') });
    const { tokens } = await webLogin(app, user);
    const rotated = await mgmt.post(`/clients/${app.client_id}/rotate-secret`);
    assert.equal(rotated.status, 200, `rotate-secret: ${rotated.text}`);
    const res = await refresh({ ...app, client_secret: rotated.body.client_secret }, tokens.refresh_token);
    assertRefreshRefused(res, 'a refresh token issued before rotate-secret');
  }));

  test('a deleted client leaves no live refresh token behind', t_(async () => {
    const app = await mgmt.createWebApp(CB);
    const user = await mgmt.createUser({ email: testEmail('client-del') });
    await webLogin(app, user);
    assert.equal((await mgmt.del(`/clients/${app.client_id}`)).status, 204, 'DELETE /clients/{id}');
    const live = countWhere(server.dbPath,
      `SELECT count(*) FROM refresh_tokens WHERE client_id = ${sqlText(app.client_id)} AND revoked_at IS NULL;`);
    assert.equal(live, 0, 'refresh tokens of a deleted client must be revoked');
  }));

  test('a client_secret_post client cannot authenticate with Basic, nor a client_secret_basic client with a body secret (token, revoke, introspect)', t_(async () => {
    const post = await mgmt.createClient({ token_endpoint_auth_method: 'client_secret_post' });
    const basic = await mgmt.createClient({ token_endpoint_auth_method: 'client_secret_basic' });
    await mgmt.createGrant(post.client_id, api.identifier, ['read:messages']);
    await mgmt.createGrant(basic.client_id, api.identifier, ['read:messages']);
    for (const path of ['oauth/token', 'oauth/revoke', 'oauth/introspect']) {
      const params = path === 'oauth/token' ? { grant_type: 'client_credentials', audience: api.identifier } : { token: 'x' };
      const viaBasic = await form(`${server.url}${path}`, params, { authorization: basicAuth(post.client_id, post.client_secret) });
      assert.equal(viaBasic.status, 401, `${path}: a client_secret_post client using Basic: ${viaBasic.status} ${viaBasic.text}`);
      assert.equal(viaBasic.body?.error, 'invalid_client', `${path}: ${viaBasic.text}`);
      assert.match(viaBasic.headers.get('www-authenticate') ?? '', /^Basic/, `${path}: WWW-Authenticate when Basic was used`);
      const viaBody = await form(`${server.url}${path}`, { ...params, client_id: basic.client_id, client_secret: basic.client_secret });
      assert.equal(viaBody.status, 401, `${path}: a client_secret_basic client using the body: ${viaBody.status} ${viaBody.text}`);
      assert.equal(viaBody.body?.error, 'invalid_client', `${path}: ${viaBody.text}`);
    }
    // Each with its own method still works.
    assertTokens(await form(`${server.url}oauth/token`, { grant_type: 'client_credentials', audience: api.identifier },
      { authorization: basicAuth(basic.client_id, basic.client_secret) }), 'Basic for the client_secret_basic client');
    assertTokens(await form(`${server.url}oauth/token`, { grant_type: 'client_credentials', audience: api.identifier,
      client_id: post.client_id, client_secret: post.client_secret }), 'the body for the client_secret_post client');
  }));
});
