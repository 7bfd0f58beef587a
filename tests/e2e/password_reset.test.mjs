// Signing up and resetting a password: /dbconnections/signup, the signup
// page, /dbconnections/change_password and the link it mails (to the outbox
// when no SMTP server is configured).  Logins are driven over HTTP.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { startTessera, withLogs } from './lib/server.mjs';
import { json } from './lib/http.mjs';
import { Mgmt } from './lib/mgmt.mjs';
import { CookieJar } from './lib/cookies.mjs';
import { alertTexts, findForm, hiddenFields } from './lib/html.mjs';
import {
  DB_CONNECTION,
  WRONG_CREDENTIALS,
  appRedirect,
  codeRequest,
  followOnServer,
  loginOverHttp,
  openLogin,
  submitLogin,
  testEmail,
} from './lib/authflow.mjs';
import { countRows, committedEventTypes } from './lib/db.mjs';
import { outbox, waitForMailLink } from './lib/mail.mjs';

const APP = 'http://127.0.0.1:7';
const CB = `${APP}/callback`;
const RESET_SENT = "We've just sent you an email to reset your password.";

let server;
let mgmt;
let spa;
let signedUp; // user_id of the first test's user
const t_ = (fn) => withLogs(() => server, fn);

before(async () => {
  server = await startTessera();
  mgmt = await Mgmt.forBootstrap(server);
  spa = await mgmt.createSpa(APP);
});

after(async () => {
  if (server) assert.equal(await server.stop(), 0, 'tessera should exit 0 on SIGTERM');
});

const req = (extra = {}) => codeRequest({ clientId: spa.client_id, redirectUri: CB, extra });

function signup(email, password, extra = {}) {
  return json(`${server.url}dbconnections/signup`, 'POST', {
    client_id: spa.client_id,
    email,
    password,
    connection: DB_CONNECTION,
    ...extra,
  });
}

function changePassword(email) {
  return json(`${server.url}dbconnections/change_password`, 'POST', {
    client_id: spa.client_id,
    email,
    connection: DB_CONNECTION,
  });
}

/** A login over HTTP that must succeed; returns the redirect. */
async function loginWorks(email, password, what) {
  try {
    const { redirect } = await loginOverHttp(server, { params: req().params, email, password });
    return redirect;
  } catch (e) {
    e.message = `${what}: ${e.message}`;
    throw e;
  }
}

/** A login over HTTP that must be refused with the generic message. */
async function loginFails(email, password, what) {
  const jar = new CookieJar();
  const login = await openLogin(server, jar, req().params);
  const res = await submitLogin(jar, login, { username: email, password });
  assert.equal(res.status, 200, `${what}: expected the login page again, got ${res.status} ${res.location ?? ''}`);
  assert.deepEqual(alertTexts(res.text), [WRONG_CREDENTIALS], `${what}: alert`);
  assert.ok(!jar.has('tsr_session'), `${what}: no session`);
}

test('POST /dbconnections/signup creates an unverified user who can log in', t_(async () => {
  const email = testEmail('signup');
  const res = await signup(email, 'Str0ng!Passw0rd', { name: 'Katherine Johnson' });
  assert.equal(res.status, 200, `signup: ${res.status} ${res.text}`);
  assert.equal(typeof res.body?._id, 'string', `_id: ${res.text}`);
  assert.equal(res.body.email, email);
  assert.equal(res.body.email_verified, false);

  const found = await mgmt.get(`/users-by-email?email=${encodeURIComponent(email)}`);
  assert.equal(found.status, 200, `users-by-email: ${found.text}`);
  assert.equal(found.body.length, 1, `one user: ${found.text}`);
  assert.ok(found.body[0].user_id.endsWith(res.body._id), `user_id ${found.body[0].user_id} and _id ${res.body._id}`);
  assert.equal(found.body[0].identities?.[0]?.connection, DB_CONNECTION, 'identity connection');

  signedUp = found.body[0].user_id;
  const redirect = await loginWorks(email, 'Str0ng!Passw0rd', 'login after signup');
  assert.ok(redirect.code);
}));

test('signup refuses an existing email and a weak password; nothing is stored', t_(async () => {
  const email = testEmail('dup');
  assert.equal((await signup(email, 'Str0ng!Passw0rd')).status, 200);
  const before = countRows(server.dbPath, ['users']);
  const dup = await signup(email, 'An0ther!Passw0rd');
  assert.equal(dup.status, 400, `existing email: ${dup.status} ${dup.text}`);
  // Auth0's answer that does not confirm the account exists.
  assert.equal(dup.body?.code, 'invalid_signup', `existing email: ${dup.text}`);
  const weak = await signup(testEmail('weak'), 'password');
  assert.equal(weak.status, 400, `weak password: ${weak.status} ${weak.text}`);
  assert.equal(weak.body?.code ?? weak.body?.name, 'invalid_password', `weak password: ${weak.text}`);
  assert.deepEqual(countRows(server.dbPath, ['users']), before, 'no user added');
  await loginWorks(email, 'Str0ng!Passw0rd', 'the first password still works');
}));

