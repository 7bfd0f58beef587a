// The records read on every token request (clients, APIs, client grants,
// CORS origins) come from the tenant snapshot, not SQL: each Management API
// write must show in the very next request on the node that took it, with
// no waiting, and on a second node sharing the data directory after its
// once-a-second check (polled a bounded number of times, never timed).
// A reload that fails after a write fails closed: 503 until one succeeds.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { after, before, test } from 'node:test';

import { sleep, startTessera, withLogs } from './lib/server.mjs';
import { authorizeUrl, codeRequest } from './lib/authflow.mjs';
import { request, tokenBasic, tokenPost } from './lib/http.mjs';
import { Mgmt, uid } from './lib/mgmt.mjs';
import { queryRows } from './lib/db.mjs';

let server;
let second; // another process on the same data directory
let mgmt;
const t_ = (fn) => withLogs(() => server, fn);

before(async () => {
  server = await startTessera();
  mgmt = await Mgmt.forBootstrap(server);
  second = await startTessera({ dataDir: server.dataDir });
});

after(async () => {
  if (second) assert.equal(await second.stop(), 0, 'the second tessera should exit 0 on SIGTERM');
  if (server) assert.equal(await server.stop(), 0, 'tessera should exit 0 on SIGTERM');
});

function token(srv, fx, extra = {}) {
  return tokenPost(srv, {
    clientId: fx.client.client_id,
    clientSecret: fx.client.client_secret,
    audience: fx.api.identifier,
    ...extra,
  });
}

/** The payload of a JWT (not verified: the suites about signatures do that). */
function claims(jwt) {
  return JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString('utf8'));
}

/**
 * Polls fn until it returns true: at most 150 tries 100 ms apart.  The
 * second node compares generations once a second; the margin is for slow
 * (sanitizer) builds on a loaded machine, not a speed assertion.
 */
async function eventually(fn, what, who = 'the second node') {
  for (let i = 0; i < 150; i++) {
    if (await fn()) return;
    await sleep(100);
  }
  assert.fail(`${who} never saw: ${what}`);
}

/**
 * A write straight into the servers' database (test-made literals only):
 * without the checkpoint on close, for the reason lib/db.mjs gives.
 */
function dbWrite(sql) {
  execFileSync('sqlite3', [
    '-cmd', '.timeout 5000',
    '-cmd', '.output /dev/null',
    '-cmd', '.dbconfig no_ckpt_on_close on',
    '-cmd', '.output stdout',
    server.dbPath,
    sql,
  ], { encoding: 'utf8', timeout: 15_000 });
}

test('a new client, API and grant work in the next request', t_(async () => {
  const fx = await mgmt.m2m();
  const res = await token(server, fx);
  assert.equal(res.status, 200, res.text);
  assert.equal(claims(res.body.access_token).aud, fx.api.identifier);
}));

test('a rotated secret is refused at once, the new one works', t_(async () => {
  const fx = await mgmt.m2m();
  assert.equal((await token(server, fx)).status, 200);
  const rot = await mgmt.post(`/clients/${fx.client.client_id}/rotate-secret`);
  assert.equal(rot.status, 200, rot.text);
  const old = await token(server, fx);
  assert.equal(old.status, 401, old.text);
  assert.equal(old.body.error, 'invalid_client');
  const fresh = await token(server, { ...fx, client: { ...fx.client, client_secret: rot.body.client_secret } });
  assert.equal(fresh.status, 200, fresh.text);
}));

test('a deleted client is refused at once', t_(async () => {
  const fx = await mgmt.m2m();
  assert.equal((await token(server, fx)).status, 200);
  assert.equal((await mgmt.del(`/clients/${fx.client.client_id}`)).status, 204);
  const res = await token(server, fx);
  assert.equal(res.status, 401, res.text);
  assert.equal(res.body.error, 'invalid_client');
}));

test('a deleted grant answers access_denied at once', t_(async () => {
  const fx = await mgmt.m2m();
  assert.equal((await token(server, fx)).status, 200);
  assert.equal((await mgmt.del(`/client-grants/${fx.grant.id}`)).status, 204);
  const res = await token(server, fx);
  assert.equal(res.status, 403, res.text);
  assert.equal(res.body.error, 'access_denied');
}));

test('changed grant scopes are the next token\'s scopes', t_(async () => {
  const fx = await mgmt.m2m({ grantScope: ['read:x', 'write:x'] });
  assert.equal((await token(server, fx)).body.scope, 'read:x write:x');
  const upd = await mgmt.patch(`/client-grants/${fx.grant.id}`, { scope: ['read:x'] });
  assert.equal(upd.status, 200, upd.text);
  const res = await token(server, fx);
  assert.equal(res.status, 200, res.text);
  assert.equal(res.body.scope, 'read:x');
}));

