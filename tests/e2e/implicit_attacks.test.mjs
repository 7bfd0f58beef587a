// The implicit and hybrid flows of /authorize under attack: each test is
// one attacker of the threat model (a signed-up person, a malicious or
// third-party app, a web attacker, an operator changing a setting) trying
// to get a token through the front channel that the code flow would not
// give them, or to make one leak.  Each passes when Tessera holds.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';

import * as jose from 'jose';
import * as client from 'openid-client';

import { makeDataDir, startTessera, withLogs } from './lib/server.mjs';
import { Mgmt, remember, secretsSeen } from './lib/mgmt.mjs';
import {
  appRedirect, authorizeSilently, authorizeUrl, codeGrant, followAcceptingConsent, followOnServer, loginOverHttp, openLogin,
  pkcePair, randomString, submitLogin, testEmail, userinfo, verifyJwt,
} from './lib/authflow.mjs';
import { CookieJar } from './lib/cookies.mjs';
import { findForm, hiddenFields } from './lib/html.mjs';
import { form, json } from './lib/http.mjs';
import { assertAbsent } from './lib/logs.mjs';
import { runCli } from './lib/cli.mjs';
import { createTenant } from './lib/tenants.mjs';

const CALLBACK = 'http://127.0.0.1:9/callback'; // never fetched: the test reads the Location
const OTHER_ORIGIN_CALLBACK = 'http://127.0.0.1:8/callback';

let server;
let mgmt;
let api; // an API with RBAC: people get read:messages only with the permission
let legacy; // a public (spa) app allowed access tokens in the front channel
let web; // a confidential regular web app with the implicit grant (ID tokens only)
let user;
const t_ = (fn) => withLogs(() => server, fn);

const halfHash = (v) => createHash('sha256').update(v).digest().subarray(0, 16).toString('base64url');
const words = (s) => (s ?? '').split(' ').filter(Boolean);

before(async () => {
  server = await startTessera();
  mgmt = await Mgmt.forBootstrap(server);
  api = await mgmt.createUserApi({ enforce_policies: true, token_dialect: 'access_token_authz', token_lifetime_for_web: 600 });
  legacy = await mgmt.createApp({
    app_type: 'spa', callbacks: [CALLBACK, OTHER_ORIGIN_CALLBACK], web_origins: ['http://127.0.0.1:9'],
    allow_implicit_access_tokens: true,
  });
  assert.ok(legacy.grant_types.includes('implicit'), `spa grant types: ${legacy.grant_types}`);
  web = await mgmt.createApp({ app_type: 'regular_web', callbacks: [CALLBACK], token_endpoint_auth_method: 'client_secret_basic' });
  user = await mgmt.createUser({ email: testEmail('attack') });
});

after(async () => {
  if (server) assert.equal(await server.stop(), 0, 'tessera should exit 0 on SIGTERM');
});

/** Logs the user in with params (a fresh jar unless given); returns {jar, redirect}. */
function login(params, jar = new CookieJar(), who = user) {
  return loginOverHttp(server, { params, email: who.email, password: who.password, jar });
}

/** GET /authorize with params and a jar; {location, res, url} (location null: ended on a Tessera page). */
function authorize(jar, params) {
  return followOnServer(server, jar, authorizeUrl(server, params));
}

/** Every token and secret of the redirect remembered for the leak checks. */
function rememberAll(redirect) {
  for (const k of ['access_token', 'id_token', 'code']) remember(redirect.params.get(k));
}

/** Asserts a redirect carries no token of any kind. */
function assertNoTokens(r, what) {
  for (const k of ['access_token', 'id_token', 'code', 'refresh_token']) {
    assert.equal(r.params.get(k), null, `${what}: ${k} must not be sent: ${r.url.href}`);
    assert.equal(r.url.searchParams.get(k), null, `${what}: ${k} must not be in the query: ${r.url.href}`);
  }
}

