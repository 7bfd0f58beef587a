// Tessera's ETag / If-Match extension of the Management API and
// `tessera apps callbacks add|remove`, which uses it: twenty concurrent
// runs with distinct URLs leave all twenty registered; a stale If-Match
// answers 412 and writes nothing; a write without If-Match behaves as in
// Auth0, and the official `auth0` SDK (which never sends one) still
// updates clients. The preview-deploy script of docs/environments.md
// (examples/ci/preview-deploy.sh) registers a preview's URLs only while its
// command runs.
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { sleep, startTessera, tesseraBin, withLogs } from './lib/server.mjs';
import { Mgmt, remember, uid } from './lib/mgmt.mjs';
import { queryRows } from './lib/db.mjs';
import { json } from './lib/http.mjs';
import { makeTestCa } from './lib/tls.mjs';
import { runSdkScript } from './lib/auth0_sdk.mjs';
import { assertCliError, assertHelp, cli, cliJson, runCli } from './lib/cli.mjs';

let server;
let mgmt;
const t_ = (fn) => withLogs(() => server, fn);
const enc = encodeURIComponent;
const ETAG = /^"[0-9a-f]{32}"$/;

before(async () => {
  server = await startTessera();
  mgmt = await Mgmt.forBootstrap(server);
});

after(async () => {
  if (server) assert.equal(await server.stop(), 0, 'tessera should exit 0 on SIGTERM');
});

/** A Management API call with extra headers; resolves {status, headers, body, text}. */
function call(method, path, body, headers = {}) {
  return json(`${mgmt.base}${path}`, method, body, mgmt.token, headers);
}

async function tagOf(path) {
  const res = await call('GET', path);
  assert.equal(res.status, 200, res.text);
  const tag = res.headers.get('etag');
  assert.match(tag ?? '', ETAG, `GET ${path} has a strong ETag`);
  return { tag, body: res.body };
}

function assert412(res, what) {
  assert.equal(res.status, 412, `${what}: ${res.text}`);
  assert.deepEqual(
    { ...res.body, message: typeof res.body?.message },
    { statusCode: 412, error: 'Precondition Failed', message: 'string', errorCode: 'precondition_failed' },
    `${what}: the Management API error shape`,
  );
}

test('ETag: stable for an unchanged client, new after a change, the PATCH answer carries the next one', t_(async () => {
  const c = await mgmt.createClient({ name: uid('etag') });
  const path = `/clients/${enc(c.client_id)}`;
  const first = await tagOf(path);
  assert.equal((await tagOf(path)).tag, first.tag, 'two reads of an unchanged record give one ETag');
  const fields = await call('GET', `${path}?fields=name&include_fields=true`);
  assert.equal(fields.headers.get('etag'), first.tag, 'fields select members, the ETag is of the record');

  const plain = await call('PATCH', path, { description: 'no If-Match: as in Auth0' });
  assert.equal(plain.status, 200, plain.text);
  const after = await tagOf(path);
  assert.notEqual(after.tag, first.tag, 'a change gives a new ETag');
  assert.equal(plain.headers.get('etag'), after.tag, "the PATCH answer's ETag is the record's");
}));

