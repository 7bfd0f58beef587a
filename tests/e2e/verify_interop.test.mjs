// Interop of `tessera token verify` (libtessera-verify): tokens signed by
// `jose` for RS256, PS256, ES256, EdDSA and HS256, served from a Node
// issuer (discovery + JWKS), and tokens issued by a real Tessera.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';

import { SignJWT, exportJWK, generateKeyPair } from 'jose';

import { mgmtToken } from './lib/http.mjs';
import { startTessera, tesseraBin, withLogs } from './lib/server.mjs';

const AUD = 'https://orders.tessera.test/';
const ALGS = ['RS256', 'PS256', 'ES256', 'EdDSA'];

let issuer; // {url, server, fetches}
const keys = {}; // alg -> {privateKey, kid}
let hsSecret;
let tmp;
let secretFile;
let tessera;

/** Runs the CLI; resolves {code, stdout, stderr} (never rejects on exit status). */
function cli(args) {
  return new Promise((resolve) => {
    execFile(tesseraBin(), ['token', 'verify', ...args], { timeout: 30_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr });
    });
  });
}

const lastLine = (s) => s.trim().split('\n').pop();

async function sign(alg, claims = {}, opts = {}) {
  const key = alg === 'HS256' ? new TextEncoder().encode(hsSecret) : keys[alg].privateKey;
  const header = { alg, typ: opts.typ ?? 'at+jwt' };
  if (alg !== 'HS256') header.kid = opts.kid ?? keys[alg].kid;
  return new SignJWT({ sub: 'auth0|interop', scope: 'read:orders', ...claims })
    .setProtectedHeader(header)
    .setIssuer(opts.iss ?? issuer.url)
    .setAudience(opts.aud ?? AUD)
    .setIssuedAt()
    .setExpirationTime(opts.exp ?? '5m')
    .sign(key);
}

before(async () => {
  const jwks = { keys: [] };
  for (const alg of ALGS) {
    const { publicKey, privateKey } = await generateKeyPair(alg, alg === 'EdDSA' ? { crv: 'Ed25519' } : {});
    const kid = `${alg.toLowerCase()}-${randomBytes(4).toString('hex')}`;
    keys[alg] = { privateKey, kid };
    jwks.keys.push({ ...(await exportJWK(publicKey)), kid, alg, use: 'sig' });
  }
  hsSecret = randomBytes(32).toString('hex');
  tmp = mkdtempSync(path.join(os.tmpdir(), 'tessera-verify-'));
  secretFile = path.join(tmp, 'hs256.secret');
  writeFileSync(secretFile, `${hsSecret}\n`, { mode: 0o600 });

  issuer = { fetches: 0 };
  issuer.server = http.createServer((req, res) => {
    res.setHeader('Content-Type', 'application/json');
    if (req.url === '/.well-known/openid-configuration') {
      res.end(JSON.stringify({ issuer: issuer.url, jwks_uri: `${issuer.url}.well-known/jwks.json` }));
    } else if (req.url === '/.well-known/jwks.json') {
      issuer.fetches++;
      res.setHeader('Cache-Control', 'public, max-age=600');
      res.end(JSON.stringify(jwks));
    } else {
      res.statusCode = 404;
      res.end('{}');
    }
  });
  await new Promise((resolve) => issuer.server.listen(0, '127.0.0.1', resolve));
  issuer.url = `http://127.0.0.1:${issuer.server.address().port}/`;
  tessera = await startTessera();
});

after(async () => {
  issuer?.server.close();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
  if (tessera) assert.equal(await tessera.stop(), 0, 'tessera should exit 0 on SIGTERM');
});

for (const alg of ALGS) {
  test(`a ${alg} token signed by jose verifies`, async () => {
    const token = await sign(alg);
    const before = issuer.fetches;
    const r = await cli(['--issuer', issuer.url, '--audience', AUD, '--alg', alg, '--typ', 'at+jwt', token]);
    assert.equal(r.code, 0, `exit ${r.code}\n${r.stdout}\n${r.stderr}`);
    assert.equal(lastLine(r.stdout), 'valid');
    assert.match(r.stdout, new RegExp(`"alg": "${alg}"`));
    assert.match(r.stdout, /"sub": "auth0\|interop"/);
    assert.equal(issuer.fetches - before, 1, 'one JWKS fetch per run');
  });
}

