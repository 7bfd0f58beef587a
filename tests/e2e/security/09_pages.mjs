// The pages a web attacker can point a victim's browser at, and what an
// anonymous visitor learns from them: signup must not confirm accounts,
// logout must not be a state-changing GET, web_message must post only to an
// allowed origin (and say who answered), and a loopback callback must not
// pass for a verified first-party application.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { startTessera, withLogs } from '../lib/server.mjs';
import { Mgmt } from '../lib/mgmt.mjs';
import { CookieJar } from '../lib/cookies.mjs';
import { json } from '../lib/http.mjs';
import { alertTexts, findForm, hiddenFields } from '../lib/html.mjs';
import {
  DB_CONNECTION,
  GOOD_PASSWORD,
  appRedirect,
  authorizeUrl,
  codeGrant,
  codeRequest,
  loginOverHttp,
  openLogin,
  submitLogin,
  testEmail,
} from '../lib/authflow.mjs';

const APP = 'https://app.example.com';
const CB = `${APP}/callback`; // a verifiable (non-loopback) callback: no consent page
const LOGOUT_URL = `${APP}/`; // createWebApp's allowed logout URL
const LOOPBACK_CB = 'http://127.0.0.1:9/callback';
const SPA_ORIGIN = 'http://127.0.0.1:7';