test('If-Match on clients: a stale tag is 412 and writes nothing; the current tag and * write', t_(async () => {
  const c = await mgmt.createClient({ name: uid('ifmatch'), callbacks: ['https://a.example.com/cb'] });
  const path = `/clients/${enc(c.client_id)}`;
  const { tag: stale } = await tagOf(path);
  assert.equal((await call('PATCH', path, { description: 'moved on' })).status, 200);
  const { tag: current, body: before } = await tagOf(path);

  const refused = await call('PATCH', path, { callbacks: [] }, { 'if-match': stale });
  assert412(refused, 'stale If-Match on PATCH');
  assert.equal(refused.headers.get('etag'), current, 'the 412 tells the current ETag');
  assert.deepEqual((await tagOf(path)).body, before, 'a refused write changes nothing');
  assert412(await call('PATCH', path, { callbacks: [] }, { 'if-match': 'W/' + current }), 'a weak tag never matches');
  assert412(await call('PATCH', path, { callbacks: [] }, { 'if-match': '"nonsense"' }), 'an unknown tag');

  const listed = await call('PATCH', path, { callbacks: ['https://b.example.com/cb'] }, { 'if-match': `"x", ${current}` });
  assert.equal(listed.status, 200, `a list of tags holding the current one: ${listed.text}`);
  assert.deepEqual(listed.body.callbacks, ['https://b.example.com/cb']);
  const star = await call('PATCH', path, { description: 'any version' }, { 'if-match': '*' });
  assert.equal(star.status, 200, `* matches an existing record: ${star.text}`);

  assert.equal((await call('PATCH', '/clients/no-such-client', { name: 'x' }, { 'if-match': '*' })).status, 404);
  assert.equal((await call('PATCH', path, { nonsense: 1 }, { 'if-match': stale })).status, 400,
    'an unknown property is 400 and writes nothing, stale tag or not');
  assert.equal((await call('PATCH', path, { name: 'x' }, { 'if-match': 'x'.repeat(5000) })).status, 400,
    'an over-long If-Match is refused');

  const { tag } = await tagOf(path);
  assert412(await call('DELETE', path, undefined, { 'if-match': stale }), 'stale If-Match on DELETE');
  assert.equal((await call('GET', path)).status, 200, 'the refused DELETE left the client');
  assert.equal((await call('DELETE', path, undefined, { 'if-match': tag })).status, 204);
  assert.equal((await call('GET', path)).status, 404);
}));

test('ETag and If-Match on resource servers, connections, roles and users', t_(async () => {
  const api = await mgmt.createApi({ name: uid('api') });
  const conn = await call('POST', '/connections', { name: uid('db'), strategy: 'auth0' });
  assert.equal(conn.status, 201, conn.text);
  const role = await call('POST', '/roles', { name: uid('role') });
  assert.equal(role.status, 200, role.text);
  const user = await mgmt.createUser({ email: `${uid('u')}@example.com` });
  const cases = [
    [`/resource-servers/${enc(api.id)}`, { token_lifetime: 3601 }, { token_lifetime: 7201 }],
    [`/connections/${enc(conn.body.id)}`, { display_name: 'One' }, { display_name: 'Two' }],
    [`/roles/${enc(role.body.id)}`, { description: 'one' }, { description: 'two' }],
    [`/users/${enc(user.user_id)}`, { name: 'One' }, { name: 'Two' }],
  ];
  for (const [path, a, b] of cases) {
    const { tag: stale } = await tagOf(path);
    const plain = await call('PATCH', path, a);
    assert.equal(plain.status, 200, `${path} PATCH without If-Match: ${plain.text}`);
    const { tag, body } = await tagOf(path);
    assert.notEqual(tag, stale, `${path}: a change gives a new ETag`);
    assert.equal(plain.headers.get('etag'), tag, `${path}: the PATCH answer's ETag is the record's`);
    assert412(await call('PATCH', path, b, { 'if-match': stale }), `${path} stale PATCH`);
    assert.deepEqual((await tagOf(path)).body, body, `${path}: the refused write changed nothing`);
    const ok = await call('PATCH', path, b, { 'if-match': tag });
    assert.equal(ok.status, 200, `${path} PATCH with the current tag: ${ok.text}`);
    assert412(await call('DELETE', path, undefined, { 'if-match': tag }), `${path} DELETE with a tag gone stale`);
    assert.equal((await call('GET', path)).status, 200, `${path}: still there`);
  }
  const userPath = `/users/${enc(user.user_id)}`;
  const { tag } = await tagOf(userPath);
  assert.equal((await call('DELETE', userPath, undefined, { 'if-match': tag })).status, 204);
  assert.equal((await call('GET', userPath)).status, 404);
}));