test('an HS256 token signed by jose verifies with the shared secret', async () => {
  const token = await sign('HS256');
  const r = await cli(['--issuer', issuer.url, '--audience', AUD, '--hs256-secret-file', secretFile, token]);
  assert.equal(r.code, 0, `exit ${r.code}\n${r.stdout}\n${r.stderr}`);
  assert.equal(lastLine(r.stdout), 'valid');
  const bad = await cli(['--issuer', issuer.url, '--audience', AUD, token]);
  assert.equal(bad.code, 1);
  assert.match(lastLine(bad.stdout), /^invalid: alg HS256 is not allowed/);
});

test('invalid jose tokens say exactly why', async () => {
  const base = ['--issuer', issuer.url, '--audience', AUD, '--alg', 'RS256,ES256'];
  const expired = await sign('RS256', { exp: Math.floor(Date.now() / 1000) - 600 }, { exp: Math.floor(Date.now() / 1000) - 600 });
  let r = await cli([...base, expired]);
  assert.equal(r.code, 1);
  assert.match(lastLine(r.stdout), /^invalid: expired 10 min ago \(TESSERA_EEXPIRED, invalid_token\)$/);

  r = await cli([...base, await sign('ES256', {}, { aud: 'https://other.test/' })]);
  assert.equal(r.code, 1);
  assert.match(lastLine(r.stdout), /^invalid: aud is https:\/\/other\.test\/ not https:\/\/orders\.tessera\.test\//);

  r = await cli([...base, await sign('RS256', {}, { iss: 'https://evil.test/' })]);
  assert.equal(r.code, 1);
  assert.match(lastLine(r.stdout), /^invalid: iss is https:\/\/evil\.test\/ not /);

  r = await cli([...base, await sign('RS256', {}, { kid: 'forged-kid' })]);
  assert.equal(r.code, 1);
  assert.match(lastLine(r.stdout), /^invalid: unknown kid forged-kid/);

  r = await cli([...base, await sign('PS256')]);
  assert.equal(r.code, 1);
  assert.match(lastLine(r.stdout), /^invalid: alg PS256 is not allowed/);

  r = await cli([...base, '--typ', 'at+jwt', await sign('RS256', {}, { typ: 'JWT' })]);
  assert.equal(r.code, 1);
  assert.match(lastLine(r.stdout), /^invalid: typ is JWT not at\+jwt/);

  const [h, p] = (await sign('RS256')).split('.');
  const none = `${Buffer.from(JSON.stringify({ alg: 'none', kid: keys.RS256.kid })).toString('base64url')}.${p}.`;
  r = await cli([...base, none]);
  assert.equal(r.code, 1);
  assert.match(lastLine(r.stdout), /^invalid: alg none is not allowed/);

  r = await cli([...base, `${h}.${p}`]);
  assert.equal(r.code, 1);
  assert.match(lastLine(r.stdout), /^invalid: a JWT has 3 parts/);
});

test('usage errors exit 2', async () => {
  assert.equal((await cli([])).code, 2);
  assert.equal((await cli(['--issuer', issuer.url, 'tok'])).code, 2);
  assert.equal((await cli(['--issuer', 'ftp://x/', '--audience', AUD, 'a.b.c'])).code, 2);
});

test(
  'an access token issued by Tessera (client credentials) verifies with the CLI',
  withLogs(() => tessera, async () => {
    const token = await mgmtToken(tessera);
    const r = await cli(['--issuer', tessera.url, '--audience', `${tessera.url}api/v2/`, token]);
    assert.equal(r.code, 0, `exit ${r.code}\n${r.stdout}\n${r.stderr}`);
    assert.equal(lastLine(r.stdout), 'valid');
    assert.match(r.stdout, /"gty": "client-credentials"/);

    const wrong = await cli(['--issuer', tessera.url, '--audience', 'https://orders.tessera.test/', token]);
    assert.equal(wrong.code, 1);
    assert.match(lastLine(wrong.stdout), /^invalid: aud is .*api\/v2\/ not https:\/\/orders\.tessera\.test\//);
  }),
);
