// Signing keys through the Management API: rotation puts the next key to
// work and publishes a new next one at once, tokens signed before keep
// verifying until their key is revoked, and revocation takes the key out of
// the JWKS.  Tenant settings change what the token endpoint does.
import assert from 'node:assert/strict';
import { X509Certificate, createHash, createPublicKey } from 'node:crypto';
import { after, before, test } from 'node:test';
import * as jose from 'jose';

import { startTessera, withLogs } from './lib/server.mjs';
import { Mgmt } from './lib/mgmt.mjs';
import { form } from './lib/http.mjs';

let server;
let mgmt;
const t_ = (fn) => withLogs(() => server, fn);

before(async () => {
  server = await startTessera();
  mgmt = await Mgmt.forBootstrap(server);
});

after(async () => {
  if (server) assert.equal(await server.stop(), 0, 'tessera should exit 0 on SIGTERM');
});

async function managementToken() {
  const res = await form(`${server.url}oauth/token`, {
    grant_type: 'client_credentials', client_id: server.bootstrap.client_id,
    client_secret: server.bootstrap.client_secret, audience: server.bootstrap.audience,
  });
  assert.equal(res.status, 200, res.text);
  return res.body.access_token;
}

const verifier = () => jose.createRemoteJWKSet(new URL(`${server.url}.well-known/jwks.json`));
const verify = (token, keys) => jose.jwtVerify(token, keys, { issuer: server.url, audience: server.bootstrap.audience });

test('the JWKS carries each key\'s certificate (x5c, x5t), the one the Management API shows', t_(async () => {
  const jwks = await (await fetch(`${server.url}.well-known/jwks.json`)).json();
  const listed = await mgmt.get('/keys/signing');
  assert.equal(listed.status, 200, listed.text);
  assert.ok(jwks.keys.length >= 2, 'current and next');
  for (const jwk of jwks.keys) {
    assert.equal(jwk.x5c?.length, 1, `one certificate for ${jwk.kid}`);
    const der = Buffer.from(jwk.x5c[0], 'base64');
    const cert = new X509Certificate(der);
    assert.ok(cert.publicKey.equals(createPublicKey({ key: jwk, format: 'jwk' })), 'the certificate holds the key');
    assert.ok(cert.verify(cert.publicKey), 'self-signed');
    assert.equal(jwk.x5t, createHash('sha1').update(der).digest('base64url'));
    const shown = listed.body.find((k) => k.kid === jwk.kid);
    assert.equal(new X509Certificate(shown.cert).raw.toString('base64'), jwk.x5c[0], 'the same certificate as GET /keys/signing');
  }
  // jose imports a key from its x5c as well as from n and e.
  const fromCert = await jose.importX509(`-----BEGIN CERTIFICATE-----\n${jwks.keys[0].x5c[0]}\n-----END CERTIFICATE-----`, 'RS256');
  const { payload } = await jose.jwtVerify(await managementToken(), fromCert, { issuer: server.url });
  assert.equal(payload.aud, server.bootstrap.audience);
}));

test('rotate: old and new tokens verify; revoke: the old key leaves the JWKS and its tokens fail', t_(async () => {
  const listed = await mgmt.get('/keys/signing');
  assert.equal(listed.status, 200, listed.text);
  const current = listed.body.find((k) => k.current);
  const next = listed.body.find((k) => k.next);
  assert.ok(current && next, `a current and a next key: ${listed.text}`);

  const before = await managementToken();
  assert.equal(jose.decodeProtectedHeader(before).kid, current.kid, 'tokens are signed by the current key');
  const live = verifier();
  await verify(before, live);

  const rotated = await mgmt.post('/keys/signing/rotate', {});
  assert.equal(rotated.status, 201, rotated.text);
  assert.equal(rotated.body.kid, next.kid, 'the next key became current');

  const after = await managementToken();
  assert.equal(jose.decodeProtectedHeader(after).kid, next.kid, 'new tokens use the new current key');
  await verify(after, live); // an unknown kid makes jose refetch the JWKS
  await verify(before, verifier()); // the previous key is still published

  const keys = (await mgmt.get('/keys/signing')).body;
  assert.equal(keys.find((k) => k.kid === current.kid).previous, true, 'the old key is previous');
  assert.ok(keys.find((k) => k.next && k.kid !== next.kid), 'a new next key exists');
  const jwks = (await (await fetch(`${server.url}.well-known/jwks.json`)).json()).keys.map((k) => k.kid);
  assert.equal(jwks.length, 3, `current, next and previous are published: ${jwks}`);

  const notPrevious = await mgmt.call('PUT', `/keys/signing/${encodeURIComponent(next.kid)}/revoke`);
  assert.equal(notPrevious.status, 400, `the current key cannot be revoked: ${notPrevious.text}`);

  const revoked = await mgmt.call('PUT', `/keys/signing/${encodeURIComponent(current.kid)}/revoke`);
  assert.equal(revoked.status, 200, revoked.text);
  const after2 = (await (await fetch(`${server.url}.well-known/jwks.json`)).json()).keys.map((k) => k.kid);
  assert.ok(!after2.includes(current.kid), 'the revoked key left the JWKS');
  await assert.rejects(verify(before, verifier()), /no applicable key|JWKSNoMatchingKey/i, 'a fresh verifier refuses the old token');
  await verify(after, verifier());

  // Tessera itself no longer accepts a Management API token signed by the revoked key.
  const res = await fetch(`${server.url}api/v2/clients`, { headers: { authorization: `Bearer ${before}` } });
  assert.equal(res.status, 401, 'a token of the revoked key is refused');
  mgmt = await Mgmt.forBootstrap(server); // the test's own token was signed by the revoked key too
  const key = await mgmt.get(`/keys/signing/${encodeURIComponent(current.kid)}`);
  assert.equal(key.body.revoked, true);
  assert.ok(key.body.revoked_at, 'revoked_at is set');
}));

test('tenant settings: a default audience lets client credentials omit it; bad values are refused', t_(async () => {
  const api = await mgmt.createApi();
  const got = await mgmt.get('/tenants/settings');
  assert.equal(got.status, 200, got.text);
  assert.equal(got.body.default_audience, '');

  const patched = await mgmt.patch('/tenants/settings', { default_audience: api.identifier, friendly_name: 'Acme', session_lifetime: 24, idle_session_lifetime: 2 });
  assert.equal(patched.status, 200, patched.text);
  assert.equal(patched.body.default_audience, api.identifier);
  assert.equal(patched.body.session_lifetime, 24);
  assert.equal((await mgmt.get('/tenants/settings')).body.friendly_name, 'Acme');

  const client = await mgmt.createClient();
  await mgmt.createGrant(client.client_id, api.identifier, ['read:x']);
  const token = await form(`${server.url}oauth/token`, { grant_type: 'client_credentials', client_id: client.client_id, client_secret: client.client_secret });
  assert.equal(token.status, 200, `no audience sent, the default is used: ${token.text}`);
  assert.equal(jose.decodeJwt(token.body.access_token).aud, api.identifier);

  for (const bad of [{ default_audience: 'https://nope.test' }, { session_lifetime: -1 }, { idle_session_lifetime: 9000 }, { unknown_setting: 1 }, { branding: { colors: { primary: 'red' } } }]) {
    const res = await mgmt.patch('/tenants/settings', bad);
    assert.equal(res.status, 400, `${JSON.stringify(bad)}: ${res.text}`);
  }
  assert.equal((await mgmt.get('/tenants/settings')).body.default_audience, api.identifier, 'refused changes stored nothing');
}));
