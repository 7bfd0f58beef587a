// `tessera config export|apply|diff`: a tenant set up through the
// Management API is exported as a Deploy CLI tenant.yaml without any
// secret; applied to a fresh data directory it gives a tenant the
// document shows no drift against; a change to the file is drift (exit 1)
// until applied; keywords are replaced as the Deploy CLI does; a refused
// change writes nothing, and what the Management API refuses an apply
// refuses in the same words; a running server serves what an apply wrote.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';

import { assertCliError, runCli } from './lib/cli.mjs';
import { Mgmt, uid } from './lib/mgmt.mjs';
import { makeDataDir, sleep, startTessera, withLogs } from './lib/server.mjs';

let server;
let mgmt;
let work;
let fresh; // a data directory made by `tessera init`, the "next environment"
let exported; // the export's text
const secrets = []; // every secret the setup was handed
const t_ = (fn) => withLogs(() => server, fn);

const cfg = (args, dir, opts) => runCli(['config', ...args, '--data-dir', dir], opts);

before(async () => {
  server = await startTessera();
  mgmt = await Mgmt.forBootstrap(server);
  secrets.push(server.bootstrap.client_secret);
  work = makeDataDir();
  const hs = await mgmt.createApi({ name: 'Orders HS', identifier: 'https://orders-hs.example.com', signing_alg: 'HS256' });
  assert.equal(typeof hs.signing_secret, 'string');
  secrets.push(hs.signing_secret);
  const { api, client } = await mgmt.m2m({
    api: { name: 'Orders', identifier: 'https://orders.example.com' },
    client: { name: 'Orders Worker' },
    grantScope: ['read:x'],
  });
  secrets.push(client.client_secret);
  await mgmt.createSpa('https://shop.example.com', { name: 'Shop' });
  const role = await mgmt.post('/roles', { name: 'orders-admin', description: 'Manages orders' });
  assert.equal(role.status, 200, role.text);
  const perm = await mgmt.post(`/roles/${role.body.id}/permissions`, {
    permissions: [{ permission_name: 'write:x', resource_server_identifier: api.identifier }],
  });
  assert.ok(perm.status === 201 || perm.status === 200, perm.text);
  fresh = makeDataDir();
  const init = await runCli(['init', '--data-dir', fresh]);
  assert.equal(init.code, 0, init.stderr);
});

after(async () => {
  if (server) assert.equal(await server.stop(), 0, 'the server exits with status 0');
});

test('export writes the tenant as tenant.yaml, never a secret', t_(async () => {
  const file = path.join(work, 'tenant.yaml');
  const r = await cfg(['export', '--output', file], server.dataDir);
  assert.equal(r.code, 0, r.stderr);
  exported = readFileSync(file, 'utf8');
  for (const key of ['tenant:', 'clients:', 'databases:', 'resourceServers:', 'clientGrants:', 'roles:']) {
    assert.match(exported, new RegExp(`^${key}`, 'm'), `section ${key}`);
  }
  assert.match(exported, /client_id: Orders Worker/, 'grants name their client');
  assert.match(exported, /- Shop$/m, 'enabled_clients name the clients');
  for (const s of secrets) assert.ok(!exported.includes(s), 'no secret in the export');
  assert.doesNotMatch(exported, /client_secret:|signing_secret|BEGIN|password:/);
  assert.doesNotMatch(exported, /\/api\/v2\//, 'the Management API and its grants stay out');
  const j = await cfg(['export', '--format', 'json'], server.dataDir);
  assert.equal(j.code, 0, j.stderr);
  const doc = JSON.parse(j.stdout);
  assert.ok(doc.clients.some((c) => c.name === 'Shop' && c.app_type === 'spa'));
  for (const s of secrets) assert.ok(!j.stdout.includes(s), 'no secret in the JSON export');
}));

test('apply to a fresh data directory, then diff shows no drift', t_(async () => {
  const file = path.join(work, 'tenant.yaml');
  const d0 = await cfg(['diff', file], fresh);
  assert.equal(d0.code, 1, `drift before the apply: ${d0.stdout}${d0.stderr}`);
  assert.match(d0.stdout, /\+ create clients\[Shop\]/);
  const dry = await cfg(['apply', file, '--dry-run'], fresh);
  assert.equal(dry.code, 0, dry.stderr);
  assert.equal((await cfg(['diff', file], fresh)).code, 1, 'a dry run writes nothing');
  const r = await cfg(['apply', file], fresh);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /Applied \d+ changes/);
  const d = await cfg(['diff', file], fresh);
  assert.equal(d.code, 0, `no drift: ${d.stdout}`);
  const again = await cfg(['export'], fresh);
  assert.equal(again.stdout, exported, 'the fresh tenant exports the same document');
  const twice = await cfg(['apply', file], fresh);
  assert.equal(twice.code, 0);
  assert.match(twice.stdout, /Applied 0 changes/, 'applying again changes nothing');
}));

