// Each security rule of the browser login, over HTTP: the exact error, and
// the row counts showing that nothing was stored that should not be.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { sleep, startTessera, withLogs } from './lib/server.mjs';
import { Mgmt } from './lib/mgmt.mjs';
import { CookieJar } from './lib/cookies.mjs';
import { alertTexts } from './lib/html.mjs';
import {
  BLOCKED,
  WRONG_CREDENTIALS,
  appRedirect,
  assertIdToken,
  assertInvalidGrant,
  assertTokens,
  authorizeSilently,
  authorizeUrl,
  codeGrant,
  codeRequest,
  followAcceptingConsent,
  loginOverHttp,
  logoutV2,
  openLogin,
  refreshGrant,
  submitLogin,
  testEmail,
  userinfo,
} from './lib/authflow.mjs';
import { countRows, countWhere, sqlText, committedEventTypes } from './lib/db.mjs';

const APP = 'http://127.0.0.1:7'; // the SPA's origin (never fetched)
const SPA_CB = `${APP}/callback`;
const WEB_CB = 'http://127.0.0.1:9/callback';
const WATCHED = ['users', 'sessions', 'login_transactions', 'authorization_codes', 'refresh_tokens', 'access_tokens'];

let server;
let mgmt;
let api;
let spa; // public client
let web; // confidential client
let user;
const t_ = (fn) => withLogs(() => server, fn);

before(async () => {
  server = await startTessera();
  mgmt = await Mgmt.forBootstrap(server);
  api = await mgmt.createUserApi();
  spa = await mgmt.createSpa(APP);
  web = await mgmt.createWebApp(WEB_CB);
  user = await mgmt.createUser({ email: testEmail('sec') });
});

after(async () => {
  if (server) assert.equal(await server.stop(), 0, 'tessera should exit 0 on SIGTERM');
});

const counts = () => countRows(server.dbPath, WATCHED);

/** Asserts which watched tables changed, by how much: expected = {table: delta}, others 0. */
function assertDelta(before, expected, what) {
  const now = counts();
  for (const t of WATCHED) {
    assert.equal(now[t] - before[t], expected[t] ?? 0, `${what}: rows added to ${t} (before ${JSON.stringify(before)}, after ${JSON.stringify(now)})`);
  }
}

const spaReq = (opts = {}) => codeRequest({ clientId: spa.client_id, redirectUri: SPA_CB, ...opts });

/** A login of the test user through the SPA client; returns {jar, redirect, req}. */
async function spaLogin(opts = {}, who = user) {
  const req = spaReq(opts);
  const { jar, redirect } = await loginOverHttp(server, { params: req.params, email: who.email, password: who.password });
  return { jar, redirect, req };
}

function redeem(req, code, extra = {}) {
  return codeGrant(server, { clientId: spa.client_id, code, redirectUri: SPA_CB, verifier: req.verifier, ...extra });
}

function assertErrorPage(res, status, what) {
  assert.equal(res.status, status, `${what}: status ${res.status} ${res.text.slice(0, 300)}`);
  assert.equal(res.headers.get('location'), null, `${what}: an error page never redirects (Location: ${res.headers.get('location')})`);
  assert.match(res.headers.get('content-type') ?? '', /^text\/html/, `${what}: an HTML error page`);
}

test('unregistered redirect_uri or unknown client: 400 error page, no Location, nothing stored', t_(async () => {
  const before = counts();
  const jar = new CookieJar();
  const cases = {
    'another host': 'http://127.0.0.1:8/callback',
    'a longer path': `${SPA_CB}/more`,
    'an added query': `${SPA_CB}?next=/`,
    'a trailing slash': `${SPA_CB}/`,
    'upper case path': `${APP}/CALLBACK`,
    'encoded path': `${APP}/%63allback`,
    'markup in it': `${APP}/"><script>alert(1)</script>`,
  };
  for (const [what, uri] of Object.entries(cases)) {
    const res = await jar.fetch(authorizeUrl(server, spaReq({ redirectUri: uri }).params));
    assertErrorPage(res, 400, `redirect_uri with ${what}`);
    assert.ok(!res.text.includes('<script>alert(1)</script>'), `${what}: the page escapes what it shows`);
  }
  const unknown = await jar.fetch(authorizeUrl(server, { ...spaReq().params, client_id: 'no-such-client-000000000000' }));
  assertErrorPage(unknown, 400, 'unknown client_id');
  const noClient = await jar.fetch(authorizeUrl(server, { ...spaReq().params, client_id: undefined }));
  assertErrorPage(noClient, 400, 'no client_id');
  assert.ok(!jar.has('tsr_tx') && !jar.has('tsr_session'), `no login cookie was set: ${[...jar.cookies.keys()]}`);
  assertDelta(before, {}, 'refused /authorize');
}));