test('a password change with If-Match: a weak one is 400, a stale tag 412 keeping the old hash, the current tag writes', t_(async () => {
  const user = await mgmt.createUser({ email: `${uid('pw')}@example.com` });
  const path = `/users/${enc(user.user_id)}`;
  const hash = () => queryRows(server.dbPath, `SELECT password_hash FROM users WHERE user_id = '${user.user_id.replaceAll("'", "''")}'`)[0][0];
  const first = hash();
  const { tag: stale } = await tagOf(path);
  assert.equal((await call('PATCH', path, { name: 'Moved on' })).status, 200);
  const { tag } = await tagOf(path);
  const weak = await call('PATCH', path, { password: 'x' }, { 'if-match': tag });
  assert.equal(weak.status, 400, weak.text);
  const fresh = `Pw-${uid('n')}-Aa1!`;
  remember(fresh);
  assert412(await call('PATCH', path, { password: fresh }, { 'if-match': stale }), 'a stale password change');
  assert.equal(hash(), first, 'the refused change kept the old hash');
  const ok = await call('PATCH', path, { password: fresh }, { 'if-match': tag });
  assert.equal(ok.status, 200, ok.text);
  assert.notEqual(hash(), first, 'the new password is stored');
}));

test('connections/{id}/clients: concurrent PATCHes each enabling a client leave all enabled; GET pages them by checkpoint', t_(async () => {
  const conn = await call('POST', '/connections', { name: uid('cc'), strategy: 'auth0', enabled_clients: [] });
  assert.equal(conn.status, 201, conn.text);
  const path = `/connections/${enc(conn.body.id)}/clients`;
  const ids = [];
  for (let i = 0; i < 30; i++) ids.push((await mgmt.createClient({ name: uid('cc') })).client_id);
  // A new application is enabled on every connection: start from none.
  const off = await call('PATCH', path, ids.map((client_id) => ({ client_id, status: false })));
  assert.equal(off.status, 204, off.text);
  assert.deepEqual((await call('GET', path)).body.clients, []);
  const runs = await Promise.all(ids.map((client_id) => call('PATCH', path, [{ client_id, status: true }])));
  for (const r of runs) assert.equal(r.status, 204, r.text);
  const seen = [];
  let from;
  for (let page = 0; page < 10; page++) {
    const q = new URLSearchParams({ take: '7', ...(from ? { from } : {}) });
    const r = await call('GET', `${path}?${q}`);
    assert.equal(r.status, 200, r.text);
    assert.ok(r.body.clients.length <= 7, 'at most take a page');
    seen.push(...r.body.clients.map((c) => c.client_id));
    from = r.body.next;
    if (!from) break;
  }
  assert.deepEqual([...seen].sort(), [...ids].sort(), 'every client enabled, each listed once');
}));

test('apps callbacks --help documents its options', t_(async () => {
  for (const verb of ['add', 'remove']) {
    await assertHelp(assert, ['apps', 'callbacks', verb], ['app', 'logout-url', 'web-origin', 'allowed-origin', 'attempts']);
  }
  const group = await runCli(['apps', 'callbacks', '--help']);
  assert.equal(group.code, 0, group.stderr);
  assert.match(group.stdout, /apps callbacks add/);
  assert.match(group.stdout, /apps callbacks remove/);
  const which = await runCli(['apps', 'callbacks']);
  assert.equal(which.code, 2);
  assert.match(which.stderr, /which command/);
}));