test('a change to the file is drift until applied', t_(async () => {
  const file = path.join(work, 'changed.yaml');
  writeFileSync(file, exported.replace('- https://shop.example.com/callback', '- https://shop.example.com/callback\n  - https://shop.example.com/cb2'));
  const d = await cfg(['diff', file], fresh);
  assert.equal(d.code, 1, d.stdout);
  assert.match(d.stdout, /~ update clients\[Shop\]: callbacks/);
  const j = await cfg(['diff', file, '--json'], fresh);
  assert.equal(j.code, 1);
  assert.deepEqual(JSON.parse(j.stdout).changes, [{ op: 'update', section: 'clients', name: 'Shop', fields: ['callbacks'] }]);
  assert.equal((await cfg(['apply', file], fresh)).code, 0);
  assert.equal((await cfg(['diff', file], fresh)).code, 0);
  const del = path.join(work, 'fewer.yaml');
  writeFileSync(del, 'roles: []\n');
  const keep = await cfg(['diff', del], fresh);
  assert.equal(keep.code, 0, 'what the file leaves out is kept without --allow-delete');
  assert.match(keep.stdout, /keep roles\[orders-admin\]/);
  const drift = await cfg(['diff', del, '--allow-delete'], fresh);
  assert.equal(drift.code, 1);
  assert.match(drift.stdout, /- delete roles\[orders-admin\]/);
  assert.equal((await cfg(['apply', del, '--allow-delete'], fresh)).code, 0);
  assert.equal((await cfg(['diff', del, '--allow-delete'], fresh)).code, 0);
}));

test('keywords are replaced as the Deploy CLI does', t_(async () => {
  const file = path.join(work, 'kw.yaml');
  const kw = path.join(work, 'kw.json');
  writeFileSync(file, [
    'tenant:',
    '  friendly_name: "##ENV## tenant"',
    'clients:',
    '  - name: Shop',
    '    callbacks: @@CALLBACKS@@',
    '    allowed_logout_urls: "@@LOGOUT@@"',
    '',
  ].join('\n'));
  writeFileSync(kw, JSON.stringify({ CALLBACKS: ['https://stage.example.com/cb'], LOGOUT: ['https://stage.example.com/'] }));
  const env = { AUTH0_KEYWORD_REPLACE_MAPPINGS: JSON.stringify({ ENV: 'stage', CALLBACKS: ['ignored'] }) };
  const r = await cfg(['apply', file, '--keywords', kw], fresh, { env });
  assert.equal(r.code, 0, r.stderr);
  const doc = JSON.parse((await cfg(['export', '--format', 'json'], fresh)).stdout);
  assert.equal(doc.tenant.friendly_name, 'stage tenant');
  const shop = doc.clients.find((c) => c.name === 'Shop');
  assert.deepEqual(shop.callbacks, ['https://stage.example.com/cb'], 'the file wins over the environment');
  assert.deepEqual(shop.allowed_logout_urls, ['https://stage.example.com/']);
  // Without the mappings the file is not YAML; the error names the keyword.
  const bare = await cfg(['diff', file], fresh);
  assertCliError(assert, bare, 2, /@@CALLBACKS@@ has no mapping: pass --keywords FILE/, 'no mappings');
}));

test('a refused change writes nothing', t_(async () => {
  const file = path.join(work, 'bad.yaml');
  writeFileSync(file, [
    'roles:',
    `  - name: ${uid('role')}`,
    'clients:',
    '  - name: Shop',
    '    callbacks: ["javascript:alert(1)"]',
    '',
  ].join('\n'));
  const before = (await cfg(['export'], fresh)).stdout;
  const r = await cfg(['apply', file], fresh);
  assertCliError(assert, r, 1, /clients\[Shop\]: callbacks\[0\].*nothing was changed/, 'apply');
  assert.equal((await cfg(['export'], fresh)).stdout, before, 'the tenant is as it was');
  const d = await cfg(['diff', file], fresh);
  assert.equal(d.code, 1, 'diff only compares');
}));

