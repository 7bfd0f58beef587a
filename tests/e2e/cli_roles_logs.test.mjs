// The operator CLI's `tessera roles ...` and `tessera logs list|tail`,
// driven against a running server: human output, --json checked against
// the Management API, --help, and every error class (unknown id, bad flag,
// bad value, server unreachable, no credentials).  `logs tail` must print
// an event caused after it started, end with 0 on SIGINT, and with 3 when
// its server goes away.
import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, test } from 'node:test';

import { assertCliError, assertNoControls, cli, cliJson, runCli, spawnCli } from './lib/cli.mjs';
import { Mgmt, uid } from './lib/mgmt.mjs';
import { freePort, sleep, startTessera, withLogs } from './lib/server.mjs';
import { tokenPost } from './lib/http.mjs';

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

const enc = encodeURIComponent;

/** Waits (bounded: 200 × 50 ms) until cond() is true. */
async function waitFor(cond, what) {
  for (let i = 0; i < 200; i++) {
    if (await cond()) return;
    await sleep(50);
  }
  assert.fail(`timed out waiting for ${what}`);
}

/** Asserts `tessera <words> --help` exits 0 and lists every option. */
async function assertHelp(words, options) {
  const r = await runCli([...words, '--help']);
  assert.equal(r.code, 0, `${words.join(' ')} --help: ${r.stderr}`);
  assert.match(r.stdout, new RegExp(`^usage: tessera ${words.join(' ')}`), 'the synopsis');
  for (const o of [...options, 'json', 'data-dir', 'url', 'client-id']) {
    assert.ok(r.stdout.includes(`--${o}`), `${words.join(' ')} --help lists --${o}:\n${r.stdout}`);
  }
}

test('roles create, show, list, update, delete: tables, fields and --json match the API', t_(async () => {
  const name = uid('Reader');
  const created = await cli(server, ['roles', 'create', '--name', name, '--description', 'Reads things']);
  assert.equal(created.code, 0, created.stderr);
  const id = /^ID\s+(rol_\S+)$/m.exec(created.stdout)?.[1];
  assert.ok(id, `the created role's id is printed: ${created.stdout}`);
  assert.match(created.stdout, new RegExp(`^NAME\\s+${name}$`, 'm'));
  assert.match(created.stdout, /^DESCRIPTION\s+Reads things$/m);

  const api = await mgmt.get(`/roles/${id}`);
  assert.equal(api.status, 200, api.text);
  assert.deepEqual(await cliJson(server, ['roles', 'show', id]), api.body, 'show --json is the API\'s role');

  const shown = await cli(server, ['roles', 'show', id]);
  assert.equal(shown.code, 0, shown.stderr);
  assert.match(shown.stdout, new RegExp(`^ID\\s+${id}$`, 'm'));

  const table = await cli(server, ['roles', 'list']);
  assert.equal(table.code, 0, table.stderr);
  assert.match(table.stdout, /^ID\s+NAME\s+DESCRIPTION$/m, 'the table header');
  assert.match(table.stdout, new RegExp(`^${id}\\s+${name}\\s+Reads things$`, 'm'));

  const listed = await cliJson(server, ['roles', 'list', '--name-filter', name]);
  assert.deepEqual(listed, [api.body], '--name-filter finds only that role');

  // update sends only what was given.
  const updated = await cliJson(server, ['roles', 'update', id, '--description', 'Reads messages']);
  assert.equal(updated.name, name, 'the name is untouched');
  assert.equal(updated.description, 'Reads messages');
  assert.equal((await mgmt.get(`/roles/${id}`)).body.description, 'Reads messages');

  const del = await cli(server, ['roles', 'delete', id, '--force']);
  assert.equal(del.code, 0, del.stderr);
  assert.match(del.stdout, new RegExp(`Deleted role ${id}`));
  assert.equal((await mgmt.get(`/roles/${id}`)).status, 404, 'the role is gone');
}));

