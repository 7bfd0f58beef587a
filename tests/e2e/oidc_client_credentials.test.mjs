// Third-party clients judge Tessera's client_credentials flow:
// openid-client (discovery + token), jose (JWKS verification) and
// express-oauth2-jwt-bearer (a resource server protecting a route).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import express from 'express';
import { auth } from 'express-oauth2-jwt-bearer';
import * as jose from 'jose';
import * as client from 'openid-client';

import { freePort, sleep, startTessera, withLogs } from './lib/server.mjs';
import { request, tokenBasic, tokenPost } from './lib/http.mjs';
import { Mgmt, remember, scopeSet } from './lib/mgmt.mjs';

let server;
let mgmt;
let fx; // {api, client, grant} with client_secret_post
let fxBasic; // {api, client, grant} with client_secret_basic
const apps = [];
const t_ = (fn) => withLogs(() => server, fn);

before(async () => {
  server = await startTessera();
  mgmt = await Mgmt.forBootstrap(server);
  fx = await mgmt.m2m({ api: { token_lifetime: 3600 } });
  fxBasic = await mgmt.m2m({
    api: { token_lifetime: 1800 },
    client: { token_endpoint_auth_method: 'client_secret_basic' },
    grantScope: ['read:x'],
  });
});

after(async () => {
  for (const a of apps) await new Promise((r) => a.close(r));
  if (server) assert.equal(await server.stop(), 0, 'tessera should exit 0 on SIGTERM');
});

/** An Express resource server on a free 127.0.0.1 port protected by express-oauth2-jwt-bearer. */
async function protectedApp(authOptions) {
  const app = express();
  app.get('/protected', auth(authOptions), (req, res) => {
    res.json({ ok: true, sub: req.auth.payload.sub, scope: req.auth.payload.scope ?? null });
  });
  // eslint-disable-next-line no-unused-vars
  app.use((err, req, res, next) => {
    res.status(err.status ?? 500).json({ error: err.code ?? err.name, message: err.message });
  });
  const port = await freePort();
  const srv = await new Promise((resolve, reject) => {
    const s = app.listen(port, '127.0.0.1', () => resolve(s));
    s.on('error', reject);
  });
  apps.push(srv);
  return `http://127.0.0.1:${port}/protected`;
}

function bearer(url, token) {
  return request(url, { headers: { authorization: `Bearer ${token}` } });
}

async function discover(clientId, secret, clientAuth) {
  return client.discovery(new URL(server.url), clientId, secret, clientAuth, {
    execute: [client.allowInsecureRequests],
  });
}

test('discovery document satisfies openid-client and names the documented endpoints', t_(async () => {
  const config = await discover(fx.client.client_id, fx.client.client_secret);
  const md = config.serverMetadata();
  assert.equal(md.issuer, server.url, 'issuer is exactly the public URL with its trailing slash');
  assert.equal(md.jwks_uri, `${server.url}.well-known/jwks.json`, 'jwks_uri');
  assert.equal(md.token_endpoint, `${server.url}oauth/token`, 'token_endpoint');
  assert.ok(md.grant_types_supported?.includes('client_credentials'), `grant_types_supported: ${md.grant_types_supported}`);
  assert.deepEqual(
    [...(md.token_endpoint_auth_methods_supported ?? [])].sort(),
    ['client_secret_basic', 'client_secret_post', 'none'],
    'token_endpoint_auth_methods_supported',
  );
  for (const alg of ['RS256', 'HS256']) {
    assert.ok(md.id_token_signing_alg_values_supported?.includes(alg), `id_token_signing_alg_values_supported lacks ${alg}`);
  }
  assert.ok(Array.isArray(md.subject_types_supported), 'subject_types_supported should be an array');

  const raw = await request(`${server.url}.well-known/openid-configuration`);
  assert.match(raw.headers.get('cache-control') ?? '', /max-age=\d+/, 'discovery Cache-Control carries max-age');

  const jwks = await request(md.jwks_uri);
  assert.equal(jwks.status, 200, `GET jwks_uri: ${jwks.status}`);
  assert.ok(Array.isArray(jwks.body?.keys), 'JWKS has a keys array');
  assert.equal(jwks.body.keys.length, 2, 'JWKS publishes two keys (current and next)');
  const kids = new Set();
  for (const k of jwks.body.keys) {
    assert.equal(k.kty, 'RSA', 'kty');
    assert.equal(k.use, 'sig', 'use');
    assert.equal(k.alg, 'RS256', 'alg');
    for (const f of ['kid', 'n', 'e']) assert.equal(typeof k[f], 'string', `JWK member ${f}`);
    assert.equal(k.d, undefined, 'JWKS must not publish private key members');
    kids.add(k.kid);
  }
  assert.equal(kids.size, 2, 'the two keys have distinct kids');
}));

