// The OpenID Connect implicit (response_type=id_token) and hybrid
// (code id_token) flows, judged by openid-client: implicitAuthentication
// validates the ID token from the fragment (signature, iss, aud, nonce),
// the hybrid code is redeemed with the c_hash checked.  What stays refused
// says why: an ID token without a nonce, one asked for in a query string,
// and an access token in the front channel unless the application is
// allowed it (allow_implicit_access_tokens).
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, test } from 'node:test';

import * as jose from 'jose';
import * as client from 'openid-client';

import { startTessera, withLogs } from './lib/server.mjs';
import { Mgmt, remember } from './lib/mgmt.mjs';
import { appRedirect, authorizeUrl, followOnServer, loginOverHttp, randomString, testEmail, verifyJwt } from './lib/authflow.mjs';
import { CookieJar } from './lib/cookies.mjs';

const CALLBACK = 'http://127.0.0.1:9/callback'; // never fetched: the test reads the Location

let server;
let mgmt;
let api;
let web; // a regular web application with the default grant types (implicit among them)
let user;
const t_ = (fn) => withLogs(() => server, fn);

before(async () => {
  server = await startTessera();
  mgmt = await Mgmt.forBootstrap(server);
  api = await mgmt.createUserApi({ token_lifetime: 3600, token_lifetime_for_web: 600 });
  web = await mgmt.createApp({ app_type: 'regular_web', callbacks: [CALLBACK], token_endpoint_auth_method: 'client_secret_basic' });
  assert.ok(web.grant_types.includes('implicit'), `a new regular web app may use the implicit grant: ${web.grant_types}`);
  assert.equal(web.allow_implicit_access_tokens, false, 'access tokens in the front channel are off by default');
  user = await mgmt.createUser({ email: testEmail('implicit'), name: 'Ada Lovelace' });
});

after(async () => {
  if (server) assert.equal(await server.stop(), 0, 'tessera should exit 0 on SIGTERM');
});

async function configFor(app) {
  return client.discovery(new URL(server.url), app.client_id, app.client_secret, client.ClientSecretBasic(app.client_secret), {
    execute: [client.allowInsecureRequests],
  });
}

/** The left half of SHA-256, base64url: c_hash and at_hash of RS256 ID tokens. */
const halfHash = (v) => createHash('sha256').update(v).digest().subarray(0, 16).toString('base64url');

test('discovery lists the implicit and hybrid response types and the implicit grant', t_(async () => {
  const config = await configFor(web);
  const md = config.serverMetadata();
  assert.deepEqual(md.response_types_supported, ['code', 'id_token', 'code id_token']);
  assert.ok(md.response_modes_supported.includes('form_post') && md.response_modes_supported.includes('fragment'));
  assert.ok(md.grant_types_supported.includes('implicit'));
}));

test('response_type=id_token: openid-client validates the ID token from the fragment; no access token, the profile in the ID token', t_(async () => {
  const config = await configFor(web);
  client.useIdTokenResponseType(config);
  const nonce = client.randomNonce();
  const state = client.randomState();
  const url = client.buildAuthorizationUrl(config, { redirect_uri: CALLBACK, scope: 'openid profile email', nonce, state });
  assert.equal(url.searchParams.get('response_type'), 'id_token');
  const { redirect } = await loginOverHttp(server, { params: url.href, email: user.email, password: user.password });
  assert.equal(redirect.url.search, '', `nothing in the query string: ${redirect.url.href}`);
  assert.equal(redirect.params.get('access_token'), null, 'no access token without the token response type');
  assert.equal(redirect.params.get('code'), null, 'no code');
  remember(redirect.params.get('id_token'));
  const claims = await client.implicitAuthentication(config, redirect.url, nonce, { expectedState: state });
  assert.equal(claims.sub, user.user_id);
  assert.equal(claims.email, user.email, 'the profile travels in the ID token: there is no access token for /userinfo');
  assert.equal(claims.name, 'Ada Lovelace');
  assert.equal(claims.nonce, nonce);
  assert.equal(claims.c_hash, undefined);
  assert.equal(claims.at_hash, undefined);
}));