test('roles list --number pages through the API (more than one page of 100)', t_(async () => {
  const tag = uid('Many');
  for (let i = 0; i < 105; i++) {
    const res = await mgmt.post('/roles', { name: `${tag}-${String(i).padStart(3, '0')}` });
    assert.equal(res.status, 200, res.text);
  }
  const all = await cliJson(server, ['roles', 'list', '--name-filter', tag, '--number', '1000']);
  assert.equal(all.length, 105, 'every role over two pages');
  assert.equal(new Set(all.map((r) => r.id)).size, 105, 'no role twice');
  const some = await cliJson(server, ['roles', 'list', '--name-filter', tag, '--number', '3']);
  assert.equal(some.length, 3);
  const more = await cliJson(server, ['roles', 'list', '--name-filter', tag, '--number', '102']);
  assert.equal(more.length, 102);
}));

test('roles permissions add, list, remove: --api takes the identifier or the id; lists by comma or repeat', t_(async () => {
  const api = await mgmt.createApi({
    scopes: [
      { value: 'read:x', description: 'Read x' },
      { value: 'write:x', description: 'Write x' },
      { value: 'admin:x', description: 'Administer x' },
    ],
  });
  const role = (await mgmt.post('/roles', { name: uid('Perm') })).body;

  const add = await cli(server, ['roles', 'permissions', 'add', role.id, '--api', api.identifier,
    '--permissions', 'read:x,write:x', '--permissions', 'admin:x']);
  assert.equal(add.code, 0, add.stderr);
  assert.match(add.stdout, /read:x, write:x, admin:x/);

  const fromApi = await mgmt.get(`/roles/${role.id}/permissions`);
  assert.equal(fromApi.status, 200, fromApi.text);
  assert.deepEqual(fromApi.body.map((p) => p.permission_name).sort(), ['admin:x', 'read:x', 'write:x']);

  const listed = await cliJson(server, ['roles', 'permissions', 'list', role.id]);
  assert.deepEqual(listed, fromApi.body, 'permissions list --json is the API\'s list');
  const table = await cli(server, ['roles', 'permissions', 'list', role.id]);
  assert.match(table.stdout, /^API\s+PERMISSION\s+DESCRIPTION$/m);
  assert.match(table.stdout, new RegExp(`^${api.identifier.replace(/[.]/g, '\\.')}\\s+write:x\\s+Write x$`, 'm'));

  const rm = await cli(server, ['roles', 'permissions', 'remove', role.id, '--api-id', api.id, '--permissions', 'write:x']);
  assert.equal(rm.code, 0, rm.stderr);
  const after = await mgmt.get(`/roles/${role.id}/permissions`);
  assert.deepEqual(after.body.map((p) => p.permission_name).sort(), ['admin:x', 'read:x']);

  // Errors: unknown API, a scope the API lacks (server's 400), a missing --api, an empty item.
  assertCliError(assert, await cli(server, ['roles', 'permissions', 'add', role.id, '--api', 'https://nothing.example/',
    '--permissions', 'read:x']), 1, /resource server does not exist.*404/, 'unknown API');
  assertCliError(assert, await cli(server, ['roles', 'permissions', 'add', role.id, '--api', api.identifier,
    '--permissions', 'nope:x']), 1, /nope:x.*400/, 'a permission the API does not define');
  assertCliError(assert, await cli(server, ['roles', 'permissions', 'add', role.id, '--permissions', 'read:x']),
    2, /--api is required/, 'no --api');
  assertCliError(assert, await cli(server, ['roles', 'permissions', 'add', role.id, '--api', api.identifier,
    '--permissions', 'read:x,,write:x']), 2, /empty item/, 'an empty list item');
  assertCliError(assert, await cli(server, ['roles', 'permissions', 'list', 'rol_nothing']), 1,
    /role does not exist.*404/, 'unknown role');
  assert.deepEqual((await mgmt.get(`/roles/${role.id}/permissions`)).body.map((p) => p.permission_name).sort(),
    ['admin:x', 'read:x'], 'the refused calls changed nothing');
}));

