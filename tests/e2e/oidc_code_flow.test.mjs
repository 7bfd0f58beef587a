// openid-client judges the authorization code flow with PKCE for a
// confidential (regular_web) application: the login form is driven over
// HTTP with a cookie jar; openid-client validates the authorization
// response and the ID token by its own rules, fetches /userinfo and
// refreshes; reuse of a rotated refresh token revokes the whole family.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import * as jose from 'jose';
import * as client from 'openid-client';

import { startTessera, withLogs } from './lib/server.mjs';
import { Mgmt, remember } from './lib/mgmt.mjs';
import { assertIdToken, loginOverHttp, testEmail } from './lib/authflow.mjs';
import { committedEventTypes } from './lib/db.mjs';

const CALLBACK = 'http://127.0.0.1:9/callback'; // never fetched: the test reads the Location
const SCOPE = 'openid profile email offline_access read:messages';

let server;
let mgmt;
let api;
let web; // client_secret_post
let webBasic; // client_secret_basic
let user;
const t_ = (fn) => withLogs(() => server, fn);

before(async () => {
  server = await startTessera();
  mgmt = await Mgmt.forBootstrap(server);
  api = await mgmt.createUserApi();
  web = await mgmt.createWebApp(CALLBACK);
  webBasic = await mgmt.createWebApp(CALLBACK, { token_endpoint_auth_method: 'client_secret_basic' });
  user = await mgmt.createUser({ email: testEmail('oidc'), name: 'Grace Hopper' });
});

after(async () => {
  if (server) assert.equal(await server.stop(), 0, 'tessera should exit 0 on SIGTERM');
});

function configFor(app, auth = undefined) {
  return client.discovery(new URL(server.url), app.client_id, app.client_secret, auth, {
    execute: [client.allowInsecureRequests],
  });
}

/**
 * openid-client builds the authorization URL (PKCE S256, state, nonce); the
 * person logs in over HTTP; openid-client redeems the code.
 */
async function codeFlow(config, { audience = api.identifier, scope = SCOPE } = {}) {
  // audience: null asks for none (undefined means the API).
  const verifier = client.randomPKCECodeVerifier();
  const challenge = await client.calculatePKCECodeChallenge(verifier);
  const state = client.randomState();
  const nonce = client.randomNonce();
  const params = { redirect_uri: CALLBACK, scope, state, nonce, code_challenge: challenge, code_challenge_method: 'S256' };
  if (audience) params.audience = audience;
  const url = client.buildAuthorizationUrl(config, params);
  assert.ok(url.href.startsWith(`${server.url}authorize?`), `authorization_endpoint from discovery: ${url.href}`);
  const { redirect, jar } = await loginOverHttp(server, { params: url.href, email: user.email, password: user.password });
  const tokens = await client.authorizationCodeGrant(config, redirect.url, {
    pkceCodeVerifier: verifier,
    expectedState: state,
    expectedNonce: nonce,
    idTokenExpected: true,
  });
  remember(tokens.access_token, tokens.refresh_token, tokens.id_token);
  return { tokens, nonce, state, jar };
}

/** Runs fn, which must throw openid-client's ResponseBodyError with invalid_grant. */
async function expectInvalidGrant(fn, what) {
  let err;
  try {
    await fn();
  } catch (e) {
    err = e;
  }
  assert.ok(err, `${what}: expected invalid_grant, the call succeeded`);
  assert.equal(err.error, 'invalid_grant', `${what}: ${err.name} ${err.message} ${err.error_description ?? ''}`);
  assert.equal(err.status, 400, `${what}: HTTP status ${err.status}`);
  return err;
}