test('change_password mails a link that sets a new password: the old one fails, the new one works', t_(async () => {
  const email = testEmail('reset');
  const oldPw = 'Str0ng!Passw0rd';
  const newPw = 'N3w!Passw0rd-reset';
  assert.equal((await signup(email, oldPw)).status, 200);
  const seen = new Set(outbox(server.dataDir).map((m) => m.file));

  const res = await changePassword(email);
  assert.equal(res.status, 200, `change_password: ${res.status} ${res.text}`);
  assert.equal(res.body === undefined ? res.text : res.body, RESET_SENT, 'the answer text');

  const linkRe = new RegExp(`${server.url.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}u/reset-password\\?ticket=[A-Za-z0-9._~%-]+`);
  const mail = await waitForMailLink(server.dataDir, { to: email, linkRe, seen });
  const jar = new CookieJar();
  const page = await jar.fetch(mail.link);
  assert.equal(page.status, 200, `GET ${mail.link}: ${page.status} ${page.text.slice(0, 300)}`);
  const f = findForm(page.text, mail.link, 'password');
  const fields = hiddenFields(f);
  for (const i of f.inputs) if (i.type === 'password' && i.name) fields[i.name] = newPw;
  const done = await jar.postForm(f.action, fields);
  assert.ok(done.status === 200 || done.status === 302 || done.status === 303, `POST the reset form: ${done.status} ${done.text.slice(0, 300)}`);
  assert.deepEqual(alertTexts(done.text).filter((a) => /error|invalid|expired/i.test(a)), [], 'no error on the success page');

  await loginFails(email, oldPw, 'the old password after the reset');
  await loginWorks(email, newPw, 'the new password after the reset');

  // The link works once: submitting the same form again changes nothing.
  await jar.postForm(f.action, Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, v === newPw ? 'Th1rd!Passw0rd' : v])));
  await loginFails(email, 'Th1rd!Passw0rd', 'a password set through a used link');
  await loginWorks(email, newPw, 'the new password after the used link');
}));

test('change_password for an unknown email answers the same and sends nothing', t_(async () => {
  const before = outbox(server.dataDir).length;
  const tickets = countRows(server.dbPath, ['password_tickets']);
  const res = await changePassword(testEmail('ghost'));
  assert.equal(res.status, 200, `unknown email: ${res.status} ${res.text}`);
  assert.equal(res.body === undefined ? res.text : res.body, RESET_SENT, 'the same answer');
  assert.equal(outbox(server.dataDir).length, before, 'no mail written');
  assert.deepEqual(countRows(server.dbPath, ['password_tickets']), tickets, 'no ticket stored');
}));

test('screen_hint=signup shows the signup page; signing up there logs the person in', t_(async () => {
  const email = testEmail('page');
  const q = req({ screen_hint: 'signup' });
  const jar = new CookieJar();
  const page = await openLogin(server, jar, q.params, { page: 'signup' });
  assert.ok(page.hidden.csrf && page.hidden.state, `hidden csrf and state: ${JSON.stringify(page.hidden)}`);
  const before = countRows(server.dbPath, ['users', 'sessions']);
  const res = await jar.postForm(page.form.action, { ...page.hidden, email, password: 'Str0ng!Passw0rd' });
  assert.ok(res.status === 302 || res.status === 303, `POST signup: ${res.status} ${alertTexts(res.text).join(' | ') || res.text.slice(0, 300)}`);
  let location = new URL(res.location, page.form.action).href;
  if (location.startsWith(server.url)) location = (await followOnServer(server, jar, location)).location;
  const back = appRedirect(location);
  assert.ok(back.code, `a code after signup: ${back.url}`);
  assert.equal(back.state, q.state);
  const after = countRows(server.dbPath, ['users', 'sessions']);
  assert.equal(after.users, before.users + 1, 'one user added');
  assert.equal(after.sessions, before.sessions + 1, 'one session added');
  assert.ok(jar.has('tsr_session'), 'the session cookie');
}));

test('events: a signup is recorded as ss', t_(async () => {
  assert.ok(signedUp, 'the signup test ran first');
  const types = await committedEventTypes(server, { userId: signedUp });
  assert.ok(types.includes('ss'), `signup event ss for ${signedUp}: ${types.join(',')}`);
}));
