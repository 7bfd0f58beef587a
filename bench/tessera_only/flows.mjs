// The requests of the Tessera-only measurements: the applications a run
// needs (through the Management API), a password login through the
// Universal Login form, and the password-realm grant.  Plain fetch, no
// redirects followed, traffic to 127.0.0.1 only.
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';

export const REALM = 'http://auth0.com/oauth/grant-type/password-realm';
export const CONNECTION = 'Username-Password-Authentication';
// The password tessera-seed-users gives every seeded user (seed_users.c).
export const PASSWORD = 'Bench!Passw0rd';
// Never contacted: the login ends at the redirect to it.  Not a loopback
// address, so the first-party app is not asked for consent (as in Auth0).
const CALLBACK = 'https://app.bench.tessera.test/callback';
const TIMEOUT_MS = 60_000;

/** The email of seeded user i (seed_users.c). */
export const seededEmail = (i) => `user${String(i).padStart(9, '0')}@bench.tessera.test`;

const b64url = (b) => Buffer.from(b).toString('base64url');

async function call(url, init = {}) {
  const res = await fetch(url, { redirect: 'manual', signal: AbortSignal.timeout(TIMEOUT_MS), ...init });
  const text = await res.text();
  return { status: res.status, headers: res.headers, text };
}

function formPost(url, fields, headers = {}) {
  return call(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(fields).toString(),
  });
}

/**
 * Creates, on a running server, the two applications the logins use: a
 * single-page app (public, code + PKCE) and a regular web app allowed the
 * password-realm grant.  Returns {spa: {client_id}, web: {client_id, client_secret}}.
 */
export async function createApps(server) {
  const boot = JSON.parse(readFileSync(path.join(server.dataDir, 'bootstrap-client.json'), 'utf8'));
  const tok = await formPost(`${server.url}oauth/token`, {
    grant_type: 'client_credentials',
    client_id: boot.client_id,
    client_secret: boot.client_secret,
    audience: `${server.url}api/v2/`,
  });
  if (tok.status !== 200) throw new Error(`management token: ${tok.status} ${tok.text}`);
  const auth = { authorization: `Bearer ${JSON.parse(tok.text).access_token}`, 'content-type': 'application/json' };
  const create = async (body) => {
    const res = await call(`${server.url}api/v2/clients`, { method: 'POST', headers: auth, body: JSON.stringify(body) });
    if (res.status !== 201) throw new Error(`POST /api/v2/clients: ${res.status} ${res.text}`);
    return JSON.parse(res.text);
  };
  const spa = await create({
    name: 'Bench SPA',
    app_type: 'spa',
    callbacks: [CALLBACK],
    grant_types: ['authorization_code', 'refresh_token'],
  });
  const web = await create({
    name: 'Bench web app',
    app_type: 'regular_web',
    callbacks: [CALLBACK],
    grant_types: ['authorization_code', 'refresh_token', REALM],
    token_endpoint_auth_method: 'client_secret_post',
  });
  return { spa: { client_id: spa.client_id }, web: { client_id: web.client_id, client_secret: web.client_secret } };
}

function cookiesOf(headers, jar) {
  for (const line of headers.getSetCookie()) {
    const pair = line.split(';')[0];
    const eq = pair.indexOf('=');
    if (eq > 0) jar.set(pair.slice(0, eq).trim(), pair.slice(eq + 1).trim());
  }
  return [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
}

const decode = (s) =>
  s.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|amp|lt|gt|quot|apos);/g, (m, r) =>
    r[0] === '#'
      ? String.fromCodePoint(r[1] === 'x' ? parseInt(r.slice(2), 16) : parseInt(r.slice(1), 10))
      : { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" }[r]);

/** The login form of a page: {action, hidden: {name: value}}; throws when there is none. */
function loginForm(html, pageUrl) {
  for (const m of html.matchAll(/<form\b([^>]*)>([\s\S]*?)<\/form>/gi)) {
    if (!/method\s*=\s*["']?post/i.test(m[1]) || !/name\s*=\s*["']?username\b/i.test(m[2])) continue;
    const action = decode((/action\s*=\s*"([^"]*)"/i.exec(m[1]) ?? [])[1] ?? '');
    const hidden = {};
    for (const t of m[2].match(/<input\b[^>]*>/gi) ?? []) {
      if (!/type\s*=\s*["']?hidden/i.test(t)) continue;
      const name = (/name\s*=\s*"([^"]*)"/i.exec(t) ?? [])[1];
      if (name) hidden[decode(name)] = decode((/value\s*=\s*"([^"]*)"/i.exec(t) ?? [])[1] ?? '');
    }
    return { action: new URL(action, pageUrl).href, hidden };
  }
  throw new Error(`no login form on ${pageUrl}: ${html.slice(0, 300)}`);
}

/**
 * One person logging in through the Universal Login form, as a browser
 * does: GET /authorize (code + PKCE S256) -> its redirect to the login page
 * -> GET the page -> POST the form with its hidden fields -> the redirect
 * back to the app with a code.  Throws unless it ends there.
 */
export async function formLogin(server, spa, email, password = PASSWORD) {
  const jar = new Map();
  const verifier = b64url(randomBytes(32));
  const q = new URLSearchParams({
    response_type: 'code',
    client_id: spa.client_id,
    redirect_uri: CALLBACK,
    scope: 'openid profile email',
    state: b64url(randomBytes(12)),
    nonce: b64url(randomBytes(12)),
    code_challenge: b64url(createHash('sha256').update(verifier).digest()),
    code_challenge_method: 'S256',
  });
  const authz = await call(`${server.url}authorize?${q}`);
  const loginUrl = new URL(authz.headers.get('location') ?? '', server.url).href;
  if (authz.status !== 302 || !loginUrl.startsWith(`${server.url}u/login`))
    throw new Error(`GET /authorize: ${authz.status} ${loginUrl}`);
  let cookie = cookiesOf(authz.headers, jar);
  const page = await call(loginUrl, { headers: { cookie } });
  if (page.status !== 200) throw new Error(`GET ${loginUrl}: ${page.status}`);
  cookie = cookiesOf(page.headers, jar);
  const f = loginForm(page.text, loginUrl);
  const post = await formPost(f.action, { ...f.hidden, username: email, password }, { cookie });
  const back = post.headers.get('location') ?? '';
  if ((post.status !== 302 && post.status !== 303) || !back.startsWith(`${CALLBACK}?`) || !new URL(back).searchParams.get('code'))
    throw new Error(`POST ${f.action}: ${post.status} ${back || post.text.slice(0, 300)}`);
}

/** One password-realm grant (Auth0's Resource Owner Password with a realm); throws unless 200 with tokens. */
export async function realmLogin(server, web, email, password = PASSWORD) {
  const res = await formPost(`${server.url}oauth/token`, {
    grant_type: REALM,
    client_id: web.client_id,
    client_secret: web.client_secret,
    username: email,
    password,
    realm: CONNECTION,
    scope: 'openid',
  });
  if (res.status !== 200 || !JSON.parse(res.text).access_token)
    throw new Error(`password-realm grant: ${res.status} ${res.text.slice(0, 300)}`);
}
