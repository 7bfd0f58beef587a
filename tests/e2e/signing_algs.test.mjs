// Access tokens signed with PS256, ES256 and EdDSA (an API's signing_alg):
// the tenant's keys of each alg appear in the JWKS when an API first uses
// the alg, and jose, express-oauth2-jwt-bearer and libtessera-verify
// (`tessera token verify`) verify the tokens, each pinned to the alg.
// Rotation turns every alg at once; revoking a previous key fails its
// tokens and no others.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { after, before, test } from 'node:test';

import express from 'express';
import { auth } from 'express-oauth2-jwt-bearer';
import * as jose from 'jose';

import { freePort, startTessera, tesseraBin, withLogs } from './lib/server.mjs';
import { request, tokenPost } from './lib/http.mjs';
import { Mgmt, assertMgmtError } from './lib/mgmt.mjs';
import { assertIdToken, assertTokens, codeGrant, codeRequest, loginOverHttp, refreshGrant, testEmail } from './lib/authflow.mjs';

const ALGS = ['PS256', 'ES256', 'EdDSA'];
const KTY = { RS256: 'RSA', PS256: 'RSA', ES256: 'EC', EdDSA: 'OKP' };
const CALLBACK = 'http://127.0.0.1:5599/callback';

let server;
let mgmt;
const fx = {}; // alg -> {api, client, grant}
const apps = [];
const t_ = (fn) => withLogs(() => server, fn);

before(async () => {
  server = await startTessera();
  mgmt = await Mgmt.forBootstrap(server);
  for (const alg of ['RS256', 'PS256', 'ES256']) fx[alg] = await mgmt.m2m({ api: { signing_alg: alg } });
  // EdDSA arrives through PATCH of an RS256 API: its keys are made then.
  fx.EdDSA = await mgmt.m2m({ api: { signing_alg: 'RS256' } });
  const patched = await mgmt.patch(`/resource-servers/${fx.EdDSA.api.id}`, { signing_alg: 'EdDSA' });
  assert.equal(patched.status, 200, patched.text);
  assert.equal(patched.body.signing_alg, 'EdDSA');
  fx.EdDSA.api = patched.body;
});

after(async () => {
  for (const a of apps) await new Promise((r) => a.close(r));
  if (server) assert.equal(await server.stop(), 0, 'tessera should exit 0 on SIGTERM');
});

const jwksUrl = () => new URL(`${server.url}.well-known/jwks.json`);
const jwks = async () => (await request(jwksUrl().href)).body;

/** A client_credentials token for the API of alg. */
async function ccToken(alg) {
  const { api, client } = fx[alg];
  const res = await tokenPost(server, { clientId: client.client_id, clientSecret: client.client_secret, audience: api.identifier });
  assert.equal(res.status, 200, `token for the ${alg} API: ${res.status} ${res.text}`);
  return res.body.access_token;
}

/** jose with a fresh JWKS (no cache across calls), algorithms pinned. */
function joseVerify(token, alg, audience) {
  return jose.jwtVerify(token, jose.createRemoteJWKSet(jwksUrl(), { timeoutDuration: 10_000 }), {
    issuer: server.url,
    audience,
    algorithms: [alg],
  });
}

/** `tessera token verify` (libtessera-verify); resolves {code, last}. */
function cliVerify(token, alg, audience) {
  const args = ['token', 'verify', '--issuer', server.url, '--audience', audience, '--alg', alg, token];
  return new Promise((resolve) => {
    execFile(tesseraBin(), args, { timeout: 30_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
      resolve({ code, last: stdout.trim().split('\n').pop(), stdout, stderr });
    });
  });
}

/**
 * An Express resource server protected by express-oauth2-jwt-bearer.  It
 * is given the issuer and JWKS URL: with issuerBaseURL it would take the
 * allowed algs from discovery's id_token_signing_alg_values_supported,
 * which names ID token algs only.
 */
async function protectedApp(audience, alg) {
  const app = express();
  app.get('/protected', auth({ issuer: server.url, jwksUri: jwksUrl().href, audience, tokenSigningAlg: alg }), (req, res) => {
    res.json({ ok: true, sub: req.auth.payload.sub });
  });
  // eslint-disable-next-line no-unused-vars
  app.use((err, req, res, next) => res.status(err.status ?? 500).json({ error: err.code ?? err.name }));
  const port = await freePort();
  const srv = await new Promise((resolve, reject) => {
    const s = app.listen(port, '127.0.0.1', () => resolve(s));
    s.on('error', reject);
  });
  apps.push(srv);
  return `http://127.0.0.1:${port}/protected`;
}

const bearer = (url, token) => request(url, { headers: { authorization: `Bearer ${token}` } });

test('discovery names the access token algorithms; ID tokens keep theirs', t_(async () => {
  const md = (await request(`${server.url}.well-known/openid-configuration`)).body;
  assert.deepEqual(md.access_token_signing_alg_values_supported, ['RS256', 'PS256', 'ES256', 'EdDSA', 'HS256']);
  assert.deepEqual(md.id_token_signing_alg_values_supported, ['HS256', 'RS256']);
}));

