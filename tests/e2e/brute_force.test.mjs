// Brute-force protection of the database connection: ten wrong passwords
// for one account from one address lock that address out of the account,
// even with the right password, and the event log says so.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { startTessera, withLogs } from './lib/server.mjs';
import { Mgmt, assertMgmtError, remember } from './lib/mgmt.mjs';
import { CookieJar } from './lib/cookies.mjs';
import { alertTexts } from './lib/html.mjs';
import { DB_CONNECTION, WRONG_CREDENTIALS, codeRequest, openLogin, submitLogin, testEmail } from './lib/authflow.mjs';
import { countRows, committedEventTypes } from './lib/db.mjs';
import { outbox, readings, waitForMailLink } from './lib/mail.mjs';

const CB = 'http://127.0.0.1:9/bf-callback';
let server;
let mgmt;
let web;
let victim;
let bystander;
const t_ = (fn) => withLogs(() => server, fn);

before(async () => {
  server = await startTessera();
  mgmt = await Mgmt.forBootstrap(server);
  web = await mgmt.createWebApp(CB);
  victim = await mgmt.createUser({ email: testEmail('victim') });
  bystander = await mgmt.createUser({ email: testEmail('bystander') });
});

after(async () => {
  if (server) assert.equal(await server.stop(), 0, 'tessera should exit 0 on SIGTERM');
});

test('ten wrong passwords lock the account for this address; others are unaffected', t_(async () => {
  const jar = new CookieJar();
  const login = await openLogin(server, jar, codeRequest({ clientId: web.client_id, redirectUri: CB }).params);
  for (let i = 0; i < 10; i++) {
    const res = await submitLogin(jar, login, { username: victim.email, password: `Wrong!Passw0rd${i}` });
    assert.equal(res.status, 200, `attempt ${i + 1}`);
    assert.deepEqual(alertTexts(res.text), [WRONG_CREDENTIALS], `attempt ${i + 1} message`);
  }
  const sessions = countRows(server.dbPath, ['sessions']).sessions;
  const locked = await submitLogin(jar, login, { username: victim.email, password: victim.password });
  assert.equal(locked.status, 200, 'the right password is refused while locked');
  assert.match(alertTexts(locked.text).join(' '), /Too many wrong passwords/, 'the page says why');
  assert.equal(countRows(server.dbPath, ['sessions']).sessions, sessions, 'no session was started');
  assert.ok((await committedEventTypes(server)).includes('limit_wc'), 'limit_wc is recorded');

  // The owner is told once, with a link to choose a new password in case it was not them.
  const linkRe = /https?:\/\/\S+\/u\/reset-password\?ticket=[A-Za-z0-9_-]+/;
  const notice = await waitForMailLink(server.dataDir, { to: victim.email, linkRe });
  assert.match(notice.raw, /^Subject: Logins to your account were blocked/m);
  assert.ok(readings(notice.raw).some((t) => t.includes('127.0.0.1') && t.includes('10 wrong passwords')), 'the mail names the address and the count');
  remember(new URL(notice.link).searchParams.get('ticket'));
  const page = await fetch(notice.link);
  assert.equal(page.status, 200, 'the reset link opens its page');
  const notices = outbox(server.dataDir).filter((m) => m.raw.includes(victim.email) && /Subject: Logins to your account/.test(m.raw));
  assert.equal(notices.length, 1, 'one notice per lock, not one per refused attempt');

  // Another account from the same address logs in normally.
  const jar2 = new CookieJar();
  const other = await openLogin(server, jar2, codeRequest({ clientId: web.client_id, redirectUri: CB }).params);
  const ok = await submitLogin(jar2, other, { username: bystander.email, password: bystander.password });
  assert.ok(ok.status === 302 || ok.status === 303, `a bystander logs in: ${ok.status} ${alertTexts(ok.text).join(' ')}`);
}));

test('user-blocks: the locked address is listed by user and by identifier; releasing it lets the owner in', t_(async () => {
  const enc = encodeURIComponent;
  const byUser = await mgmt.get(`/user-blocks/${enc(victim.user_id)}`);
  assert.equal(byUser.status, 200, byUser.text);
  assert.deepEqual(byUser.body, { blocked_for: [{ identifier: victim.email, ip: '127.0.0.1', connection: DB_CONNECTION }] });
  const byName = await mgmt.get(`/user-blocks?identifier=${enc(victim.email.toUpperCase())}`);
  assert.equal(byName.body.blocked_for.length, 1, byName.text);
  assert.deepEqual((await mgmt.get(`/user-blocks/${enc(bystander.user_id)}`)).body, { blocked_for: [] });
  assertMgmtError(await mgmt.get('/user-blocks'), 400, { errorCode: 'invalid_query_string', messageIncludes: 'identifier' });
  assertMgmtError(await mgmt.get('/user-blocks/auth0%7C000000000000000000000000'), 404, { errorCode: 'inexistent_user' });

  assert.equal((await mgmt.del(`/user-blocks/${enc(victim.user_id)}`)).status, 204);
  assert.deepEqual((await mgmt.get(`/user-blocks/${enc(victim.user_id)}`)).body, { blocked_for: [] });
  assert.ok((await committedEventTypes(server)).includes('ublkdu'), 'the release is logged');
  const jar = new CookieJar();
  const login = await openLogin(server, jar, codeRequest({ clientId: web.client_id, redirectUri: CB }).params);
  const ok = await submitLogin(jar, login, { username: victim.email, password: victim.password });
  assert.ok(ok.status === 302 || ok.status === 303, `released, the owner logs in: ${ok.status} ${alertTexts(ok.text).join(' ')}`);

  // Locked again, then released by identifier.
  const jar2 = new CookieJar();
  const again = await openLogin(server, jar2, codeRequest({ clientId: web.client_id, redirectUri: CB }).params);
  for (let i = 0; i < 10; i++) await submitLogin(jar2, again, { username: victim.email, password: `Wrong!Again${i}` });
  assert.equal((await mgmt.get(`/user-blocks/${enc(victim.user_id)}`)).body.blocked_for.length, 1);
  assert.equal((await mgmt.del(`/user-blocks?identifier=${enc(victim.email)}`)).status, 204);
  assert.deepEqual((await mgmt.get(`/user-blocks/${enc(victim.user_id)}`)).body, { blocked_for: [] });
}));