test('response_type=code id_token: the code is redeemed with the c_hash checked; both ID tokens carry the nonce', t_(async () => {
  const config = await configFor(web);
  client.useCodeIdTokenResponseType(config);
  const verifier = client.randomPKCECodeVerifier();
  const nonce = client.randomNonce();
  const state = client.randomState();
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: CALLBACK, scope: 'openid email read:messages', audience: api.identifier, nonce, state,
    code_challenge: await client.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256',
  });
  const { redirect } = await loginOverHttp(server, { params: url.href, email: user.email, password: user.password });
  const front = redirect.params.get('id_token');
  remember(front, redirect.params.get('code'));
  const frontClaims = (await verifyJwt(server, front)).payload;
  assert.equal(frontClaims.c_hash, halfHash(redirect.params.get('code')), 'c_hash is the half SHA-256 of the code');
  assert.equal(frontClaims.nonce, nonce);
  const tokens = await client.authorizationCodeGrant(config, redirect.url, {
    pkceCodeVerifier: verifier, expectedNonce: nonce, expectedState: state, idTokenExpected: true,
  });
  remember(tokens.access_token, tokens.id_token);
  assert.equal(tokens.claims().sub, user.user_id);
  assert.equal(tokens.claims().nonce, nonce);
  const at = jose.decodeJwt(tokens.access_token);
  assert.equal(at.aud[0], api.identifier, 'the code gives the API access token at the token endpoint');
  assert.equal(at.exp - at.iat, 3600, 'a token from the token endpoint lives token_lifetime');
}));

test('a changed code in a hybrid response fails openid-client\'s c_hash check', t_(async () => {
  const config = await configFor(web);
  client.useCodeIdTokenResponseType(config);
  const nonce = client.randomNonce();
  const url = client.buildAuthorizationUrl(config, { redirect_uri: CALLBACK, scope: 'openid', nonce, state: 's1' });
  const { redirect } = await loginOverHttp(server, { params: url.href, email: user.email, password: user.password });
  remember(redirect.params.get('id_token'), redirect.params.get('code'));
  const tampered = new URL(redirect.url.href);
  const p = new URLSearchParams(tampered.hash.slice(1));
  p.set('code', `${p.get('code')}x`);
  tampered.hash = p.toString();
  await assert.rejects(
    client.authorizationCodeGrant(config, tampered, { expectedNonce: nonce, expectedState: 's1', idTokenExpected: true }),
    (e) => /c_hash/.test(`${e.message} ${e.cause?.message ?? ''} ${JSON.stringify(e.cause ?? {})}`),
    'a code that is not the one the ID token names is refused by the client');
}));

/** GET /authorize for web with params, expecting an error sent at once to the callback. */
async function refusedAtOnce(params, what) {
  const f = await followOnServer(server, new CookieJar(), authorizeUrl(server, {
    client_id: web.client_id, redirect_uri: CALLBACK, scope: 'openid', state: 'st', ...params,
  }));
  assert.ok(f.location, `${what}: expected a redirect to the application, got ${f.res.status} ${f.res.text.slice(0, 200)}`);
  const r = appRedirect(f.location);
  assert.equal(r.params.get('state'), 'st', `${what}: state comes back`);
  return r;
}