test('authorization code + PKCE: openid-client validates the ID token; the access token is a JWT for the API; /userinfo answers', t_(async () => {
  const config = await configFor(web);
  const md = config.serverMetadata();
  assert.equal(md.authorization_endpoint, `${server.url}authorize`, 'authorization_endpoint');
  assert.equal(md.userinfo_endpoint, `${server.url}userinfo`, 'userinfo_endpoint');
  assert.ok(md.code_challenge_methods_supported?.includes('S256'), 'S256 advertised');
  assert.ok(md.grant_types_supported?.includes('authorization_code'), 'authorization_code advertised');
  assert.ok(md.grant_types_supported?.includes('refresh_token'), 'refresh_token advertised');

  const { tokens, nonce } = await codeFlow(config);
  assert.equal(tokens.token_type.toLowerCase(), 'bearer');
  assert.ok(tokens.expires_in > 0, 'expires_in');
  assert.equal(typeof tokens.refresh_token, 'string', 'a refresh token for offline_access on an API that allows it');

  const claims = tokens.claims();
  assert.equal(claims.sub, user.user_id, 'sub is the user_id');
  assert.equal(claims.nonce, nonce, 'nonce');
  const idc = await assertIdToken(server, tokens.id_token, { clientId: web.client_id, sub: user.user_id, nonce });
  assert.equal(idc.email, user.email, 'email claim (scope email)');
  assert.equal(idc.email_verified, true, 'email_verified claim');
  for (const k of ['name', 'nickname', 'picture', 'updated_at']) assert.ok(idc[k] !== undefined, `${k} claim (scope profile)`);
  assert.equal(idc.name, 'Grace Hopper', 'name claim');

  const at = jose.decodeJwt(tokens.access_token);
  assert.deepEqual(at.aud, [api.identifier, `${server.url}userinfo`], 'access token aud');
  assert.equal(at.iss, server.url, 'access token iss');
  assert.equal(at.sub, user.user_id, 'access token sub');
  assert.equal(at.azp, web.client_id, 'access token azp');
  assert.ok(at.scope.split(' ').includes('read:messages'), `access token scope: ${at.scope}`);
  assert.equal(jose.decodeProtectedHeader(tokens.access_token).alg, 'RS256');

  // The JWT's aud holds {issuer}userinfo, so /userinfo takes it.
  const info = await client.fetchUserInfo(config, tokens.access_token, user.user_id);
  assert.equal(info.sub, user.user_id);
  assert.equal(info.email, user.email);
  assert.equal(info.email_verified, true);
  assert.equal(info.name, 'Grace Hopper');
}));

test('client_secret_basic: the code grant works with HTTP Basic client authentication', t_(async () => {
  const config = await configFor(webBasic, client.ClientSecretBasic(webBasic.client_secret));
  const { tokens } = await codeFlow(config, { audience: null, scope: 'openid email' });
  assert.equal(tokens.claims().sub, user.user_id);
  assert.equal(tokens.claims().aud, webBasic.client_id, 'a single audience: the client');
  assert.equal(tokens.refresh_token, undefined, 'no refresh token without offline_access');
  assert.ok(tokens.access_token.split('.').length < 3, 'no audience: an opaque access token');
  const info = await client.fetchUserInfo(config, tokens.access_token, user.user_id);
  assert.equal(info.email, user.email);
  assert.equal(info.name, undefined, 'no profile claims without scope profile');
}));

test('refresh rotates every time; reusing a rotated refresh token revokes the family (the newest is refused too)', t_(async () => {
  const config = await configFor(web);
  const { tokens } = await codeFlow(config);
  const rt0 = tokens.refresh_token;
  assert.equal(typeof rt0, 'string', 'refresh token from the code grant');

  const r1 = await client.refreshTokenGrant(config, rt0);
  remember(r1.access_token, r1.refresh_token, r1.id_token);
  assert.equal(typeof r1.refresh_token, 'string', 'a refresh returns a refresh token');
  assert.notEqual(r1.refresh_token, rt0, 'a new refresh token');
  assert.equal(typeof r1.id_token, 'string', 'a refresh returns an id_token');
  await assertIdToken(server, r1.id_token, { clientId: web.client_id, sub: user.user_id, nonce: null });

  const r2 = await client.refreshTokenGrant(config, r1.refresh_token);
  remember(r2.access_token, r2.refresh_token, r2.id_token);
  assert.notEqual(r2.refresh_token, r1.refresh_token, 'rotated again');
  assert.notEqual(r2.refresh_token, rt0);

  // r1 was rotated into r2: presenting it again is reuse.
  const reuse = await expectInvalidGrant(() => client.refreshTokenGrant(config, r1.refresh_token), 'reuse of a rotated refresh token');
  assert.equal(reuse.error_description, 'Unknown or invalid refresh token.', 'error_description of the reuse');
  await expectInvalidGrant(() => client.refreshTokenGrant(config, r2.refresh_token), 'the newest refresh token after reuse was detected');
  await expectInvalidGrant(() => client.refreshTokenGrant(config, rt0), 'the first refresh token of the family');
}));

test('events: the login (s), code exchange (seacft), refresh (sertft) and refresh reuse (ferrt) are recorded', t_(async () => {
  const types = await committedEventTypes(server, { userId: user.user_id });
  for (const t of ['s', 'seacft', 'sertft', 'ferrt']) assert.ok(types.includes(t), `event ${t} recorded: ${types.join(',')}`);
}));

