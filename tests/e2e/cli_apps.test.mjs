// `tessera apps` and `tessera apis` against a running server: every command's
// table or fields, its --json checked against the Management API, --help,
// and each error class (unknown id, bad flag, bad value, server down,
// missing or refused credentials) as one line and its exit status.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { startTessera, withLogs } from './lib/server.mjs';
import { Mgmt, remember, uid } from './lib/mgmt.mjs';
import { tokenPost } from './lib/http.mjs';
import {
  assertCliError, assertConnectionErrors, assertHelp, assertNoControls, cli, cliJson, runCli, startFakeMgmt,
} from './lib/cli.mjs';

let server;
let mgmt;
const t_ = (fn) => withLogs(() => server, fn);
const enc = encodeURIComponent;

before(async () => {
  server = await startTessera();
  mgmt = await Mgmt.forBootstrap(server);
});

after(async () => {
  if (server) assert.equal(await server.stop(), 0, 'tessera should exit 0 on SIGTERM');
});

/** The value printed after a field title ("TITLE   value"), or undefined. */
function field(stdout, title) {
  const line = stdout.split('\n').find((l) => l.startsWith(`${title}  `));
  return line === undefined ? undefined : line.slice(title.length).trim();
}

async function getClient(id) {
  const res = await mgmt.get(`/clients/${enc(id)}`);
  assert.equal(res.status, 200, res.text);
  return res.body;
}

async function getApi(id) {
  const res = await mgmt.get(`/resource-servers/${enc(id)}`);
  assert.equal(res.status, 200, res.text);
  return res.body;
}

/** Whether the token endpoint takes secret as client_id's (invalid_client otherwise). */
async function secretWorks(clientId, secret) {
  const res = await tokenPost(server, { clientId, clientSecret: secret, audience: server.bootstrap.audience });
  return res.body?.error !== 'invalid_client';
}

// ---- apps ----

test('apps --help: every command and every option is documented', t_(async () => {
  const family = await cli(server, ['apps', '--help']);
  assert.equal(family.code, 0);
  for (const c of ['list', 'show', 'create', 'update', 'delete', 'rotate-secret', 'authorize']) {
    assert.match(family.stdout, new RegExp(`^  apps ${c} `, 'm'), `apps --help lists ${c}`);
  }
  const appOpts = ['name', 'type', 'description', 'callbacks', 'logout-urls', 'origins', 'web-origins',
    'grants', 'auth-method', 'refresh-rotation', 'first-party'];
  await assertHelp(assert, ['apps', 'list'], ['number', 'reveal-secrets']);
  await assertHelp(assert, ['apps', 'show'], ['reveal-secrets']);
  const create = await assertHelp(assert, ['apps', 'create'], appOpts);
  assert.match(create, /--name NAME .*\(required\)/, 'required options say so');
  assert.match(create, /repeat the option or separate the values with commas/, 'the list rule is documented');
  assert.match(create, /is the empty\nlist, which on update clears it/, 'and how to clear a list');
  await assertHelp(assert, ['apps', 'update'], appOpts);
  await assertHelp(assert, ['apps', 'delete'], ['force']);
  await assertHelp(assert, ['apps', 'rotate-secret'], []);
  const viaHelp = await runCli(['help', 'apps', 'create']);
  assert.equal(viaHelp.code, 0);
  assert.equal(viaHelp.stdout, create, '`tessera help apps create` is the same text');
}));