test('what the Management API refuses, an apply refuses in the same words', t_(async () => {
  const long = 'r'.repeat(101);
  const cases = [
    {
      api: () => mgmt.patch('/tenants/settings', { allowed_logout_urls: ['javascript:alert(1)'] }),
      yaml: ['tenant:', '  allowed_logout_urls: ["javascript:alert(1)"]'],
      record: 'tenant: allowed_logout_urls\\[0\\]', message: 'URL scheme is not allowed',
    },
    {
      api: () => mgmt.patch('/tenants/settings', { allowed_logout_urls: ['https://a.example.com/', 'https://a.example.com/'] }),
      yaml: ['tenant:', '  allowed_logout_urls: ["https://a.example.com/", "https://a.example.com/"]'],
      record: 'tenant: allowed_logout_urls', message: 'Array items are not unique \\(indexes 0 and 1\\)',
    },
    {
      api: () => mgmt.patch('/tenants/settings', { session_lifetime: 9000 }),
      yaml: ['tenant:', '  session_lifetime: 9000'],
      record: 'tenant: session_lifetime', message: 'Must be more than 0 and at most 8760 hours',
    },
    {
      api: () => mgmt.post('/connections', { name: 'bad!name', strategy: 'auth0' }),
      yaml: ['databases:', '  - name: bad!name', '    strategy: auth0'],
      record: 'databases\\[bad!name\\]: name', message: 'String does not match pattern',
    },
    {
      api: () => mgmt.post('/roles', { name: long }),
      yaml: ['roles:', `  - name: ${long}`],
      record: `roles\\[${long}\\]: name`, message: 'String is too long \\(101 chars\\), maximum 100',
    },
  ];
  const file = path.join(work, 'api-refuses.yaml');
  const before = (await cfg(['export'], fresh)).stdout;
  for (const c of cases) {
    const r = await c.api();
    assert.equal(r.status, 400, r.text);
    assert.match(r.body.message, new RegExp(c.message));
    writeFileSync(file, `${c.yaml.join('\n')}\n`);
    const a = await cfg(['apply', file], fresh);
    assertCliError(assert, a, 1, new RegExp(`${c.record}: ${c.message}.*nothing was changed`), c.record);
  }
  assert.equal((await cfg(['export'], fresh)).stdout, before, 'the tenant is as it was');
}));

test('malformed, oversized and alias-bomb documents are refused', t_(async () => {
  const bad = path.join(work, 'malformed.yaml');
  writeFileSync(bad, 'clients: [\n');
  assertCliError(assert, await cfg(['diff', bad], fresh), 2, /malformed\.yaml: line/, 'diff');
  assertCliError(assert, await cfg(['apply', bad], fresh), 1, /malformed\.yaml: line/, 'apply');
  const bomb = path.join(work, 'bomb.yaml');
  const lines = ['a: &a ["x","x","x","x","x","x","x","x","x","x"]'];
  for (let i = 0; i < 9; i++) lines.push(`${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [${Array(10).fill(`*${String.fromCharCode(97 + i)}`).join(',')}]`);
  writeFileSync(bomb, `${lines.join('\n')}\n`);
  assertCliError(assert, await cfg(['diff', bomb], fresh), 2, /too big/, 'bomb');
  assertCliError(assert, await cfg(['diff'], fresh), 2, /missing FILE/, 'usage');
  const nokey = path.join(work, 'nokey.yaml');
  writeFileSync(nokey, 'clients:\n  - app_type: spa\n');
  assertCliError(assert, await cfg(['diff', nokey], fresh), 2, /clients\[0\]: must be a mapping with its name/, 'no name');
}));

test('an apply to a running server is served within a bounded wait', t_(async () => {
  const file = path.join(work, 'live.yaml');
  writeFileSync(file, 'clients:\n  - name: Shop\n    web_origins: ["https://live.example.com"]\n    allowed_origins: ["https://live.example.com"]\n');
  const r = await cfg(['apply', file], server.dataDir);
  assert.equal(r.code, 0, r.stderr);
  let ok = false;
  for (let i = 0; i < 50 && !ok; i++) {
    const res = await fetch(`${server.url}oauth/token`, { method: 'OPTIONS', headers: { Origin: 'https://live.example.com', 'Access-Control-Request-Method': 'POST' } });
    ok = res.headers.get('access-control-allow-origin') === 'https://live.example.com';
    if (!ok) await sleep(100);
  }
  assert.ok(ok, 'the new origin is allowed by the running server');
}));

test('config --help: every command and option is documented', t_(async () => {
  const family = await runCli(['config', '--help']);
  assert.equal(family.code, 0);
  for (const [cmd, opts] of [
    ['export', ['format', 'output', 'data-dir', 'tenant']],
    ['apply', ['keywords', 'allow-delete', 'dry-run', 'json', 'data-dir', 'tenant']],
    ['diff', ['keywords', 'allow-delete', 'json', 'data-dir', 'tenant']],
  ]) {
    assert.match(family.stdout, new RegExp(`^  config ${cmd} `, 'm'), `config --help lists ${cmd}`);
    const r = await runCli(['config', cmd, '--help']);
    assert.equal(r.code, 0);
    for (const o of opts) assert.match(r.stdout, new RegExp(`^  --${o}\\b`, 'm'), `config ${cmd} --${o}`);
    assert.match(r.stdout, /exit status: 0 /);
  }
  assertCliError(assert, await runCli(['config', 'export', '--format', 'xml']), 2, /--format/, 'bad format');
}));