test('a person cannot get Management API admin scopes through response_type token or code token', t_(async () => {
  const mgmtAudience = `${server.url}api/v2/`;
  const asked = 'openid read:users delete:users create:clients read:clients update:users read:current_user';
  for (const rt of ['token', 'id_token token', 'code token']) {
    const pkce = pkcePair();
    const { redirect } = await login({
      client_id: legacy.client_id, redirect_uri: CALLBACK, response_type: rt, nonce: randomString(), state: 'st',
      audience: mgmtAudience, scope: asked, code_challenge: pkce.challenge, code_challenge_method: 'S256',
    });
    rememberAll(redirect);
    const at = redirect.params.get('access_token');
    assert.ok(at, `${rt}: an access token is sent: ${redirect.url.href}`);
    const claims = (await verifyJwt(server, at, { audience: mgmtAudience })).payload;
    for (const admin of ['read:users', 'delete:users', 'create:clients', 'read:clients', 'update:users']) {
      assert.ok(!words(claims.scope).includes(admin), `${rt}: a person without the permission got ${admin}: ${claims.scope}`);
      assert.ok(!words(redirect.params.get('scope')).includes(admin), `${rt}: response scope names ${admin}`);
    }
    for (const path of ['/users', '/clients']) {
      const res = await json(`${server.url}api/v2${path}`, 'GET', undefined, at);
      assert.ok(res.status === 403 || res.status === 401, `${rt}: GET /api/v2${path} with a person's front-channel token: ${res.status} ${res.text.slice(0, 200)}`);
    }
    // Its own record only, through the current-user scope.
    const self = await json(`${server.url}api/v2/users/${encodeURIComponent(user.user_id)}`, 'GET', undefined, at);
    assert.equal(self.status, 200, `${rt}: read:current_user reaches the person's own record: ${self.text.slice(0, 200)}`);
  }
}));

test('RBAC holds in the front channel: without the permission no read:messages, with it exactly as the token endpoint gives it', t_(async () => {
  const person = await mgmt.createUser({ email: testEmail('rbac-front') });
  const ask = () => login({
    client_id: legacy.client_id, redirect_uri: CALLBACK, response_type: 'token', state: 'st',
    audience: api.identifier, scope: 'read:messages',
  }, new CookieJar(), person);
  let { redirect } = await ask();
  rememberAll(redirect);
  let claims = jose.decodeJwt(redirect.params.get('access_token'));
  assert.ok(!words(claims.scope).includes('read:messages'), `no permission, no scope: ${claims.scope}`);
  assert.deepEqual(claims.permissions, []);
  assert.equal(claims.exp - claims.iat, 600, 'token_lifetime_for_web');

  const added = await mgmt.post(`/users/${encodeURIComponent(person.user_id)}/permissions`, {
    permissions: [{ resource_server_identifier: api.identifier, permission_name: 'read:messages' }],
  });
  assert.equal(added.status, 201, added.text);
  ({ redirect } = await ask());
  rememberAll(redirect);
  claims = jose.decodeJwt(redirect.params.get('access_token'));
  assert.ok(words(claims.scope).includes('read:messages'), `with the permission: ${claims.scope}`);
  assert.deepEqual(claims.permissions, ['read:messages']);
}));

/** Submits the login form of started and follows (accepting consent) to the application's redirect. */
async function finishLogin(jar, started) {
  const posted = await submitLogin(jar, started, { username: user.email, password: user.password });
  let location = posted.location ? new URL(posted.location, started.form.action).href : null;
  if (location && location.startsWith(server.url)) location = (await followAcceptingConsent(server, jar, location)).location;
  assert.ok(location, `the login ends at the application with an error: ${posted.status} ${posted.text.slice(0, 200)}`);
  return appRedirect(location);
}

test('an operator switching allow_implicit_access_tokens off during a login: the resumed login sends no access token', t_(async () => {
  const app = await mgmt.createApp({ app_type: 'spa', callbacks: [CALLBACK], allow_implicit_access_tokens: true });
  const jar = new CookieJar();
  const started = await openLogin(server, jar, {
    client_id: app.client_id, redirect_uri: CALLBACK, response_type: 'id_token token', nonce: randomString(), state: 'st',
    scope: 'openid', audience: api.identifier,
  });
  const off = await mgmt.patch(`/clients/${app.client_id}`, { allow_implicit_access_tokens: false });
  assert.equal(off.status, 200, off.text);
  const r = await finishLogin(jar, started);
  rememberAll(r);
  assertNoTokens(r, 'allow_implicit_access_tokens switched off mid-login');
  assert.equal(r.error, 'unsupported_response_type', r.url.href);
}));

