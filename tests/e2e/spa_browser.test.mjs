// The SPA + API story in a real browser: Debian's Chromium (playwright-core)
// runs a page using Auth0's own SDK, @auth0/auth0-spa-js, pointed at Tessera
// by its domain; an Express API protected by express-oauth2-jwt-bearer
// judges the access tokens.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import * as jose from 'jose';

import { startTessera, withLogs } from './lib/server.mjs';
import { request } from './lib/http.mjs';
import { Mgmt } from './lib/mgmt.mjs';
import { assertIdToken, assertInvalidGrant, isJwt, refreshGrant, testEmail, userinfo } from './lib/authflow.mjs';
import { startProtectedApi, startSpaServer } from './lib/spa.mjs';
import { launchBrowser, loadApp, loginThroughSpa, openBrowserPage, waitForUrl } from './lib/browser.mjs';

let server;
let mgmt;
let spa; // the SPA's web server
let spaClient; // the Tessera application of the SPA
let api; // the resource server (custom API)
let protectedApi; // the Express API
let browser;
const tabs = [];
const t_ = (fn) => withLogs(() => server, fn);

before(async () => {
  server = await startTessera();
  mgmt = await Mgmt.forBootstrap(server);
  spa = await startSpaServer({ domain: server.url.replace(/\/$/, '') });
  spaClient = await mgmt.createSpa(spa.origin);
  spa.setConfig({ clientId: spaClient.client_id });
  api = await mgmt.createUserApi();
  protectedApi = await startProtectedApi({
    issuer: server.url,
    audience: api.identifier,
    corsOrigin: spa.origin,
    scope: 'read:messages',
  });
  browser = await launchBrowser();
});

after(async () => {
  for (const t of tabs) await t.close().catch(() => {});
  if (browser) await browser.close();
  if (protectedApi) await protectedApi.close();
  if (spa) await spa.close();
  if (server) assert.equal(await server.stop(), 0, 'tessera should exit 0 on SIGTERM');
});

async function tab() {
  const t = await openBrowserPage(browser, server);
  tabs.push(t);
  return t;
}

async function person() {
  return mgmt.createUser({ email: testEmail('spa'), name: 'Ada Lovelace' });
}


test('loginWithRedirect with an audience -> login page -> callback -> getTokenSilently (refresh tokens) -> the Express API answers 200', t_(async () => {
  const user = await person();
  const t = await tab();
  const init = { audience: api.identifier, scope: 'openid profile email offline_access read:messages', useRefreshTokens: true };
  const loginUrl = await loginThroughSpa(t, { server, spa, email: user.email, password: user.password, init });
  assert.ok(loginUrl.startsWith(`${server.url}u/login?state=`), `login page URL: ${loginUrl}`);

  const user1 = await t.page.evaluate(() => window.app.user());
  assert.equal(user1?.sub, user.user_id, `getUser().sub: ${JSON.stringify(user1)}`);
  assert.equal(user1?.email, user.email, 'getUser().email');

  // The access token from the callback (memory cache) is a JWT for the API.
  const first = await t.page.evaluate(() => window.app.token());
  assert.equal(first.ok, true, `getTokenSilently: ${JSON.stringify(first)}`);
  assert.ok(isJwt(first.access_token), `with an audience the access token is a JWT: ${first.access_token}`);
  const at = jose.decodeJwt(first.access_token);
  assert.deepEqual(at.aud, [api.identifier, `${server.url}userinfo`], 'aud = [API, {issuer}userinfo] when openid was asked');
  assert.equal(at.sub, user.user_id, 'access token sub');
  assert.equal(at.azp, spaClient.client_id, 'access token azp');
  assert.ok((at.scope ?? '').split(' ').includes('read:messages'), `scope claim: ${at.scope}`);

  // The API, called by the page across origins, accepts it.
  const call = await t.page.evaluate(([u, tok]) => window.app.callApi(u, tok), [protectedApi.url, first.access_token]);
  assert.equal(call.ok, true, `fetch from the page: ${JSON.stringify(call)}`);
  assert.equal(call.status, 200, `Express API with the SDK's token: ${call.body}`);
  assert.equal(JSON.parse(call.body).sub, user.user_id);

  // A silent renewal through the refresh token (cache off): a new (rotated)
  // refresh token, and the API still answers 200.
  const renewed = await t.page.evaluate(() => window.app.token({ cacheMode: 'off' }));
  assert.equal(renewed.ok, true, `getTokenSilently({cacheMode:'off'}) with refresh tokens: ${JSON.stringify(renewed)}`);
  // (The same claims within one second may sign to the same JWT: the token
  // requests below, not the token's value, show that it was renewed.)
  await t.settle();
  const grants = t.tokenResponses.map((r) => `${r.request.grant_type}:${r.status}`);
  assert.deepEqual(grants, ['authorization_code:200', 'refresh_token:200'], `token requests the SDK made: ${grants}`);
  const [codeRes, refreshRes] = t.tokenResponses;
  assert.ok(codeRes.body.refresh_token, 'the code exchange returned a refresh token (offline_access)');
  assert.ok(refreshRes.body.refresh_token, 'the refresh returned a refresh token');
  assert.notEqual(refreshRes.body.refresh_token, codeRes.body.refresh_token, 'the refresh token rotated');
  assert.ok(refreshRes.body.id_token, 'the refresh returned an id_token');
  const idc = await assertIdToken(server, refreshRes.body.id_token, { clientId: spaClient.client_id, sub: user.user_id, nonce: null });
  assert.equal(idc.email, user.email, 'id_token email after refresh');
  const call2 = await t.page.evaluate(([u, tok]) => window.app.callApi(u, tok), [protectedApi.url, renewed.access_token]);
  assert.equal(call2.status, 200, `Express API with the renewed token: ${call2.body}`);

  // The rotated-away refresh token is refused now.
  const old = await refreshGrant(server, { clientId: spaClient.client_id, refreshToken: codeRes.body.refresh_token });
  assertInvalidGrant(old, undefined, 'the refresh token the SDK rotated away');
}));

