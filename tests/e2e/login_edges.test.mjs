// The Universal Login pages' refusals: forms they cannot read, login
// transactions that are missing, expired or tampered with, applications and
// connections that changed under a transaction, CSRF tokens that do not
// match, and the edge cases of the reset and email verification links.
// Every page is driven over HTTP; no refusal may change what is stored.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { startTessera, withLogs } from './lib/server.mjs';
import { Mgmt } from './lib/mgmt.mjs';
import { CookieJar } from './lib/cookies.mjs';
import { alertTexts, findForm, hiddenFields } from './lib/html.mjs';
import { DB_CONNECTION, codeRequest, loginOverHttp, openLogin, testEmail } from './lib/authflow.mjs';

const APP = 'http://127.0.0.1:9';
const CB = `${APP}/callback`;
const EXPIRED = 'This login link has expired. Go back to the application and sign in again.';
const TAMPERED = 'Your session for this login expired or the form was tampered with. Start the login again.';
const FORM_EXPIRED_LINK = 'This form expired or was tampered with. Open the link from the email again.';
const FORM_EXPIRED_PAGE = 'This form expired or was tampered with. Open the page again and retry.';
const TICKET_INVALID = 'This password reset link is invalid or has already been used.';
const EMAIL_CHANGED = 'This link was for an email address your account no longer uses. Ask the application for a new link.';

let server;
let mgmt;
let spa;
const t_ = (fn) => withLogs(() => server, fn);

before(async () => {
  server = await startTessera();
  mgmt = await Mgmt.forBootstrap(server);
  spa = await mgmt.createSpa(APP);
});

after(async () => {
  if (server) assert.equal(await server.stop(), 0, 'tessera should exit 0 on SIGTERM');
});

const params = (clientId = spa.client_id, extra = {}) => codeRequest({ clientId, redirectUri: CB, extra }).params;

/** Asserts an error page: status and its one alert. */
function assertErrorPage(res, status, message, what) {
  assert.equal(res.status, status, `${what}: expected ${status}, got ${res.status} ${res.text.slice(0, 300)}`);
  assert.deepEqual(alertTexts(res.text), [message], `${what}: alert`);
  assert.match(res.headers.get('content-security-policy') ?? '', /frame-ancestors 'none'/, `${what}: CSP`);
  assert.equal(res.headers.get('cache-control'), 'no-store', `${what}: Cache-Control`);
}

/** The value of the state parameter of a login page URL. */
const stateOf = (loginUrl) => new URL(loginUrl).searchParams.get('state');

async function connectionByName(name) {
  const res = await mgmt.get(`/connections?name=${encodeURIComponent(name)}`);
  assert.equal(res.status, 200, `GET /connections?name=${name}: ${res.text}`);
  const list = Array.isArray(res.body) ? res.body : res.body?.connections;
  const c = (list ?? []).find((x) => x.name === name);
  assert.ok(c, `connection ${name} in ${res.text}`);
  return c;
}

async function ticket(kind, body) {
  const res = await mgmt.post(`/tickets/${kind}`, body);
  assert.equal(res.status, 201, `POST /tickets/${kind}: ${res.status} ${res.text}`);
  return res.body.ticket;
}

test('a login form that is not a web form, or cannot be parsed, is refused before anything else', t_(async () => {
  const jar = new CookieJar();
  const login = await openLogin(server, jar, params());
  const asJson = await jar.fetch(login.form.action, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ ...login.hidden, username: 'a@example.com', password: 'x' }),
  });
  assertErrorPage(asJson, 415, 'The form was not sent as a web form. Go back and try again.', 'JSON body');
  const twice = await jar.fetch(login.form.action, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: 'username=a&username=b&password=x',
  });
  assertErrorPage(twice, 400, 'The form could not be read. Go back and try again.', 'a field given twice');
}));

test('a state that is missing, unknown, or differs between the query and the form is refused on every page', t_(async () => {
  const jar = new CookieJar();
  for (const page of ['login', 'signup', 'consent']) {
    assertErrorPage(await jar.fetch(`${server.url}u/${page}`), 400, EXPIRED, `GET /u/${page} without state`);
    assertErrorPage(await jar.fetch(`${server.url}u/${page}?state=${'A'.repeat(43)}`), 400, EXPIRED,
      `GET /u/${page} with an unknown state`);
  }
  const login = await openLogin(server, jar, params());
  const state = stateOf(login.loginUrl);
  const other = await openLogin(server, jar.clone(), params());
  const mixed = await jar.postForm(`${server.url}u/login?state=${encodeURIComponent(stateOf(other.loginUrl))}`, {
    ...login.hidden,
    state,
    username: 'a@example.com',
    password: 'x',
  });
  assertErrorPage(mixed, 403, TAMPERED, 'state in query and form differ');
  const noCsrf = await jar.postForm(login.form.action, { ...login.hidden, csrf: 'x'.repeat(43), username: 'a@example.com', password: 'x' });
  assertErrorPage(noCsrf, 403, TAMPERED, 'a wrong CSRF token');
}));