test('a public client without PKCE, or with method plain: invalid_request at the redirect_uri with state', t_(async () => {
  const before = counts();
  const jar = new CookieJar();
  const noPkce = spaReq({ extra: { code_challenge: undefined, code_challenge_method: undefined } });
  const r1 = await jar.fetch(authorizeUrl(server, noPkce.params));
  assert.ok(r1.status === 302 || r1.status === 303, `no code_challenge: ${r1.status} ${r1.text.slice(0, 200)}`);
  const e1 = appRedirect(r1.location);
  assert.equal(`${e1.url.origin}${e1.url.pathname}`, SPA_CB, 'the error goes to the validated redirect_uri');
  assert.equal(e1.error, 'invalid_request', `error: ${r1.location}`);
  assert.ok(e1.error_description, 'error_description');
  assert.equal(e1.state, noPkce.state, 'state echoed');
  assert.equal(e1.code, null, 'no code');

  const plain = spaReq();
  plain.params.code_challenge = plain.verifier;
  plain.params.code_challenge_method = 'plain';
  const r2 = await jar.fetch(authorizeUrl(server, plain.params));
  const e2 = appRedirect(r2.location);
  assert.equal(e2.error, 'invalid_request', `code_challenge_method=plain: ${r2.location}`);
  assert.equal(e2.state, plain.state, 'state echoed');
  assertDelta(before, {}, 'refused PKCE');
}));

test('a wrong or missing code_verifier: invalid_grant "Failed to verify code verifier", no token stored', t_(async () => {
  const { redirect, req } = await spaLogin();
  const before = counts();
  const wrong = await redeem(req, redirect.code, { verifier: `${req.verifier.slice(0, -4)}AAAA` });
  assertInvalidGrant(wrong, 'Failed to verify code verifier', 'wrong code_verifier');
  assertDelta(before, {}, 'wrong code_verifier');

  const { redirect: r2, req: q2 } = await spaLogin();
  const before2 = counts();
  const missing = await redeem(q2, r2.code, { verifier: undefined });
  assert.equal(missing.status, 400, `missing code_verifier: ${missing.status} ${missing.text}`);
  assert.ok(['invalid_grant', 'invalid_request'].includes(missing.body?.error), `missing code_verifier: ${missing.text}`);
  assertDelta(before2, {}, 'missing code_verifier');
}));

test('a replayed code: invalid_grant "Invalid authorization code", and the tokens it issued are revoked', t_(async () => {
  const { redirect, req } = await spaLogin(); // no audience: an opaque access token
  const first = assertTokens(await redeem(req, redirect.code), 'first redemption');
  assert.equal(typeof first.refresh_token, 'string', 'offline_access gave a refresh token');
  assert.ok(first.access_token.split('.').length < 3, 'an opaque access token');
  assert.equal((await userinfo(server, first.access_token)).status, 200, '/userinfo before the replay');

  // Only hashes are stored: the raw values are in no row.
  for (const [table, col, value] of [
    ['authorization_codes', 'code', redirect.code],
    ['refresh_tokens', 'token', first.refresh_token],
    ['access_tokens', 'token', first.access_token],
  ]) {
    assert.equal(countWhere(server.dbPath, `SELECT count(*) FROM ${table} WHERE ${col} = ${sqlText(value)};`), 0, `${table} stores the raw value`);
  }

  const before = counts();
  const replay = await redeem(req, redirect.code);
  assertInvalidGrant(replay, 'Invalid authorization code', 'second redemption');
  assertDelta(before, {}, 'replayed code');
  assertInvalidGrant(await refreshGrant(server, { clientId: spa.client_id, refreshToken: first.refresh_token }), undefined, 'refresh token of a replayed code');
  const ui = await userinfo(server, first.access_token);
  assert.equal(ui.status, 401, `/userinfo with the access token of a replayed code: ${ui.status} ${ui.text}`);
}));

test('a code redeemed by another client or with another redirect_uri: invalid_grant, nothing issued', t_(async () => {
  const { redirect, req } = await spaLogin();
  const before = counts();
  const other = await codeGrant(server, {
    clientId: web.client_id,
    clientSecret: web.client_secret,
    code: redirect.code,
    redirectUri: SPA_CB,
    verifier: req.verifier,
  });
  assertInvalidGrant(other, undefined, 'code of the SPA redeemed by the web client');
  const wrongUri = await redeem(req, redirect.code, { redirectUri: `${APP}/` });
  assertInvalidGrant(wrongUri, undefined, 'redirect_uri differing from the one sent to /authorize');
  assertDelta(before, {}, 'foreign code');
}));

