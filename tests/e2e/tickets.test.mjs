// Management API tickets and jobs: POST /tickets/password-change and
// /tickets/email-verification (links the caller hands out), POST
// /jobs/verification-email (Tessera mails the link; to the outbox here) and
// GET /jobs/{id}; the Universal Login pages the links open; scopes, bad
// bodies, unknown users, events, and nothing stored by a refused request.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { freePort, sleep, startTessera, withLogs } from './lib/server.mjs';
import { Mgmt, assertMgmtError, remember, secretsSeen, uid } from './lib/mgmt.mjs';
import { assertAbsent } from './lib/logs.mjs';
import { mgmtToken } from './lib/http.mjs';
import { CookieJar } from './lib/cookies.mjs';
import { alertTexts, findForm, hiddenFields, textOf } from './lib/html.mjs';
import { DB_CONNECTION, WRONG_CREDENTIALS, codeRequest, loginOverHttp, openLogin, submitLogin, testEmail } from './lib/authflow.mjs';
import { countRows, committedEventTypes } from './lib/db.mjs';
import { outbox, waitForMailLink } from './lib/mail.mjs';

const APP = 'http://127.0.0.1:7';
const CB = `${APP}/callback`;
const RESULT = `${APP}/after`;
const ISO_MS = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;
const TABLES = ['password_tickets', 'jobs', 'users'];
const USED = 'This email verification link was already used.';
const EXPIRED = 'This email verification link has expired.';
const VERIFIED = 'Your email was verified. You can continue using the application.';
const RESET_INVALID = 'This password reset link is invalid or has already been used.';

let server;
let mgmt;
let web;
let connectionId;
const stoppedLogs = []; // stderr of the servers this suite stopped
const t_ = (fn) => withLogs(() => server, fn);
const enc = encodeURIComponent;

before(async () => {
  server = await startTessera();
  mgmt = await Mgmt.forBootstrap(server);
  web = await mgmt.createWebApp(CB);
  const conns = await mgmt.get(`/connections?name=${enc(DB_CONNECTION)}`);
  assert.equal(conns.status, 200, conns.text);
  connectionId = (Array.isArray(conns.body) ? conns.body : conns.body.connections)[0].id;
});

after(async () => {
  if (server) assert.equal(await server.stop(), 0, 'tessera should exit 0 on SIGTERM');
});

const newUser = (tag, extra = {}) => mgmt.createUser({ email: testEmail(tag), email_verified: false, ...extra });

async function getUser(userId) {
  const res = await mgmt.get(`/users/${enc(userId)}`);
  assert.equal(res.status, 200, `GET /users/${userId}: ${res.text}`);
  return res.body;
}

/** POSTs a ticket body; asserts 201 and a link of the kind's page; returns the link. */
async function ticket(kind, body) {
  const res = await mgmt.post(`/tickets/${kind}`, body);
  assert.equal(res.status, 201, `POST /tickets/${kind}: ${res.status} ${res.text}`);
  assert.deepEqual(Object.keys(res.body), ['ticket'], res.text);
  const page = kind === 'password-change' ? 'reset-password' : 'email-verification';
  assert.ok(res.body.ticket.startsWith(`${server.url}u/${page}?ticket=`), `the link: ${res.body.ticket}`);
  remember(new URL(res.body.ticket).searchParams.get('ticket'));
  return res.body.ticket;
}

async function loginWorks(email, password) {
  const { redirect } = await loginOverHttp(server, { params: codeRequest({ clientId: web.client_id, redirectUri: CB }).params, email, password });
  assert.ok(redirect.code, 'a code after the login');
}

async function loginFails(email, password) {
  const jar = new CookieJar();
  const login = await openLogin(server, jar, codeRequest({ clientId: web.client_id, redirectUri: CB }).params);
  const res = await submitLogin(jar, login, { username: email, password });
  assert.equal(res.status, 200, `expected the login page again, got ${res.status} ${res.location ?? ''}`);
  assert.deepEqual(alertTexts(res.text), [WRONG_CREDENTIALS]);
}

/** Opens a reset link and submits a new password; returns the answer to the POST. */
async function resetWith(link, password) {
  const jar = new CookieJar();
  const page = await jar.fetch(link);
  assert.equal(page.status, 200, `GET ${link}: ${page.status} ${page.text.slice(0, 300)}`);
  const f = findForm(page.text, link, 'password');
  return jar.postForm(f.action, { ...hiddenFields(f), password, password_confirm: password });
}