test('without an audience the SDK gets an opaque token: the API answers 401, /userinfo 200', t_(async () => {
  const user = await person();
  const t = await tab();
  const init = { useRefreshTokens: true };
  await loginThroughSpa(t, { server, spa, email: user.email, password: user.password, init });
  const tok = await t.page.evaluate(() => window.app.token());
  assert.equal(tok.ok, true, `getTokenSilently: ${JSON.stringify(tok)}`);
  assert.ok(!isJwt(tok.access_token) && tok.access_token.split('.').length < 3, `an opaque access token, not a JWT: ${tok.access_token}`);

  const apiRes = await request(protectedApi.url, { headers: { authorization: `Bearer ${tok.access_token}` } });
  assert.equal(apiRes.status, 401, `the Express API must refuse the opaque token: ${apiRes.status} ${apiRes.text}`);

  const ui = await userinfo(server, tok.access_token);
  assert.equal(ui.status, 200, `/userinfo with the opaque token: ${ui.status} ${ui.text}`);
  assert.equal(ui.body.sub, user.user_id, 'userinfo sub');
  assert.equal(ui.body.email, user.email, 'userinfo email (scope email)');
  assert.equal(ui.body.email_verified, true, 'userinfo email_verified');
  for (const k of ['name', 'nickname', 'picture', 'updated_at']) {
    assert.ok(ui.body[k] !== undefined, `userinfo ${k} (scope profile): ${ui.text}`);
  }

  // And from the page across origins: /userinfo answers CORS for web_origins.
  const fromPage = await t.page.evaluate(([u, tk]) => window.app.callApi(u, tk), [`${server.url}userinfo`, tok.access_token]);
  assert.equal(fromPage.ok, true, `fetch /userinfo from the SPA origin (CORS): ${JSON.stringify(fromPage)}`);
  assert.equal(fromPage.status, 200, `/userinfo from the page: ${fromPage.body}`);
}));