test('a changed API token_lifetime is the next token\'s lifetime', t_(async () => {
  const fx = await mgmt.m2m({ api: { token_lifetime: 3600 } });
  const before_ = await token(server, fx);
  assert.equal(before_.body.expires_in, 3600);
  const upd = await mgmt.patch(`/resource-servers/${fx.api.id}`, { token_lifetime: 600 });
  assert.equal(upd.status, 200, upd.text);
  const res = await token(server, fx);
  assert.equal(res.status, 200, res.text);
  assert.equal(res.body.expires_in, 600);
  const c = claims(res.body.access_token);
  assert.equal(c.exp - c.iat, 600);
}));

test('a deleted API is an unknown service at once', t_(async () => {
  const fx = await mgmt.m2m();
  assert.equal((await mgmt.del(`/resource-servers/${fx.api.id}`)).status, 204);
  const res = await token(server, fx);
  assert.equal(res.status, 403, res.text);
  assert.match(res.body.error_description, /Service not found/);
}));

test('grant_types without client_credentials answer unauthorized_client at once', t_(async () => {
  const fx = await mgmt.m2m();
  const upd = await mgmt.patch(`/clients/${fx.client.client_id}`, { grant_types: ['refresh_token'] });
  assert.equal(upd.status, 200, upd.text);
  const res = await token(server, fx);
  assert.equal(res.status, 400, res.text);
  assert.equal(res.body.error, 'unauthorized_client');
}));

test('a changed token_endpoint_auth_method decides the next request', t_(async () => {
  const fx = await mgmt.m2m();
  const upd = await mgmt.patch(`/clients/${fx.client.client_id}`, { token_endpoint_auth_method: 'client_secret_basic' });
  assert.equal(upd.status, 200, upd.text);
  assert.equal((await token(server, fx)).status, 401);
  const basic = await tokenBasic(server, {
    clientId: fx.client.client_id,
    clientSecret: fx.client.client_secret,
    audience: fx.api.identifier,
  });
  assert.equal(basic.status, 200, basic.text);
}));

test('changed web origins change the CORS answer at once', t_(async () => {
  const origin = `https://${uid('spa')}.example.com`;
  const preflight = () =>
    request(`${server.url}oauth/token`, {
      method: 'OPTIONS',
      headers: { origin, 'access-control-request-method': 'POST' },
    });
  assert.equal((await preflight()).status, 403);
  const app = await mgmt.createSpa(origin);
  const ok = await preflight();
  assert.equal(ok.status, 204, ok.text);
  assert.equal(ok.headers.get('access-control-allow-origin'), origin);
  // The origin in another case is the same origin.
  const upper = await request(`${server.url}oauth/token`, {
    method: 'OPTIONS',
    headers: { origin: origin.toUpperCase().replace('HTTPS', 'https'), 'access-control-request-method': 'POST' },
  });
  assert.equal(upper.status, 204, upper.text);
  const upd = await mgmt.patch(`/clients/${app.client_id}`, { web_origins: [], allowed_origins: [] });
  assert.equal(upd.status, 200, upd.text);
  assert.equal((await preflight()).status, 403);
  const again = await mgmt.patch(`/clients/${app.client_id}`, { web_origins: [origin] });
  assert.equal(again.status, 200, again.text);
  assert.equal((await preflight()).status, 204);
  assert.equal((await mgmt.del(`/clients/${app.client_id}`)).status, 204);
  assert.equal((await preflight()).status, 403);
}));

/** GET /authorize without following: {status, location}. */
async function authorize(params) {
  const res = await request(authorizeUrl(server, params), { redirect: 'manual' });
  return { status: res.status, location: res.headers.get('location') ?? '', text: res.text };
}

test('/authorize follows callbacks, audiences and deleted clients at once', t_(async () => {
  const origin = `https://app-${uid()}.example.com`;
  const spa = await mgmt.createSpa(origin);
  const api = await mgmt.createUserApi();
  const ask = () => authorize(codeRequest({ clientId: spa.client_id, redirectUri: `${origin}/callback`, audience: api.identifier }).params);

  let r = await ask();
  assert.equal(r.status, 302, r.text);
  assert.match(r.location, /\/u\/login\?/, 'a known client and API go to the login page');

  // The callback leaves the list: the next /authorize refuses the redirect_uri (an error page, no redirect).
  assert.equal((await mgmt.patch(`/clients/${spa.client_id}`, { callbacks: [`${origin}/other`] })).status, 200);
  r = await ask();
  assert.equal(r.status, 400, r.text);
  assert.equal(r.location, '');
  assert.match(r.text, /[Cc]allback URL mismatch|redirect_uri/);

  // Back in the list, and the API deleted: access_denied to the callback.
  assert.equal((await mgmt.patch(`/clients/${spa.client_id}`, { callbacks: [`${origin}/callback`] })).status, 200);
  assert.equal((await mgmt.del(`/resource-servers/${api.id}`)).status, 204);
  r = await ask();
  assert.equal(r.status, 302, r.text);
  const back = new URL(r.location);
  assert.equal(back.origin + back.pathname, `${origin}/callback`);
  assert.equal(back.searchParams.get('error'), 'access_denied');
  assert.match(back.searchParams.get('error_description'), /Service not found/);

  // The client deleted: an error page, never a redirect.
  assert.equal((await mgmt.del(`/clients/${spa.client_id}`)).status, 204);
  r = await ask();
  assert.equal(r.status, 400, r.text);
  assert.equal(r.location, '');
}));

