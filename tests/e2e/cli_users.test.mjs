// `tessera users` against a running server: create with a password from a
// file, standard input or the environment (never the command line), list and
// search with the Management API's q, show, update, block and unblock (the
// brute-force lockout included), delete; --json checked against the
// Management API, --help, and every error class with its exit status.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';

import { makeDataDir, startTessera, withLogs } from './lib/server.mjs';
import { Mgmt, remember, uid } from './lib/mgmt.mjs';
import { CookieJar } from './lib/cookies.mjs';
import { alertTexts } from './lib/html.mjs';
import { BLOCKED, DB_CONNECTION, WRONG_CREDENTIALS, codeRequest, openLogin, submitLogin, testEmail } from './lib/authflow.mjs';
import {
  assertCliError, assertConnectionErrors, assertHelp, assertNoControls, cli, cliJson, runCli, startFakeMgmt,
} from './lib/cli.mjs';

const CB = 'http://127.0.0.1:9/cli-users-callback';
const PASSWORD = 'Str0ng!Passw0rd';
let server;
let mgmt;
let web;
let pwFile;
const t_ = (fn) => withLogs(() => server, fn);
const enc = encodeURIComponent;

before(async () => {
  server = await startTessera();
  mgmt = await Mgmt.forBootstrap(server);
  web = await mgmt.createWebApp(CB);
  pwFile = path.join(makeDataDir(), 'password');
  writeFileSync(pwFile, `${PASSWORD}\n`, { mode: 0o600 });
  remember(PASSWORD);
});

after(async () => {
  if (server) assert.equal(await server.stop(), 0, 'tessera should exit 0 on SIGTERM');
});

/** The value printed after a field title ("TITLE   value"), or undefined. */
function field(stdout, title) {
  const line = stdout.split('\n').find((l) => l.startsWith(`${title}  `));
  return line === undefined ? undefined : line.slice(title.length).trim();
}

async function getUser(id) {
  const res = await mgmt.get(`/users/${enc(id)}`);
  assert.equal(res.status, 200, res.text);
  return res.body;
}

/** One login through the login page: 'ok', or the page's alert text. */
async function tryLogin(email, password) {
  const jar = new CookieJar();
  const login = await openLogin(server, jar, codeRequest({ clientId: web.client_id, redirectUri: CB }).params);
  const res = await submitLogin(jar, login, { username: email, password });
  if (res.status === 302 || res.status === 303) return 'ok';
  return alertTexts(res.text).join(' ');
}

test('users --help: every command and every option is documented', t_(async () => {
  const family = await cli(server, ['users', '--help']);
  assert.equal(family.code, 0);
  for (const c of ['list', 'search', 'show', 'create', 'update', 'block', 'unblock', 'delete']) {
    assert.match(family.stdout, new RegExp(`^  users ${c} `, 'm'), `users --help lists ${c}`);
  }
  const list = await assertHelp(assert, ['users', 'list'], ['query', 'sort', 'number']);
  assert.match(list, /email\.domain/, 'the query fields are documented');
  await assertHelp(assert, ['users', 'search'], ['query', 'sort', 'number']);
  await assertHelp(assert, ['users', 'show'], []);
  const create = await assertHelp(assert, ['users', 'create'], ['connection', 'connection-name', 'email', 'username',
    'name', 'email-verified', 'password-file', 'password', 'verify-email']);
  assert.match(create, /TESSERA_USER_PASSWORD/);
  assert.match(create, /--password VALUE is refused/);
  assert.match(create, /Username-Password-Authentication/, 'the default connection');
  await assertHelp(assert, ['users', 'update'], ['email', 'username', 'name', 'email-verified', 'password-file',
    'password', 'blocked']);
  await assertHelp(assert, ['users', 'block'], []);
  const unblock = await assertHelp(assert, ['users', 'unblock'], []);
  assert.match(unblock, /brute-force/);
  await assertHelp(assert, ['users', 'delete'], ['force']);
}));