test('an operator removing the implicit grant during a login: the resumed login sends no ID token', t_(async () => {
  const app = await mgmt.createApp({ app_type: 'regular_web', callbacks: [CALLBACK] });
  const jar = new CookieJar();
  const started = await openLogin(server, jar, {
    client_id: app.client_id, redirect_uri: CALLBACK, response_type: 'id_token', nonce: randomString(), state: 'st', scope: 'openid',
  });
  const off = await mgmt.patch(`/clients/${app.client_id}`, { grant_types: ['authorization_code', 'refresh_token'] });
  assert.equal(off.status, 200, off.text);
  const r = await finishLogin(jar, started);
  rememberAll(r);
  assertNoTokens(r, 'implicit grant removed mid-login');
  assert.equal(r.error, 'unauthorized_client', r.url.href);
}));

test('a setting taken away while the consent page is open: accepting it afterwards sends no access token', t_(async () => {
  const third = await mgmt.createApp({ app_type: 'spa', callbacks: [CALLBACK], is_first_party: false, allow_implicit_access_tokens: true });
  const jar = new CookieJar();
  const started = await openLogin(server, jar, {
    client_id: third.client_id, redirect_uri: CALLBACK, response_type: 'id_token token', nonce: randomString(), state: 'st',
    scope: 'openid', audience: api.identifier,
  });
  const posted = await submitLogin(jar, started, { username: user.email, password: user.password });
  const consentUrl = new URL(posted.location, started.form.action).href;
  const f = await followOnServer(server, jar, consentUrl);
  assert.equal(f.location, null, 'a third-party app is asked for consent first');
  assert.ok(f.url.startsWith(`${server.url}u/consent?state=`), f.url);
  const off = await mgmt.patch(`/clients/${third.client_id}`, { allow_implicit_access_tokens: false });
  assert.equal(off.status, 200, off.text);
  const consentForm = findForm(f.res.text, f.url, 'csrf');
  const accepted = await jar.postForm(consentForm.action, { ...hiddenFields(consentForm), decision: 'accept' });
  const r = appRedirect(new URL(accepted.location, consentForm.action).href);
  rememberAll(r);
  assertNoTokens(r, 'allow_implicit_access_tokens switched off on the consent page');
  assert.equal(r.error, 'unsupported_response_type', r.url.href);
}));

test('a callback removed during a login: the resumed login shows an error page and redirects nowhere', t_(async () => {
  const gone = 'http://127.0.0.1:9/gone';
  const app = await mgmt.createApp({ app_type: 'regular_web', callbacks: [CALLBACK, gone] });
  const jar = new CookieJar();
  const started = await openLogin(server, jar, {
    client_id: app.client_id, redirect_uri: gone, response_type: 'id_token', nonce: randomString(), state: 'st', scope: 'openid',
  });
  const patched = await mgmt.patch(`/clients/${app.client_id}`, { callbacks: [CALLBACK] });
  assert.equal(patched.status, 200, patched.text);
  const posted = await submitLogin(jar, started, { username: user.email, password: user.password });
  assert.ok(!(posted.location ?? '').startsWith(gone), `no redirect to a callback that is no longer registered: ${posted.location}`);
  if (posted.location) {
    const f = await followAcceptingConsent(server, jar, new URL(posted.location, started.form.action).href);
    assert.equal(f.location, null, `ends on a page of Tessera, not at ${f.location}`);
  } else {
    assert.equal(posted.status, 400, posted.text.slice(0, 200));
    assert.ok(!/eyJ/.test(posted.text), 'no token on the error page');
  }
}));

test('tokens never travel in a query string: every front-channel response type with response_mode=query is refused in the fragment', t_(async () => {
  const { jar } = await login({ client_id: web.client_id, redirect_uri: CALLBACK, response_type: 'id_token', nonce: 'n1', scope: 'openid' });
  for (const rt of ['id_token', 'code id_token', 'token', 'id_token token', 'code token', 'code id_token token', 'token id_token code']) {
    const pkce = pkcePair();
    const f = await authorize(jar, {
      client_id: legacy.client_id, redirect_uri: CALLBACK, response_type: rt, response_mode: 'query', nonce: 'n',
      scope: 'openid', state: 'st', code_challenge: pkce.challenge, code_challenge_method: 'S256',
    });
    assert.ok(f.location, `${rt}: an error at the application: ${f.res.status}`);
    const r = appRedirect(f.location);
    assertNoTokens(r, `${rt} in a query`);
    assert.equal(r.url.search, '', `${rt}: nothing in the query: ${r.url.href}`);
    assert.equal(r.error, 'invalid_request', `${rt}: ${r.url.href}`);
  }
}));