test('twenty concurrent `apps callbacks add` with distinct URLs leave all twenty registered', t_(async () => {
  const c = await mgmt.createClient({ name: uid('race'), callbacks: ['https://main.example.com/callback'] });
  const urls = Array.from({ length: 20 }, (_, i) => `https://pr-${i}.example.com/callback`);
  const runs = await Promise.all(urls.map((u, i) => cli(server, [
    'apps', 'callbacks', 'add', '--app', c.client_id, u,
    '--logout-url', `https://pr-${i}.example.com/`, '--web-origin', `https://pr-${i}.example.com`,
    '--attempts', '50',
  ])));
  for (const r of runs) assert.equal(r.code, 0, `every run succeeds: ${r.stderr}`);
  const { body } = await tagOf(`/clients/${enc(c.client_id)}`);
  assert.deepEqual([...body.callbacks].sort(), ['https://main.example.com/callback', ...urls].sort());
  assert.equal(body.allowed_logout_urls.length, 20, 'every logout URL');
  assert.equal(body.web_origins.length, 20, 'every web origin');

  const removes = await Promise.all(urls.slice(0, 10).map((u) => cli(server, [
    'apps', 'callbacks', 'remove', '--app', c.client_id, u, '--attempts', '50',
  ])));
  for (const r of removes) assert.equal(r.code, 0, `every remove succeeds: ${r.stderr}`);
  const left = (await tagOf(`/clients/${enc(c.client_id)}`)).body.callbacks;
  assert.deepEqual([...left].sort(), ['https://main.example.com/callback', ...urls.slice(10)].sort());
}));

test('apps callbacks is idempotent and reports refusals as one line', t_(async () => {
  const c = await mgmt.createClient({ name: uid('idem'), callbacks: ['https://x.example.com/cb'] });
  const path = `/clients/${enc(c.client_id)}`;
  const { tag } = await tagOf(path);
  const again = await cli(server, ['apps', 'callbacks', 'add', '--app', c.client_id, 'https://x.example.com/cb']);
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stdout, /Nothing to change/);
  const absent = await cli(server, ['apps', 'callbacks', 'remove', '--app', c.client_id, 'https://y.example.com/cb']);
  assert.equal(absent.code, 0, absent.stderr);
  assert.equal((await tagOf(path)).tag, tag, 'nothing was written');

  const added = await cliJson(server, ['apps', 'callbacks', 'add', '--app', c.client_id,
    '--allowed-origin', 'https://y.example.com', 'https://y.example.com/cb']);
  assert.deepEqual(added.callbacks, ['https://x.example.com/cb', 'https://y.example.com/cb']);
  assert.deepEqual(added.allowed_origins, ['https://y.example.com']);

  assertCliError(assert, await cli(server, ['apps', 'callbacks', 'add', '--app', c.client_id, 'javascript:alert(1)']),
    1, /callbacks/, 'an invalid URL');
  assertCliError(assert, await cli(server, ['apps', 'callbacks', 'add', '--app', 'no-such-app', 'https://z.example.com/cb']),
    1, /does not exist \(404 inexistent_client\)/, 'an unknown app');
  assertCliError(assert, await cli(server, ['apps', 'callbacks', 'add', '--app', c.client_id]),
    2, /nothing to change/, 'no URL');
  assertCliError(assert, await cli(server, ['apps', 'callbacks', 'add', 'https://z.example.com/cb']),
    2, /--app/, 'no --app');
}));

const PREVIEW_SCRIPT = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'examples', 'ci', 'preview-deploy.sh');

/** Runs examples/ci/preview-deploy.sh ORIGIN sh -c SCRIPT; resolves {code, stderr}. */
function previewDeploy(env, origin, shellCommand, ...args) {
  return new Promise((resolve) => {
    execFile('sh', [PREVIEW_SCRIPT, origin, 'sh', '-c', shellCommand, 'sh', ...args], {
      timeout: 120_000,
      env: { PATH: process.env.PATH, LANG: 'C.UTF-8', ...env },
    }, (err, stdout, stderr) => resolve({ code: err ? (err.code ?? 1) : 0, stderr }));
  });
}