test('users create: the password from a file, standard input or the environment', t_(async () => {
  const email = testEmail('file');
  const r = await cli(server, ['users', 'create', '--email', email, '--name', 'Ada Lovelace', '--password-file', pwFile]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(field(r.stdout, 'EMAIL'), email);
  assert.equal(field(r.stdout, 'NAME'), 'Ada Lovelace');
  assert.equal(field(r.stdout, 'CONNECTION'), DB_CONNECTION, 'the default connection');
  assert.equal(field(r.stdout, 'BLOCKED'), 'false');
  assert.ok(!r.stdout.includes(PASSWORD) && !r.stderr.includes(PASSWORD), 'the password is not printed');
  const u = await getUser(field(r.stdout, 'USER ID'));
  assert.equal(u.email, email);
  assert.equal(u.name, 'Ada Lovelace');
  assert.equal(u.identities[0].connection, DB_CONNECTION);
  await mgmt.patchUser(u.user_id, { email_verified: true });
  assert.equal(await tryLogin(email, PASSWORD), 'ok', 'the password from the file (trailing newline dropped)');

  const stdinEmail = testEmail('stdin');
  const viaStdin = await cliJson(server, ['users', 'create', '--email', stdinEmail, '--username', uid('u').replace(/-/g, '_'),
    '--connection-name', DB_CONNECTION, '--email-verified', 'true', '--password-file', '-'], { input: `${PASSWORD}\n` });
  assert.equal(viaStdin.email, stdinEmail);
  assert.equal(viaStdin.email_verified, true);
  assert.deepEqual(await getUser(viaStdin.user_id), viaStdin, 'create --json is the Management API object');
  assert.equal(await tryLogin(stdinEmail, PASSWORD), 'ok');

  const envEmail = testEmail('env');
  const viaEnv = await cliJson(server, ['users', 'create', '--email', envEmail, '--connection', DB_CONNECTION,
    '--email-verified', 'true'], { env: { TESSERA_USER_PASSWORD: PASSWORD } });
  assert.equal(await tryLogin(viaEnv.email, PASSWORD), 'ok');
}));

test('users create: refused passwords, connections and values; nothing is created', t_(async () => {
  const email = testEmail('refused');
  const onCmdLine = await cli(server, ['users', 'create', '--email', email, '--password', PASSWORD]);
  assertCliError(assert, onCmdLine, 2, /--password: a password on the command line is visible .*--password-file/);
  assert.ok(!onCmdLine.stderr.includes(PASSWORD), 'the refused password is not echoed');
  assertCliError(assert, await cli(server, ['users', 'create', '--email', email]), 1,
    /Missing required property: password.*\(400 invalid_body\)$/, 'no password at all');
  assertCliError(assert, await cli(server, ['users', 'create', '--email', email, '--password-file', '-'], { input: 'weak' }), 1,
    /PasswordStrengthError: Password is too weak.*\(400 invalid_body\)$/);
  assertCliError(assert, await cli(server, ['users', 'create', '--email', email, '--password-file', '-'], { input: '' }), 2,
    /--password-file: standard input is empty/);
  assertCliError(assert, await cli(server, ['users', 'create', '--email', email, '--password-file', '/nonexistent/pw']), 2,
    /--password-file: cannot read \/nonexistent\/pw/);
  assertCliError(assert, await cli(server, ['users', 'create', '--email', email, '--password-file', pwFile, '--connection', 'nope']), 1,
    /The connection does not exist\. \(400 inexistent_connection\)/);
  assertCliError(assert, await cli(server, ['users', 'create', '--email', email, '--password-file', pwFile,
    '--connection', DB_CONNECTION, '--connection-name', DB_CONNECTION]), 2, /give one/);
  assertCliError(assert, await cli(server, ['users', 'create', '--email', 'not-an-email', '--password-file', pwFile]), 1,
    /format email.*\(400 invalid_body\)$/);
  assertCliError(assert, await cli(server, ['users', 'create', '--email', email, '--password-file', pwFile, '--email-verified', 'si']), 2,
    /--email-verified: expected true or false/);
  assertCliError(assert, await cli(server, ['users', 'create', '--mail', email]), 2, /unknown option --mail/);
  const found = await mgmt.get(`/users-by-email?email=${enc(email)}`);
  assert.deepEqual(found.body, [], 'no user was created');
}));

test('users list and search: q, sort, --number paging, table and --json', t_(async () => {
  const domain = `${uid('dom')}.example.com`;
  const made = [];
  for (let i = 0; i < 3; i++) {
    made.push(await mgmt.createUser({ email: `p${i}@${domain}`, name: `Person ${i}` }));
  }
  const all = await cliJson(server, ['users', 'list', '--query', `email.domain:${domain}`, '--sort', 'email:1']);
  assert.deepEqual(all.map((u) => u.email), made.map((u) => u.email), 'the query and the order');
  const viaApi = (await mgmt.get(`/users?q=${enc(`email.domain:${domain}`)}&sort=email:1`)).body;
  assert.deepEqual(all, viaApi, '--json is what the Management API answers');
  const two = await cliJson(server, ['users', 'search', '--query', `email.domain:${domain}`, '--sort', 'email:1', '--number', '2']);
  assert.deepEqual(two.map((u) => u.email), made.slice(0, 2).map((u) => u.email));

  const table = await cli(server, ['users', 'list', '--query', `email:"${made[1].email}"`]);
  assert.equal(table.code, 0, table.stderr);
  const lines = table.stdout.trimEnd().split('\n');
  assert.match(lines[0], /^USER ID\s+EMAIL\s+USERNAME\s+NAME\s+CONNECTION\s+BLOCKED$/);
  assert.equal(lines.length, 2);
  assert.match(lines[1], new RegExp(`^${made[1].user_id.replace('|', '\\|')}\\s+${made[1].email}\\s+Person 1\\s+${DB_CONNECTION}\\s+false$`));

  // More than one page of the API (100), without a query.
  const total = (await mgmt.get('/users?include_totals=true&per_page=1')).body.total;
  const everyone = await cliJson(server, ['users', 'list', '--number', '1000']);
  assert.equal(everyone.length, total);
  assert.equal((await cliJson(server, ['users', 'list', '--number', '1'])).length, 1);

  assertCliError(assert, await cli(server, ['users', 'list', '--query', 'name:a OR name:b']), 1,
    /Query validation error.*\(400 invalid_query_string\)$/);
  assertCliError(assert, await cli(server, ['users', 'list', '--sort', 'shoe_size:1']), 1, /\(400 invalid_query_string\)$/);
  assertCliError(assert, await cli(server, ['users', 'list', '--number', 'many']), 2, /--number: expected a number/);
  assertCliError(assert, await cli(server, ['users', 'search']), 2, /--query is required/);
}));

test('users list pages through more than 100 users', t_(async () => {
  const domain = `${uid('many')}.example.com`;
  for (let i = 0; i < 105; i += 5) {
    await Promise.all(Array.from({ length: 5 }, (_, j) => mgmt.createUser({ email: `m${i + j}@${domain}` })));
  }
  const q = `email.domain:${domain}`;
  const listed = await cliJson(server, ['users', 'list', '--query', q, '--number', '1000']);
  assert.equal(listed.length, 105);
  assert.equal(new Set(listed.map((u) => u.user_id)).size, 105, 'no user twice');
  assert.equal((await cliJson(server, ['users', 'list', '--query', q, '--number', '101'])).length, 101);
}));

test('users show and update: fields, only the options given, a new password', t_(async () => {
  const u = await mgmt.createUser({ email: testEmail('upd'), name: 'Before', email_verified: false });
  const shown = await cli(server, ['users', 'show', u.user_id]);
  assert.equal(shown.code, 0, shown.stderr);
  assert.equal(field(shown.stdout, 'USER ID'), u.user_id);
  assert.equal(field(shown.stdout, 'EMAIL'), u.email);
  assert.equal(field(shown.stdout, 'EMAIL VERIFIED'), 'false');
  assert.equal(field(shown.stdout, 'NAME'), 'Before');
  assert.equal(field(shown.stdout, 'CONNECTION'), DB_CONNECTION);
  assert.deepEqual(await cliJson(server, ['users', 'show', u.user_id]), await getUser(u.user_id));

  const r = await cli(server, ['users', 'update', u.user_id, '--name', 'After', '--email-verified', 'true']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(field(r.stdout, 'NAME'), 'After');
  let now = await getUser(u.user_id);
  assert.equal(now.name, 'After');
  assert.equal(now.email_verified, true);
  assert.equal(now.email, u.email, 'the email was not sent');
  assert.equal(await tryLogin(u.email, u.password), 'ok');

  const newPw = 'An0ther!Passw0rd';
  remember(newPw);
  const pw = await cliJson(server, ['users', 'update', u.user_id, '--password-file', '-'], { input: newPw });
  assert.equal(pw.user_id, u.user_id);
  assert.equal(await tryLogin(u.email, newPw), 'ok', 'the new password works');
  assert.equal(await tryLogin(u.email, u.password), WRONG_CREDENTIALS, 'the old one does not');
  const envIgnored = await cli(server, ['users', 'update', u.user_id, '--name', 'Env'], { env: { TESSERA_USER_PASSWORD: PASSWORD } });
  assert.equal(envIgnored.code, 0, envIgnored.stderr);
  assert.equal(await tryLogin(u.email, newPw), 'ok', 'update does not read TESSERA_USER_PASSWORD');
  now = await getUser(u.user_id);
  assert.equal(now.name, 'Env');

  assertCliError(assert, await cli(server, ['users', 'update', u.user_id]), 2, /nothing to change/);
  assertCliError(assert, await cli(server, ['users', 'update', u.user_id, '--password', 'x']), 2, /--password-file/);
  assertCliError(assert, await cli(server, ['users', 'update', u.user_id, '--blocked', 'maybe']), 2, /--blocked: expected true or false/);
  assertCliError(assert, await cli(server, ['users', 'update', u.user_id, '--email', 'nope']), 1, /format email.*\(400 invalid_body\)$/);
  assertCliError(assert, await cli(server, ['users', 'update', 'auth0|000000000000000000000000', '--name', 'x']), 1,
    /The user does not exist\. \(404 inexistent_user\)/);
  assertCliError(assert, await cli(server, ['users', 'show', 'auth0|000000000000000000000000']), 1,
    /The user does not exist\. \(404 inexistent_user\)/);
  assertCliError(assert, await cli(server, ['users', 'show']), 2, /missing ID/);
}));

test('users block and unblock: logins refused, then allowed, brute-force lockout lifted', t_(async () => {
  const a = await mgmt.createUser({ email: testEmail('blk') });
  const b = await mgmt.createUser({ email: testEmail('blk') });
  const r = await cli(server, ['users', 'block', a.user_id, b.user_id]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, `Blocked ${a.user_id}: logins are refused until \`tessera users unblock\`.\n`
    + `Blocked ${b.user_id}: logins are refused until \`tessera users unblock\`.\n`);
  assert.equal((await getUser(a.user_id)).blocked, true);
  assert.equal((await getUser(b.user_id)).blocked, true);
  assert.equal(await tryLogin(a.email, a.password), BLOCKED);
  const blockedList = await cli(server, ['users', 'list', '--query', `email:"${a.email}" AND blocked:true`]);
  assert.match(blockedList.stdout, /\strue\n$/);

  // Ten wrong passwords lock this address out of b's account as well.
  await mgmt.patchUser(b.user_id, { blocked: false });
  for (let i = 0; i < 10; i++) await tryLogin(b.email, `Wrong!Passw0rd${i}`);
  assert.match(await tryLogin(b.email, b.password), /Too many wrong passwords/);
  assert.equal((await mgmt.get(`/user-blocks/${enc(b.user_id)}`)).body.blocked_for.length, 1);
  await mgmt.patchUser(b.user_id, { blocked: true });

  const un = await cli(server, ['users', 'unblock', a.user_id, b.user_id]);
  assert.equal(un.code, 0, un.stderr);
  assert.match(un.stdout, new RegExp(`^Unblocked ${a.user_id.replace('|', '\\|')}: .*brute-force`, 'm'));
  for (const u of [a, b]) {
    assert.notEqual((await getUser(u.user_id)).blocked, true, 'blocked cleared');
    assert.deepEqual((await mgmt.get(`/user-blocks/${enc(u.user_id)}`)).body, { blocked_for: [] }, 'lockouts released');
    assert.equal(await tryLogin(u.email, u.password), 'ok', 'the user logs in again');
  }
  const quiet = await cli(server, ['users', 'block', a.user_id, '--json']);
  assert.deepEqual([quiet.code, quiet.stdout], [0, ''], '--json prints nothing');

  assertCliError(assert, await cli(server, ['users', 'block', 'auth0|000000000000000000000000']), 1, /does not exist\. \(404 inexistent_user\)/);
  assertCliError(assert, await cli(server, ['users', 'unblock', 'auth0|000000000000000000000000']), 1, /does not exist\. \(404 inexistent_user\)/);
  assertCliError(assert, await cli(server, ['users', 'block']), 2, /missing ID\.\.\./);
}));

test('users delete: gone from the API; an unknown id fails', t_(async () => {
  const a = await mgmt.createUser({ email: testEmail('del') });
  const b = await mgmt.createUser({ email: testEmail('del') });
  const r = await cli(server, ['users', 'delete', a.user_id, b.user_id, '--force']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, `Deleted user ${a.user_id}.\nDeleted user ${b.user_id}.\n`);
  for (const u of [a, b]) assert.equal((await mgmt.get(`/users/${enc(u.user_id)}`)).status, 404);
  assertCliError(assert, await cli(server, ['users', 'delete', a.user_id]), 1,
    /The user does not exist\. \(404 inexistent_user\)/, 'deleting twice fails (the API alone answers 204)');
}));

test('users: text from the server reaches the terminal without control characters', t_(async () => {
  const evil = 'Mallory\u001b[2J\u001b]0;x\u0007';
  const user = { user_id: 'auth0|1', email: 'm@example.com', name: evil, identities: [{ connection: evil }] };
  const fake = await startFakeMgmt({
    'GET /api/v2/users/auth0|1': [200, user],
    'GET /api/v2/users': [200, [user]],
  });
  try {
    for (const args of [['users', 'show', 'auth0|1'], ['users', 'list']]) {
      const r = await runCli([...args, ...fake.args], { env: fake.env });
      assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
      assert.ok(r.stdout.includes('Mallory?[2J?]0;x?'), `${args.join(' ')}: ${r.stdout}`);
      assertNoControls(assert, r.stdout, args.join(' '));
    }
  } finally {
    await fake.close();
  }
}));

test('users: server down, no credentials, refused credentials: exit 3 and one line', t_(async () => {
  await assertConnectionErrors(assert, server, ['users', 'list']);
  await assertConnectionErrors(assert, server, ['users', 'show', 'auth0|x']);
  await assertConnectionErrors(assert, server, ['users', 'block', 'auth0|x']);
  await assertConnectionErrors(assert, server, ['users', 'unblock', 'auth0|x']);
  await assertConnectionErrors(assert, server, ['users', 'delete', 'auth0|x']);
  const down = await runCli(['users', 'create', '--email', 'x@example.com', '--password-file', pwFile,
    '--data-dir', server.dataDir, '--url', 'http://127.0.0.1:1/']);
  assertCliError(assert, down, 3, /cannot reach/);
}));
