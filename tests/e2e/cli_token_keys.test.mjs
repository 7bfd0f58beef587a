// The operator CLI's `tessera test token` (a token got the way an app would,
// explained: opaque or JWT and why, lifetime, scopes; the JWT verifies with
// jose against the JWKS) and `tessera keys list|rotate|revoke`, driven
// against a running server with every error class.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import * as jose from 'jose';

import { assertCliError, cli, cliJson, runCli } from './lib/cli.mjs';
import { Mgmt, uid } from './lib/mgmt.mjs';
import { freePort, startTessera, withLogs } from './lib/server.mjs';

let server;
let mgmt;
let dir;
const t_ = (fn) => withLogs(() => server, fn);
const CONN = 'Username-Password-Authentication';

before(async () => {
  server = await startTessera();
  mgmt = await Mgmt.forBootstrap(server);
  dir = mkdtempSync(path.join(tmpdir(), 'tessera-cli-token-'));
});

after(async () => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  if (server) assert.equal(await server.stop(), 0, 'tessera should exit 0 on SIGTERM');
});

/** Writes text to a new file (mode 0600) and returns its path. */
function secretFile(text) {
  const p = path.join(dir, uid('secret'));
  writeFileSync(p, `${text}\n`, { mode: 0o600 });
  return p;
}

const jwks = () => jose.createRemoteJWKSet(new URL(`${server.url}.well-known/jwks.json`));

/** Asserts `tessera <words> --help` exits 0 and lists every option. */
async function assertHelp(words, options) {
  const r = await runCli([...words, '--help']);
  assert.equal(r.code, 0, `${words.join(' ')} --help: ${r.stderr}`);
  for (const o of [...options, 'json', 'data-dir', 'url']) {
    assert.ok(r.stdout.includes(`--${o}`), `${words.join(' ')} --help lists --${o}:\n${r.stdout}`);
  }
}

/** A regular web app allowed the password grant, and a user of the database connection. */
async function passwordSetup(overrides = {}) {
  const app = await mgmt.createWebApp('https://app.example.com/callback', {
    grant_types: ['authorization_code', 'password'],
    ...overrides,
  });
  const user = await mgmt.createUser();
  return { app, user, secret: secretFile(app.client_secret), password: secretFile(user.password) };
}

