// The browser flows of "people log in", driven over HTTP: PKCE, /authorize,
// the Universal Login form, the token endpoint's code and refresh grants,
// /userinfo, logout.  Every loop is bounded; traffic goes to 127.0.0.1 only.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';

import * as jose from 'jose';

import { CookieJar } from './cookies.mjs';
import { alertTexts, findForm, hiddenFields } from './html.mjs';
import { form, json, request } from './http.mjs';
import { remember } from './mgmt.mjs';

export const DB_CONNECTION = 'Username-Password-Authentication';
export const GOOD_PASSWORD = 'Str0ng!Passw0rd';
export const WRONG_CREDENTIALS = 'Wrong email or password.';
export const BLOCKED = 'Your account is blocked.';
const MAX_HOPS = 10;

export const b64url = (buf) => Buffer.from(buf).toString('base64url');

/** A random URL-safe string of n random bytes. */
export function randomString(n = 24) {
  return b64url(randomBytes(n));
}

/** {verifier, challenge} for PKCE S256 (RFC 7636: 43 characters of [A-Za-z0-9-_]). */
export function pkcePair() {
  const verifier = randomString(32);
  const challenge = b64url(createHash('sha256').update(verifier).digest());
  return { verifier, challenge };
}

/** {issuer}authorize?… with the params that are not undefined. */
export function authorizeUrl(server, params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null) q.append(k, String(v));
  return `${server.url}authorize?${q.toString()}`;
}

/**
 * The usual code-flow parameters for a client: S256 PKCE, state, nonce.
 * Returns {params, verifier, state, nonce}; extra overrides or adds params
 * (a value of undefined drops one).
 */
export function codeRequest({ clientId, redirectUri, scope = 'openid profile email offline_access', audience, extra = {} }) {
  const { verifier, challenge } = pkcePair();
  const state = randomString(16);
  const nonce = randomString(16);
  const params = {
    response_type: 'code',
    client_id: clientId,
    redirect_uri: redirectUri,
    scope,
    audience,
    state,
    nonce,
    code_challenge: challenge,
    code_challenge_method: 'S256',
    ...extra,
  };
  return { params, verifier, state: params.state, nonce: params.nonce };
}

/**
 * GETs url through the jar and follows redirects while they stay on
 * Tessera's origin (bounded).  Returns {res, url, location}: location is the
 * first Location that leaves Tessera (the app's redirect_uri), or null when
 * the chain ended on a page of Tessera (res is that page).
 */
export async function followOnServer(server, jar, url, init = {}) {
  let res = await jar.fetch(url, init);
  let current = url;
  for (let hop = 0; hop < MAX_HOPS; hop++) {
    if (res.status < 300 || res.status >= 400 || !res.location) return { res, url: current, location: null };
    const next = new URL(res.location, current).href;
    if (!next.startsWith(server.url)) return { res, url: current, location: next };
    current = next;
    res = await jar.fetch(current);
  }
  throw new Error(`more than ${MAX_HOPS} redirects from ${url}`);
}

/**
 * Parses a redirect to the app: {url, params, code, state, error,
 * error_description}.  params are the fragment's when there is one (the
 * response mode of ID tokens and front-channel access tokens), else the query's.
 */
export function appRedirect(location) {
  assert.ok(location, 'expected a redirect to the application');
  const u = new URL(location);
  const p = u.hash.length > 1 ? new URLSearchParams(u.hash.slice(1)) : u.searchParams;
  return {
    url: u,
    params: p,
    code: p.get('code'),
    state: p.get('state'),
    error: p.get('error'),
    error_description: p.get('error_description'),
  };
}

/**
 * Accepts the consent page at url (its GET answer is page) and returns the
 * absolute Location the answer sends the browser to.
 */
export async function acceptConsent(jar, url, page) {
  assert.equal(page.status, 200, `consent page ${url}: ${page.status} ${page.text.slice(0, 300)}`);
  const f = findForm(page.text, url, 'csrf');
  const res = await jar.postForm(f.action, { ...hiddenFields(f), decision: 'accept' });
  assert.ok(res.status === 302 || res.status === 303, `consent POST: ${res.status} ${res.text.slice(0, 300)}`);
  return new URL(res.location, f.action).href;
}

/**
 * Follows url on Tessera (followOnServer) and, when the chain ends on the
 * consent page, accepts it once: a first-party app with a loopback
 * callback (http://127.0.0.1:…) is asked for consent, as in Auth0.
 */
export async function followAcceptingConsent(server, jar, url) {
  let f = await followOnServer(server, jar, url);
  if (!f.location && f.url.startsWith(`${server.url}u/consent?state=`)) {
    const next = await acceptConsent(jar, f.url, f.res);
    f = next.startsWith(server.url) ? await followOnServer(server, jar, next) : { res: f.res, url: f.url, location: next };
  }
  return f;
}