// Discovery advertises every endpoint that exists, and only those: each URL
// it names must be served (a bare POST to the token endpoint is a 400, not 404).
test('every endpoint in the discovery document is served', t_(async () => {
  const res = await request(`${server.url}.well-known/openid-configuration`);
  assert.equal(res.status, 200, 'discovery status');
  const urls = Object.entries(res.body).filter(([k]) => k.endsWith('_endpoint') || k.endsWith('_uri'));
  assert.ok(urls.length >= 2, `discovery names endpoints: ${res.text}`);
  for (const [name, url] of urls) {
    assert.ok(url.startsWith(server.url), `${name} is under the issuer: ${url}`);
    const get = await request(url);
    const answer = get.status === 405 ? await request(url, { method: 'POST' }) : get;
    assert.notEqual(answer.status, 404, `${name} (${url}) is served`);
    assert.ok(answer.status < 500, `${name} (${url}) answers without a server error`);
  }
}));

async function verifyWithJose(token, audience) {
  const JWKS = jose.createRemoteJWKSet(new URL(`${server.url}.well-known/jwks.json`));
  return jose.jwtVerify(token, JWKS, { issuer: server.url, audience });
}

function assertClaims(payload, header, { clientId, audience, scope, lifetime }) {
  assert.equal(header.alg, 'RS256', 'header alg');
  assert.equal(header.typ, 'JWT', 'header typ');
  assert.equal(typeof header.kid, 'string', 'header kid');
  assert.equal(payload.iss, server.url, 'iss');
  assert.equal(payload.sub, `${clientId}@clients`, 'sub');
  assert.equal(payload.azp, clientId, 'azp');
  assert.equal(payload.gty, 'client-credentials', 'gty');
  const aud = Array.isArray(payload.aud) ? payload.aud : [payload.aud];
  assert.ok(aud.includes(audience), `aud ${JSON.stringify(payload.aud)} should contain ${audience}`);
  assert.deepEqual(scopeSet(payload.scope), scopeSet(scope), 'scope claim');
  assert.equal(typeof payload.iat, 'number', 'iat');
  assert.equal(payload.exp - payload.iat, lifetime, 'exp - iat equals the API token_lifetime');
}

test('openid-client client_secret_post token verifies with jose against the JWKS', t_(async () => {
  const config = await discover(fx.client.client_id, fx.client.client_secret, client.ClientSecretPost(fx.client.client_secret));
  const tokens = await client.clientCredentialsGrant(config, { audience: fx.api.identifier });
  remember(tokens.access_token);
  assert.equal(tokens.token_type.toLowerCase(), 'bearer', 'token_type');
  assert.equal(tokens.expires_in, 3600, 'expires_in equals the API token_lifetime');
  assert.deepEqual(scopeSet(tokens.scope), ['read:x', 'write:x'], 'all granted scopes when none requested');

  const { payload, protectedHeader } = await verifyWithJose(tokens.access_token, fx.api.identifier);
  assertClaims(payload, protectedHeader, {
    clientId: fx.client.client_id,
    audience: fx.api.identifier,
    scope: 'read:x write:x',
    lifetime: 3600,
  });
  const jwks = await request(`${server.url}.well-known/jwks.json`);
  assert.ok(jwks.body.keys.some((k) => k.kid === protectedHeader.kid), `kid ${protectedHeader.kid} is published in the JWKS`);
}));

test('openid-client client_secret_basic with a scope parameter', t_(async () => {
  const config = await discover(fxBasic.client.client_id, fxBasic.client.client_secret, client.ClientSecretBasic(fxBasic.client.client_secret));
  const tokens = await client.clientCredentialsGrant(config, { audience: fxBasic.api.identifier, scope: 'read:x' });
  remember(tokens.access_token);
  assert.equal(tokens.scope, 'read:x', 'scope is requested ∩ granted');
  const { payload, protectedHeader } = await verifyWithJose(tokens.access_token, fxBasic.api.identifier);
  assertClaims(payload, protectedHeader, {
    clientId: fxBasic.client.client_id,
    audience: fxBasic.api.identifier,
    scope: 'read:x',
    lifetime: 1800,
  });
}));

test('openid-client surfaces a refused token request as an OAuth error', t_(async () => {
  const config = await discover(fx.client.client_id, 'not-the-secret-0123456789', client.ClientSecretPost('not-the-secret-0123456789'));
  await assert.rejects(
    client.clientCredentialsGrant(config, { audience: fx.api.identifier }),
    (e) => {
      assert.equal(e.status, 401, `HTTP status seen by openid-client (${e.name}: ${e.message})`);
      if (e instanceof client.WWWAuthenticateChallengeError) {
        // 401 with WWW-Authenticate: openid-client reports the challenge itself.
        assert.ok(Array.isArray(e.cause) && e.cause.length > 0, 'parsed WWW-Authenticate challenges');
      } else {
        assert.equal(e.error, 'invalid_client', `openid-client error code: ${e.error} (${e.message})`);
      }
      return true;
    },
  );
}));