test('state is echoed byte-exact, on success and on error', t_(async () => {
  const state = 'a=b+c/d e%20f ü✓ 漢字 =&?#';
  const { redirect, jar } = await spaLogin({ extra: { state } });
  assert.equal(redirect.state, state, `state after login: ${redirect.url.search}`);
  const sso = await authorizeSilently(server, jar, spaReq({ extra: { state, prompt: 'none' } }).params);
  assert.equal(sso.state, state, 'state on a silent answer');

  const nobody = new CookieJar();
  const res = await nobody.fetch(authorizeUrl(server, spaReq({ extra: { state, prompt: 'none' } }).params));
  const e = appRedirect(res.location);
  assert.equal(e.error, 'login_required');
  assert.equal(e.state, state, 'state on an error');
}));

test('nonce: the one sent is in the ID token; none sent, none in it; the session cookie is HttpOnly and SameSite=Lax', t_(async () => {
  const nonce = 'n-0S6_WzA2Mj+/=';
  const { redirect, req, jar } = await spaLogin({ extra: { nonce } });
  const tok = assertTokens(await redeem(req, redirect.code), 'code grant');
  await assertIdToken(server, tok.id_token, { clientId: spa.client_id, sub: user.user_id, nonce });

  const session = jar.lastSet.get('tsr_session');
  assert.ok(session, 'the login set tsr_session');
  assert.equal(session.attrs.httponly, true, `HttpOnly: ${session.line}`);
  assert.equal(String(session.attrs.samesite).toLowerCase(), 'lax', `SameSite=Lax: ${session.line}`);
  assert.equal(session.attrs.secure, undefined, 'no Secure attribute over http');
  assert.equal(
    countWhere(server.dbPath, `SELECT count(*) FROM sessions WHERE id = ${sqlText(session.value)};`),
    0,
    'the session id is stored hashed',
  );

  const without = spaReq({ extra: { nonce: undefined } });
  const again = await authorizeSilently(server, jar, without.params);
  const tok2 = assertTokens(await redeem(without, again.code), 'code grant without nonce');
  await assertIdToken(server, tok2.id_token, { clientId: spa.client_id, sub: user.user_id, nonce: null });
}));

test('login POST without or with a wrong CSRF token: 403, no session, no code', t_(async () => {
  const jar = new CookieJar();
  const login = await openLogin(server, jar, spaReq().params);
  assert.ok(login.hidden.csrf, `the login form has a hidden csrf input: ${login.form.html.slice(0, 500)}`);
  assert.ok(login.hidden.state, 'the login form has a hidden state input');
  const before = counts();
  const none = await submitLogin(jar, login, { username: user.email, password: user.password, fields: { csrf: undefined } });
  assert.equal(none.status, 403, `no csrf: ${none.status} ${none.text.slice(0, 200)}`);
  const wrong = await submitLogin(jar, login, { username: user.email, password: user.password, fields: { csrf: `${login.hidden.csrf}x` } });
  assert.equal(wrong.status, 403, `wrong csrf: ${wrong.status} ${wrong.text.slice(0, 200)}`);
  // The form of another browser (its transaction cookie missing) is refused too.
  const stranger = new CookieJar();
  const foreign = await submitLogin(stranger, login, { username: user.email, password: user.password });
  assert.ok(foreign.status === 403 || foreign.status === 400, `login POST without the tx cookie: ${foreign.status}`);
  assert.equal(none.location ?? wrong.location ?? foreign.location, null, 'no redirect');
  assert.ok(!jar.has('tsr_session') && !stranger.has('tsr_session'), 'no session cookie');
  assertDelta(before, {}, 'login POST refused for CSRF');
}));

test('a blocked user: "Your account is blocked.", no session', t_(async () => {
  const blocked = await mgmt.createUser({ email: testEmail('blocked') });
  await mgmt.patchUser(blocked.user_id, { blocked: true });
  const jar = new CookieJar();
  const login = await openLogin(server, jar, spaReq().params);
  const before = counts();
  const res = await submitLogin(jar, login, { username: blocked.email, password: blocked.password });
  assert.equal(res.status, 200, `blocked user: ${res.status} ${res.location ?? ''}`);
  assert.ok(alertTexts(res.text).some((a) => a.includes(BLOCKED)), `alert: ${alertTexts(res.text)}`);
  assert.ok(!jar.has('tsr_session'), 'no session cookie');
  assertDelta(before, {}, 'blocked user');
}));

