// Restarts: tokens and keys survive SIGTERM, rows survive kill -9, the
// bootstrap file is never rewritten, and a wrong master key stops start-up.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { after, test } from 'node:test';

import * as jose from 'jose';

import { spawnTessera, startTessera, waitForExit, withLogs } from './lib/server.mjs';
import { request } from './lib/http.mjs';
import { Mgmt } from './lib/mgmt.mjs';

let server; // the instance currently running, if any
let dataDir;
let port;
const t_ = (fn) => withLogs(() => server, fn);

after(async () => {
  if (server && !server.hasExited()) await server.kill9();
});

const mode = (p) => statSync(p).mode & 0o777;
const jwksKids = async (s) => (await request(`${s.url}.well-known/jwks.json`)).body.keys.map((k) => k.kid).sort();

let firstBootstrapText;
let preRestartToken;
let preRestartKids;

test('first start creates the data files with the documented content and modes', t_(async () => {
  server = await startTessera();
  dataDir = server.dataDir;
  port = server.port;
  for (const f of ['tessera.db', 'master.key', 'bootstrap-client.json']) {
    assert.ok(existsSync(path.join(dataDir, f)), `${f} exists in the data dir`);
  }
  assert.equal(mode(path.join(dataDir, 'master.key')), 0o600, 'master.key mode is 0600');
  assert.equal(mode(server.bootstrapPath), 0o600, 'bootstrap-client.json mode is 0600');

  const b = server.bootstrap;
  assert.equal(b.issuer, `http://127.0.0.1:${port}/`, 'bootstrap issuer');
  assert.equal(b.audience, `${b.issuer}api/v2/`, 'bootstrap audience');
  assert.equal(b.token_endpoint, `${b.issuer}oauth/token`, 'bootstrap token_endpoint');
  assert.equal(typeof b.client_id, 'string', 'client_id');
  assert.equal(typeof b.client_secret, 'string', 'client_secret');
  firstBootstrapText = readFileSync(server.bootstrapPath, 'utf8');

  const mgmt = await Mgmt.forBootstrap(server);
  preRestartToken = mgmt.token;
  preRestartKids = await jwksKids(server);
  assert.equal(preRestartKids.length, 2, 'two published keys');
}));

test('a token issued before a SIGTERM restart verifies against the new JWKS', t_(async () => {
  assert.ok(server && preRestartToken, 'depends on the first test');
  assert.equal(await server.stop(), 0, 'SIGTERM exit code');
  server = await startTessera({ dataDir, port });

  assert.equal(readFileSync(server.bootstrapPath, 'utf8'), firstBootstrapText, 'bootstrap-client.json is byte-for-byte unchanged');
  assert.equal(mode(path.join(dataDir, 'master.key')), 0o600, 'master.key still 0600');
  assert.ok(!server.stdout().includes(server.bootstrap.client_secret), 'a restart does not print the bootstrap secret again');
  assert.deepEqual(await jwksKids(server), preRestartKids, 'the same signing keys are published after a restart');

  const JWKS = jose.createRemoteJWKSet(new URL(`${server.url}.well-known/jwks.json`));
  const { payload } = await jose.jwtVerify(preRestartToken, JWKS, { issuer: server.url, audience: `${server.url}api/v2/` });
  assert.equal(payload.sub, `${server.bootstrap.client_id}@clients`, 'sub');

  const m = new Mgmt(server, preRestartToken);
  const list = await m.get('/clients');
  assert.equal(list.status, 200, `the pre-restart token is accepted by the Management API: ${list.text}`);
}));

test('clients created just before kill -9 exist after restart', t_(async () => {
  assert.ok(server, 'depends on the earlier tests');
  const m = await Mgmt.forBootstrap(server);
  const made = [];
  for (let i = 0; i < 5; i++) made.push(await m.createClient({ name: `durable ${i}` }));
  const api = await m.createApi();
  const grant = await m.createGrant(made[0].client_id, api.identifier, ['read:x']);
  await server.kill9();
  assert.ok(server.hasExited(), 'kill -9 ended the process');

  server = await startTessera({ dataDir, port });
  const m2 = await Mgmt.forBootstrap(server);
  for (const c of made) {
    const got = await m2.get(`/clients/${c.client_id}`);
    assert.equal(got.status, 200, `client ${c.client_id} after kill -9: ${got.status} ${got.text}`);
    assert.equal(got.body.name, c.name, 'name survived');
  }
  const gotApi = await m2.get(`/resource-servers/${api.id}`);
  assert.equal(gotApi.status, 200, `API after kill -9: ${gotApi.text}`);
  const grants = await m2.get(`/client-grants?client_id=${encodeURIComponent(made[0].client_id)}`);
  assert.deepEqual(grants.body.map((g) => g.id), [grant.id], 'grant survived');
  // The secret survives too: the client still authenticates.
  const tok = await request(`${server.url}oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: made[0].client_id,
      client_secret: made[0].client_secret,
      audience: api.identifier,
    }).toString(),
  });
  assert.equal(tok.status, 200, `token after kill -9 restart: ${tok.text}`);
  assert.equal(readFileSync(server.bootstrapPath, 'utf8'), firstBootstrapText, 'bootstrap-client.json unchanged after kill -9');
}));

test('a wrong TESSERA_MASTER_KEY on existing data stops start-up with a clear error', t_(async () => {
  assert.ok(server, 'depends on the earlier tests');
  assert.equal(await server.stop(), 0, 'SIGTERM exit code');
  const real = readFileSync(path.join(dataDir, 'master.key'), 'utf8').trim();
  let wrong = 'f'.repeat(64);
  if (real.toLowerCase() === wrong) wrong = 'e'.repeat(64);

  const h = await spawnTessera({ dataDir, port, env: { TESSERA_MASTER_KEY: wrong } });
  const info = await waitForExit(h, 15_000);
  if (info === null) {
    h.proc.kill('SIGKILL');
    await waitForExit(h, 5000);
    assert.fail(`tessera kept running with a wrong master key\n${h.stderrTail()}`);
  }
  assert.notEqual(info.code, 0, `exit code with a wrong master key (signal ${info.signal})`);
  assert.equal(info.signal, null, 'a clean exit, not a crash by signal');
  assert.match(h.stderr(), /master[ _-]?key/i, `stderr names the master key:\n${h.stderrTail()}`);
  assert.ok(!h.stderr().includes(wrong), 'stderr does not echo the key');
  assert.equal(readFileSync(path.join(dataDir, 'bootstrap-client.json'), 'utf8'), firstBootstrapText, 'bootstrap-client.json untouched');

  // The data is unharmed: the right key (from master.key) starts it again.
  server = await startTessera({ dataDir, port });
  assert.deepEqual(await jwksKids(server), preRestartKids, 'same keys after the failed start');
  assert.equal(await server.stop(), 0, 'SIGTERM exit code');
}));