test('express-oauth2-jwt-bearer accepts the token and rejects other audiences, tampering and expiry', t_(async () => {
  const url = await protectedApp({ issuerBaseURL: server.url, audience: fx.api.identifier });

  const good = await tokenPost(server, { clientId: fx.client.client_id, clientSecret: fx.client.client_secret, audience: fx.api.identifier });
  assert.equal(good.status, 200, `token: ${good.text}`);
  remember(good.body.access_token);
  const ok = await bearer(url, good.body.access_token);
  assert.equal(ok.status, 200, `valid token should pass the middleware: ${ok.text}`);
  assert.equal(ok.body.sub, `${fx.client.client_id}@clients`, 'middleware sees sub');

  const other = await tokenBasic(server, { clientId: fxBasic.client.client_id, clientSecret: fxBasic.client.client_secret, audience: fxBasic.api.identifier });
  assert.equal(other.status, 200, `token for the other API: ${other.text}`);
  remember(other.body.access_token);
  const wrongAud = await bearer(url, other.body.access_token);
  assert.equal(wrongAud.status, 401, `token for another audience must be refused: ${wrongAud.text}`);

  const [h, p, s] = good.body.access_token.split('.');
  const i = Math.floor(p.length / 2);
  const tampered = `${h}.${p.slice(0, i)}${p[i] === 'A' ? 'B' : 'A'}${p.slice(i + 1)}.${s}`;
  const bad = await bearer(url, tampered);
  assert.equal(bad.status, 401, `tampered token must be refused: ${bad.text}`);

  const none = await request(url);
  assert.equal(none.status, 401, 'no token must be refused');

  // Expiry: a 1-second API; the library allows 5 s of clock tolerance.
  const short = await mgmt.m2m({ api: { token_lifetime: 1 } });
  const shortUrl = await protectedApp({ issuerBaseURL: server.url, audience: short.api.identifier });
  const st = await tokenPost(server, { clientId: short.client.client_id, clientSecret: short.client.client_secret, audience: short.api.identifier });
  assert.equal(st.status, 200, `short-lived token: ${st.text}`);
  remember(st.body.access_token);
  assert.equal(st.body.expires_in, 1, 'expires_in for token_lifetime 1');
  const { exp } = jose.decodeJwt(st.body.access_token);
  const waitMs = Math.min(10_000, Math.max(0, (exp + 6.5) * 1000 - Date.now()));
  await sleep(waitMs);
  const expired = await bearer(shortUrl, st.body.access_token);
  assert.equal(expired.status, 401, `expired token must be refused: ${expired.text}`);
}));

test('HS256 API: token signed with the API signing_secret', t_(async () => {
  const api = await mgmt.createApi({ signing_alg: 'HS256', token_lifetime: 600 });
  assert.equal(api.signing_alg, 'HS256', 'signing_alg echoed');
  const c = await mgmt.createClient();
  await mgmt.createGrant(c.client_id, api.identifier, ['read:x']);
  const res = await tokenPost(server, { clientId: c.client_id, clientSecret: c.client_secret, audience: api.identifier });
  assert.equal(res.status, 200, `token: ${res.text}`);
  remember(res.body.access_token);
  const header = jose.decodeProtectedHeader(res.body.access_token);
  assert.equal(header.alg, 'HS256', 'an HS256 API gets HS256 tokens');
  assert.equal(header.typ, 'JWT', 'typ');

  let secret = api.signing_secret;
  if (typeof secret !== 'string') {
    const got = await mgmt.get(`/resource-servers/${encodeURIComponent(api.id)}`);
    secret = got.body?.signing_secret;
  }
  assert.ok(typeof secret === 'string' && secret.length >= 32, 'the API shows its signing_secret');
  remember(secret);
  const { payload } = await jose.jwtVerify(res.body.access_token, new TextEncoder().encode(secret), {
    issuer: server.url,
    audience: api.identifier,
    algorithms: ['HS256'],
  });
  assert.equal(payload.sub, `${c.client_id}@clients`, 'sub');

  const url = await protectedApp({ issuer: server.url, audience: api.identifier, secret, tokenSigningAlg: 'HS256' });
  const ok = await bearer(url, res.body.access_token);
  assert.equal(ok.status, 200, `express-oauth2-jwt-bearer with the HS256 secret: ${ok.text}`);
}));