test('getTokenSilently without refresh tokens renews from the session through the iframe (web_message)', t_(async () => {
  const user = await person();
  const t = await tab();
  const init = { audience: api.identifier, scope: 'openid profile email read:messages', useRefreshTokens: false };
  await loginThroughSpa(t, { server, spa, email: user.email, password: user.password, init });
  const first = await t.page.evaluate(() => window.app.token());
  assert.equal(first.ok, true, `getTokenSilently (cache): ${JSON.stringify(first)}`);

  const renewed = await t.page.evaluate(() => window.app.token({ cacheMode: 'off' }));
  assert.equal(renewed.ok, true, `getTokenSilently({cacheMode:'off'}) through the iframe: ${JSON.stringify(renewed)}\n${t.console.join('\n')}`);
  const silent = t.requests.filter((r) => r.url.startsWith(`${server.url}authorize?`) && r.url.includes('prompt=none'));
  assert.equal(silent.length, 1, `one prompt=none /authorize request: ${JSON.stringify(t.requests)}`);
  assert.equal(new URL(silent[0].url).searchParams.get('response_mode'), 'web_message', 'the SDK asks for web_message');
  await t.settle();
  const grants = t.tokenResponses.map((r) => `${r.request.grant_type}:${r.status}`);
  assert.deepEqual(grants, ['authorization_code:200', 'authorization_code:200'], `the iframe's code was exchanged: ${grants}`);
  const call = await request(protectedApi.url, { headers: { authorization: `Bearer ${renewed.access_token}` } });
  assert.equal(call.status, 200, `the API accepts the renewed token: ${call.text}`);
}));

test('logout ends the session: the next silent call is login_required and the old refresh token is refused', t_(async () => {
  const user = await person();
  const t = await tab();
  const init = { audience: api.identifier, useRefreshTokens: true };
  await loginThroughSpa(t, { server, spa, email: user.email, password: user.password, init });
  const renewed = await t.page.evaluate(() => window.app.token({ cacheMode: 'off' }));
  assert.equal(renewed.ok, true, `refresh before logout: ${JSON.stringify(renewed)}`);
  await t.settle();
  const rts = t.refreshTokens();
  assert.ok(rts.length >= 2, `refresh tokens seen: ${rts.length}`);
  const newest = rts[rts.length - 1];
  const hadSession = (await t.context.cookies(server.url)).some((c) => c.name === 'tsr_session');
  assert.ok(hadSession, 'the browser holds the tsr_session cookie before logout');

  await t.page.evaluate((rt) => window.app.logout(rt), `${spa.origin}/`);
  await waitForUrl(t.page, (u) => u === `${spa.origin}/`, 'logout should come back to returnTo', t.console);
  const logoutReq = t.requests.find((r) => r.url.startsWith(`${server.url}v2/logout?`));
  assert.ok(logoutReq, `the SDK called /v2/logout: ${JSON.stringify(t.requests)}`);
  const cookies = await t.context.cookies(server.url);
  assert.ok(!cookies.some((c) => c.name === 'tsr_session'), `tsr_session cleared: ${JSON.stringify(cookies.map((c) => c.name))}`);

  // A fresh SDK instance on the page (as after a reload): the iframe asks the session, which is gone.
  await loadApp(t, spa, { audience: api.identifier, useRefreshTokens: false });
  const after = await t.page.evaluate(() => window.app.token({ cacheMode: 'off' }));
  assert.equal(after.ok, false, `a silent call after logout must fail: ${JSON.stringify(after)}`);
  assert.equal(after.error, 'login_required', `error after logout: ${JSON.stringify(after)}`);

  // The newest refresh token of that session is refused too.
  const res = await refreshGrant(server, { clientId: spaClient.client_id, refreshToken: newest });
  assertInvalidGrant(res, undefined, 'refresh token after logout');
}));

test('/oauth/token answers the SDK\'s CORS preflight for the SPA origin (Auth0-Client header) and refuses other origins', t_(async () => {
  const pre = await request(`${server.url}oauth/token`, {
    method: 'OPTIONS',
    headers: {
      origin: spa.origin,
      'access-control-request-method': 'POST',
      'access-control-request-headers': 'auth0-client,content-type',
    },
  });
  assert.ok(pre.status === 204 || pre.status === 200, `preflight status: ${pre.status} ${pre.text}`);
  assert.equal(pre.headers.get('access-control-allow-origin'), spa.origin, 'Access-Control-Allow-Origin');
  const allowed = (pre.headers.get('access-control-allow-headers') ?? '').toLowerCase();
  assert.ok(allowed.includes('auth0-client') || allowed === '*', `Access-Control-Allow-Headers: ${allowed}`);

  const other = await request(`${server.url}oauth/token`, {
    method: 'OPTIONS',
    headers: { origin: 'http://127.0.0.1:1', 'access-control-request-method': 'POST', 'access-control-request-headers': 'auth0-client' },
  });
  assert.notEqual(other.headers.get('access-control-allow-origin'), 'http://127.0.0.1:1', 'an unknown origin is not allowed');
  assert.notEqual(other.headers.get('access-control-allow-origin'), '*', 'no wildcard CORS on the token endpoint');
}));