test('examples/ci/preview-deploy.sh: the preview URLs are there while its command runs and gone after, also when it fails', t_(async () => {
  const home = 'http://127.0.0.1:3000';
  const app = await mgmt.createApp({
    app_type: 'spa', token_endpoint_auth_method: 'none', grant_types: ['authorization_code'],
    callbacks: [`${home}/callback`], web_origins: [home], allowed_logout_urls: [home],
  });
  // The CI job's own application, made as docs/environments.md says: only read:clients and
  // update:clients on the Management API.
  const ci = await cliJson(server, ['apps', 'create', '--name', uid('CI previews'), '--type', 'm2m']);
  remember(ci.client_secret);
  const grant = await cli(server, ['apps', 'authorize', ci.client_id, '--api', `${server.url}api/v2/`,
    '--scopes', 'read:clients,update:clients']);
  assert.equal(grant.code, 0, grant.stderr);
  const env = {
    TESSERA_URL: server.url, TESSERA_CLIENT_ID: ci.client_id, TESSERA_CLIENT_SECRET: ci.client_secret,
    TESSERA_APP_ID: app.client_id, TESSERA: tesseraBin(),
  };
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tessera-preview-'));
  try {
    const show = '"$TESSERA" apps show "$TESSERA_APP_ID" --json > "$1"';
    const origins = [1, 2, 3].map((i) => `https://pr-${i}.shop.example.com`);
    const runs = await Promise.all(origins.map((o, i) => previewDeploy(env, o, show, path.join(dir, `${i}.json`))));
    for (const [i, r] of runs.entries()) {
      assert.equal(r.code, 0, `preview ${i}: ${r.stderr}`);
      const during = JSON.parse(readFileSync(path.join(dir, `${i}.json`), 'utf8'));
      assert.ok(during.callbacks.includes(`${origins[i]}/callback`), `while it runs: ${during.callbacks}`);
      assert.ok(during.allowed_logout_urls.includes(origins[i]), 'logout URL');
      assert.ok(during.web_origins.includes(origins[i]) && during.allowed_origins.includes(origins[i]), 'origins');
    }
    const failed = await previewDeploy(env, 'https://pr-4.shop.example.com', 'exit 3');
    assert.equal(failed.code, 3, `the command's status: ${failed.stderr}`);
    // A cancelled CI job: its process group gets SIGTERM while the command runs.
    const job = spawn('sh', [PREVIEW_SCRIPT, 'https://pr-5.shop.example.com', 'sleep', '60'], {
      detached: true, stdio: 'ignore', env: { PATH: process.env.PATH, ...env },
    });
    const ended = new Promise((resolve) => job.on('exit', (code) => resolve(code)));
    let seen = false;
    for (let i = 0; i < 100 && !seen; i++) {
      seen = (await tagOf(`/clients/${enc(app.client_id)}`)).body.callbacks.includes('https://pr-5.shop.example.com/callback');
      if (!seen) await sleep(100);
    }
    assert.ok(seen, 'the cancelled preview was registered');
    process.kill(-job.pid, 'SIGTERM');
    assert.equal(await ended, 143, 'a cancelled job exits 128 + SIGTERM');
    const { body } = await tagOf(`/clients/${enc(app.client_id)}`);
    assert.deepEqual(body.callbacks, [`${home}/callback`], 'every preview callback removed');
    assert.deepEqual(body.web_origins, [home]);
    assert.deepEqual(body.allowed_logout_urls, [home]);
    assert.deepEqual(body.allowed_origins, []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}));

test('the official auth0 SDK still updates clients (it sends no If-Match)', t_(async () => {
  const tls = await startTessera({ tls: makeTestCa() });
  try {
    const report = await runSdkScript(tls, 'auth0_sdk_update_client.mjs');
    assert.equal(report.ok, true, JSON.stringify(report));
    assert.deepEqual(report.callbacks, ['https://sdk.example.com/callback']);
  } finally {
    assert.equal(await tls.stop(), 0, 'the https server exits 0');
  }
}));