/**
 * GET /authorize through the jar, expecting the login page.  params: the
 * /authorize parameters, or a whole /authorize URL.
 * Returns {authorizeRes, loginUrl, page, form, hidden} where page is the
 * login page response and form its POST form with a username input.
 */
export async function openLogin(server, jar, params, { page = 'login' } = {}) {
  const url = typeof params === 'string' ? params : authorizeUrl(server, params);
  const authorizeRes = await jar.fetch(url);
  assert.ok(
    authorizeRes.status === 302 || authorizeRes.status === 303,
    `GET /authorize without a session: expected 302 to the ${page} page, got ${authorizeRes.status} ${authorizeRes.text.slice(0, 300)}`,
  );
  const loginUrl = new URL(authorizeRes.location, url).href;
  assert.ok(
    loginUrl.startsWith(`${server.url}u/${page}?state=`),
    `GET /authorize should redirect to ${server.url}u/${page}?state=…, got ${loginUrl}`,
  );
  assert.ok(jar.has('tsr_tx'), `GET /authorize should set the tsr_tx cookie (Set-Cookie: ${[...jar.lastSet.keys()]})`);
  const res = await jar.fetch(loginUrl);
  assert.equal(res.status, 200, `GET ${loginUrl}: ${res.status} ${res.text.slice(0, 300)}`);
  const inputName = { login: 'username', signup: 'email' }[page];
  const f = findForm(res.text, loginUrl, inputName);
  return { authorizeRes, loginUrl, page: res, form: f, hidden: hiddenFields(f) };
}

/**
 * POSTs the login form: every hidden field of the page plus username and
 * password.  fields overrides or adds (undefined drops a field).
 */
export function submitLogin(jar, login, { username, password, fields = {} } = {}) {
  const body = { ...login.hidden, username, password, ...fields };
  for (const [k, v] of Object.entries(body)) if (v === undefined) delete body[k];
  return jar.postForm(login.form.action, body);
}

/**
 * The whole browser login over HTTP: /authorize -> login page -> POST ->
 * (the consent page, accepted, when asked) -> the redirect back to the app.  Returns {jar, login, postRes, redirect}
 * where redirect = appRedirect(...) of the final Location.
 */
export async function loginOverHttp(server, { params, email, password, jar = new CookieJar() }) {
  const login = await openLogin(server, jar, params);
  const postRes = await submitLogin(jar, login, { username: email, password });
  assert.ok(
    postRes.status === 302 || postRes.status === 303,
    `POST ${login.form.action} with good credentials: expected 302/303, got ${postRes.status} ` +
      `${alertTexts(postRes.text).join(' | ') || postRes.text.slice(0, 300)}`,
  );
  let location = new URL(postRes.location, login.form.action).href;
  if (location.startsWith(server.url)) {
    const f = await followAcceptingConsent(server, jar, location);
    assert.ok(f.location, `after the login POST the chain ended on ${f.url} (${f.res.status}) instead of the app`);
    location = f.location;
  }
  const redirect = appRedirect(location);
  assert.ok(redirect.code || redirect.params.has('id_token') || redirect.params.has('access_token'),
    `the redirect after login should carry a code or tokens: ${location}`);
  return { jar, login, postRes, redirect };
}

/** GET /authorize with an existing session (jar), expecting an answer at once. Returns appRedirect(...) plus res. */
export async function authorizeSilently(server, jar, params) {
  const f = await followOnServer(server, jar, authorizeUrl(server, params));
  assert.ok(
    f.location,
    `GET /authorize should answer the app at once, ended on ${f.url} with ${f.res.status} ${f.res.text.slice(0, 300)}`,
  );
  return { ...appRedirect(f.location), res: f.res };
}

/** POST /oauth/token grant_type=authorization_code (form; json:true sends JSON). */
export function codeGrant(server, { clientId, clientSecret, code, redirectUri, verifier, extra = {}, asJson = false, headers = {} }) {
  const body = {
    grant_type: 'authorization_code',
    client_id: clientId,
    client_secret: clientSecret,
    code,
    redirect_uri: redirectUri,
    code_verifier: verifier,
    ...extra,
  };
  return tokenRequest(server, body, { asJson, headers });
}

/** POST /oauth/token grant_type=refresh_token. */
export function refreshGrant(server, { clientId, clientSecret, refreshToken, scope, extra = {}, asJson = false }) {
  const body = {
    grant_type: 'refresh_token',
    client_id: clientId,
    client_secret: clientSecret,
    refresh_token: refreshToken,
    scope,
    ...extra,
  };
  return tokenRequest(server, body, { asJson });
}