describe('security: pages (signup wording, logout confirmation, web_message, loopback consent)', () => {
  let server;
  let mgmt;
  let web; // confidential, first-party, https callback
  let loopbackWeb; // first-party with a loopback callback
  let spa; // public, web origin = SPA_ORIGIN
  let api; // skips consent for first-party applications
  const t_ = (fn) => withLogs(() => server, fn);

  before(async () => {
    server = await startTessera();
    mgmt = await Mgmt.forBootstrap(server);
    api = await mgmt.createUserApi();
    web = await mgmt.createWebApp(CB);
    loopbackWeb = await mgmt.createWebApp(LOOPBACK_CB);
    spa = await mgmt.createSpa(SPA_ORIGIN);
  });

  after(async () => {
    if (server) assert.equal(await server.stop(), 0, 'tessera should exit 0 on SIGTERM');
  });

  /** A logged-in browser of a new user at the web app; returns {jar, user, tokens}. */
  async function loggedIn(tag) {
    const user = await mgmt.createUser({ email: testEmail(tag) });
    const req = codeRequest({ clientId: web.client_id, redirectUri: CB, scope: 'openid' });
    const { jar, redirect } = await loginOverHttp(server, { params: req.params, email: user.email, password: user.password });
    const res = await codeGrant(server, { clientId: web.client_id, clientSecret: web.client_secret, code: redirect.code, redirectUri: CB, verifier: req.verifier });
    assert.equal(res.status, 200, `code grant: ${res.status} ${res.text}`);
    return { jar, user, tokens: res.body };
  }

  /** Whether the jar's session still answers /authorize?prompt=none at the web app. */
  async function sessionAlive(jar) {
    const req = codeRequest({ clientId: web.client_id, redirectUri: CB, scope: 'openid', extra: { prompt: 'none' } });
    const res = await jar.fetch(authorizeUrl(server, req.params));
    const r = appRedirect(res.location);
    assert.ok(r.code || r.error === 'login_required', `prompt=none: ${res.location}`);
    return Boolean(r.code);
  }

  function logoutUrl(params) {
    return `${server.url}oidc/logout?${new URLSearchParams(params).toString()}`;
  }

  function assertConfirmPage(res, what) {
    assert.equal(res.status, 200, `${what}: expected the confirmation page, got ${res.status} ${res.location ?? ''} ${res.text.slice(0, 200)}`);
    const form = findForm(res.text, res.url ?? server.url, 'csrf');
    assert.match(res.headers.get('content-security-policy') ?? '', /frame-ancestors 'none'/, `${what}: the page cannot be framed`);
    return form;
  }

  test('signing up with the email of an existing account gets the same vague answer as /dbconnections/signup, never "already exists"', t_(async () => {
    const existing = await mgmt.createUser({ email: testEmail('taken') });
    const jar = new CookieJar();
    const req = codeRequest({ clientId: web.client_id, redirectUri: CB, scope: 'openid', extra: { screen_hint: 'signup' } });
    const signup = await openLogin(server, jar, req.params, { page: 'signup' });
    const res = await jar.postForm(signup.form.action, { ...signup.hidden, email: existing.email, password: GOOD_PASSWORD });
    assert.equal(res.status, 200, `signup POST: ${res.status} ${res.text.slice(0, 200)}`);
    const said = alertTexts(res.text).join(' | ');
    assert.doesNotMatch(said, /already|exists/i, `the signup page confirms that ${existing.email} has an account: "${said}"`);
    assert.match(said, /Invalid sign up/, `the page says what the API says: "${said}"`);
    const api = await json(`${server.url}dbconnections/signup`, 'POST', {
      client_id: web.client_id, email: existing.email, password: GOOD_PASSWORD, connection: DB_CONNECTION,
    });
    assert.equal(api.status, 400, `POST /dbconnections/signup: ${api.status} ${api.text}`);
    assert.equal(api.body.code, 'invalid_signup', api.text);
    assert.equal(api.body.description, 'Invalid sign up', api.text);
  }));

  test('a page that sends the browser to /oidc/logout without id_token_hint does not end the session: a CSRF-protected form asks first', t_(async () => {
    const { jar } = await loggedIn('logout-csrf');
    const url = logoutUrl({ client_id: web.client_id, post_logout_redirect_uri: LOGOUT_URL, state: 'st-1' });
    const res = await jar.fetch(url);
    res.url = url;
    const form = assertConfirmPage(res, 'GET /oidc/logout without id_token_hint');
    assert.ok(await sessionAlive(jar), 'a cross-site GET ended the session');
    // The form's POST without the browser's CSRF cookie, or with a wrong token, does nothing.
    const stranger = await new CookieJar().postForm(form.action, { ...hiddenFields(form) });
    assert.equal(stranger.status, 403, `POST without the CSRF cookie: ${stranger.status} ${stranger.location ?? ''}`);
    const wrong = await jar.postForm(form.action, { ...hiddenFields(form), csrf: `${hiddenFields(form).csrf}x` });
    assert.equal(wrong.status, 403, `POST with a wrong CSRF token: ${wrong.status} ${wrong.location ?? ''}`);
    assert.ok(await sessionAlive(jar), 'a forged POST ended the session');
    // A return URL that is not registered exactly is still refused.
    const bad = await jar.fetch(logoutUrl({ client_id: web.client_id, post_logout_redirect_uri: `${LOGOUT_URL}x` }));
    assert.equal(bad.status, 400, `unregistered post_logout_redirect_uri: ${bad.status} ${bad.location ?? ''}`);
    // The person confirms: the session ends and the browser goes back with state.
    const ok = await jar.postForm(form.action, hiddenFields(form));
    assert.ok(ok.status === 302 || ok.status === 303, `confirmed logout: ${ok.status} ${ok.text.slice(0, 200)}`);
    assert.equal(ok.location, `${LOGOUT_URL}?state=st-1`);
    assert.equal(await sessionAlive(jar), false, 'the confirmed logout ends the session');
  }));

  test("another user's id_token_hint does not end the victim's session without asking; the victim's own hint logs out at once", t_(async () => {
    const attacker = await loggedIn('logout-attacker');
    const victim = await loggedIn('logout-victim');
    const hostile = logoutUrl({ id_token_hint: attacker.tokens.id_token, post_logout_redirect_uri: LOGOUT_URL });
    const res = await victim.jar.fetch(hostile);
    res.url = hostile;
    assertConfirmPage(res, "GET /oidc/logout with the attacker's id_token_hint");
    assert.ok(await sessionAlive(victim.jar), "the attacker's id_token_hint ended the victim's session");
    const own = await victim.jar.fetch(logoutUrl({ id_token_hint: victim.tokens.id_token, post_logout_redirect_uri: LOGOUT_URL, state: 'st-2' }));
    assert.ok(own.status === 302 || own.status === 303, `own id_token_hint: ${own.status} ${own.text.slice(0, 200)}`);
    assert.equal(own.location, `${LOGOUT_URL}?state=st-2`);
    assert.equal(await sessionAlive(victim.jar), false, 'the own id_token_hint ends the session');
  }));

  test('a web_message answer carries iss (RFC 9207) like the query and fragment answers', t_(async () => {
    const user = await mgmt.createUser({ email: testEmail('web-message') });
    const first = codeRequest({ clientId: spa.client_id, redirectUri: `${SPA_ORIGIN}/callback`, scope: 'openid' });
    const { jar } = await loginOverHttp(server, { params: first.params, email: user.email, password: user.password });
    const req = codeRequest({
      clientId: spa.client_id, redirectUri: `${SPA_ORIGIN}/callback`, scope: 'openid', extra: { response_mode: 'web_message', prompt: 'none' },
    });
    const res = await jar.fetch(authorizeUrl(server, req.params));
    assert.equal(res.status, 200, `web_message: ${res.status} ${res.text.slice(0, 200)}`);
    const m = /var m=(\{.*?\});\(window/.exec(res.text);
    assert.ok(m, `no authorization_response message in ${res.text.slice(0, 400)}`);
    const msg = JSON.parse(m[1]);
    assert.equal(msg.type, 'authorization_response');
    assert.equal(typeof msg.response.code, 'string', JSON.stringify(msg));
    assert.equal(msg.response.state, req.state);
    assert.equal(msg.response.iss, server.url, `iss in the web_message response: ${JSON.stringify(msg)}`);
  }));

  test('a web_message request from an origin that is not an Allowed Web Origin gets an unframeable error page, never a postMessage to it', t_(async () => {
    const victimApp = await mgmt.createApp({
      app_type: 'spa', callbacks: [CB], web_origins: ['https://other.example.com'], grant_types: ['authorization_code'],
    });
    const req = codeRequest({ clientId: victimApp.client_id, redirectUri: CB, scope: 'openid', extra: { response_mode: 'web_message', prompt: 'none' } });
    const res = await new CookieJar().fetch(authorizeUrl(server, req.params));
    assert.equal(res.status, 400, `expected the error page, got ${res.status} ${res.text.slice(0, 300)}`);
    assert.ok(!res.text.includes('postMessage'), `the answer posts a message to ${APP}: ${res.text.slice(0, 400)}`);
    assert.equal(res.headers.get('x-frame-options'), 'DENY', 'X-Frame-Options');
    assert.match(res.headers.get('content-security-policy') ?? '', /frame-ancestors 'none'/, 'CSP frame-ancestors');
  }));

  test('a first-party application with a loopback callback is asked for consent even for an API that skips it', t_(async () => {
    const user = await mgmt.createUser({ email: testEmail('loopback') });
    const jar = new CookieJar();
    const req = codeRequest({ clientId: loopbackWeb.client_id, redirectUri: LOOPBACK_CB, audience: api.identifier, scope: 'openid read:messages' });
    const login = await openLogin(server, jar, req.params);
    const posted = await submitLogin(jar, login, { username: user.email, password: user.password });
    assert.ok(posted.status === 302 || posted.status === 303, `login POST: ${posted.status} ${posted.text.slice(0, 200)}`);
    const next = new URL(posted.location, login.form.action).href;
    assert.ok(next.startsWith(`${server.url}u/consent?state=`), `a loopback callback skipped consent: ${next}`);
    const silent = codeRequest({ clientId: loopbackWeb.client_id, redirectUri: LOOPBACK_CB, audience: api.identifier, scope: 'openid read:messages', extra: { prompt: 'none' } });
    const r = appRedirect((await jar.fetch(authorizeUrl(server, silent.params))).location);
    assert.equal(r.error, 'consent_required', `prompt=none before consent: ${r.url}`);
    // The same request from an https callback of a first-party app skips consent, as the API allows.
    const verified = codeRequest({ clientId: web.client_id, redirectUri: CB, audience: api.identifier, scope: 'openid read:messages', extra: { prompt: 'none' } });
    const v = appRedirect((await jar.fetch(authorizeUrl(server, verified.params))).location);
    assert.ok(v.code, `an https callback of a first-party app skips consent: ${v.url}`);
  }));
});