/** Opens a verification link (the GET changes nothing) and posts its form; returns {page, done}. */
async function confirmEmail(link, jar = new CookieJar()) {
  const page = await jar.fetch(link);
  assert.equal(page.status, 200, `GET ${link}: ${page.status} ${page.text.slice(0, 300)}`);
  const f = findForm(page.text, link, 'ticket');
  const done = await jar.postForm(f.action, hiddenFields(f));
  return { page, form: f, done };
}

/** The query of a redirect to RESULT. */
function resultParams(res) {
  assert.ok(res.status === 302 || res.status === 303, `expected a redirect to ${RESULT}, got ${res.status} ${res.text.slice(0, 300)}`);
  const u = new URL(res.location);
  assert.equal(`${u.origin}${u.pathname}`, RESULT, `redirect target: ${res.location}`);
  return u.searchParams;
}

/** The verification links of this server's mail. */
const verificationLink = () =>
  new RegExp(`${server.url.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}u/email-verification\\?ticket=[A-Za-z0-9_-]+`);

/** Waits for a verification mail to user (not in seen), presses the link's button, checks the email is verified. */
async function verifyByMail(user, seen) {
  const mail = await waitForMailLink(server.dataDir, { to: user.email, linkRe: verificationLink(), seen });
  assert.match(mail.raw, /^Subject: Verify your email address/m);
  remember(new URL(mail.link).searchParams.get('ticket'));
  const { done } = await confirmEmail(mail.link);
  assert.equal(done.status, 200, `POST: ${done.status}`);
  assert.equal((await getUser(user.user_id)).email_verified, true);
}

test('password-change ticket: the link sets a new password once, marks the email verified, and redirects with the outcome', t_(async () => {
  const user = await newUser('pct');
  const link = await ticket('password-change', {
    user_id: user.user_id,
    result_url: RESULT,
    mark_email_as_verified: true,
    includeEmailInRedirect: true,
    ttl_sec: 0,
  });
  const newPw = 'N3w!Passw0rd-ticket';
  remember(newPw);
  const done = await resetWith(link, newPw);
  const q = resultParams(done);
  assert.equal(q.get('success'), 'true', done.location);
  assert.equal(q.get('email'), user.email, done.location);
  assert.ok(q.get('message'), done.location);

  await loginFails(user.email, user.password);
  await loginWorks(user.email, newPw);
  assert.equal((await getUser(user.user_id)).email_verified, true, 'mark_email_as_verified');

  // Used: the page refuses it and the password stays.
  const again = await new CookieJar().fetch(link);
  assert.equal(again.status, 400, `a used link: ${again.status}`);
  assert.deepEqual(alertTexts(again.text), [RESET_INVALID]);
  await loginWorks(user.email, newPw);

  const types = await committedEventTypes(server, { userId: user.user_id });
  assert.ok(types.includes('scpr') && types.includes('scp'), `scpr and scp: ${types}`);
}));

test('password-change ticket by email and connection_id; without mark_email_as_verified the email stays unverified', t_(async () => {
  const user = await newUser('pce');
  const link = await ticket('password-change', { email: user.email.toUpperCase(), connection_id: connectionId });
  const done = await resetWith(link, 'An0ther!Passw0rd');
  assert.equal(done.status, 200, `no result_url: the page (${done.status} ${done.location ?? ''})`);
  assert.ok(textOf(done.text).includes('Your password has been changed'), textOf(done.text));
  await loginWorks(user.email, 'An0ther!Passw0rd');
  assert.equal((await getUser(user.user_id)).email_verified, false);
}));