test('an unknown email and a wrong password get the same answer; nothing is stored', t_(async () => {
  const answers = [];
  const before = counts();
  for (const [username, password] of [
    [user.email, 'Wr0ng!Passw0rd'],
    [testEmail('nobody'), user.password],
  ]) {
    const jar = new CookieJar();
    const login = await openLogin(server, jar, spaReq().params);
    const res = await submitLogin(jar, login, { username, password });
    assert.ok(!jar.has('tsr_session'), 'no session cookie');
    answers.push({ status: res.status, alerts: alertTexts(res.text), location: res.location });
  }
  const [wrongPw, unknown] = answers;
  assert.equal(wrongPw.status, 200, `wrong password: ${JSON.stringify(wrongPw)}`);
  assert.deepEqual(wrongPw.alerts, [WRONG_CREDENTIALS], 'the alert for a wrong password');
  assert.deepEqual(unknown, wrongPw, 'an unknown email is answered exactly like a wrong password');
  // Only the login transactions of the two pages were added.
  const now = counts();
  for (const t of ['users', 'sessions', 'authorization_codes', 'refresh_tokens', 'access_tokens']) {
    assert.equal(now[t], before[t], `rows added to ${t}`);
  }
}));

test('returnTo not allowed: 400 page, no Location, the session still valid; an allowed one ends it', t_(async () => {
  const { jar } = await spaLogin();
  const before = counts();
  for (const returnTo of ['http://evil.example/', `${APP}/elsewhere`, `${APP}/?next=http://evil.example/`]) {
    const res = await logoutV2(server, jar, { clientId: spa.client_id, returnTo });
    assertErrorPage(res, 400, `returnTo ${returnTo}`);
  }
  assert.ok(jar.has('tsr_session'), 'the session cookie is kept');
  assertDelta(before, {}, 'refused logout');
  const still = await authorizeSilently(server, jar, spaReq({ extra: { prompt: 'none' } }).params);
  assert.ok(still.code, `prompt=none after a refused logout still answers with a code: ${still.url}`);

  const ok = await logoutV2(server, jar, { clientId: spa.client_id, returnTo: `${APP}/` });
  assert.equal(ok.status, 302, `allowed returnTo: ${ok.status} ${ok.text.slice(0, 200)}`);
  assert.equal(ok.location, `${APP}/`, 'redirect to returnTo');
  assert.ok(!jar.has('tsr_session'), 'the session cookie is cleared');
  const gone = await jar.fetch(authorizeUrl(server, spaReq({ extra: { prompt: 'none' } }).params));
  assert.equal(appRedirect(gone.location).error, 'login_required', 'prompt=none after logout');
}));

test('prompt=none without a session: login_required at the redirect_uri with state (query and web_message)', t_(async () => {
  const before = counts();
  const jar = new CookieJar();
  const req = spaReq({ extra: { prompt: 'none' } });
  const res = await jar.fetch(authorizeUrl(server, req.params));
  assert.ok(res.status === 302 || res.status === 303, `prompt=none: ${res.status} ${res.text.slice(0, 200)}`);
  const e = appRedirect(res.location);
  assert.equal(`${e.url.origin}${e.url.pathname}`, SPA_CB);
  assert.equal(e.error, 'login_required', `error: ${res.location}`);
  assert.equal(typeof e.error_description, 'string');
  assert.equal(e.state, req.state);
  assert.equal(e.code, null);

  const wm = spaReq({ extra: { prompt: 'none', response_mode: 'web_message' } });
  const page = await jar.fetch(authorizeUrl(server, wm.params));
  assert.equal(page.status, 200, `web_message: ${page.status}`);
  assert.match(page.headers.get('content-type') ?? '', /^text\/html/);
  assert.ok(page.text.includes('authorization_response'), 'posts an authorization_response');
  assert.ok(page.text.includes('login_required'), 'with error login_required');
  assert.ok(page.text.includes(JSON.stringify(APP)) || page.text.includes(`'${APP}'`), `to the app origin ${APP} only`);
  assert.ok(page.text.includes(wm.state), 'with the state');
  assertDelta(before, {}, 'prompt=none without a session');
}));