test('the consent page needs the person who logged in, in this browser', t_(async () => {
  const jar = new CookieJar();
  const login = await openLogin(server, jar, params());
  const state = stateOf(login.loginUrl);
  assertErrorPage(await jar.fetch(`${server.url}u/consent?state=${state}`), 400, EXPIRED, 'consent before the login');
  const posted = await jar.postForm(`${server.url}u/consent`, { state, csrf: login.hidden.csrf, decision: 'accept' });
  assertErrorPage(posted, 400, EXPIRED, 'consent POST before the login');
}));

test('a transaction whose application was deleted, or whose connection no longer serves it, ends on an error page', t_(async () => {
  const doomed = await mgmt.createSpa('http://127.0.0.1:10');
  const jar = new CookieJar();
  const login = await openLogin(server, jar, codeRequest({ clientId: doomed.client_id, redirectUri: 'http://127.0.0.1:10/callback' }).params);
  const del = await mgmt.del(`/clients/${doomed.client_id}`);
  assert.equal(del.status, 204, `DELETE /clients: ${del.status} ${del.text}`);
  assertErrorPage(await jar.fetch(login.loginUrl), 400, 'The application you are logging in to no longer exists.',
    'login page of a deleted application');

  const lonely = await mgmt.createSpa('http://127.0.0.1:11');
  const conn = await connectionByName(DB_CONNECTION);
  const jar2 = new CookieJar();
  const login2 = await openLogin(server, jar2, codeRequest({ clientId: lonely.client_id, redirectUri: 'http://127.0.0.1:11/callback' }).params);
  const enabled = conn.enabled_clients.filter((id) => id !== lonely.client_id);
  const patch = await mgmt.patch(`/connections/${conn.id}`, { enabled_clients: enabled });
  assert.equal(patch.status, 200, `PATCH /connections: ${patch.status} ${patch.text}`);
  try {
    assertErrorPage(await jar2.fetch(login2.loginUrl), 400,
      "This application is not set up to log people in with this connection. Contact the application's support.",
      'login page of an application the connection does not serve');
  } finally {
    const back = await mgmt.patch(`/connections/${conn.id}`, { enabled_clients: conn.enabled_clients.includes(lonely.client_id) ? conn.enabled_clients : [...conn.enabled_clients, lonely.client_id] });
    assert.equal(back.status, 200, `PATCH /connections back: ${back.text}`);
  }
}));

test('the reset request page: standalone and from a login, bad CSRF and bad email answered on the page', t_(async () => {
  const jar = new CookieJar();
  const page = await jar.fetch(`${server.url}u/reset-password/request`);
  assert.equal(page.status, 200, `GET standalone: ${page.status} ${page.text.slice(0, 300)}`);
  const f = findForm(page.text, `${server.url}u/reset-password/request`, 'email');
  const hidden = hiddenFields(f);
  assert.ok(hidden.csrf, 'a CSRF token in the standalone form');

  assertErrorPage(await jar.postForm(f.action, { ...hidden, csrf: 'y'.repeat(43), email: 'a@example.com' }), 403,
    FORM_EXPIRED_PAGE, 'standalone, wrong CSRF');
  assertErrorPage(await new CookieJar().postForm(f.action, { ...hidden, email: 'a@example.com' }), 403,
    FORM_EXPIRED_PAGE, 'standalone, no CSRF cookie');
  const bad = await jar.postForm(f.action, { ...hidden, email: 'not-an-email' });
  assert.equal(bad.status, 200, `bad email: ${bad.status}`);
  assert.deepEqual(alertTexts(bad.text), ['Enter a valid email address.'], 'bad email: alert');

  // From a login: the transaction's CSRF token, and login_hint fills the email.
  const jar2 = new CookieJar();
  const hint = testEmail('hint');
  const login = await openLogin(server, jar2, params(spa.client_id, { login_hint: hint }));
  const state = stateOf(login.loginUrl);
  const fromLogin = await jar2.fetch(`${server.url}u/reset-password/request?state=${state}`);
  assert.equal(fromLogin.status, 200, `GET with state: ${fromLogin.status}`);
  assert.ok(fromLogin.text.includes(hint), 'login_hint shown as the email');
  const f2 = findForm(fromLogin.text, `${server.url}u/reset-password/request?state=${state}`, 'email');
  const h2 = hiddenFields(f2);
  assert.equal(h2.state, state, 'the form carries the state');
  assertErrorPage(await jar2.postForm(f2.action, { ...h2, csrf: 'z'.repeat(43), email: hint }), 403, TAMPERED,
    'with a login, wrong CSRF');
  const bad2 = await jar2.postForm(f2.action, { ...h2, email: '' });
  assert.deepEqual(alertTexts(bad2.text), ['Enter a valid email address.'], 'with a login, empty email');
  const sent = await jar2.postForm(f2.action, { ...h2, email: hint });
  assert.equal(sent.status, 200, `with a login, good email: ${sent.status}`);
  assert.ok(sent.text.includes('If an account exists for this email, we sent a link to reset the password.'), 'sent message');
}));