test('a redirect carrying tokens: 303 after a POST (never 307), not cached, no referrer, no CORS on /authorize', t_(async () => {
  const params = { client_id: legacy.client_id, redirect_uri: CALLBACK, response_type: 'id_token token', nonce: 'n4', scope: 'openid', audience: api.identifier, state: 'st' };
  const first = await login(params); // consents once to the API for a loopback callback
  rememberAll(first.redirect);
  const { jar } = first;
  const posted = await jar.postForm(`${server.url}authorize`, params, { origin: 'http://evil.example' });
  assert.equal(posted.status, 303, `POST /authorize answers 303: ${posted.status} ${posted.text.slice(0, 200)}`);
  const r = appRedirect(posted.location);
  rememberAll(r);
  assert.ok(r.params.get('access_token') && r.params.get('id_token'), r.url.href);
  assert.equal(r.url.search, '');
  const got = await jar.fetch(authorizeUrl(server, params), { headers: { origin: 'http://evil.example' } });
  assert.equal(got.status, 302);
  rememberAll(appRedirect(got.location));
  for (const res of [posted, got]) {
    assert.equal(res.headers.get('access-control-allow-origin'), null, 'no CORS on /authorize');
    assert.equal(res.headers.get('cache-control'), 'no-store');
    assert.equal(res.headers.get('referrer-policy'), 'no-referrer');
  }
}));

