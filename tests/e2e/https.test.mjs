// Native HTTPS: Tessera serving TLS 1.2+ from --tls-cert/--tls-key with a
// throwaway test CA; forwarded headers ignored without --trust-proxy; and
// the official `auth0` npm package's ManagementClient over HTTPS.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import tls from 'node:tls';
import { after, before, test } from 'node:test';

import * as jose from 'jose';

import { runSdkScript } from './lib/auth0_sdk.mjs';
import { httpsRequest, startTessera, withLogs } from './lib/server.mjs';
import { makeTestCa } from './lib/tls.mjs';

let server;
let ca;
const t_ = (fn) => withLogs(() => server, fn);

before(async () => {
  ca = makeTestCa();
  server = await startTessera({ tls: ca });
});

after(async () => {
  if (server) assert.equal(await server.stop(), 0, 'tessera should exit 0 on SIGTERM');
});

async function clientCredentials(headers = {}) {
  const body = new URLSearchParams({
    grant_type: 'client_credentials',
    client_id: server.bootstrap.client_id,
    client_secret: server.bootstrap.client_secret,
    audience: `${server.url}api/v2/`,
  }).toString();
  return httpsRequest(`${server.url}oauth/token`, {
    method: 'POST',
    ca: ca.ca,
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body,
  });
}

/**
 * Resolves the negotiated protocol, or rejects when the handshake fails.
 * SECLEVEL=0 lets this client offer TLS 1.0/1.1 (OpenSSL 3 refuses them by
 * default), so a refusal comes from the server; the same client does
 * negotiate TLS 1.1 with a node TLS server that allows it.
 */
function handshake(minVersion, maxVersion, port = server.port) {
  return new Promise((resolve, reject) => {
    const sock = tls.connect(
      {
        host: '127.0.0.1',
        port,
        ca: ca.ca,
        minVersion,
        maxVersion,
        ciphers: 'DEFAULT:@SECLEVEL=0',
        timeout: 5000,
      },
      () => {
        const proto = sock.getProtocol();
        sock.end();
        resolve(proto);
      },
    );
    sock.on('timeout', () => sock.destroy(new Error('handshake timeout')));
    sock.on('error', reject);
  });
}

test(
  'discovery over HTTPS with the test CA trusted: https issuer and endpoints, HSTS',
  t_(async () => {
    assert.match(server.url, /^https:\/\/127\.0\.0\.1:\d+\/$/);
    const res = await httpsRequest(`${server.url}.well-known/openid-configuration`, { ca: ca.ca });
    assert.equal(res.status, 200);
    const doc = JSON.parse(res.text);
    assert.equal(doc.issuer, server.url);
    assert.equal(doc.token_endpoint, `${server.url}oauth/token`);
    assert.equal(doc.jwks_uri, `${server.url}.well-known/jwks.json`);
    assert.match(res.headers['strict-transport-security'] ?? '', /max-age=\d+/);
    // Without the CA the certificate is refused.
    await assert.rejects(httpsRequest(`${server.url}healthz`), /self-signed|unable to verify|certificate/i);
  }),
);

test(
  'client_credentials over HTTPS: a token with the https issuer that verifies against the JWKS',
  t_(async () => {
    const res = await clientCredentials();
    assert.equal(res.status, 200, res.text);
    const tok = JSON.parse(res.text);
    const jwks = JSON.parse(
      (await httpsRequest(`${server.url}.well-known/jwks.json`, { ca: ca.ca })).text,
    );
    const { payload } = await jose.jwtVerify(tok.access_token, jose.createLocalJWKSet(jwks), {
      issuer: server.url,
      audience: `${server.url}api/v2/`,
    });
    assert.equal(payload.azp ?? payload.client_id ?? server.bootstrap.client_id, server.bootstrap.client_id);
  }),
);

test(
  'TLS 1.2 and 1.3 are accepted; TLS 1.1 and 1.0 are refused',
  t_(async () => {
    assert.equal(await handshake('TLSv1.2', 'TLSv1.2'), 'TLSv1.2');
    assert.equal(await handshake('TLSv1.3', 'TLSv1.3'), 'TLSv1.3');
    // Control: this client can speak TLS 1.1 when a server allows it.
    const legacy = tls.createServer({
      key: readFileSync(ca.keyPath),
      cert: readFileSync(ca.certPath),
      minVersion: 'TLSv1',
      ciphers: 'DEFAULT:@SECLEVEL=0',
    }, (s) => s.end());
    await new Promise((r) => legacy.listen(0, '127.0.0.1', r));
    try {
      assert.equal(await handshake('TLSv1', 'TLSv1.1', legacy.address().port), 'TLSv1.1');
    } finally {
      await new Promise((r) => legacy.close(r));
    }
    await assert.rejects(handshake('TLSv1', 'TLSv1.1'));
    await assert.rejects(handshake('TLSv1', 'TLSv1'));
  }),
);

test(
  'plain HTTP on the TLS port gets no HTTP answer',
  t_(async () => {
    const res = await fetch(`http://127.0.0.1:${server.port}/healthz`).then(
      (r) => r.status,
      () => 'refused',
    );
    assert.notEqual(res, 200);
  }),
);

test(
  'without --trust-proxy, X-Forwarded-Host and X-Forwarded-Proto are ignored',
  t_(async () => {
    const fwd = { 'x-forwarded-host': 'evil.example.com', 'x-forwarded-proto': 'http' };
    const res = await httpsRequest(`${server.url}.well-known/openid-configuration`, {
      ca: ca.ca,
      headers: fwd,
    });
    assert.equal(res.status, 200);
    assert.equal(JSON.parse(res.text).issuer, server.url);
    const tokRes = await clientCredentials(fwd);
    assert.equal(tokRes.status, 200, tokRes.text);
    const claims = jose.decodeJwt(JSON.parse(tokRes.text).access_token);
    assert.equal(claims.iss, server.url);
    assert.doesNotMatch(tokRes.text, /evil\.example\.com/);
  }),
);

test(
  'the official auth0 ManagementClient lists clients over HTTPS (CA via NODE_EXTRA_CA_CERTS)',
  t_(async () => {
    const result = await runSdkScript(server, 'auth0_sdk_list_clients.mjs');
    const out = JSON.stringify(result);
    assert.equal(result.ok, true, `auth0 SDK failed: ${out}`);
    assert.ok(
      result.clients.some((c) => c.client_id === server.bootstrap.client_id),
      `bootstrap client missing from ${out}`,
    );
  }),
);