test('a reset link refuses empty, too long, different, weak passwords and a wrong CSRF token, and keeps working', t_(async () => {
  const user = await mgmt.createUser({ email: testEmail('reset-edges') });
  const link = await ticket('password-change', { user_id: user.user_id });
  const jar = new CookieJar();
  const page = await jar.fetch(link);
  assert.equal(page.status, 200, `GET link: ${page.status}`);
  const f = findForm(page.text, link, 'password');
  const hidden = hiddenFields(f);
  const post = (fields) => jar.postForm(f.action, { ...hidden, ...fields });
  const onPage = async (fields, alert, what) => {
    const res = await post(fields);
    assert.equal(res.status, 200, `${what}: ${res.status} ${res.text.slice(0, 300)}`);
    assert.deepEqual(alertTexts(res.text), [alert], `${what}: alert`);
  };
  await onPage({ password: '', password_confirm: '' }, 'Enter a new password.', 'empty');
  const long = `Aa1!${'x'.repeat(520)}`;
  await onPage({ password: long, password_confirm: long }, 'Use a password of at most 512 characters.', 'too long');
  await onPage({ password: 'N3w!Passw0rd', password_confirm: 'N3w!Passw0rd-' }, 'The passwords do not match.', 'different');
  await onPage({ password: 'N3w!Passw0rd' }, 'The passwords do not match.', 'no confirmation');
  const weak = await post({ password: 'password', password_confirm: 'password' });
  assert.equal(weak.status, 200, `weak: ${weak.status}`);
  assert.equal(alertTexts(weak.text).length, 1, 'weak: one alert');
  assertErrorPage(await post({ csrf: 'q'.repeat(43), password: 'N3w!Passw0rd', password_confirm: 'N3w!Passw0rd' }), 403,
    FORM_EXPIRED_LINK, 'wrong CSRF');
  const mixed = await jar.postForm(`${server.url}u/reset-password?ticket=${'B'.repeat(43)}`, {
    ...hidden, password: 'N3w!Passw0rd', password_confirm: 'N3w!Passw0rd',
  });
  assertErrorPage(mixed, 403, TAMPERED, 'ticket in query and form differ');

  const done = await post({ password: 'N3w!Passw0rd', password_confirm: 'N3w!Passw0rd' });
  assert.equal(done.status, 200, `good password: ${done.status} ${done.text.slice(0, 300)}`);
  assertErrorPage(await jar.fetch(link), 400, TICKET_INVALID, 'the used link');
  assertErrorPage(await post({ password: 'An0ther!Passw0rd', password_confirm: 'An0ther!Passw0rd' }), 400, TICKET_INVALID,
    'the used link, posted again');
  assertErrorPage(await new CookieJar().fetch(`${server.url}u/reset-password`), 400, TICKET_INVALID, 'no ticket');
  const { redirect } = await loginOverHttp(server, { params: params(), email: user.email, password: 'N3w!Passw0rd' });
  assert.ok(redirect.code, 'the new password logs in');
}));

test('an email verification link refuses a changed address and a wrong CSRF token', t_(async () => {
  const user = await mgmt.createUser({ email: testEmail('verify-edges'), email_verified: false });
  const link = await ticket('email-verification', { user_id: user.user_id });
  const jar = new CookieJar();
  const page = await jar.fetch(link);
  assert.equal(page.status, 200, `GET link: ${page.status}`);
  const f = findForm(page.text, link, 'ticket');
  assertErrorPage(await jar.postForm(f.action, { ...hiddenFields(f), csrf: 'w'.repeat(43) }), 403, FORM_EXPIRED_LINK,
    'wrong CSRF');
  assertErrorPage(await jar.fetch(f.action, {
    method: 'POST',
    headers: { 'content-type': 'text/plain' },
    body: 'ticket=x',
  }), 415, 'The form was not sent as a web form. Go back and try again.', 'not a web form');

  await mgmt.patchUser(user.user_id, { email: testEmail('verify-moved') });
  assertErrorPage(await jar.fetch(link), 400, EMAIL_CHANGED, 'GET after the address changed');
  assertErrorPage(await jar.postForm(f.action, hiddenFields(f)), 400, EMAIL_CHANGED, 'POST after the address changed');
  const after = await mgmt.get(`/users/${encodeURIComponent(user.user_id)}`);
  assert.equal(after.body.email_verified, false, 'nothing verified');
}));