test('web_message: the answer goes only to an Allowed Web Origin, never to another registered callback\'s origin', t_(async () => {
  const { jar } = await login({ client_id: legacy.client_id, redirect_uri: CALLBACK, response_type: 'id_token', nonce: 'n', scope: 'openid' });
  const base = { client_id: legacy.client_id, response_type: 'id_token token', response_mode: 'web_message', nonce: 'n2', scope: 'openid', prompt: 'none', state: 'st' };
  const refused = await jar.fetch(authorizeUrl(server, { ...base, redirect_uri: OTHER_ORIGIN_CALLBACK }));
  assert.equal(refused.status, 400, `an origin outside web_origins: ${refused.status}`);
  assert.ok(!/eyJ/.test(refused.text), 'the error page carries no token');
  assert.ok(!refused.text.includes('postMessage'), 'no postMessage at all');

  const ok = await jar.fetch(authorizeUrl(server, { ...base, redirect_uri: CALLBACK }));
  assert.equal(ok.status, 200, ok.text.slice(0, 300));
  const m = /postMessage\(m,("[^"]*")\)/.exec(ok.text);
  assert.ok(m, `the page posts to one target: ${ok.text.slice(0, 400)}`);
  assert.equal(JSON.parse(m[1]), 'http://127.0.0.1:9', 'the target is the exact registered origin, never "*"');
  const csp = ok.headers.get('content-security-policy') ?? '';
  assert.match(csp, /frame-ancestors http:\/\/127\.0\.0\.1:9(;|$)/, csp);
  assert.equal(ok.headers.get('cache-control'), 'no-store');
  const tokens = ok.text.match(/eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+/g) ?? [];
  remember(...tokens);
}));

test('form_post: attacker text in state cannot break out of the auto-submit page', t_(async () => {
  const { jar } = await login({ client_id: web.client_id, redirect_uri: CALLBACK, response_type: 'id_token', nonce: 'n', scope: 'openid' });
  const state = '"><script>alert(1)</script><input name="id_token" value="forged';
  const res = await jar.fetch(authorizeUrl(server, {
    client_id: web.client_id, redirect_uri: CALLBACK, response_type: 'id_token', response_mode: 'form_post', nonce: 'n3', scope: 'openid', state,
  }));
  assert.equal(res.status, 200, res.text.slice(0, 300));
  assert.equal((res.text.match(/<script/g) ?? []).length, 1, `only the page's own script: ${res.text}`);
  assert.ok(!res.text.includes('alert(1)</script>'), 'state is escaped');
  const f = findForm(res.text, server.url, 'id_token');
  assert.equal(f.action, CALLBACK);
  assert.equal(f.inputs.filter((i) => i.name === 'id_token').length, 1, 'exactly one id_token field');
  const fields = hiddenFields(f);
  assert.equal(fields.state, state, 'state comes back verbatim');
  remember(fields.id_token);
  const claims = (await verifyJwt(server, fields.id_token, { audience: web.client_id })).payload;
  assert.equal(claims.nonce, 'n3');
  const csp = res.headers.get('content-security-policy') ?? '';
  assert.match(csp, /frame-ancestors 'none'/);
  assert.match(csp, /script-src 'nonce-/);
  assert.equal(res.headers.get('cache-control'), 'no-store');
  assert.equal(res.headers.get('referrer-policy'), 'no-referrer');
}));

test('attacker text echoed in an error (response_type, state) is encoded in the fragment and escaped in form_post; no CR/LF/TAB in error_description', t_(async () => {
  const evil = 'id_token\r\n<b>"x\t';
  const f = await authorize(new CookieJar(), {
    client_id: web.client_id, redirect_uri: CALLBACK, response_type: evil, nonce: 'n', scope: 'openid', state: 's<>"',
  });
  if (f.location) {
    const r = appRedirect(f.location);
    assert.equal(r.error, 'unsupported_response_type', r.url.href);
    assert.ok(!/[\r\n\t]/.test(r.error_description), `error_description without control characters: ${JSON.stringify(r.error_description)}`);
    assert.ok(!/[\r\n\t<>"]/.test(f.location), `the Location header is percent-encoded: ${f.location}`);
  } else {
    assert.equal(f.res.status, 400, 'or an error page');
  }
  const page = await new CookieJar().fetch(authorizeUrl(server, {
    client_id: web.client_id, redirect_uri: CALLBACK, response_type: 'id_token<script>x</script>', response_mode: 'form_post', nonce: 'n', scope: 'openid',
  }));
  assert.equal(page.status, 200, page.text.slice(0, 300));
  assert.ok(!page.text.includes('<script>x</script>'), `the echo is escaped: ${page.text}`);
  const fields = hiddenFields(findForm(page.text, server.url, 'error'));
  assert.equal(fields.error, 'unsupported_response_type');
}));

test('an ID token from the front channel is for its own client only: openid-client for another app refuses it', t_(async () => {
  const other = await mgmt.createApp({ app_type: 'regular_web', callbacks: [CALLBACK], token_endpoint_auth_method: 'client_secret_basic' });
  const nonce = client.randomNonce();
  const { redirect } = await login({ client_id: web.client_id, redirect_uri: CALLBACK, response_type: 'id_token', nonce, scope: 'openid', state: 'st' });
  rememberAll(redirect);
  const claims = (await verifyJwt(server, redirect.params.get('id_token'), { audience: web.client_id })).payload;
  assert.equal(claims.aud, web.client_id, 'aud is the client alone');
  assert.ok(claims.azp === undefined || claims.azp === web.client_id);
  const config = await client.discovery(new URL(server.url), other.client_id, other.client_secret, client.ClientSecretBasic(other.client_secret), {
    execute: [client.allowInsecureRequests],
  });
  client.useIdTokenResponseType(config);
  await assert.rejects(client.implicitAuthentication(config, redirect.url, nonce, { expectedState: 'st' }),
    (e) => /"aud"|claim":"aud|audience/.test(`${e.message} ${e.cause?.message} ${JSON.stringify(e.cause?.cause ?? {})}`),
    'another client must refuse the ID token (aud)');
}));

test('nonce: over 2048 characters refused, 64 characters and special characters come back exactly', t_(async () => {
  const f = await authorize(new CookieJar(), { client_id: web.client_id, redirect_uri: CALLBACK, response_type: 'id_token', nonce: 'a'.repeat(2049), scope: 'openid', state: 'st' });
  const r = appRedirect(f.location);
  assert.equal(r.error, 'invalid_request');
  assertNoTokens(r, 'a nonce too long');
  const { jar } = await login({ client_id: web.client_id, redirect_uri: CALLBACK, response_type: 'id_token', nonce: 'x'.repeat(64), scope: 'openid' });
  for (const nonce of ['x'.repeat(64), 'a&b=c#d<"\'>é ü']) {
    const s = await authorizeSilently(server, jar, { client_id: web.client_id, redirect_uri: CALLBACK, response_type: 'id_token', nonce, scope: 'openid' });
    remember(s.params.get('id_token'));
    const claims = (await verifyJwt(server, s.params.get('id_token'), { audience: web.client_id })).payload;
    assert.equal(claims.nonce, nonce);
  }
}));

test('code id_token token: c_hash and at_hash are the half SHA-256 of what came with them; the code still needs its PKCE verifier', t_(async () => {
  const pkce = pkcePair();
  const nonce = randomString();
  const { redirect } = await login({
    client_id: legacy.client_id, redirect_uri: CALLBACK, response_type: 'code id_token token', nonce, state: 'st',
    scope: 'openid offline_access', audience: api.identifier, code_challenge: pkce.challenge, code_challenge_method: 'S256',
  });
  rememberAll(redirect);
  const p = redirect.params;
  const id = (await verifyJwt(server, p.get('id_token'), { audience: legacy.client_id })).payload;
  assert.equal(id.c_hash, halfHash(p.get('code')));
  assert.equal(id.at_hash, halfHash(p.get('access_token')));
  assert.equal(p.get('refresh_token'), null);
  assert.equal(p.get('iss'), server.url, 'RFC 9207 iss');
  const noVerifier = await codeGrant(server, { clientId: legacy.client_id, code: p.get('code'), redirectUri: CALLBACK });
  assert.equal(noVerifier.status, 400, noVerifier.text);
  assert.equal(noVerifier.body.error, 'invalid_grant');
  // A failed redemption spends the code or not; either way a second wrong verifier gets nothing.
  const wrong = await codeGrant(server, { clientId: legacy.client_id, code: p.get('code'), redirectUri: CALLBACK, verifier: pkcePair().verifier });
  assert.equal(wrong.status, 400, wrong.text);
}));

test('hybrid for a public client without PKCE is refused before any token is made', t_(async () => {
  const { jar } = await login({ client_id: legacy.client_id, redirect_uri: CALLBACK, response_type: 'id_token', nonce: 'n', scope: 'openid' });
  for (const rt of ['code id_token', 'code token', 'code id_token token']) {
    const f = await authorize(jar, { client_id: legacy.client_id, redirect_uri: CALLBACK, response_type: rt, nonce: 'n', scope: 'openid', state: 'st' });
    const r = appRedirect(f.location);
    assertNoTokens(r, `${rt} without PKCE`);
    assert.equal(r.error, 'invalid_request', r.url.href);
    assert.match(r.error_description, /Public clients must use PKCE/);
  }
}));

test('the access token flag needs the implicit grant too; a client with only the flag gets nothing', t_(async () => {
  const app = await mgmt.createApp({ app_type: 'spa', callbacks: [CALLBACK], allow_implicit_access_tokens: true, grant_types: ['authorization_code'] });
  const f = await authorize(new CookieJar(), { client_id: app.client_id, redirect_uri: CALLBACK, response_type: 'token', scope: 'openid', state: 'st' });
  const r = appRedirect(f.location);
  assertNoTokens(r, 'flag without the implicit grant');
  assert.equal(r.error, 'unauthorized_client');
}));

test('prompt=none: no session gives login_required; a third-party app without consent gives consent_required; never a token', t_(async () => {
  let f = await authorize(new CookieJar(), { client_id: web.client_id, redirect_uri: CALLBACK, response_type: 'id_token', nonce: 'n', scope: 'openid', prompt: 'none', state: 'st' });
  let r = appRedirect(f.location);
  assertNoTokens(r, 'prompt=none without a session');
  assert.equal(r.error, 'login_required');
  assert.ok(r.url.hash.length > 1, 'in the fragment');

  const third = await mgmt.createApp({ app_type: 'spa', callbacks: [CALLBACK], is_first_party: false, allow_implicit_access_tokens: true });
  const { jar } = await login({ client_id: web.client_id, redirect_uri: CALLBACK, response_type: 'id_token', nonce: 'n', scope: 'openid' });
  for (const rt of ['id_token', 'token', 'id_token token']) {
    f = await authorize(jar, { client_id: third.client_id, redirect_uri: CALLBACK, response_type: rt, nonce: 'n', scope: 'openid profile', audience: api.identifier, prompt: 'none', state: 'st' });
    r = appRedirect(f.location);
    assertNoTokens(r, `${rt}: third-party app without consent`);
    assert.equal(r.error, 'consent_required', r.url.href);
  }
  // Without prompt=none the consent page is shown, not a token.
  f = await authorize(jar, { client_id: third.client_id, redirect_uri: CALLBACK, response_type: 'id_token token', nonce: 'n', scope: 'openid', audience: api.identifier, state: 'st' });
  assert.equal(f.location, null, 'the consent page, not a redirect with tokens');
  assert.ok(f.url.startsWith(`${server.url}u/consent?state=`), f.url);
}));

test('a blocked person with a live session gets no ID token or access token', t_(async () => {
  const person = await mgmt.createUser({ email: testEmail('blocked') });
  const { jar } = await login({ client_id: legacy.client_id, redirect_uri: CALLBACK, response_type: 'id_token', nonce: 'n', scope: 'openid' }, new CookieJar(), person);
  await mgmt.patchUser(person.user_id, { blocked: true });
  for (const [rt, prompt] of [['id_token', undefined], ['id_token token', 'none'], ['token', undefined]]) {
    const f = await authorize(jar, { client_id: legacy.client_id, redirect_uri: CALLBACK, response_type: rt, nonce: 'n', scope: 'openid', audience: api.identifier, prompt, state: 'st' });
    if (f.location) assertNoTokens(appRedirect(f.location), `${rt} for a blocked person`);
    else assert.ok(f.url.startsWith(`${server.url}u/login?state=`), `${rt}: the login page: ${f.url}`);
  }
}));

test('tenants are isolated: another tenant\'s client, session and issuer never mix into an ID token', t_(async () => {
  const t2 = await createTenant(server, `t${randomString(4).replace(/[^a-z0-9]/gi, 'x').toLowerCase()}`);
  const m2 = await Mgmt.forBootstrap(t2);
  const app2 = await m2.createApp({ app_type: 'regular_web', callbacks: [CALLBACK] });
  const user2 = await m2.createUser({ email: testEmail('t2') });

  // The default tenant's client is unknown at t2.
  const unknown = await new CookieJar().fetch(`${t2.url}authorize?${new URLSearchParams({ client_id: web.client_id, redirect_uri: CALLBACK, response_type: 'id_token', nonce: 'n', scope: 'openid' })}`);
  assert.equal(unknown.status, 400, `t2 does not know the default tenant's client: ${unknown.status}`);

  // A session at the default tenant gives nothing at t2.
  const { jar } = await login({ client_id: web.client_id, redirect_uri: CALLBACK, response_type: 'id_token', nonce: 'n', scope: 'openid' });
  const silent = await followOnServer(t2, jar, `${t2.url}authorize?${new URLSearchParams({ client_id: app2.client_id, redirect_uri: CALLBACK, response_type: 'id_token', nonce: 'n', scope: 'openid', prompt: 'none', state: 'st' })}`);
  const r = appRedirect(silent.location);
  assertNoTokens(r, 'a default-tenant session at t2');
  assert.equal(r.error, 'login_required');

  // t2's own login: its issuer and its keys.
  const done = await loginOverHttp(t2, {
    params: `${t2.url}authorize?${new URLSearchParams({ client_id: app2.client_id, redirect_uri: CALLBACK, response_type: 'id_token', nonce: 'n2', scope: 'openid', state: 'st' })}`,
    email: user2.email, password: user2.password,
  });
  const idt = done.redirect.params.get('id_token');
  remember(idt);
  const jwks2 = jose.createRemoteJWKSet(new URL(`${t2.url}.well-known/jwks.json`));
  const claims = (await jose.jwtVerify(idt, jwks2, { issuer: t2.url, audience: app2.client_id })).payload;
  assert.equal(claims.sub, user2.user_id);
  await assert.rejects(verifyJwt(server, idt), 'the default tenant\'s keys and issuer do not accept it');

  // Another tenant's APIs, its Management API among them, are no audience here.
  const legacy2 = await m2.createApp({ app_type: 'spa', callbacks: [CALLBACK], allow_implicit_access_tokens: true });
  for (const audience of [api.identifier, `${server.url}api/v2/`]) {
    const f = await followOnServer(t2, done.jar, `${t2.url}authorize?${new URLSearchParams({ client_id: legacy2.client_id, redirect_uri: CALLBACK, response_type: 'token', scope: 'openid read:users', audience, state: 'st' })}`);
    assert.ok(f.location, `${audience}: an error at the application: ${f.res.status} ${f.url}`);
    const e = appRedirect(f.location);
    assertNoTokens(e, `t2 asked for ${audience}`);
    assert.ok(e.error === 'access_denied' || e.error === 'invalid_request', `${audience}: ${e.url.href}`);
  }
}));

test('a front-channel opaque access token reaches /userinfo only, and its lifetime is sent', t_(async () => {
  const { redirect } = await login({ client_id: legacy.client_id, redirect_uri: CALLBACK, response_type: 'token', scope: 'openid email', state: 'st' });
  rememberAll(redirect);
  const at = redirect.params.get('access_token');
  assert.ok(!/^eyJ/.test(at), 'without an audience the token is opaque');
  assert.ok(Number(redirect.params.get('expires_in')) > 0);
  const info = await userinfo(server, at);
  assert.equal(info.status, 200, info.text);
  assert.equal(info.body.sub, user.user_id);
  const res = await json(`${server.url}api/v2/users/${encodeURIComponent(user.user_id)}`, 'GET', undefined, at);
  assert.equal(res.status, 401, `an opaque token is no Management API token: ${res.status}`);
}));

test('offline_access dropped from the front channel is dropped from the stored opaque token too (introspection agrees with the response)', t_(async () => {
  const app = await mgmt.createApp({
    app_type: 'regular_web', callbacks: [CALLBACK], token_endpoint_auth_method: 'client_secret_post', allow_implicit_access_tokens: true,
    grant_types: ['authorization_code', 'implicit', 'refresh_token'],
  });
  const { redirect } = await login({ client_id: app.client_id, redirect_uri: CALLBACK, response_type: 'token', scope: 'openid email offline_access', state: 'st' });
  rememberAll(redirect);
  const sent = words(redirect.params.get('scope'));
  assert.ok(!sent.includes('offline_access'), `response scope: ${sent}`);
  const res = await form(`${server.url}oauth/introspect`, { token: redirect.params.get('access_token'), client_id: app.client_id, client_secret: app.client_secret });
  assert.equal(res.status, 200, res.text);
  assert.equal(res.body.active, true, res.text);
  assert.deepEqual(words(res.body.scope).sort(), [...sent].sort(), `introspection scope ${res.body.scope} vs the response's ${sent}`);
}));

test('tessera config apply: allow_implicit_access_tokens must be a boolean; a typo is refused and nothing is stored', t_(async () => {
  const dir = makeDataDir();
  const init = await runCli(['init', '--data-dir', dir]);
  assert.equal(init.code, 0, init.stderr);
  const doc = (value) => JSON.stringify({ clients: [{ name: 'Legacy', app_type: 'spa', callbacks: [CALLBACK], allow_implicit_access_tokens: value }] });
  const file = path.join(dir, 'tenant.yaml');
  for (const bad of ['yes', 1, 'true']) {
    writeFileSync(file, doc(bad));
    const r = await runCli(['config', 'apply', file, '--data-dir', dir]);
    assert.notEqual(r.code, 0, `${JSON.stringify(bad)} is refused: ${r.stdout}`);
    assert.match(r.stderr, /allow_implicit_access_tokens/, r.stderr);
  }
  const before = JSON.parse((await runCli(['config', 'export', '--format', 'json', '--data-dir', dir])).stdout);
  assert.ok(!(before.clients ?? []).some((c) => c.name === 'Legacy'), 'nothing was stored');
  writeFileSync(file, doc(true));
  const ok = await runCli(['config', 'apply', file, '--data-dir', dir]);
  assert.equal(ok.code, 0, ok.stderr);
  const after = JSON.parse((await runCli(['config', 'export', '--format', 'json', '--data-dir', dir])).stdout);
  assert.equal(after.clients.find((c) => c.name === 'Legacy').allow_implicit_access_tokens, true);
}));

test('no token or secret of these flows reaches the logs, the events table or the database file', t_(async () => {
  const values = [...secretsSeen];
  assert.ok(values.length > 10, `tokens were collected: ${values.length}`);
  const { stdout, stderr } = server.logs();
  // The first start prints the bootstrap client's secret for the operator, on purpose.
  assertAbsent(stdout, values.filter((v) => v !== server.bootstrap.client_secret), 'tessera stdout');
  assertAbsent(stderr, values, 'tessera stderr');
  const events = execFileSync('sqlite3', ['-readonly', '-cmd', '.timeout 5000', server.dbPath, 'SELECT * FROM events'], { encoding: 'utf8', timeout: 15_000, maxBuffer: 64 << 20 });
  assert.ok(events.length > 0, 'events were recorded');
  assertAbsent(events, values, 'the events table');
  for (const file of [server.dbPath, `${server.dbPath}-wal`]) {
    if (existsSync(file)) assertAbsent(readFileSync(file).toString('latin1'), values, file);
  }
}));