test('roles assign, users list, unassign: all users or none', t_(async () => {
  const role = (await mgmt.post('/roles', { name: uid('Members') })).body;
  const ana = await mgmt.createUser();
  const ben = await mgmt.createUser();

  const assign = await cli(server, ['roles', 'assign', role.id, '--users', `${ana.user_id},${ben.user_id}`]);
  assert.equal(assign.code, 0, assign.stderr);
  assert.match(assign.stdout, new RegExp(`Assigned role ${role.id}`));
  for (const u of [ana, ben]) {
    const roles = await mgmt.get(`/users/${enc(u.user_id)}/roles`);
    assert.deepEqual(roles.body.map((r) => r.id), [role.id], `${u.email} holds the role`);
  }

  const members = await cliJson(server, ['roles', 'users', 'list', role.id]);
  assert.deepEqual(members.map((m) => m.user_id).sort(), [ana.user_id, ben.user_id].sort());
  const table = await cli(server, ['roles', 'users', 'list', role.id]);
  assert.match(table.stdout, /^USER ID\s+EMAIL\s+NAME$/m);
  assert.ok(table.stdout.includes(ana.email), 'the member\'s email is shown');

  // An unknown user: nothing changes, for assign and unassign alike.
  assertCliError(assert, await cli(server, ['roles', 'unassign', role.id, '--users', `${ana.user_id},auth0|nobody`]),
    1, /user does not exist.*404/, 'unassign with an unknown user');
  assert.equal((await mgmt.get(`/roles/${role.id}/users`)).body.length, 2, 'no one was unassigned');
  const carl = await mgmt.createUser();
  assertCliError(assert, await cli(server, ['roles', 'assign', role.id, '--users', carl.user_id, '--users', 'auth0|nobody']),
    1, /auth0\|nobody does not exist.*404/, 'assign with an unknown user');
  assert.deepEqual((await mgmt.get(`/users/${enc(carl.user_id)}/roles`)).body, [], 'carl was not assigned');

  const un = await cli(server, ['roles', 'unassign', role.id, '--users', ana.user_id]);
  assert.equal(un.code, 0, un.stderr);
  assert.deepEqual((await mgmt.get(`/users/${enc(ana.user_id)}/roles`)).body, [], 'ana lost the role');
  assert.deepEqual((await cliJson(server, ['roles', 'users', 'list', role.id])).map((m) => m.user_id), [ben.user_id]);

  assertCliError(assert, await cli(server, ['roles', 'assign', 'rol_nothing', '--users', ana.user_id]), 1,
    /role does not exist.*404/, 'assign of an unknown role');
  assertCliError(assert, await cli(server, ['roles', 'users', 'list', 'rol_nothing']), 1,
    /role does not exist.*404/, 'members of an unknown role');
}));