test('refused with the reason: id_token without nonce, id_token in a query string, token and code token by default', t_(async () => {
  let r = await refusedAtOnce({ response_type: 'id_token' }, 'no nonce');
  assert.ok(r.url.hash.length > 1, `an ID token request answers in the fragment, its errors too: ${r.url.href}`);
  assert.equal(r.error, 'invalid_request');
  assert.match(r.error_description, /^nonce is required when response_type includes id_token/);

  r = await refusedAtOnce({ response_type: 'code id_token' }, 'hybrid without nonce');
  assert.equal(r.error, 'invalid_request');
  assert.match(r.error_description, /nonce is required/);

  r = await refusedAtOnce({ response_type: 'id_token', response_mode: 'query', nonce: 'n' }, 'query');
  assert.equal(r.error, 'invalid_request');
  assert.match(r.error_description, /response_mode=query cannot carry a token: use fragment or form_post/);
  assert.equal(r.url.search, '', 'the error went in the fragment');

  r = await refusedAtOnce({ response_type: 'id_token', nonce: 'n', scope: 'profile' }, 'no openid');
  assert.equal(r.error, 'invalid_scope');

  for (const rt of ['token', 'id_token token', 'code token', 'code id_token token']) {
    r = await refusedAtOnce({ response_type: rt, nonce: 'n' }, rt);
    assert.equal(r.error, 'unsupported_response_type', `${rt}: ${r.url.href}`);
    assert.match(r.error_description, /puts an access token in the browser, which RFC 9700 retires: use response_type=code with PKCE/);
    assert.match(r.error_description, /allow_implicit_access_tokens/, `${rt}: the error names the setting that allows it`);
  }
  r = await refusedAtOnce({ response_type: 'code code' }, 'a word twice');
  assert.equal(r.error, 'unsupported_response_type');
  assert.match(r.error_description, /offered: code, id_token, code id_token/);
}));

test('an application without the implicit grant cannot ask for an ID token in the front channel', t_(async () => {
  const codeOnly = await mgmt.createWebApp(CALLBACK);
  assert.deepEqual(codeOnly.grant_types, ['authorization_code', 'refresh_token']);
  const f = await followOnServer(server, new CookieJar(), authorizeUrl(server, {
    client_id: codeOnly.client_id, redirect_uri: CALLBACK, response_type: 'id_token', scope: 'openid', nonce: 'n',
  }));
  const r = appRedirect(f.location);
  assert.equal(r.error, 'unauthorized_client');
  assert.equal(r.error_description, "Grant type 'implicit' not allowed for the client.");
}));

test('a legacy application allowed it gets id_token token: at_hash matches, the access token lives token_lifetime_for_web, no refresh token', t_(async () => {
  const legacy = await mgmt.createApp({ app_type: 'spa', callbacks: [CALLBACK], allow_implicit_access_tokens: true });
  assert.equal(legacy.allow_implicit_access_tokens, true);
  const nonce = randomString(16);
  const { redirect } = await loginOverHttp(server, {
    params: {
      client_id: legacy.client_id, redirect_uri: CALLBACK, response_type: 'id_token token', nonce, state: 'st',
      scope: 'openid email offline_access read:messages', audience: api.identifier,
    },
    email: user.email, password: user.password,
  });
  const p = redirect.params;
  remember(p.get('access_token'), p.get('id_token'));
  assert.equal(p.get('token_type'), 'Bearer');
  assert.equal(p.get('expires_in'), '600', 'expires_in is the API\'s token_lifetime_for_web');
  assert.equal(p.get('refresh_token'), null, 'never a refresh token through the browser');
  assert.ok(!(p.get('scope') ?? '').split(' ').includes('offline_access'), `offline_access means nothing here: ${p.get('scope')}`);
  const id = (await verifyJwt(server, p.get('id_token'))).payload;
  assert.equal(id.at_hash, halfHash(p.get('access_token')));
  assert.equal(id.nonce, nonce);
  const at = (await verifyJwt(server, p.get('access_token'), { audience: api.identifier })).payload;
  assert.equal(at.exp - at.iat, 600);
  assert.equal(at.sub, user.user_id);

  // Switched off again, the same request is refused.
  const off = await mgmt.patch(`/clients/${legacy.client_id}`, { allow_implicit_access_tokens: false });
  assert.equal(off.status, 200, off.text);
  const f = await followOnServer(server, new CookieJar(), authorizeUrl(server, {
    client_id: legacy.client_id, redirect_uri: CALLBACK, response_type: 'token', scope: 'openid',
  }));
  assert.equal(appRedirect(f.location).error, 'unsupported_response_type');
  const bad = await mgmt.patch(`/clients/${legacy.client_id}`, { allow_implicit_access_tokens: 'yes' });
  assert.equal(bad.status, 400, `a non-boolean is refused: ${bad.text}`);
}));