test('email-verification ticket: opening the link changes nothing; its button verifies the email, once', t_(async () => {
  const user = await newUser('evt');
  const link = await ticket('email-verification', { user_id: user.user_id });
  const jar = new CookieJar();
  // A mail scanner's GET (twice, even) leaves the link usable.
  for (let i = 0; i < 2; i++) assert.equal((await new CookieJar().fetch(link)).status, 200, 'GET shows the page');
  assert.equal((await getUser(user.user_id)).email_verified, false, 'the GET verified nothing');

  const { page, done } = await confirmEmail(link, jar);
  assert.ok(textOf(page.text).includes(user.email), 'the page names the address');
  assert.equal(page.headers.get('cache-control'), 'no-store');
  assert.equal(done.status, 200, `POST: ${done.status} ${done.text.slice(0, 300)}`);
  assert.ok(textOf(done.text).includes(VERIFIED), textOf(done.text));
  assert.equal((await getUser(user.user_id)).email_verified, true);

  // Used: GET and POST both refuse, with a page that says so.
  const reopened = await new CookieJar().fetch(link);
  assert.equal(reopened.status, 400);
  assert.ok(alertTexts(reopened.text)[0].startsWith(USED), alertTexts(reopened.text).join('|'));
  const replay = await jar.postForm(link, { ticket: new URL(link).searchParams.get('ticket'), csrf: jar.get('tsr_csrf') ?? 'x' });
  assert.equal(replay.status, 400, `replayed POST: ${replay.status}`);

  const types = await committedEventTypes(server, { userId: user.user_id });
  assert.ok(types.includes('svr') && types.includes('sv') && types.includes('fv'), `svr, sv, fv: ${types}`);
}));

test('email-verification ticket with result_url: success and failure go back to it', t_(async () => {
  const user = await newUser('evr');
  const link = await ticket('email-verification', { user_id: user.user_id, result_url: `${RESULT}?lang=en`, includeEmailInRedirect: true });
  const { page, done } = await confirmEmail(link);
  assert.match(page.headers.get('content-security-policy'), /form-action 'self' http:\/\/127\.0\.0\.1:7[ ;]/);
  const q = resultParams(done);
  assert.equal(q.get('lang'), 'en');
  assert.equal(q.get('success'), 'true');
  assert.equal(q.get('message'), VERIFIED);
  assert.equal(q.get('email'), user.email);

  const reopened = resultParams(await new CookieJar().fetch(link));
  assert.equal(reopened.get('success'), 'false');
  assert.ok(reopened.get('message').startsWith(USED), reopened.get('message'));
  assert.equal(reopened.get('email'), null, 'no email on failure');
}));

test('the verification form refuses a missing CSRF token and a ticket that differs from the URL', t_(async () => {
  const user = await newUser('evc');
  const link = await ticket('email-verification', { user_id: user.user_id });
  const jar = new CookieJar();
  const page = await jar.fetch(link);
  const f = findForm(page.text, link, 'ticket');
  const noCsrf = await jar.postForm(f.action, { ...hiddenFields(f), csrf: 'forged' });
  assert.equal(noCsrf.status, 403);
  const other = await jar.postForm(f.action, { ...hiddenFields(f), ticket: 'A'.repeat(43) });
  assert.equal(other.status, 403, 'ticket in the form differs from the URL');
  assert.equal((await getUser(user.user_id)).email_verified, false);
  assert.equal((await confirmEmail(link, jar)).done.status, 200, 'the link still works');
}));

test('an expired or unknown link is refused with a page saying so', t_(async () => {
  const user = await newUser('exp');
  const link = await ticket('email-verification', { user_id: user.user_id, ttl_sec: 1 });
  const withResult = await ticket('email-verification', { user_id: user.user_id, ttl_sec: 1, result_url: RESULT });
  const reset = await ticket('password-change', { user_id: user.user_id, ttl_sec: 1 });
  await sleep(2200); // expiry has a one-second resolution
  const res = await new CookieJar().fetch(link);
  assert.equal(res.status, 400);
  assert.deepEqual(alertTexts(res.text), [`${EXPIRED} Ask the application for a new one.`]);
  const q = resultParams(await new CookieJar().fetch(withResult));
  assert.equal(q.get('success'), 'false');
  assert.equal(q.get('message'), `${EXPIRED} Ask the application for a new one.`);
  const r = await new CookieJar().fetch(reset);
  assert.equal(r.status, 400);
  assert.deepEqual(alertTexts(r.text), [RESET_INVALID]);
  assert.equal((await getUser(user.user_id)).email_verified, false);

  const unknown = await new CookieJar().fetch(`${server.url}u/email-verification?ticket=${'A'.repeat(43)}`);
  assert.equal(unknown.status, 400);
  assert.match(alertTexts(unknown.text)[0], /not valid/);
  // A password link does not open the verification page, nor the reverse.
  const cross = await new CookieJar().fetch(reset.replace('u/reset-password', 'u/email-verification'));
  assert.equal(cross.status, 400);
}));