test('SSO: a session answers /authorize of another first-party app at once', t_(async () => {
  const { jar } = await spaLogin();
  const req = codeRequest({ clientId: web.client_id, redirectUri: WEB_CB, audience: api.identifier });
  // A loopback callback (127.0.0.1) is asked for consent once, first-party or not, as in Auth0.
  const f = await followAcceptingConsent(server, jar, authorizeUrl(server, req.params));
  const r = appRedirect(f.location);
  assert.ok(r.code, `a code for the web app without a login page: ${r.url}`);
  const tok = assertTokens(
    await codeGrant(server, { clientId: web.client_id, clientSecret: web.client_secret, code: r.code, redirectUri: WEB_CB, verifier: req.verifier }),
    'web app code grant',
  );
  await assertIdToken(server, tok.id_token, { clientId: web.client_id, sub: user.user_id, nonce: req.nonce });

  const forced = await jar.fetch(authorizeUrl(server, { ...req.params, prompt: 'login' }));
  assert.ok(
    (forced.location ?? '').startsWith(`${server.url}u/login?state=`),
    `prompt=login shows the login page despite the session: ${forced.status} ${forced.location}`,
  );
}));

test('max_age and prompt=login: an old session logs in again and auth_time moves on; a recent one answers at once', t_(async () => {
  const { jar, redirect, req } = await spaLogin();
  const first = assertTokens(await redeem(req, redirect.code), 'first login');
  const t1 = (await assertIdToken(server, first.id_token, { clientId: spa.client_id, sub: user.user_id })).auth_time;

  const recent = spaReq({ extra: { max_age: 10000 } });
  const r = await authorizeSilently(server, jar, recent.params);
  const t2 = (await assertIdToken(server, assertTokens(await redeem(recent, r.code)).id_token, { clientId: spa.client_id })).auth_time;
  assert.equal(t2, t1, 'max_age=10000: the same auth_time, no new login');

  await sleep(2100);
  const old = spaReq({ extra: { max_age: 1 } });
  const res = await jar.fetch(authorizeUrl(server, old.params));
  assert.ok((res.location ?? '').startsWith(`${server.url}u/login?state=`), `max_age=1 after 2 s shows the login page: ${res.status} ${res.location}`);

  const loginReq = spaReq({ extra: { prompt: 'login' } });
  const again = await loginOverHttp(server, { params: loginReq.params, email: user.email, password: user.password, jar });
  const relogin = assertTokens(await redeem(loginReq, again.redirect.code), 'after prompt=login');
  const t3 = (await assertIdToken(server, relogin.id_token, { clientId: spa.client_id, sub: user.user_id, nonce: loginReq.nonce })).auth_time;
  assert.ok(t3 > t1, `auth_time after logging in again (${t3}) is later than the first (${t1})`);
}));

test('the login page: never framed, CSP, labelled inputs, CSRF token', t_(async () => {
  const jar = new CookieJar();
  const login = await openLogin(server, jar, spaReq().params);
  const h = login.page.headers;
  const csp = h.get('content-security-policy') ?? '';
  const xfo = (h.get('x-frame-options') ?? '').toUpperCase();
  assert.ok(/frame-ancestors\s+'none'/.test(csp) || xfo === 'DENY', `frame-ancestors 'none' or X-Frame-Options DENY: csp=${csp} xfo=${xfo}`);
  assert.ok(csp, 'a Content-Security-Policy');
  assert.equal(login.form.attrs.method?.toLowerCase(), 'post');
  for (const name of ['username', 'password']) {
    const input = login.form.inputs.find((i) => i.name === name);
    assert.ok(input, `input ${name}`);
    const id = input.attrs.id;
    const labelled =
      (id && new RegExp(`<label[^>]*for=["']?${id}["'\\s>]`, 'i').test(login.page.text)) ||
      new RegExp(`<label\\b(?:(?!</label>)[\\s\\S])*name=["']?${name}["'\\s>]`, 'i').test(login.page.text) ||
      input.attrs['aria-label'] ||
      input.attrs['aria-labelledby'];
    assert.ok(labelled, `input ${name} has a label`);
  }
  assert.equal(login.form.inputs.find((i) => i.name === 'password').type, 'password');
  assert.ok(login.form.buttons.some((b) => b.type === 'submit'), 'a submit button');
}));

test('events: s, f(p|u), seacft and feacft are recorded with Auth0 codes', t_(async () => {
  const types = await committedEventTypes(server);
  for (const t of ['s', 'seacft', 'feacft']) assert.ok(types.includes(t), `event ${t}: ${types.join(',')}`);
  assert.ok(types.includes('fp') || types.includes('f'), `a failed login, wrong password (fp): ${types.join(',')}`);
  assert.ok(types.includes('fu') || types.includes('f'), `a failed login, unknown user (fu): ${types.join(',')}`);
  assert.ok(types.includes('slo'), `a logout (slo): ${types.join(',')}`);
}));