test('a second node on the same data directory follows within its bounded poll', t_(async () => {
  const fx = await mgmt.m2m();
  await eventually(async () => (await token(second, fx)).status === 200, 'the new client');
  const rot = await mgmt.post(`/clients/${fx.client.client_id}/rotate-secret`);
  assert.equal(rot.status, 200, rot.text);
  await eventually(async () => (await token(second, fx)).status === 401, 'the rotated secret');
  const fresh = { ...fx, client: { ...fx.client, client_secret: rot.body.client_secret } };
  assert.equal((await token(second, fresh)).status, 200);
  assert.equal((await mgmt.del(`/client-grants/${fx.grant.id}`)).status, 204);
  await eventually(async () => (await token(second, fresh)).status === 403, 'the deleted grant');
  assert.equal((await mgmt.del(`/clients/${fx.client.client_id}`)).status, 204);
  await eventually(async () => (await token(second, fresh)).status === 401, 'the deleted client');
}));

test('a reload that keeps failing answers 503, never the revoked grant, until one succeeds', t_(async () => {
  const fx = await mgmt.m2m();
  assert.equal((await token(server, fx)).status, 200);
  await eventually(async () => (await token(second, fx)).status === 200, 'the new client');
  const [[tenantId]] = queryRows(server.dbPath, 'SELECT id FROM tenants WHERE is_default = 1');
  // A stored limit that does not parse fails every reload (the Management API never stores one).
  dbWrite(`INSERT INTO tenant_limits (tenant_id, name, value) VALUES ('${tenantId}', 'rate-limit-login-per-ip', 'lots')`);
  try {
    assert.equal((await mgmt.del(`/client-grants/${fx.grant.id}`)).status, 204);
    for (let i = 0; i < 3; i++) {
      const res = await token(server, fx);
      assert.equal(res.status, 503, res.text);
      assert.equal(res.body.error, 'temporarily_unavailable');
      assert.equal(res.headers.get('retry-after'), '1');
    }
    // CORS, /authorize, the JWKS (a revoked key must leave it) and the Management API (its
    // tokens are checked against those keys) need the catalog too; discovery and /healthz do not.
    const pre = await request(`${server.url}oauth/token`, {
      method: 'OPTIONS',
      headers: { origin: 'https://x.example.com', 'access-control-request-method': 'POST' },
    });
    assert.equal(pre.status, 503, pre.text);
    const az = await authorize(codeRequest({ clientId: fx.client.client_id, redirectUri: 'https://x.example.com/cb' }).params);
    assert.equal(az.status, 503, az.text);
    assert.equal(az.location, '');
    assert.equal((await request(`${server.url}.well-known/openid-configuration`)).status, 200);
    const jwks = await request(`${server.url}.well-known/jwks.json`);
    assert.equal(jwks.status, 503, jwks.text);
    assert.equal(jwks.body.error, 'temporarily_unavailable');
    assert.equal((await request(`${server.url}healthz`)).status, 200);
    const list = await mgmt.get(`/clients/${fx.client.client_id}`);
    assert.equal(list.status, 503, list.text);
    assert.equal(list.body.statusCode, 503);
    assert.equal(list.body.errorCode, 'temporarily_unavailable');
    // The second node learns of the write by its poll, cannot reload either, and fails closed.
    await eventually(async () => {
      const res = await token(second, fx);
      assert.ok(res.status === 200 || res.status === 503, `second node: ${res.status} ${res.text}`);
      return res.status === 503;
    }, 'the failed reload');
  } finally {
    dbWrite("DELETE FROM tenant_limits WHERE name = 'rate-limit-login-per-ip' AND value = 'lots'");
  }
  // Repaired: a request's retry (or the poll) reloads, and the deleted grant is refused.
  for (const [srv, who] of [[server, 'the first node'], [second, 'the second node']]) {
    await eventually(async () => {
      const res = await token(srv, fx);
      assert.ok(res.status === 503 || res.status === 403, `${who}: ${res.status} ${res.text}`);
      return res.status === 403;
    }, 'the repaired database', who);
    assert.equal((await token(srv, fx)).body.error, 'access_denied');
  }
}));