test('the JWKS and GET /keys/signing hold a current and next key of every alg in use', t_(async () => {
  const set = await jwks();
  const listed = await mgmt.get('/keys/signing');
  assert.equal(listed.status, 200, listed.text);
  for (const alg of ['RS256', ...ALGS]) {
    const published = set.keys.filter((k) => k.alg === alg);
    assert.equal(published.length, 2, `${alg}: current and next in the JWKS`);
    for (const k of published) {
      assert.equal(k.kty, KTY[alg], `${alg} key type`);
      assert.equal(k.use, 'sig');
      assert.equal(k.d, undefined, 'no private part');
      // Certificates for RSA keys only.
      assert.equal(k.x5c !== undefined, KTY[alg] === 'RSA', `${alg}: x5c only for RSA keys`);
    }
    if (alg === 'ES256') assert.ok(published.every((k) => k.crv === 'P-256'));
    if (alg === 'EdDSA') assert.ok(published.every((k) => k.crv === 'Ed25519'));
    const shown = listed.body.filter((k) => k.alg === alg);
    assert.equal(shown.filter((k) => k.current).length, 1, `${alg}: one current key`);
    assert.equal(shown.filter((k) => k.next).length, 1, `${alg}: one next key`);
    for (const k of shown) {
      assert.equal(k.jwk.alg, alg);
      assert.equal(typeof k.cert === 'string', KTY[alg] === 'RSA', `${alg}: cert only for RSA keys`);
    }
  }
  // A second API of an alg in use adds no keys.
  await mgmt.m2m({ api: { signing_alg: 'ES256' } });
  const again = await mgmt.get('/keys/signing');
  assert.equal(again.body.filter((k) => k.alg === 'ES256').length, 2);
}));

for (const alg of ALGS) {
  test(`${alg}: a client_credentials token verifies with jose, express-oauth2-jwt-bearer and libtessera-verify`, t_(async () => {
    const aud = fx[alg].api.identifier;
    const token = await ccToken(alg);
    const header = jose.decodeProtectedHeader(token);
    assert.equal(header.alg, alg, 'header alg');
    const key = (await jwks()).keys.find((k) => k.kid === header.kid);
    assert.ok(key, `kid ${header.kid} is in the JWKS`);
    assert.equal(key.alg, alg, 'the JWKS key of that kid has the same alg');

    const { payload } = await joseVerify(token, alg, aud);
    assert.equal(payload.aud, aud);
    assert.equal(payload.azp, fx[alg].client.client_id);
    assert.equal(payload.gty, 'client-credentials');

    const cli = await cliVerify(token, alg, aud);
    assert.equal(cli.code, 0, `tessera token verify: ${cli.stdout} ${cli.stderr}`);
    assert.equal(cli.last, 'valid');

    const ok = await bearer(await protectedApp(aud, alg), token);
    assert.equal(ok.status, 200, `express-oauth2-jwt-bearer (${alg}): ${ok.text}`);
    assert.equal(ok.body.sub, `${fx[alg].client.client_id}@clients`);

    // Pinned to another alg, no verifier takes it.
    const other = alg === 'ES256' ? 'EdDSA' : 'ES256';
    for (const pinned of ['RS256', other]) {
      await assert.rejects(joseVerify(token, pinned, aud), /alg/i, `jose pinned to ${pinned}`);
      const wrong = await cliVerify(token, pinned, aud);
      assert.equal(wrong.code, 1, `tessera token verify --alg ${pinned}: ${wrong.stdout}`);
      const refused = await bearer(await protectedApp(aud, pinned), token);
      assert.equal(refused.status, 401, `express-oauth2-jwt-bearer pinned to ${pinned}: ${refused.text}`);
    }
  }));
}

test('unknown algorithms are refused in the Management API error shape', t_(async () => {
  for (const bad of ['none', 'ES384', 'RS512', 'eddsa']) {
    const created = await mgmt.post('/resource-servers', { identifier: `https://bad-${bad}.tessera.test/`, signing_alg: bad });
    assertMgmtError(created, 400, { messageIncludes: 'RS256, PS256, ES256, EdDSA, HS256' }, `create with ${bad}`);
    const patched = await mgmt.patch(`/resource-servers/${fx.RS256.api.id}`, { signing_alg: bad });
    assertMgmtError(patched, 400, { messageIncludes: 'RS256, PS256, ES256, EdDSA, HS256' }, `PATCH to ${bad}`);
  }
  // A signing secret is for HS256 only.
  const withSecret = await mgmt.post('/resource-servers', {
    identifier: 'https://es256-secret.tessera.test/', signing_alg: 'ES256', signing_secret: 'x'.repeat(40),
  });
  assertMgmtError(withSecret, 400, { messageIncludes: 'HS256' });
  const still = await mgmt.get(`/resource-servers/${fx.RS256.api.id}`);
  assert.equal(still.body.signing_alg, 'RS256');
}));