test('roles: unknown id, bad flag, bad value, conflicts, unreachable server, no credentials', t_(async () => {
  assertCliError(assert, await cli(server, ['roles', 'show', 'rol_nothing']), 1, /^tessera roles show: The role does not exist \(404 inexistent_role\)$/, 'show');
  assertCliError(assert, await cli(server, ['roles', 'update', 'rol_nothing', '--name', 'x']), 1, /404/, 'update');
  assertCliError(assert, await cli(server, ['roles', 'delete', 'rol_nothing']), 1, /404/, 'delete');
  assertCliError(assert, await cli(server, ['roles', 'list', '--bogus']), 2, /unknown option --bogus/, 'bad flag');
  assertCliError(assert, await cli(server, ['roles', 'list', '--number', '0']), 2, /--number: expected a number from 1 to 1000/, 'bad number');
  assertCliError(assert, await cli(server, ['roles', 'list', '--number', 'ten']), 2, /--number/, 'not a number');
  assertCliError(assert, await cli(server, ['roles', 'create']), 2, /--name is required/, 'no name');
  assertCliError(assert, await cli(server, ['roles', 'show']), 2, /missing ROLE_ID/, 'no id');
  assertCliError(assert, await cli(server, ['roles', 'update', 'rol_x']), 2, /nothing to change/, 'update without a change');
  assertCliError(assert, await cli(server, ['roles', 'create', '--name', '']), 1, /name.*400/, 'empty name: the server\'s 400');
  const name = uid('Dup');
  assert.equal((await cli(server, ['roles', 'create', '--name', name])).code, 0);
  assertCliError(assert, await cli(server, ['roles', 'create', '--name', name]), 1, /already exists \(409/, 'a duplicate name');

  const closed = await freePort();
  assertCliError(assert, await cli(server, ['roles', 'list', '--url', `http://127.0.0.1:${closed}/`]), 3,
    /cannot reach http:\/\/127\.0\.0\.1:\d+\/: /, 'server down');
  assertCliError(assert, await runCli(['roles', 'list', '--data-dir', `${server.dataDir}/nothing-here`]), 3,
    /no credentials: cannot read .*bootstrap-client\.json/, 'no credentials');
  assertCliError(assert, await runCli(['roles', 'list', '--url', server.url, '--client-id', server.bootstrap.client_id],
    { env: { TESSERA_CLIENT_SECRET: 'wrong-secret' } }), 3, /cannot get a Management API token/, 'a wrong secret');
}));

test('roles: --help on every command lists its options', t_(async () => {
  await assertHelp(['roles', 'list'], ['number', 'name-filter']);
  await assertHelp(['roles', 'create'], ['name', 'description']);
  await assertHelp(['roles', 'show'], []);
  await assertHelp(['roles', 'update'], ['name', 'description']);
  await assertHelp(['roles', 'delete'], ['force']);
  await assertHelp(['roles', 'permissions', 'list'], ['number']);
  await assertHelp(['roles', 'permissions', 'add'], ['api', 'api-id', 'permissions']);
  await assertHelp(['roles', 'permissions', 'remove'], ['api', 'api-id', 'permissions']);
  await assertHelp(['roles', 'users', 'list'], ['number']);
  await assertHelp(['roles', 'assign'], ['users']);
  await assertHelp(['roles', 'unassign'], ['users']);
  const family = await runCli(['roles', '--help']);
  assert.equal(family.code, 0);
  for (const c of ['list', 'create', 'show', 'update', 'delete', 'permissions add', 'users list', 'assign', 'unassign']) {
    assert.ok(family.stdout.includes(`roles ${c}`), `roles --help lists roles ${c}`);
  }
}));

/** A client credentials exchange of a fresh M2M app: the events seccft (ok) or feccft (wrong secret). */
async function causeTokenEvent({ fail = false } = {}) {
  const { api, client } = await mgmt.m2m();
  const res = await tokenPost(server, {
    clientId: client.client_id,
    clientSecret: fail ? 'wrong' : client.client_secret,
    audience: api.identifier,
  });
  assert.equal(res.status, fail ? 401 : 200, res.text);
  return client;
}

test('logs list: the newest events with their meaning; --json is the API\'s entries; --filter is q', t_(async () => {
  const client = await causeTokenEvent();
  const bad = await causeTokenEvent({ fail: true });

  const r = await cli(server, ['logs', 'list', '--number', '20']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^DATE\s+TYPE\s+EVENT\s+CLIENT\s+USER\s+DESCRIPTION$/m);
  const line = r.stdout.split('\n').find((l) => l.includes(client.name) && /\bseccft\b/.test(l));
  assert.ok(line, `the exchange of ${client.name} is listed:\n${r.stdout}`);
  assert.match(line, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ\s+seccft\s+Success Exchange \(client credentials\)/);
  // A refused client is logged by its client_id alone: the CLIENT column shows that.
  assert.ok(r.stdout.split('\n').some((l) => l.includes(bad.client_id) && /feccft\s+Failed Exchange/.test(l)), 'the failure too');

  const entries = await cliJson(server, ['logs', 'list', '--number', '5']);
  assert.equal(entries.length, 5);
  const fromApi = await mgmt.get('/logs?per_page=5&sort=date:-1');
  assert.deepEqual(entries, [...fromApi.body].reverse(), 'the newest five, oldest first, as the API has them');

  const filtered = await cliJson(server, ['logs', 'list', '--filter', `type:feccft AND client_id:${bad.client_id}`]);
  assert.equal(filtered.length, 1, JSON.stringify(filtered));
  assert.equal(filtered[0].client_id, bad.client_id);

  assertCliError(assert, await cli(server, ['logs', 'list', '--filter', 'ip:127.0.0.1']), 1,
    /unsupported field 'ip'.*400 invalid_query_string/, 'a q the API refuses');
  assertCliError(assert, await cli(server, ['logs', 'list', '--number', '1001']), 2, /--number/, 'too many');
  assertCliError(assert, await cli(server, ['logs', 'list', '--since', 'x']), 2, /unknown option --since/, 'bad flag');
  const closed = await freePort();
  assertCliError(assert, await cli(server, ['logs', 'list', '--url', `http://127.0.0.1:${closed}/`]), 3, /cannot reach/, 'server down');
  assertCliError(assert, await runCli(['logs', 'list', '--data-dir', '/nonexistent-tessera']), 3, /no credentials/, 'no credentials');
  await assertHelp(['logs', 'list'], ['number', 'filter']);
  await assertHelp(['logs', 'tail'], ['number', 'filter']);
}));

test('logs tail: prints the recent events, then an event caused after it started; SIGINT ends it with 0', t_(async () => {
  const before = await causeTokenEvent();
  const tail = spawnCli(['logs', 'tail', '--number', '3', '--data-dir', server.dataDir]);
  try {
    await waitFor(() => tail.output().includes(before.name), 'the past events');
    assert.match(tail.output(), /^DATE\s+TYPE\s+EVENT/, 'a header first');
    const later = await causeTokenEvent({ fail: true });
    await waitFor(() => tail.output().includes(later.client_id), `the new event of ${later.client_id}`);
    const line = tail.output().split('\n').find((l) => l.includes(later.client_id));
    assert.match(line, /feccft\s+Failed Exchange \(client credentials\)/);
  } finally {
    const { code } = await tail.stop();
    assert.equal(code, 0, `exit status on SIGINT (stderr: ${tail.errors()})`);
  }
  assert.equal(tail.errors(), '', 'nothing on stderr');
}));

test('logs tail --json --filter: one JSON object a line, only the matching events, each once', t_(async () => {
  const first = await causeTokenEvent({ fail: true });
  const tail = spawnCli(['logs', 'tail', '--number', '1', '--json', '--filter', 'type:feccft', '--data-dir', server.dataDir]);
  let lines = [];
  try {
    // The newest matching event is printed first: the tail is following from then on.
    await waitFor(() => tail.output().includes(first.client_id), 'the newest matching event');
    const ok = await causeTokenEvent();
    const bad = await causeTokenEvent({ fail: true });
    await waitFor(() => tail.output().includes(bad.client_id), 'the filtered event');
    const bad2 = await causeTokenEvent({ fail: true });
    await waitFor(() => tail.output().includes(bad2.client_id), 'a second filtered event');
    lines = tail.output().split('\n').filter(Boolean).map((l) => JSON.parse(l));
    assert.ok(lines.every((e) => e.type === 'feccft'), `only feccft: ${tail.output()}`);
    assert.ok(!tail.output().includes(ok.client_id), 'the successful exchange is filtered out');
    assert.equal(new Set(lines.map((e) => e.log_id)).size, lines.length, 'no event twice');
    const mine = lines.find((e) => e.client_id === bad.client_id);
    const fromApi = await mgmt.get(`/logs/${mine.log_id}`);
    assert.deepEqual(mine, fromApi.body, 'each line is the API\'s entry');
  } finally {
    const { code } = await tail.stop();
    assert.equal(code, 0, `exit status on SIGINT (stderr: ${tail.errors()})`);
  }
}));

test('logs tail: SIGTERM ends it with 0; the server going away ends it with one line and 3', t_(async () => {
  const other = await startTessera();
  try {
    const a = spawnCli(['logs', 'tail', '--data-dir', other.dataDir]);
    await waitFor(() => a.output().startsWith('DATE'), 'the header');
    a.proc.kill('SIGTERM');
    const exitA = await new Promise((resolve) => a.proc.on('exit', (code) => resolve(code)));
    assert.equal(exitA, 0, `SIGTERM: ${a.errors()}`);

    const b = spawnCli(['logs', 'tail', '--data-dir', other.dataDir]);
    const exitB = new Promise((resolve) => b.proc.on('exit', (code) => resolve(code)));
    await waitFor(() => b.output().startsWith('DATE'), 'the header');
    assert.equal(await other.stop(), 0);
    let code;
    const timer = setTimeout(() => b.proc.kill('SIGKILL'), 60_000);
    code = await exitB;
    clearTimeout(timer);
    assert.equal(code, 3, `exit status when the server is gone (stderr: ${b.errors()})`);
    const errLines = b.errors().split('\n').filter(Boolean);
    assert.equal(errLines.length, 1, `one line: ${b.errors()}`);
    assert.match(errLines[0], /^tessera logs tail: cannot reach http:\/\/127\.0\.0\.1:\d+\/: /);
  } finally {
    await other.stop();
  }
}));

test('logs list and tail: an anonymous caller\'s C1 controls (CSI, OSC) never reach the operator\'s terminal', t_(async () => {
  // Anyone can put a client_id into the event log with a failed exchange;
  // U+009B is CSI and U+009D OSC to a terminal, in UTF-8 as in 8 bits.
  const tag = uid('c1');
  const evil = `${tag}\u009b2J\u009d0;owned\u009c`;
  const res = await tokenPost(server, { clientId: evil, clientSecret: 'x', audience: 'urn:none' });
  assert.equal(res.status, 401, res.text);
  const shown = `${tag}?2J?0;owned?`;

  const table = await cli(server, ['logs', 'list', '--filter', 'type:feccft']);
  assert.equal(table.code, 0, table.stderr);
  assert.ok(table.stdout.includes(shown), `replaced by '?': ${JSON.stringify(table.stdout)}`);
  assertNoControls(assert, table.stdout, 'logs list');

  const json = await cli(server, ['logs', 'list', '--filter', 'type:feccft', '--json']);
  assert.equal(json.code, 0, json.stderr);
  assertNoControls(assert, json.stdout, 'logs list --json');
  assert.ok(JSON.parse(json.stdout).some((e) => e.client_id === evil), '--json keeps the value, escaped');

  for (const extra of [[], ['--json']]) {
    const tail = spawnCli(['logs', 'tail', '--number', '5', '--filter', 'type:feccft', ...extra, '--data-dir', server.dataDir]);
    try {
      await waitFor(() => tail.output().includes(tag), `the event (tail ${extra.join(' ')})`);
    } finally {
      const { code } = await tail.stop();
      assert.equal(code, 0, `exit status on SIGINT (stderr: ${tail.errors()})`);
    }
    assertNoControls(assert, tail.output(), `logs tail ${extra.join(' ')}`);
  }
}));

test('logs tail: SIGINT ends it at once with 0 and no error line while the server holds a poll unanswered', t_(async () => {
  // A server that answers the token and the first read, then never answers.
  const held = [];
  let reads = 0;
  const srv = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      if (req.url === '/oauth/token') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ access_token: 'fake-token', token_type: 'Bearer', expires_in: 3600 }));
      } else if (reads++ === 0) {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify([{ log_id: '1', date: '2026-01-01T00:00:00.000Z', type: 's', description: 'first' }]));
      } else {
        held.push(res); // never answered
      }
    });
  });
  await new Promise((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${srv.address().port}/`;
  const tail = spawnCli(['logs', 'tail', '--url', url, '--client-id', 'fake'], { env: { TESSERA_CLIENT_SECRET: 'fake-secret' } });
  try {
    await waitFor(() => held.length > 0, 'a poll the server holds');
    const { code, signal } = await tail.stop(); // SIGINT, SIGKILL after 5 s
    assert.equal(signal, null, `ended by SIGINT, not killed (stderr: ${tail.errors()})`);
    assert.equal(code, 0, `exit status (stderr: ${tail.errors()})`);
    assert.equal(tail.errors(), '', 'no "cannot reach" line for a stop the operator asked for');
  } finally {
    for (const res of held) res.destroy();
    await new Promise((resolve) => srv.close(resolve));
  }
}));