test('signup refuses when the connection disables it, on the page and its form', t_(async () => {
  const name = `closed-${Date.now().toString(36)}`;
  const app = await mgmt.createSpa('http://127.0.0.1:12');
  const conn = await mgmt.post('/connections', {
    name, strategy: 'auth0', options: { disable_signup: true }, enabled_clients: [app.client_id],
  });
  assert.equal(conn.status, 201, `POST /connections: ${conn.status} ${conn.text}`);
  const jar = new CookieJar();
  const login = await openLogin(server, jar, codeRequest({
    clientId: app.client_id, redirectUri: 'http://127.0.0.1:12/callback', extra: { connection: name },
  }).params);
  const state = stateOf(login.loginUrl);
  const msg = (await jar.fetch(`${server.url}u/signup?state=${state}`));
  assert.equal(msg.status, 403, `GET /u/signup: ${msg.status} ${msg.text.slice(0, 300)}`);
  const post = await jar.postForm(`${server.url}u/signup`, { state, csrf: login.hidden.csrf, email: testEmail('closed'), password: 'Str0ng!Passw0rd' });
  assert.equal(post.status, 403, `POST /u/signup: ${post.status}`);
  assert.deepEqual(alertTexts(post.text), alertTexts(msg.text), 'the same refusal');
}));


test('the signup form refuses a bad email, username and password on the page, stores nobody, then signs the person up', t_(async () => {
  const name = `named-${Date.now().toString(36)}`;
  const app = await mgmt.createSpa('http://127.0.0.1:13');
  const conn = await mgmt.post('/connections', {
    name, strategy: 'auth0', options: { requires_username: true }, enabled_clients: [app.client_id],
  });
  assert.equal(conn.status, 201, `POST /connections: ${conn.status} ${conn.text}`);
  const jar = new CookieJar();
  const login = await openLogin(server, jar, codeRequest({
    clientId: app.client_id, redirectUri: 'http://127.0.0.1:13/callback', extra: { connection: name },
  }).params);
  const signupUrl = `${server.url}u/signup?state=${stateOf(login.loginUrl)}`;
  const page = await jar.fetch(signupUrl);
  assert.equal(page.status, 200, `GET /u/signup: ${page.status} ${page.text.slice(0, 300)}`);
  const f = findForm(page.text, signupUrl, 'email');
  assert.ok(f.inputs.some((i) => i.name === 'username'), 'the form asks for a username');
  const email = testEmail('signup-edges');
  const good = { email, username: 'ada_lovelace', password: 'Str0ng!Passw0rd' };
  const onPage = async (fields, alert, what) => {
    const res = await jar.postForm(f.action, { ...hiddenFields(f), ...good, ...fields });
    assert.equal(res.status, 200, `${what}: ${res.status} ${res.text.slice(0, 300)}`);
    const alerts = alertTexts(res.text);
    if (alert) assert.deepEqual(alerts, [alert], `${what}: alert`);
    else assert.equal(alerts.length, 1, `${what}: one alert (${alerts.join(' | ')})`);
  };
  await onPage({ email: 'not-an-address' }, 'Enter a valid email address.', 'bad email');
  const usernameRule = "Enter a username of up to 128 characters without spaces or '@'.";
  await onPage({ username: '' }, usernameRule, 'no username');
  await onPage({ username: 'ada lovelace' }, usernameRule, 'a space in the username');
  await onPage({ username: 'ada@example' }, usernameRule, "an '@' in the username");
  await onPage({ username: 'a'.repeat(129) }, usernameRule, 'a username over 128 characters');
  await onPage({ password: '' }, 'Enter a password.', 'no password');
  await onPage({ password: `Aa1!${'x'.repeat(520)}` }, 'Use a password of at most 512 characters.', 'a password over 512');
  await onPage({ password: 'password' }, null, 'a password the policy refuses');
  const none = await mgmt.get(`/users-by-email?email=${encodeURIComponent(email)}`);
  assert.equal(none.status, 200, none.text);
  assert.deepEqual(none.body, [], 'no refused signup stored a user');

  const done = await jar.postForm(f.action, { ...hiddenFields(f), ...good, email: email.toUpperCase() });
  assert.ok([302, 303].includes(done.status), `a good signup redirects: ${done.status} ${done.text.slice(0, 300)}`);
  const made = await mgmt.get(`/users-by-email?email=${encodeURIComponent(email)}`);
  assert.equal(made.body.length, 1, `one user: ${made.text}`);
  assert.equal(made.body[0].email, email.toLowerCase(), 'the address is stored lower-cased');
  assert.equal(made.body[0].username, 'ada_lovelace');
  assert.equal(made.body[0].nickname, email.toLowerCase().split('@')[0]);
}));