test('an ES256 API gets ES256 access tokens from the code flow and from refresh; ID tokens stay RS256', t_(async () => {
  const api = await mgmt.createUserApi({ signing_alg: 'ES256' });
  const web = await mgmt.createWebApp(CALLBACK);
  const user = await mgmt.createUser({ email: testEmail('es256') });
  const req = codeRequest({ clientId: web.client_id, redirectUri: CALLBACK, audience: api.identifier, scope: 'openid email offline_access read:messages' });
  const { redirect } = await loginOverHttp(server, { params: req.params, email: user.email, password: user.password });
  const tokens = assertTokens(await codeGrant(server, {
    clientId: web.client_id, clientSecret: web.client_secret, code: redirect.code, redirectUri: CALLBACK, verifier: req.verifier,
  }), 'code grant');
  assert.equal(jose.decodeProtectedHeader(tokens.access_token).alg, 'ES256');
  const { payload } = await joseVerify(tokens.access_token, 'ES256', api.identifier);
  assert.equal(payload.sub, user.user_id);
  await assertIdToken(server, tokens.id_token, { clientId: web.client_id, sub: user.user_id, nonce: req.nonce });
  assert.equal(typeof tokens.refresh_token, 'string', 'offline_access gives a refresh token');

  const refreshed = assertTokens(await refreshGrant(server, {
    clientId: web.client_id, clientSecret: web.client_secret, refreshToken: tokens.refresh_token,
  }), 'refresh grant');
  assert.equal(jose.decodeProtectedHeader(refreshed.access_token).alg, 'ES256');
  const again = await joseVerify(refreshed.access_token, 'ES256', api.identifier);
  assert.equal(again.payload.sub, user.user_id);
  const cli = await cliVerify(refreshed.access_token, 'ES256', api.identifier);
  assert.equal(cli.last, 'valid', cli.stdout);
}));

test('rotation turns every alg; a revoked ES256 key fails its tokens and nothing else', t_(async () => {
  const before = {}; // alg -> {token, current, next}
  const listed = (await mgmt.get('/keys/signing')).body;
  for (const alg of ['RS256', ...ALGS]) {
    const of = listed.filter((k) => k.alg === alg);
    before[alg] = { token: await ccToken(alg), current: of.find((k) => k.current).kid, next: of.find((k) => k.next).kid };
    assert.equal(jose.decodeProtectedHeader(before[alg].token).kid, before[alg].current);
  }

  const rotated = await mgmt.post('/keys/signing/rotate');
  assert.equal(rotated.status, 201, rotated.text);
  assert.equal(rotated.body.kid, before.RS256.next, 'the answer names the RS256 key now signing');
  assert.equal(typeof rotated.body.cert, 'string');

  const after = (await mgmt.get('/keys/signing')).body;
  for (const alg of ['RS256', ...ALGS]) {
    const of = after.filter((k) => k.alg === alg);
    assert.equal(of.find((k) => k.current).kid, before[alg].next, `${alg}: the next key became current`);
    assert.ok(of.find((k) => k.kid === before[alg].current).previous, `${alg}: the old key is previous`);
    assert.ok(![before[alg].current, before[alg].next].includes(of.find((k) => k.next).kid), `${alg}: a new next key`);
    const fresh = await ccToken(alg);
    assert.equal(jose.decodeProtectedHeader(fresh).kid, before[alg].next, `${alg}: new tokens use the new key`);
    // Tokens signed before rotation keep verifying.
    await joseVerify(before[alg].token, alg, fx[alg].api.identifier);
  }

  const revoked = await mgmt.call('PUT', `/keys/signing/${before.ES256.current}/revoke`);
  assert.equal(revoked.status, 200, revoked.text);
  assert.equal(revoked.body.kid, before.ES256.current);
  assert.ok(!(await jwks()).keys.some((k) => k.kid === before.ES256.current), 'the revoked key left the JWKS');

  const aud = fx.ES256.api.identifier;
  await assert.rejects(joseVerify(before.ES256.token, 'ES256', aud), /no applicable key|matching/i, 'jose refuses the revoked key');
  const cli = await cliVerify(before.ES256.token, 'ES256', aud);
  assert.equal(cli.code, 1, `tessera token verify of a revoked key's token: ${cli.stdout}`);
  // The new ES256 key, and every other alg's previous key, still verify.
  await joseVerify(await ccToken('ES256'), 'ES256', aud);
  for (const alg of ['RS256', 'PS256', 'EdDSA']) {
    await joseVerify(before[alg].token, alg, fx[alg].api.identifier);
    const ok = await cliVerify(before[alg].token, alg, fx[alg].api.identifier);
    assert.equal(ok.last, 'valid', `${alg} previous key: ${ok.stdout}`);
  }
  // Current and next keys of any alg cannot be revoked.
  const current = after.find((k) => k.alg === 'EdDSA' && k.current).kid;
  assertMgmtError(await mgmt.call('PUT', `/keys/signing/${current}/revoke`), 400);
}));