test('jobs/verification-email mails a working link; GET /jobs/{id} reads the job back, also after a restart', t_(async () => {
  const user = await newUser('job');
  const seen = new Set(outbox(server.dataDir).map((m) => m.file));
  const res = await mgmt.post('/jobs/verification-email', { user_id: user.user_id, client_id: web.client_id });
  assert.equal(res.status, 201, `POST /jobs/verification-email: ${res.status} ${res.text}`);
  const job = res.body;
  assert.equal(job.type, 'verification_email');
  assert.equal(job.status, 'completed');
  assert.match(job.id, /^job_[A-Za-z0-9]{16}$/);
  assert.match(job.created_at, ISO_MS);

  await verifyByMail(user, seen);

  const got = await mgmt.get(`/jobs/${job.id}`);
  assert.equal(got.status, 200, got.text);
  assert.deepEqual(got.body, job);

  const logs = await mgmt.get(`/logs?q=${enc(`type:svr AND user_id:"${user.user_id}"`)}`);
  assert.equal(logs.status, 200, logs.text);
  // One at the account's creation (no application), one by the job.
  assert.equal(logs.body.length, 2, logs.text);
  const byJob = logs.body.filter((l) => l.client_id === web.client_id);
  assert.equal(byJob.length, 1, logs.text);
  assert.equal(byJob[0].description, 'Verification email sent');
  const sv = await mgmt.get(`/logs?q=${enc(`type:sv AND user_id:"${user.user_id}"`)}`);
  assert.equal(sv.body.length, 1, sv.text);

  // Jobs are stored: a restarted server still knows it.
  const { dataDir, port } = server;
  assert.equal(await server.stop(), 0, 'tessera should exit 0 on SIGTERM before the restart');
  stoppedLogs.push(server.stderr());
  server = await startTessera({ dataDir, port });
  mgmt = await Mgmt.forBootstrap(server);
  const later = await mgmt.get(`/jobs/${job.id}`);
  assert.equal(later.status, 200, later.text);
  assert.deepEqual(later.body, job);
  assertMgmtError(await mgmt.get('/jobs/job_0000000000000000'), 404, { errorCode: 'inexistent_job' });
}));

test('a new account with an unverified email gets a verification email, unless verify_email is false', t_(async () => {
  const seen = new Set(outbox(server.dataDir).map((m) => m.file));
  const user = await newUser('welcome');
  await verifyByMail(user, seen);

  const before = outbox(server.dataDir).length;
  const quiet = await newUser('quiet', { verify_email: false });
  const verified = await mgmt.createUser({ email: testEmail('verified'), email_verified: true });
  await sleep(300);
  const to = outbox(server.dataDir).slice(before).map((m) => m.raw);
  assert.ok(!to.some((raw) => raw.includes(quiet.email) || raw.includes(verified.email)), 'no mail for verify_email=false or a verified email');
  assertMgmtError(await mgmt.post('/users', { connection: DB_CONNECTION, email: testEmail('bad'), password: 'Str0ng!Passw0rd', verify_email: 'yes' }), 400, { errorCode: 'invalid_body', messageIncludes: 'verify_email' });

  // Signing up through the Authentication API mails one too.
  const email = testEmail('signup');
  const signup = await fetch(`${server.url}dbconnections/signup`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ client_id: web.client_id, connection: DB_CONNECTION, email, password: 'Str0ng!Passw0rd' }),
  });
  assert.equal(signup.status, 200, await signup.text());
  await waitForMailLink(server.dataDir, { to: email, linkRe: verificationLink(), seen });
}));

test('scopes: create:user_tickets for tickets, update:users for the job, read:users or create:users to read a job', t_(async () => {
  const token = await mgmtToken(server, 'read:clients');
  const user = await newUser('scope');
  const before = countRows(server.dbPath, TABLES);
  for (const kind of ['password-change', 'email-verification']) {
    assertMgmtError(await mgmt.call('POST', `/tickets/${kind}`, { user_id: user.user_id }, token), 403, {
      errorCode: 'insufficient_scope',
      message: 'Insufficient scope, expected any of: create:user_tickets',
    });
  }
  assertMgmtError(await mgmt.call('POST', '/jobs/verification-email', { user_id: user.user_id }, token), 403, {
    errorCode: 'insufficient_scope',
    message: 'Insufficient scope, expected any of: update:users',
  });
  assertMgmtError(await mgmt.call('GET', '/jobs/job_x', undefined, token), 403, { errorCode: 'insufficient_scope', messageIncludes: 'read:users' });
  assert.deepEqual(countRows(server.dbPath, TABLES), before, 'nothing stored');
  const reader = await mgmtToken(server, 'read:users');
  assertMgmtError(await mgmt.call('GET', '/jobs/job_x', undefined, reader), 404, { errorCode: 'inexistent_job' });
  assertMgmtError(await mgmt.call('GET', '/jobs/job_x', undefined, 'not-a-token'), 401);
}));