test('refresh with a narrower scope returns that scope; a refresh token is bound to its client', t_(async () => {
  const config = await configFor(web);
  const { tokens } = await codeFlow(config);
  const narrow = await client.refreshTokenGrant(config, tokens.refresh_token, { scope: 'openid read:messages' });
  remember(narrow.access_token, narrow.refresh_token, narrow.id_token);
  const granted = (narrow.scope ?? '').split(' ').filter(Boolean);
  for (const s of ['openid', 'read:messages']) assert.ok(granted.includes(s), `scope after down-scoping holds ${s}: ${narrow.scope}`);
  for (const s of ['email', 'profile']) assert.ok(!granted.includes(s), `scope after down-scoping lacks ${s}: ${narrow.scope}`);
  for (const s of granted) assert.ok(SCOPE.split(' ').includes(s), `scope after down-scoping is a subset: ${narrow.scope}`);
  assert.equal(jose.decodeJwt(narrow.access_token).scope.split(' ').includes('email'), false, 'no email scope in the narrowed access token');

  // The other confidential client authenticates fine but the token is not its own.
  const other = await configFor(webBasic, client.ClientSecretBasic(webBasic.client_secret));
  await expectInvalidGrant(() => client.refreshTokenGrant(other, narrow.refresh_token), 'refresh token of another client');
}));

test('token revocation (openid-client tokenRevocation): the refresh token is refused afterwards', t_(async () => {
  const config = await configFor(web);
  assert.equal(config.serverMetadata().revocation_endpoint, `${server.url}oauth/revoke`, 'revocation_endpoint');
  const { tokens } = await codeFlow(config);
  await client.tokenRevocation(config, tokens.refresh_token, { token_type_hint: 'refresh_token' });
  await expectInvalidGrant(() => client.refreshTokenGrant(config, tokens.refresh_token), 'a revoked refresh token');
  // Revoking an unknown token is not an error (RFC 7009 2.2).
  await client.tokenRevocation(config, 'not-a-token-of-this-server-0123456789');
}));

test('RP-initiated logout (/oidc/logout): back to post_logout_redirect_uri with state, the session ends; an unregistered URI is an error page', t_(async () => {
  const config = await configFor(web);
  assert.equal(config.serverMetadata().end_session_endpoint, `${server.url}oidc/logout`, 'end_session_endpoint');
  const { tokens, jar } = await codeFlow(config);
  const state = 'after logout/ü=1';

  const bad = client.buildEndSessionUrl(config, {
    id_token_hint: tokens.id_token,
    post_logout_redirect_uri: 'http://evil.example/',
    state,
  });
  const refused = await jar.fetch(bad.href);
  assert.equal(refused.status, 400, `unregistered post_logout_redirect_uri: ${refused.status} ${refused.text.slice(0, 200)}`);
  assert.equal(refused.location, null, 'no redirect to an unregistered URI');
  assert.ok(jar.has('tsr_session'), 'the session is kept after a refused logout');

  const url = client.buildEndSessionUrl(config, {
    id_token_hint: tokens.id_token,
    post_logout_redirect_uri: `${new URL(CALLBACK).origin}/`,
    state,
  });
  const res = await jar.fetch(url.href);
  assert.equal(res.status, 302, `logout: ${res.status} ${res.text.slice(0, 200)}`);
  const back = new URL(res.location);
  assert.equal(`${back.origin}${back.pathname}`, `${new URL(CALLBACK).origin}/`, 'post_logout_redirect_uri');
  assert.equal(back.searchParams.get('state'), state, 'state echoed');
  assert.ok(!jar.has('tsr_session'), 'the session cookie is cleared');

  const again = client.buildAuthorizationUrl(config, {
    redirect_uri: CALLBACK,
    scope: 'openid',
    prompt: 'none',
    state: 's1',
    code_challenge: await client.calculatePKCECodeChallenge(client.randomPKCECodeVerifier()),
    code_challenge_method: 'S256',
  });
  const silent = await jar.fetch(again.href);
  assert.equal(new URL(silent.location).searchParams.get('error'), 'login_required', `prompt=none after logout: ${silent.location}`);
  await expectInvalidGrant(() => client.refreshTokenGrant(config, tokens.refresh_token), 'the session\'s refresh token after logout');
}));