test('apps create spa: a public client from the short type name; no secret printed', t_(async () => {
  const name = uid('spa');
  const r = await cli(server, ['apps', 'create', '--name', name, '--type', 'spa',
    '--callbacks', 'http://localhost:3000/callback,http://localhost:3000/cb2',
    '--callbacks', 'http://localhost:4000/callback', '--web-origins', 'http://localhost:3000',
    '--logout-urls', 'http://localhost:3000/', '--description', 'The shop front']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(field(r.stdout, 'NAME'), name);
  assert.equal(field(r.stdout, 'TYPE'), 'spa');
  assert.equal(field(r.stdout, 'AUTH METHOD'), 'none');
  assert.equal(field(r.stdout, 'CALLBACKS'), 'http://localhost:3000/callback, http://localhost:3000/cb2, http://localhost:4000/callback');
  assert.equal(field(r.stdout, 'CLIENT SECRET'), undefined, 'a public client has no secret');
  const id = field(r.stdout, 'CLIENT ID');
  const c = await getClient(id);
  assert.equal(c.name, name);
  assert.equal(c.app_type, 'spa');
  assert.equal(c.description, 'The shop front');
  assert.equal(c.token_endpoint_auth_method, 'none');
  assert.deepEqual(c.callbacks, ['http://localhost:3000/callback', 'http://localhost:3000/cb2', 'http://localhost:4000/callback']);
  assert.deepEqual(c.web_origins, ['http://localhost:3000']);
  assert.deepEqual(c.allowed_logout_urls, ['http://localhost:3000/']);
  assert.equal(c.refresh_token.rotation_type, 'rotating', 'a new SPA rotates its refresh tokens');
}));

test('apps create regular/m2m: the secret is printed once and works; show never prints it', t_(async () => {
  const r = await cli(server, ['apps', 'create', '--name', uid('web'), '--type', 'regular',
    '--callbacks', 'https://app.example.com/callback', '--grants', 'code,refresh-token,credentials',
    '--auth-method', 'basic']);
  assert.equal(r.code, 0, r.stderr);
  const id = field(r.stdout, 'CLIENT ID');
  const secret = field(r.stdout, 'CLIENT SECRET');
  remember(secret);
  assert.match(secret, /^[A-Za-z0-9_-]{32,}$/, 'the secret is printed');
  assert.match(r.stdout, /shown only this once/);
  assert.equal(field(r.stdout, 'TYPE'), 'regular');
  const c = await getClient(id);
  assert.equal(c.app_type, 'regular_web');
  assert.equal(c.token_endpoint_auth_method, 'client_secret_basic');
  assert.deepEqual(c.grant_types, ['authorization_code', 'refresh_token', 'client_credentials']);
  assert.equal(c.client_secret, undefined);

  const m2m = await cliJson(server, ['apps', 'create', '--name', uid('m2m'), '--type', 'm2m']);
  remember(m2m.client_secret);
  assert.equal(m2m.app_type, 'non_interactive', '--json prints the Management API object');
  assert.deepEqual(m2m.grant_types, ['client_credentials']);
  assert.ok(await secretWorks(m2m.client_id, m2m.client_secret), 'the printed secret authenticates the client');
  assert.ok(!(await secretWorks(m2m.client_id, `${m2m.client_secret}x`)), 'and another does not');

  const shown = await cli(server, ['apps', 'show', id]);
  assert.equal(shown.code, 0, shown.stderr);
  assert.equal(field(shown.stdout, 'CLIENT ID'), id);
  assert.equal(field(shown.stdout, 'TYPE'), 'regular');
  assert.equal(field(shown.stdout, 'GRANTS'), 'authorization_code, refresh_token, client_credentials');
  assert.equal(field(shown.stdout, 'CALLBACKS'), 'https://app.example.com/callback');
  assert.equal(field(shown.stdout, 'CLIENT SECRET'), undefined);
  assert.ok(!shown.stdout.includes(secret));
  const json = await cliJson(server, ['apps', 'show', id]);
  assert.deepEqual(json, c, 'apps show --json is the Management API object');
  assertCliError(assert, await cli(server, ['apps', 'show', id, '--reveal-secrets']), 2,
    /--reveal-secrets: a client secret is stored only as a hash .*apps rotate-secret/, 'reveal refused');
}));

test('apps list: a table, --json, --number pages through the API', t_(async () => {
  // More than one page of the API (100) so that paging is exercised.
  const made = [];
  for (let i = 0; i < 105; i += 15) {
    made.push(...(await Promise.all(Array.from({ length: 15 }, (_, j) =>
      mgmt.createClient({ name: `page ${i + j}`, app_type: 'non_interactive' })))));
  }
  const total = (await mgmt.get('/clients?include_totals=true&per_page=1')).body.total;
  assert.ok(total > 105);

  const all = await cliJson(server, ['apps', 'list', '--number', '1000']);
  assert.equal(all.length, total, 'every client, across pages');
  assert.equal(new Set(all.map((c) => c.client_id)).size, total, 'no client twice');
  for (const m of made) assert.ok(all.some((c) => c.client_id === m.client_id));
  const some = await cliJson(server, ['apps', 'list', '--number', '103']);
  assert.equal(some.length, 103);
  assert.deepEqual(some.map((c) => c.client_id), all.slice(0, 103).map((c) => c.client_id), 'the API\'s order');
  assert.equal((await cliJson(server, ['apps', 'list', '--number', '1'])).length, 1);
  assert.equal((await cliJson(server, ['apps', 'list'])).length, 100, 'the default is 100');

  const table = await cli(server, ['apps', 'list', '--number', '1000']);
  assert.equal(table.code, 0, table.stderr);
  const lines = table.stdout.trimEnd().split('\n');
  assert.match(lines[0], /^CLIENT ID\s+NAME\s+TYPE$/);
  assert.equal(lines.length, total + 1, 'a header and a row per client');
  const row = lines.find((l) => l.startsWith(made[0].client_id));
  assert.match(row, /page 0\s+m2m$/, 'the type by its short name');
  assert.ok(lines.some((l) => l.includes('Bootstrap Management Client')));

  assertCliError(assert, await cli(server, ['apps', 'list', '--number', '0']), 2, /--number: expected a number from 1 to 1000/);
  assertCliError(assert, await cli(server, ['apps', 'list', '--number', '1001']), 2, /--number/);
  assertCliError(assert, await cli(server, ['apps', 'list', '--reveal-secrets']), 2, /stored only as a hash/);
}));

test('apps update: only the options given change; lists replace, empty clears', t_(async () => {
  const c = await mgmt.createClient({ name: uid('upd'), app_type: 'regular_web', description: 'kept',
    callbacks: ['https://a.example.com/cb'], allowed_origins: ['https://a.example.com'] });
  const r = await cli(server, ['apps', 'update', c.client_id, '--name', 'Renamed',
    '--callbacks', 'https://b.example.com/cb', '--callbacks', 'https://c.example.com/cb',
    '--grants', 'code', '--grants', 'refresh-token', '--auth-method', 'post', '--refresh-rotation', 'rotating',
    '--origins', '']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(field(r.stdout, 'NAME'), 'Renamed');
  const now = await getClient(c.client_id);
  assert.equal(now.name, 'Renamed');
  assert.equal(now.description, 'kept', 'an option not given is not sent');
  assert.deepEqual(now.callbacks, ['https://b.example.com/cb', 'https://c.example.com/cb']);
  assert.deepEqual(now.grant_types, ['authorization_code', 'refresh_token']);
  assert.deepEqual(now.allowed_origins, [], '--origins \'\' clears the list');
  assert.equal(now.token_endpoint_auth_method, 'client_secret_post');
  assert.equal(now.refresh_token.rotation_type, 'rotating');

  const json = await cliJson(server, ['apps', 'update', c.client_id, '--type', 'native', '--first-party', 'false']);
  assert.equal(json.app_type, 'native');
  assert.equal(json.is_first_party, false);
  assert.deepEqual(await getClient(c.client_id), json);

  assertCliError(assert, await cli(server, ['apps', 'update', c.client_id]), 2, /nothing to change/);
  assertCliError(assert, await cli(server, ['apps', 'update', c.client_id, '--type', 'desktop']), 2,
    /--type: expected one of spa, regular, native, m2m/);
  assertCliError(assert, await cli(server, ['apps', 'update', c.client_id, '--grants', 'code,teleport']), 2,
    /--grants: unknown grant "teleport"/);
  assertCliError(assert, await cli(server, ['apps', 'update', c.client_id, '--callbacks', 'https://a.example.com/cb,,https://b.example.com/cb']), 2,
    /--callbacks: an empty item/);
  assertCliError(assert, await cli(server, ['apps', 'update', c.client_id, '--first-party', 'perhaps']), 2,
    /--first-party: expected true or false/);
  assertCliError(assert, await cli(server, ['apps', 'update', c.client_id, '--callbacks', 'not-a-url']), 1,
    /callbacks.*\(400 invalid_body\)$/, 'the server\'s 400 message');
  assertCliError(assert, await cli(server, ['apps', 'update', c.client_id, '--bogus', 'x']), 2, /unknown option --bogus/);
  assertCliError(assert, await cli(server, ['apps', 'update', 'no-such-client', '--name', 'x']), 1,
    /The client does not exist \(404 inexistent_client\)/);
}));

test('apps rotate-secret: the new secret works, the old one no longer does', t_(async () => {
  const c = await mgmt.createClient({ name: uid('rot'), app_type: 'non_interactive' });
  remember(c.client_secret);
  const r = await cli(server, ['apps', 'rotate-secret', c.client_id]);
  assert.equal(r.code, 0, r.stderr);
  const secret = field(r.stdout, 'CLIENT SECRET');
  remember(secret);
  assert.notEqual(secret, c.client_secret);
  assert.ok(await secretWorks(c.client_id, secret), 'the new secret');
  assert.ok(!(await secretWorks(c.client_id, c.client_secret)), 'the old secret');
  const json = await cliJson(server, ['apps', 'rotate-secret', c.client_id]);
  remember(json.client_secret);
  assert.ok(await secretWorks(c.client_id, json.client_secret));

  const spa = await mgmt.createApp({ name: uid('pub'), app_type: 'spa' });
  assertCliError(assert, await cli(server, ['apps', 'rotate-secret', spa.client_id]), 1, /does not use a secret .*\(400 invalid_body\)$/);
  assertCliError(assert, await cli(server, ['apps', 'rotate-secret', 'no-such-client']), 1, /does not exist \(404/);
}));

test('apps delete: one or several ids, --force accepted; unknown id fails', t_(async () => {
  const a = await mgmt.createClient({ name: uid('del') });
  const b = await mgmt.createClient({ name: uid('del') });
  const c = await mgmt.createClient({ name: uid('del') });
  const r = await cli(server, ['apps', 'delete', a.client_id, b.client_id, '--force']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, `Deleted app ${a.client_id}.\nDeleted app ${b.client_id}.\n`);
  for (const id of [a.client_id, b.client_id]) assert.equal((await mgmt.get(`/clients/${id}`)).status, 404);
  const quiet = await cli(server, ['apps', 'delete', c.client_id, '--json']);
  assert.deepEqual([quiet.code, quiet.stdout], [0, ''], '--json prints nothing');
  assertCliError(assert, await cli(server, ['apps', 'delete', c.client_id]), 1, /The client does not exist \(404 inexistent_client\)/);
  assertCliError(assert, await cli(server, ['apps', 'delete']), 2, /missing ID\.\.\./);
  // A dot segment is an id like any other, never a step up to another endpoint.
  const before = (await mgmt.get('/clients')).body.length;
  for (const id of ['..', '.']) {
    assertCliError(assert, await cli(server, ['apps', 'delete', id]), 1, /\(404 inexistent_client\)$/, `delete ${id}`);
  }
  assert.equal((await mgmt.get('/clients')).body.length, before, 'no client deleted');
}));

test('apps authorize: a client grant for an API, its scopes replaced when authorized again', t_(async () => {
  const api = await mgmt.createApi();
  const app = await mgmt.createClient({ name: uid('m2m') });
  const r = await cli(server, ['apps', 'authorize', app.client_id, '--api', api.identifier, '--scopes', 'read:x']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(field(r.stdout, 'CLIENT ID'), app.client_id);
  assert.equal(field(r.stdout, 'AUDIENCE'), api.identifier);
  assert.equal(field(r.stdout, 'SCOPES'), 'read:x');
  const grants = async () => (await mgmt.get(`/client-grants?client_id=${enc(app.client_id)}&audience=${enc(api.identifier)}`)).body;
  let now = await grants();
  assert.equal(now.length, 1);
  assert.equal(now[0].id, field(r.stdout, 'GRANT ID'));
  assert.deepEqual(now[0].scope, ['read:x']);
  const token = await tokenPost(server, { clientId: app.client_id, clientSecret: app.client_secret, audience: api.identifier });
  assert.equal(token.status, 200, token.text);
  assert.equal(token.body.scope, 'read:x', 'the grant lets the application get tokens for the API');

  const again = await cliJson(server, ['apps', 'authorize', app.client_id, '--api', api.identifier, '--scopes', 'read:x,write:x']);
  now = await grants();
  assert.equal(now.length, 1, 'authorizing again changes the grant there is');
  assert.deepEqual(again, now[0]);
  assert.deepEqual(now[0].scope, ['read:x', 'write:x']);

  assertCliError(assert, await cli(server, ['apps', 'authorize', app.client_id, '--api', api.identifier, '--scopes', 'fly:x']), 1,
    /Scope fly:x is not defined by the resource server.*\(400 invalid_body\)$/);
  assertCliError(assert, await cli(server, ['apps', 'authorize', app.client_id, '--api', 'urn:nothing']), 1, /\(404 inexistent_resource_server\)$/);
  assertCliError(assert, await cli(server, ['apps', 'authorize', 'no-such-client', '--api', api.identifier]), 1, /\(404 inexistent_client\)$/);
  assertCliError(assert, await cli(server, ['apps', 'authorize', app.client_id]), 2, /--api is required/);
  await assertHelp(assert, ['apps', 'authorize'], ['api', 'scopes']);
  await assertConnectionErrors(assert, server, ['apps', 'authorize', 'x', '--api', 'y']);
}));

test('apps and apis: text from the server reaches the terminal without control characters', t_(async () => {
  // The real server refuses control characters in names; a stand-in sends them.
  const evil = 'evil\u001b]0;owned\u0007\u001b[31m';
  const fake = await startFakeMgmt({
    'GET /api/v2/clients/c1': [200, { client_id: 'c1', name: evil, app_type: 'spa', callbacks: [`https://x/${evil}`] }],
    'GET /api/v2/clients': [200, [{ client_id: 'c1', name: evil, app_type: 'spa' }]],
    'GET /api/v2/resource-servers/a1': [200, { id: 'a1', name: evil, identifier: 'urn:a', scopes: [{ value: 'r', description: evil }] }],
    'GET /api/v2/resource-servers': [200, [{ id: 'a1', name: evil, identifier: 'urn:a', scopes: [] }]],
    'DELETE /api/v2/clients/c2': [400, { statusCode: 400, message: `refused ${evil}`, errorCode: 'bad\u001b[0m' }],
  });
  try {
    for (const args of [['apps', 'show', 'c1'], ['apps', 'list'], ['apis', 'show', 'a1'], ['apis', 'list']]) {
      const r = await runCli([...args, ...fake.args], { env: fake.env });
      assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
      assert.ok(r.stdout.includes('evil?]0;owned??[31m'), `${args.join(' ')}: replaced by '?': ${r.stdout}`);
      assertNoControls(assert, r.stdout, args.join(' '));
    }
    const json = await runCli(['apps', 'show', 'c1', '--json', ...fake.args], { env: fake.env });
    assert.equal(JSON.parse(json.stdout).name, evil, '--json keeps the text, escaped as JSON');
    const err = await runCli(['apps', 'delete', 'c2', ...fake.args], { env: fake.env });
    assertCliError(assert, err, 1, /refused evil\?\]0;owned\?\?\[31m \(400 bad\?\[0m\)/, 'an error line');
    assertNoControls(assert, err.stderr, 'the error line');
  } finally {
    await fake.close();
  }
}));

test('apps: server down, no credentials, refused credentials: exit 3 and one line', t_(async () => {
  await assertConnectionErrors(assert, server, ['apps', 'list']);
  await assertConnectionErrors(assert, server, ['apps', 'show', 'x']);
  await assertConnectionErrors(assert, server, ['apps', 'create', '--name', 'x', '--type', 'spa']);
  await assertConnectionErrors(assert, server, ['apps', 'delete', 'x']);
}));

// ---- apis ----

test('apis --help: every command and every option is documented', t_(async () => {
  const family = await cli(server, ['apis', '--help']);
  assert.equal(family.code, 0);
  for (const c of ['list', 'show', 'create', 'update', 'delete']) {
    assert.match(family.stdout, new RegExp(`^  apis ${c} `, 'm'), `apis --help lists ${c}`);
  }
  const apiOpts = ['name', 'scopes', 'token-lifetime', 'token-lifetime-web', 'signing-alg', 'offline-access',
    'enforce-policies', 'add-permissions-in-token', 'token-dialect', 'skip-consent', 'reveal-secrets'];
  await assertHelp(assert, ['apis', 'list'], ['number', 'reveal-secrets']);
  const show = await assertHelp(assert, ['apis', 'show'], ['reveal-secrets']);
  assert.match(show, /id or its identifier/);
  const create = await assertHelp(assert, ['apis', 'create'], ['identifier', ...apiOpts]);
  assert.match(create, /need not resolve/);
  assert.match(create, /trailing slash/);
  await assertHelp(assert, ['apis', 'update'], apiOpts);
  await assertHelp(assert, ['apis', 'delete'], ['force']);
}));

test('apis create: scopes, RBAC, permissions in the token, offline access', t_(async () => {
  const identifier = `https://${uid('orders')}.example.com/`;
  const r = await cli(server, ['apis', 'create', '--name', 'Orders', '--identifier', identifier,
    '--scopes', 'read:orders=Read orders,write:orders', '--scopes', 'admin', '--token-lifetime', '3600',
    '--offline-access', 'true', '--enforce-policies', 'true', '--add-permissions-in-token', 'true']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(field(r.stdout, 'IDENTIFIER'), identifier);
  assert.equal(field(r.stdout, 'SCOPES'), 'read:orders (Read orders), write:orders, admin');
  assert.equal(field(r.stdout, 'RBAC'), 'true');
  assert.equal(field(r.stdout, 'TOKEN DIALECT'), 'access_token_authz');
  const api = await getApi(field(r.stdout, 'ID'));
  assert.equal(api.name, 'Orders');
  assert.equal(api.identifier, identifier);
  assert.deepEqual(api.scopes, [
    { value: 'read:orders', description: 'Read orders' },
    { value: 'write:orders', description: '' },
    { value: 'admin', description: '' },
  ]);
  assert.equal(api.token_lifetime, 3600);
  assert.equal(api.allow_offline_access, true);
  assert.equal(api.enforce_policies, true);
  assert.equal(api.token_dialect, 'access_token_authz');
  assert.equal(api.signing_alg, 'RS256');

  const plain = await cliJson(server, ['apis', 'create', '--identifier', 'urn:plain']);
  assert.equal(plain.name, 'urn:plain', 'the name defaults to the identifier');
  assert.deepEqual(await getApi(plain.id), plain);

  assertCliError(assert, await cli(server, ['apis', 'create', '--identifier', identifier]), 1,
    /same identifier already exists \(409 conflict\)/);
  assertCliError(assert, await cli(server, ['apis', 'create', '--name', 'x']), 2, /--identifier is required/);
  assertCliError(assert, await cli(server, ['apis', 'create', '--identifier', 'urn:x', '--signing-alg', 'none']), 2,
    /--signing-alg: expected one of RS256, PS256, ES256, EdDSA, HS256/);
  assertCliError(assert, await cli(server, ['apis', 'create', '--identifier', 'urn:x', '--token-lifetime', '2592001']), 2,
    /--token-lifetime: expected a number from 1 to 2592000/);
  assertCliError(assert, await cli(server, ['apis', 'create', '--identifier', 'urn:x', '--scopes', '=nameless']), 2,
    /--scopes: "=nameless" has no scope/);
  assertCliError(assert, await cli(server, ['apis', 'create', '--identifier', 'urn:x', '--scopes', 'two words']), 1,
    /must not contain whitespace.*\(400 invalid_body\)$/);
  assertCliError(assert, await cli(server, ['apis', 'create', '--identifier', 'urn:x', '--token-dialect', 'rfc9068_profile',
    '--add-permissions-in-token', 'true']), 2, /give one/);
  assert.equal((await mgmt.get(`/resource-servers/${enc('urn:x')}`)).status, 404, 'nothing was created');
}));

test('apis show and list: by id or exact identifier; HS256 secret only with --reveal-secrets', t_(async () => {
  const identifier = `https://${uid('hs')}.example.com/api/`;
  const made = await cliJson(server, ['apis', 'create', '--identifier', identifier, '--signing-alg', 'HS256']);
  assert.equal(made.signing_secret, undefined, 'create --json hides the secret');
  const secret = (await getApi(made.id)).signing_secret;
  remember(secret);
  assert.ok(secret.length >= 32);

  for (const key of [made.id, identifier]) {
    const r = await cli(server, ['apis', 'show', key]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(field(r.stdout, 'ID'), made.id, `show ${key}`);
    assert.equal(field(r.stdout, 'SIGNING ALG'), 'HS256');
    assert.match(field(r.stdout, 'SIGNING SECRET'), /hidden: --reveal-secrets shows it/);
    assert.ok(!r.stdout.includes(secret));
  }
  assertCliError(assert, await cli(server, ['apis', 'show', identifier.slice(0, -1)]), 1,
    /The resource server does not exist \(404/, 'the identifier matches exactly: no trailing-slash folding');
  const json = await cliJson(server, ['apis', 'show', identifier]);
  assert.equal(json.signing_secret, undefined);
  const revealed = await cliJson(server, ['apis', 'show', identifier, '--reveal-secrets']);
  assert.equal(revealed.signing_secret, secret);
  const shown = await cli(server, ['apis', 'show', made.id, '--reveal-secrets']);
  assert.equal(field(shown.stdout, 'SIGNING SECRET'), secret);

  const listed = await cliJson(server, ['apis', 'list', '--number', '1000']);
  const all = (await mgmt.get('/resource-servers?per_page=100')).body;
  assert.deepEqual(listed.map((a) => a.id), all.map((a) => a.id));
  assert.ok(listed.every((a) => a.signing_secret === undefined), 'list --json hides secrets');
  assert.equal((await cliJson(server, ['apis', 'list', '--reveal-secrets'])).find((a) => a.id === made.id).signing_secret, secret);
  assert.equal((await cliJson(server, ['apis', 'list', '--number', '1'])).length, 1);
  const table = await cli(server, ['apis', 'list']);
  assert.equal(table.code, 0, table.stderr);
  assert.match(table.stdout, /^ID\s+NAME\s+IDENTIFIER\s+SCOPES\n/);
  assert.match(table.stdout, new RegExp(`${made.id}\\s+\\S+\\s+${identifier.replace(/[./]/g, '\\$&')}\\s+0\\n`));
  assert.match(table.stdout, /Management API\s+http:\/\/127\.0\.0\.1:\d+\/api\/v2\/\s+\d+\n/);
  assert.ok(!table.stdout.includes(secret));
  assertCliError(assert, await cli(server, ['apis', 'show', 'no-such-api']), 1, /does not exist \(404 inexistent_resource_server\)/);
}));

test('apis update: only the options given; scopes replaced; the dialect keeps its profile', t_(async () => {
  const api = await mgmt.createApi({ token_dialect: 'rfc9068_profile_authz', enforce_policies: true });
  const r = await cli(server, ['apis', 'update', api.identifier, '--token-lifetime', '600',
    '--scopes', 'read:y=Read y', '--add-permissions-in-token', 'false']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(field(r.stdout, 'TOKEN LIFETIME'), '600');
  let now = await getApi(api.id);
  assert.equal(now.token_lifetime, 600);
  assert.deepEqual(now.scopes, [{ value: 'read:y', description: 'Read y' }]);
  assert.equal(now.token_dialect, 'rfc9068_profile', 'permissions off, RFC 9068 profile kept');
  assert.equal(now.name, api.name, 'the name is not sent');
  assert.equal(now.enforce_policies, true);

  const json = await cliJson(server, ['apis', 'update', api.id, '--add-permissions-in-token', 'true',
    '--enforce-policies', 'false', '--offline-access', 'true', '--name', 'Renamed', '--scopes', '']);
  assert.equal(json.token_dialect, 'rfc9068_profile_authz');
  assert.deepEqual(json.scopes, []);
  now = await getApi(api.id);
  assert.deepEqual(now, json);
  assert.equal(now.enforce_policies, false);
  assert.equal(now.allow_offline_access, true);
  assert.equal(now.name, 'Renamed');

  assertCliError(assert, await cli(server, ['apis', 'update', api.id]), 2, /nothing to change/);
  assertCliError(assert, await cli(server, ['apis', 'update', api.id, '--identifier', 'urn:new']), 2,
    /unknown option --identifier/, 'the identifier cannot change');
  assertCliError(assert, await cli(server, ['apis', 'update', api.id, '--offline-access', 'sometimes']), 2,
    /--offline-access: expected true or false/);
  assertCliError(assert, await cli(server, ['apis', 'update', api.id, '--token-lifetime-web', '7200']), 1,
    /greater than maximum.*\(400 invalid_body\)$/);
  assertCliError(assert, await cli(server, ['apis', 'update', 'no-such-api', '--name', 'x']), 1, /does not exist \(404/);
  assertCliError(assert, await cli(server, ['apis', 'update', 'no-such-api', '--add-permissions-in-token', 'true']), 1,
    /does not exist \(404/);
  const sys = await mgmt.systemApi();
  assertCliError(assert, await cli(server, ['apis', 'update', sys.id, '--name', 'x']), 1, /\(403 /);
}));

test('apis delete: by id or identifier; unknown id and the system API fail', t_(async () => {
  const a = await mgmt.createApi();
  const b = await mgmt.createApi();
  const r = await cli(server, ['apis', 'delete', a.id, b.identifier, '--force']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, `Deleted API ${a.id}.\nDeleted API ${b.identifier}.\n`);
  assert.equal((await mgmt.get(`/resource-servers/${a.id}`)).status, 404);
  assert.equal((await mgmt.get(`/resource-servers/${b.id}`)).status, 404);
  assertCliError(assert, await cli(server, ['apis', 'delete', a.id]), 1, /does not exist \(404 inexistent_resource_server\)/);
  const sys = await mgmt.systemApi();
  assertCliError(assert, await cli(server, ['apis', 'delete', sys.identifier]), 1, /system API cannot be deleted \(403/);
}));

test('apis: server down, no credentials, refused credentials: exit 3 and one line', t_(async () => {
  await assertConnectionErrors(assert, server, ['apis', 'list']);
  await assertConnectionErrors(assert, server, ['apis', 'show', 'x']);
  await assertConnectionErrors(assert, server, ['apis', 'create', '--identifier', 'urn:down']);
  await assertConnectionErrors(assert, server, ['apis', 'update', 'x', '--name', 'y']);
  await assertConnectionErrors(assert, server, ['apis', 'delete', 'x']);
}));