test('bad bodies answer 400 naming the property; unknown users 404; nothing is stored', t_(async () => {
  const user = await newUser('bad');
  const id = user.user_id;
  const before = countRows(server.dbPath, TABLES);
  const bad = [
    ['password-change', { user_id: id, foo: 1 }, 'Additional properties not allowed: foo'],
    ['password-change', { user_id: id, ttl_sec: 'abc' }, 'ttl_sec'],
    ['password-change', { user_id: id, ttl_sec: -1 }, 'ttl_sec'],
    ['password-change', { user_id: id, ttl_sec: 2592001 }, 'ttl_sec'],
    ['password-change', { user_id: id, mark_email_as_verified: 'yes' }, 'mark_email_as_verified'],
    ['password-change', {}, 'user_id'],
    ['password-change', { user_id: id, email: user.email, connection_id: connectionId }, 'email'],
    ['password-change', { email: user.email }, 'connection_id'],
    ['password-change', { connection_id: connectionId }, 'email'],
    ['password-change', { email: 'not-an-email', connection_id: connectionId }, 'email'],
    ['password-change', { user_id: 42 }, 'user_id'],
    ['password-change', { user_id: id, result_url: 'javascript:alert(1)' }, 'result_url'],
    ['password-change', { user_id: id, result_url: 'http://app.example.com/' }, 'result_url'],
    ['password-change', { user_id: id, result_url: RESULT, client_id: web.client_id }, 'result_url'],
    ['password-change', { user_id: id, organization_id: 'org_1' }, 'organization_id'],
    ['email-verification', {}, 'user_id'],
    ['email-verification', { user_id: id, mark_email_as_verified: true }, 'Additional properties not allowed: mark_email_as_verified'],
    ['email-verification', { user_id: id, includeEmailInRedirect: 1 }, 'includeEmailInRedirect'],
    ['email-verification', { user_id: id, identity: 'auth0' }, 'identity'],
    ['email-verification', { user_id: id, identity: { user_id: 'x' } }, 'provider'],
    ['email-verification', { user_id: id, identity: { user_id: 'nobody', provider: 'auth0' } }, 'identity'],
    ['email-verification', { user_id: id, identity: { user_id: id.slice(6), provider: 'google-oauth2' } }, 'identity'],
    ['email-verification', { user_id: id, organization_id: 'org_1' }, 'organization_id'],
  ];
  const jobBad = [
    [{}, 'user_id'],
    [{ user_id: id, result_url: RESULT }, 'Additional properties not allowed: result_url'],
    [{ user_id: id, client_id: 7 }, 'client_id'],
  ];
  for (const [kind, body, mention] of bad) {
    assertMgmtError(await mgmt.post(`/tickets/${kind}`, body), 400, { errorCode: 'invalid_body', messageIncludes: mention }, `${kind} ${JSON.stringify(body)}`);
  }
  for (const [body, mention] of jobBad) {
    assertMgmtError(await mgmt.post('/jobs/verification-email', body), 400, { errorCode: 'invalid_body', messageIncludes: mention }, JSON.stringify(body));
  }
  const raw = await fetch(`${server.url}api/v2/tickets/email-verification`, {
    method: 'POST',
    headers: { authorization: `Bearer ${mgmt.token}`, 'content-type': 'application/json' },
    body: '{"user_id": ',
  });
  assert.equal(raw.status, 400, 'invalid JSON');
  assert.equal((await raw.json()).errorCode, 'invalid_body');

  const missing = 'auth0|000000000000000000000000';
  for (const [path, body] of [
    ['/tickets/password-change', { user_id: missing }],
    ['/tickets/password-change', { email: 'nobody@example.com', connection_id: connectionId }],
    ['/tickets/email-verification', { user_id: missing }],
    ['/jobs/verification-email', { user_id: missing }],
  ]) {
    assertMgmtError(await mgmt.post(path, body), 404, { errorCode: 'inexistent_user', message: 'The user does not exist.' }, path);
  }
  assertMgmtError(await mgmt.post('/tickets/password-change', { email: user.email, connection_id: 'con_nope' }), 404, { errorCode: 'inexistent_connection' });
  assertMgmtError(await mgmt.post('/tickets/email-verification', { user_id: id, client_id: 'nope' }), 404, { errorCode: 'inexistent_client' });
  assert.deepEqual(countRows(server.dbPath, TABLES), before, 'no ticket, job or user stored by a refused request');
}));