async function tokenRequest(server, body, { asJson, headers }) {
  for (const [k, v] of Object.entries(body)) if (v === undefined || v === null) delete body[k];
  const url = `${server.url}oauth/token`;
  const res = asJson ? await json(url, 'POST', body, undefined, headers) : await form(url, body, headers);
  if (res.body && typeof res.body === 'object') {
    remember(res.body.access_token, res.body.refresh_token, res.body.id_token);
  }
  return res;
}

/** Asserts a 200 token response and returns its body. */
export function assertTokens(res, what = 'token response') {
  assert.equal(res.status, 200, `${what}: expected 200, got ${res.status} ${res.text}`);
  assert.equal(typeof res.body?.access_token, 'string', `${what}: access_token missing: ${res.text}`);
  assert.equal(res.body.token_type, 'Bearer', `${what}: token_type`);
  return res.body;
}

/** invalid_grant with status 400 (RFC 6749 section 5.2), and the exact description when given. */
export function assertInvalidGrant(res, description = undefined, what = '') {
  const ctx = `${what ? `${what}: ` : ''}${res.status} ${res.text}`;
  assert.equal(res.status, 400, `expected HTTP 400 with invalid_grant (${ctx})`);
  assert.equal(res.body?.error, 'invalid_grant', `error (${ctx})`);
  assert.equal(typeof res.body.error_description, 'string', `error_description (${ctx})`);
  if (description !== undefined) assert.equal(res.body.error_description, description, `error_description (${ctx})`);
  return res.body;
}

/** GET /userinfo with a Bearer token. */
export function userinfo(server, token, headers = {}) {
  return request(`${server.url}userinfo`, {
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
  });
}

/** True when the token has the shape of a compact JWS (three base64url parts). */
export function isJwt(token) {
  return /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.test(token ?? '');
}

const jwksCache = new Map();
/** Verifies a JWT (RS256) against the server's JWKS and iss; returns {payload, protectedHeader}. */
export async function verifyJwt(server, token, options = {}) {
  let jwks = jwksCache.get(server.url);
  if (!jwks) {
    jwks = jose.createRemoteJWKSet(new URL(`${server.url}.well-known/jwks.json`), { timeoutDuration: 10_000 });
    jwksCache.set(server.url, jwks);
  }
  return jose.jwtVerify(token, jwks, { issuer: server.url, algorithms: ['RS256'], ...options });
}

/**
 * Verifies an ID token and asserts the claims every ID token carries.
 * expect: {clientId, sub, nonce (string | null for "absent")}.
 */
export async function assertIdToken(server, idToken, { clientId, sub, nonce } = {}) {
  assert.ok(isJwt(idToken), `id_token should be a JWS: ${idToken}`);
  const { payload, protectedHeader } = await verifyJwt(server, idToken, { audience: clientId });
  assert.equal(protectedHeader.alg, 'RS256', 'id_token alg');
  assert.equal(typeof protectedHeader.kid, 'string', 'id_token kid');
  assert.equal(payload.iss, server.url, 'id_token iss');
  const aud = Array.isArray(payload.aud) ? payload.aud : [payload.aud];
  assert.ok(aud.includes(clientId), `id_token aud ${JSON.stringify(payload.aud)} should hold ${clientId}`);
  if (Array.isArray(payload.aud) && payload.aud.length > 1) assert.equal(payload.azp, clientId, 'azp with several audiences');
  if (payload.azp !== undefined) assert.equal(payload.azp, clientId, 'id_token azp');
  if (sub !== undefined) assert.equal(payload.sub, sub, 'id_token sub');
  for (const c of ['iat', 'exp', 'auth_time']) assert.equal(typeof payload[c], 'number', `id_token ${c}: ${JSON.stringify(payload)}`);
  assert.ok(payload.exp > payload.iat, 'id_token exp > iat');
  assert.ok(Math.abs(payload.iat - Date.now() / 1000) < 300, 'id_token iat within 5 minutes of now');
  assert.ok(payload.auth_time <= payload.iat + 1, 'auth_time not after iat');
  assert.equal(typeof payload.sid, 'string', `id_token sid: ${JSON.stringify(payload)}`);
  if (nonce === null) assert.equal(payload.nonce, undefined, 'id_token must not carry a nonce here');
  else if (nonce !== undefined) assert.equal(payload.nonce, nonce, 'id_token nonce is the one sent to /authorize');
  return payload;
}

/** GET /v2/logout through the jar (no redirect followed). */
export function logoutV2(server, jar, { clientId, returnTo }) {
  const q = new URLSearchParams();
  if (clientId) q.set('client_id', clientId);
  if (returnTo) q.set('returnTo', returnTo);
  return jar.fetch(`${server.url}v2/logout?${q.toString()}`);
}

/** A unique e-mail address for a test user. */
export function testEmail(tag = 'user') {
  return `${tag}.${Date.now().toString(36)}.${randomBytes(3).toString('hex')}@example.com`;
}