test('test token, client credentials: a JWT for the API, explained, that verifies with the JWKS', t_(async () => {
  const { api, client } = await mgmt.m2m({ grantScope: ['read:x'] });
  const secret = secretFile(client.client_secret);
  const r = await cli(server, ['test', 'token', '--app', client.client_id, '--audience', api.identifier,
    '--scopes', 'read:x,write:x', '--app-secret-file', secret]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stderr, '');
  assert.match(r.stdout, /^Access token \(JWT, client credentials\):\n(\S+\.\S+\.\S+)\n/);
  assert.ok(r.stdout.includes(`JWT: its audience is ${api.identifier} (the API "${api.name}")`), r.stdout);
  assert.ok(r.stdout.includes(`${server.url}.well-known/jwks.json`), 'names the JWKS');
  assert.match(r.stdout, /^Expires in 3600 s \(1 h\), set by the API's token_lifetime\.$/m);
  assert.match(r.stdout, /^Scopes granted: read:x$/m);
  assert.match(r.stdout, /^Scopes asked: read:x, write:x$/m);
  assert.match(r.stdout, /^Not granted: write:x \(not in the app's client grant for this API\)$/m);
  assert.match(r.stdout, /^header:\n\{\n {2}"alg": "RS256"/m);
  assert.match(r.stdout, new RegExp(`"sub": "${client.client_id}@clients"`));

  const j = await cliJson(server, ['test', 'token', client.client_id, '--audience', api.identifier,
    '--app-secret-file', secret]);
  assert.equal(j.kind, 'jwt');
  assert.equal(j.token_type, 'Bearer');
  assert.equal(j.expires_in, 3600);
  assert.equal(j.scope, 'read:x');
  const { payload, protectedHeader } = await jose.jwtVerify(j.access_token, jwks(), {
    issuer: server.url,
    audience: api.identifier,
  });
  assert.deepEqual(j.claims, payload, 'claims are the verified payload');
  assert.deepEqual(j.header, protectedHeader, 'header is the protected header');
  assert.equal(payload.gty, 'client-credentials');
}));

test('test token: an app using client_secret_basic, and the secret from TESSERA_APP_SECRET or stdin', t_(async () => {
  const { api, client } = await mgmt.m2m({ client: { token_endpoint_auth_method: 'client_secret_basic' } });
  const env = await cliJson(server, ['test', 'token', '--app', client.client_id, '--audience', api.identifier],
    { env: { TESSERA_APP_SECRET: client.client_secret } });
  assert.equal(env.kind, 'jwt');
  await jose.jwtVerify(env.access_token, jwks(), { issuer: server.url, audience: api.identifier });
  const stdin = await cliJson(server, ['test', 'token', '--app', client.client_id, '--audience', api.identifier,
    '--app-secret-file', '-'], { input: `${client.client_secret}\n` });
  assert.equal(stdin.kind, 'jwt');
}));

test('test token, password grant: opaque without an audience (good at /userinfo), a JWT with one', t_(async () => {
  const { app, user, secret, password } = await passwordSetup();
  const base = ['test', 'token', '--app', app.client_id, '--app-secret-file', secret, '--username', user.email,
    '--password-file', password, '--connection', CONN];
  const r = await cli(server, base);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^Access token \(opaque, password grant\):\n/);
  assert.match(r.stdout, /^Opaque: no audience was asked for/m);
  assert.ok(r.stdout.includes('good only at /userinfo'), r.stdout);
  assert.match(r.stdout, /^Expires in 86400 s \(24 h\), the fixed lifetime of opaque tokens\.$/m);
  assert.ok(!r.stdout.includes('header:'), 'no header for an opaque token');

  const opaque = await cliJson(server, [...base, '--scopes', 'openid,email']);
  assert.equal(opaque.kind, 'opaque');
  assert.equal(opaque.header, null);
  assert.equal(opaque.claims, null);
  const info = await fetch(`${server.url}userinfo`, { headers: { Authorization: `Bearer ${opaque.access_token}` } });
  assert.equal(info.status, 200, 'the opaque token works at /userinfo');
  assert.equal((await info.json()).sub, user.user_id);

  const api = await mgmt.createUserApi();
  const jwt = await cli(server, [...base, '--audience', api.identifier, '--scopes', 'openid,read:messages']);
  assert.equal(jwt.code, 0, jwt.stderr);
  assert.ok(jwt.stdout.includes(`JWT: its audience is ${api.identifier}`), jwt.stdout);
  assert.ok(jwt.stdout.includes('also names /userinfo'), 'openid adds /userinfo to aud');
  const j = await cliJson(server, [...base, '--audience', api.identifier, '--scopes', 'read:messages']);
  assert.equal(j.kind, 'jwt');
  const { payload } = await jose.jwtVerify(j.access_token, jwks(), { issuer: server.url, audience: api.identifier });
  assert.equal(payload.sub, user.user_id);
}));

test('test token: every refusal is one line with the server\'s error and its likely cause, no secret shown', t_(async () => {
  const { api, client } = await mgmt.m2m();
  const secret = secretFile(client.client_secret);
  const other = await mgmt.createApi();
  const base = ['test', 'token', '--app', client.client_id, '--app-secret-file', secret];

  const noGrant = await cli(server, [...base, '--audience', other.identifier]);
  assertCliError(assert, noGrant, 1, /403 access_denied\); the app has no client grant for this API: tessera apps authorize/, 'no client grant');
  assertCliError(assert, await cli(server, [...base, '--audience', 'https://nothing.example/']), 1,
    /Service not found.*; no API has that identifier/, 'unknown audience');
  assertCliError(assert, await cli(server, base), 1, /No audience parameter.*; pass --audience/, 'no audience, no default');
  const wrong = secretFile('not-the-secret');
  const bad = await cli(server, ['test', 'token', '--app', client.client_id, '--app-secret-file', wrong,
    '--audience', api.identifier]);
  assertCliError(assert, bad, 1, /invalid_client\); the app's secret is wrong/, 'a wrong secret');
  assert.ok(!bad.stderr.includes('not-the-secret'), 'the secret is not shown');
  // A scope the grant lacks is dropped, not refused: the explanation says so.
  const narrowed = await cli(server, [...base, '--audience', api.identifier, '--scopes', 'nope:x,read:x']);
  assert.equal(narrowed.code, 0, narrowed.stderr);
  assert.match(narrowed.stdout, /^Not granted: nope:x \(not in the app's client grant for this API\)$/m);

  // An app that cannot use client credentials.
  const spa = await mgmt.createSpa('http://127.0.0.1:5555');
  assertCliError(assert, await cli(server, ['test', 'token', '--app', spa.client_id]), 1,
    /\(spa\) cannot use client credentials: it has no secret/, 'an spa');
  const web = await mgmt.createWebApp('https://app.example.com/callback');
  assertCliError(assert, await cli(server, ['test', 'token', '--app', web.client_id, '--app-secret-file', secret]), 1,
    /\(regular_web\) cannot use client credentials: client_credentials is not in its grant_types/, 'a web app');
  const pw = secretFile('whatever');
  assertCliError(assert, await cli(server, [...base, '--username', 'ana@example.com', '--password-file', pw]), 1,
    /cannot use the password grant/, 'an m2m app and the password grant');

  // The password grant's refusals.
  const s = await passwordSetup();
  const pbase = ['test', 'token', '--app', s.app.client_id, '--app-secret-file', s.secret, '--username', s.user.email];
  const wrongPw = await cli(server, [...pbase, '--password-file', secretFile('Wrong!Passw0rd'), '--connection', CONN]);
  assertCliError(assert, wrongPw, 1, /invalid_grant\); wrong username or password/, 'a wrong password');
  assertCliError(assert, await cli(server, [...pbase, '--password-file', s.password, '--connection', 'nothing']), 1,
    /Unknown realm.*; check --connection/, 'an unknown connection');
  assertCliError(assert, await cli(server, [...pbase, '--password-file', s.password]), 1,
    /default connection.*; pass --connection/, 'no connection and no default directory');

  // Unknown app, usage errors, server down, no credentials.
  assertCliError(assert, await cli(server, ['test', 'token', '--app', 'nothing']), 1, /404/, 'unknown app');
  assertCliError(assert, await cli(server, ['test', 'token', '--app', client.client_id, '--audience', api.identifier]), 2,
    /needs its secret: pass --app-secret-file or set TESSERA_APP_SECRET/, 'no secret');
  assertCliError(assert, await cli(server, ['test', 'token']), 2, /--app is required/, 'no app');
  assertCliError(assert, await cli(server, ['test', 'token', 'a', '--app', 'b']), 2, /two different apps/, 'two apps');
  assertCliError(assert, await cli(server, [...base, '--username', 'x']), 2, /--username and --password-file go together/, 'no password');
  assertCliError(assert, await cli(server, [...base, '--scopes', 'a,,b']), 2, /empty item/, 'bad list');
  assertCliError(assert, await cli(server, ['test', 'token', '--app', client.client_id, '--app-secret-file', path.join(dir, 'missing')]), 2,
    /--app-secret-file: cannot read/, 'missing secret file');
  assertCliError(assert, await cli(server, [...base, '--bogus']), 2, /unknown option --bogus/, 'bad flag');
  const closed = await freePort();
  assertCliError(assert, await cli(server, [...base, '--url', `http://127.0.0.1:${closed}/`]), 3, /cannot reach/, 'server down');
  assertCliError(assert, await runCli([...base, '--data-dir', '/nonexistent-tessera']), 3, /no credentials/, 'no credentials');
  await assertHelp(['test', 'token'], ['app', 'audience', 'scopes', 'app-secret-file', 'username', 'password-file', 'connection']);
}));

test('keys list: the API\'s keys as a table and as JSON', t_(async () => {
  const api = await mgmt.get('/keys/signing');
  assert.equal(api.status, 200, api.text);
  assert.deepEqual(await cliJson(server, ['keys', 'list']), api.body);
  const r = await cli(server, ['keys', 'list']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^KID\s+ALG\s+CURRENT\s+NEXT\s+PREVIOUS\s+REVOKED\s+CURRENT SINCE$/m);
  const current = api.body.find((k) => k.current);
  assert.match(r.stdout, new RegExp(`^${current.kid}\\s+RS256\\s+true\\s+false\\s+false\\s+false`, 'm'));
  await assertHelp(['keys', 'list'], []);
  await assertHelp(['keys', 'rotate'], []);
  await assertHelp(['keys', 'revoke'], []);
}));

test('keys rotate: the new key signs and is in the JWKS; revoke: refused for the current and unknown keys, the old key leaves the JWKS', t_(async () => {
  const before = (await mgmt.get('/keys/signing')).body;
  const oldKid = before.find((k) => k.current).kid;

  const rot = await cli(server, ['keys', 'rotate']);
  assert.equal(rot.code, 0, rot.stderr);
  const newKid = /^Rotated: (\S+) signs from now on/m.exec(rot.stdout)?.[1];
  assert.ok(newKid && newKid !== oldKid, `a new kid is printed: ${rot.stdout}`);
  const after = (await mgmt.get('/keys/signing')).body;
  assert.equal(after.find((k) => k.current).kid, newKid, 'the printed key is current');
  const set = await (await fetch(`${server.url}.well-known/jwks.json`)).json();
  assert.ok(set.keys.some((k) => k.kid === newKid), 'the new key is in the JWKS');
  assert.ok(set.keys.some((k) => k.kid === oldKid), 'the old key stays until revoked');

  // A token got after the rotation is signed by the new key.
  const { api, client } = await mgmt.m2m();
  const tok = await cliJson(server, ['test', 'token', '--app', client.client_id, '--audience', api.identifier,
    '--app-secret-file', secretFile(client.client_secret)]);
  assert.equal(tok.header.kid, newKid);

  assertCliError(assert, await cli(server, ['keys', 'revoke', 'no-such-kid']), 1, /404/, 'an unknown kid');
  // Kids are base64url: one in 64 starts with '-', and it is a kid, not an option.
  assertCliError(assert, await cli(server, ['keys', 'revoke', '-no-such-kid']), 1, /404/, 'a kid starting with a dash');
  assertCliError(assert, await cli(server, ['keys', 'revoke', newKid]), 1,
    /Only a previous \(rotated out\) signing key can be revoked/, 'the current key');
  assertCliError(assert, await cli(server, ['keys', 'revoke']), 2, /missing KID/, 'no kid');

  const rev = await cli(server, ['keys', 'revoke', oldKid]);
  assert.equal(rev.code, 0, rev.stderr);
  assert.match(rev.stdout, new RegExp(`^Revoked ${oldKid}`));
  const later = await (await fetch(`${server.url}.well-known/jwks.json`)).json();
  assert.ok(!later.keys.some((k) => k.kid === oldKid), 'the revoked key left the JWKS');
  assert.equal((await cliJson(server, ['keys', 'list'])).find((k) => k.kid === oldKid)?.revoked, true);

  const json = await cliJson(server, ['keys', 'rotate']);
  assert.equal(typeof json.kid, 'string');
  assert.ok(json.cert.includes('BEGIN CERTIFICATE'), 'rotate --json is the API\'s answer');

  const closed = await freePort();
  assertCliError(assert, await cli(server, ['keys', 'rotate', '--url', `http://127.0.0.1:${closed}/`]), 3, /cannot reach/, 'server down');
  assertCliError(assert, await runCli(['keys', 'list', '--data-dir', '/nonexistent-tessera']), 3, /no credentials/, 'no credentials');
  assertCliError(assert, await cli(server, ['keys', 'list', '--all']), 2, /unknown option --all/, 'bad flag');
}));
