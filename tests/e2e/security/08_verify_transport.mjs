// Transport of libtessera-verify (through `tessera token verify`, which
// links the same library): a network attacker between an API and its
// issuer rewrites the JWKS of a plain-http issuer and mints tokens.  The
// verifier refuses http:// URLs to hosts that are not loopback unless the
// operator opts in, keeps loopback http for development without a proxy,
// and never turns TLS verification off.
//
// Names that are not loopback (id.tessera.test, keys.tessera.test) reach
// servers on 127.0.0.1 through a recording proxy given as http_proxy, so no
// name is resolved and no traffic leaves the machine.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import http from 'node:http';
import { after, before, describe, test } from 'node:test';

import { SignJWT, exportJWK, generateKeyPair } from 'jose';

import { tokenPost } from '../lib/http.mjs';
import { startTessera, tesseraBin } from '../lib/server.mjs';

const REMOTE = 'http://id.tessera.test/';
const MGMT_AUD = `${REMOTE}api/v2/`;
const AUD = 'https://orders.tessera.test/';

const lastLine = (s) => s.trim().split('\n').pop();
const listen = (server) => new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const close = (server) =>
  new Promise((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });

describe('security: libtessera-verify fetches keys only over TLS or on this machine', () => {
  let tessera; // public URL http://id.tessera.test/, reached through the proxy
  let tlsTessera; // https on 127.0.0.1 with a CA nobody trusts
  let proxy; // {server, url, hits: ['host/path', ...]}
  let local; // a jose issuer on 127.0.0.1: {server, url, key, kid}
  let remoteToken;

  /** Runs `tessera token verify`; resolves {code, stdout, stderr} (never rejects on exit status). */
  function verify(args) {
    const env = { ...process.env, http_proxy: proxy.url, no_proxy: '', NO_PROXY: '' };
    for (const k of Object.keys(env)) if (k.startsWith('TESSERA_') && k !== 'TESSERA_BIN') delete env[k];
    return new Promise((resolve) => {
      execFile(tesseraBin(), ['token', 'verify', ...args], { env, timeout: 30_000 }, (err, stdout, stderr) => {
        resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr });
      });
    });
  }

  /** Forwards a proxied request (absolute URL) to a server on 127.0.0.1. */
  function forward(req, res, port, path) {
    const up = http.request({ host: '127.0.0.1', port, path, method: req.method, headers: { accept: 'application/json' } }, (r) => {
      res.writeHead(r.statusCode, { 'content-type': r.headers['content-type'] ?? 'application/json' });
      r.pipe(res);
    });
    up.on('error', () => {
      res.statusCode = 502;
      res.end();
    });
    req.pipe(up);
  }

  async function localToken(iss) {
    return new SignJWT({ sub: 'auth0|transport', scope: 'read:orders' })
      .setProtectedHeader({ alg: 'ES256', kid: local.kid, typ: 'at+jwt' })
      .setIssuer(iss)
      .setAudience(AUD)
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(local.key);
  }

  before(async () => {
    tessera = await startTessera({ args: ['--public-url', REMOTE] });
    tlsTessera = await startTessera({ tls: true });

    const { publicKey, privateKey } = await generateKeyPair('ES256');
    local = { key: privateKey, kid: 'local-es256' };
    const jwks = { keys: [{ ...(await exportJWK(publicKey)), kid: local.kid, alg: 'ES256', use: 'sig' }] };
    local.server = http.createServer((req, res) => {
      res.setHeader('content-type', 'application/json');
      if (req.url === '/.well-known/openid-configuration') {
        res.end(JSON.stringify({ issuer: local.url, jwks_uri: `${local.url}jwks` }));
      } else if (req.url === '/bad/.well-known/openid-configuration') {
        // Discovery (or whoever answers for it) names a JWKS on plain http elsewhere.
        res.end(JSON.stringify({ issuer: `${local.url}bad/`, jwks_uri: 'http://keys.tessera.test/jwks' }));
      } else if (req.url === '/jwks') {
        res.end(JSON.stringify(jwks));
      } else {
        res.statusCode = 404;
        res.end('{}');
      }
    });
    await listen(local.server);
    local.url = `http://127.0.0.1:${local.server.address().port}/`;

    proxy = { hits: [] };
    proxy.server = http.createServer((req, res) => {
      let u;
      try {
        u = new URL(req.url);
      } catch {
        res.statusCode = 400;
        res.end();
        return;
      }
      proxy.hits.push(`${u.host}${u.pathname}`);
      if (u.host === 'id.tessera.test') forward(req, res, tessera.port, u.pathname);
      else if (u.host === 'keys.tessera.test') forward(req, res, local.server.address().port, '/jwks');
      else if (u.host === new URL(local.url).host) forward(req, res, local.server.address().port, u.pathname);
      else {
        res.statusCode = 403;
        res.end();
      }
    });
    await listen(proxy.server);
    proxy.url = `http://127.0.0.1:${proxy.server.address().port}`;

    const b = tessera.bootstrap;
    const r = await tokenPost(tessera, { clientId: b.client_id, clientSecret: b.client_secret, audience: MGMT_AUD });
    assert.equal(r.status, 200, r.text);
    remoteToken = r.body.access_token;
  });

  after(async () => {
    if (proxy?.server) await close(proxy.server);
    if (local?.server) await close(local.server);
    if (tlsTessera) assert.equal(await tlsTessera.stop(), 0, 'the https tessera should exit 0 on SIGTERM');
    if (tessera) assert.equal(await tessera.stop(), 0, 'tessera should exit 0 on SIGTERM');
  });

  test('an API given an http:// issuer on another host refuses it before sending anything (keys swapped in transit would forge any token)', async () => {
    proxy.hits.length = 0;
    const r = await verify(['--issuer', REMOTE, '--audience', MGMT_AUD, remoteToken]);
    assert.equal(r.code, 2, `expected a setup error, got exit ${r.code}\n${r.stdout}\n${r.stderr}`);
    assert.match(
      r.stderr,
      /verifier configuration rejected: issuer http:\/\/id\.tessera\.test\/ is plain http to a host that is not loopback: .*use https, or set allow_insecure_http/,
    );
    assert.deepEqual(proxy.hits, [], 'no request may leave for a refused issuer');
  });

  test('the operator who opts in with --allow-insecure-http gets the same issuer fetched and the token verified', async () => {
    proxy.hits.length = 0;
    const r = await verify(['--issuer', REMOTE, '--audience', MGMT_AUD, '--allow-insecure-http', remoteToken]);
    assert.equal(r.code, 0, `exit ${r.code}\n${r.stdout}\n${r.stderr}`);
    assert.equal(lastLine(r.stdout), 'valid');
    assert.deepEqual(proxy.hits, ['id.tessera.test/.well-known/openid-configuration', 'id.tessera.test/.well-known/jwks.json']);
  });

  test('a loopback http issuer needs no opt-in and its keys never go through a proxy', async () => {
    proxy.hits.length = 0;
    const r = await verify(['--issuer', local.url, '--audience', AUD, '--alg', 'ES256', await localToken(local.url)]);
    assert.equal(r.code, 0, `exit ${r.code}\n${r.stdout}\n${r.stderr}`);
    assert.equal(lastLine(r.stdout), 'valid');
    assert.deepEqual(proxy.hits, [], 'a loopback fetch must not use http_proxy');
  });

  test('a loopback issuer whose discovery points the JWKS at plain http elsewhere is refused', async () => {
    proxy.hits.length = 0;
    const iss = `${local.url}bad/`;
    const r = await verify(['--issuer', iss, '--audience', AUD, '--alg', 'ES256', await localToken(iss)]);
    assert.equal(r.code, 2, `expected a setup error, got exit ${r.code}\n${r.stdout}\n${r.stderr}`);
    assert.match(r.stderr, /the discovery document's jwks_uri http:\/\/keys\.tessera\.test\/jwks is plain http to a host that is not loopback/);
    assert.deepEqual(proxy.hits, []);
  });

  test('an https issuer whose certificate nobody trusts gives no keys (TLS verification is never off)', async () => {
    const r = await verify(['--issuer', tlsTessera.url, '--audience', `${tlsTessera.url}api/v2/`, remoteToken]);
    assert.equal(r.code, 1, `exit ${r.code}\n${r.stdout}\n${r.stderr}`);
    assert.match(lastLine(r.stdout), /^invalid: no signing keys yet from https:\/\/127\.0\.0\.1:\d+\/: .*(SSL|certificate)/i);
    assert.match(lastLine(r.stdout), /TESSERA_EUNAVAILABLE/);
  });
});