test('a user without an email address gets no verification ticket or email (400)', t_(async () => {
  const name = uid('names').slice(0, 30);
  const conn = await mgmt.post('/connections', { name, strategy: 'auth0', options: { requires_username: true }, enabled_clients: [web.client_id] });
  assert.equal(conn.status, 201, conn.text);
  const res = await mgmt.post('/users', { connection: name, username: `u${Date.now()}`, password: 'Str0ng!Passw0rd' });
  assert.equal(res.status, 201, res.text);
  const before = countRows(server.dbPath, TABLES);
  for (const path of ['/tickets/email-verification', '/jobs/verification-email']) {
    const r = assertMgmtError(await mgmt.post(path, { user_id: res.body.user_id }), 400, {}, path);
    assert.match(r.message, /no email address/, r.message);
  }
  // A password ticket needs no email: the caller hands the link over.
  await ticket('password-change', { user_id: res.body.user_id });
  const after_ = countRows(server.dbPath, TABLES);
  assert.equal(after_.password_tickets, before.password_tickets + 1);
  assert.equal(after_.jobs, before.jobs);
}));

test('user imports, exports and job errors answer 403 operation_not_supported, never 404', t_(async () => {
  for (const [method, path] of [
    ['POST', '/jobs/users-imports'],
    ['GET', '/jobs/users-imports'],
    ['POST', '/jobs/users-exports'],
    ['GET', '/jobs/users-exports'],
    ['GET', '/jobs/job_abc/errors'],
  ]) {
    assertMgmtError(await mgmt.call(method, path, method === 'POST' ? {} : undefined), 403, { errorCode: 'operation_not_supported' }, `${method} ${path}`);
  }
  assertMgmtError(await mgmt.get('/organizations'), 403, { errorCode: 'operation_not_supported' });
  assertMgmtError(await mgmt.post('/tickets/nope', {}), 404, {});
}));

test('a verification email whose mail relay is down is queued: 201, the ticket and job exist, the mail waits for a retry (svr)', t_(async () => {
  const dead = await freePort(); // nothing listens there
  const smtp = await startTessera({ env: { TESSERA_SMTP_URL: `smtp://127.0.0.1:${dead}` } });
  try {
    const m = await Mgmt.forBootstrap(smtp);
    const user = await m.createUser({ email: testEmail('smtp'), email_verified: false });
    const before = countRows(smtp.dbPath, TABLES);
    const res = await m.post('/jobs/verification-email', { user_id: user.user_id });
    assert.equal(res.status, 201, res.text);
    assert.equal(res.body.status, 'completed');
    const now = countRows(smtp.dbPath, TABLES);
    assert.equal(now.password_tickets, before.password_tickets + 1, 'the ticket is kept');
    assert.equal(now.jobs, before.jobs + 1, 'the job is stored');
    assert.ok(countRows(smtp.dbPath, ['mail_queue']).mail_queue >= 1, 'the mail waits in the queue');
    assert.ok((await committedEventTypes(smtp, { userId: user.user_id })).includes('svr'));
  } finally {
    assert.equal(await smtp.stop(), 0, 'the SMTP test server should exit 0 on SIGTERM');
    stoppedLogs.push(smtp.stderr());
  }
}));

test('no ticket, password or token appears in the logs', t_(async () => {
  await sleep(100); // let the last log lines be written
  const values = [...secretsSeen];
  assert.ok(values.length > 10, `the suite handled tickets and tokens (${values.length})`);
  stoppedLogs.forEach((text, i) => assertAbsent(text, values, `stderr of stopped server ${i}`));
  assertAbsent(server.stderr(), values, 'stderr');
}));
