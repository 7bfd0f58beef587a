// Two tenants on one server: the default at http://127.0.0.1:PORT/ and
// "dev" at the path prefix http://127.0.0.1:PORT/dev/, created with
// `tessera tenants create` while the server runs.  Whatever one tenant
// issued (access token, ID token, code, refresh token, session and login
// cookies, client credentials, Management token, ticket) is refused by the
// other in the documented error shape, the Management API of one never
// lists the other's records, and each JWKS holds only its own keys.
// A third tenant at http://localhost:PORT/ is found by the Host header on
// the same address. `tessera tenants delete` removes every record of a tenant.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';

import { runCli } from './lib/cli.mjs';
import { CookieJar } from './lib/cookies.mjs';
import { countWhere, queryRows } from './lib/db.mjs';
import { form, json, rawRequest, request } from './lib/http.mjs';
import { Mgmt, assertMgmtError, assertOAuthError, remember } from './lib/mgmt.mjs';
import {
  authorizeUrl,
  codeGrant,
  codeRequest,
  followOnServer,
  loginOverHttp,
  openLogin,
  refreshGrant,
  submitLogin,
  testEmail,
  userinfo,
} from './lib/authflow.mjs';
import { sleep, startTessera, withLogs } from './lib/server.mjs';
import { waitForIssuer } from './lib/tenants.mjs';

const CALLBACK = 'http://127.0.0.1:9/callback'; // never fetched: the test reads the Location
const SCOPE = 'openid profile email offline_access read:messages';
const POLL_TRIES = 100; // the Host-header tenant's wait
const POLL_MS = 100;

let server;
let devTenantId; // from tenants create --json
const tenants = {}; // a: default, b: dev; each {srv, mgmt, api, web, m2m, user, role, login}
const t_ = (fn) => withLogs(() => server, fn);

const cli = (args) => runCli([...args, '--data-dir', server.dataDir]);

/** A tenant's fixtures: a web app and API for people, an M2M client with a grant, a user, a role. */
async function fixtures(srv, email) {
  const mgmt = await Mgmt.forBootstrap(srv);
  const api = await mgmt.createUserApi();
  const web = await mgmt.createWebApp(CALLBACK);
  const m2m = await mgmt.m2m();
  const user = await mgmt.createUser({ email });
  const role = await mgmt.post('/roles', { name: `role-${path.basename(new URL(srv.url).pathname) || 'root'}-${Date.now()}` });
  assert.equal(role.status, 200, `POST /roles: ${role.status} ${role.text}`);
  const req = codeRequest({ clientId: web.client_id, redirectUri: CALLBACK, scope: SCOPE, audience: api.identifier });
  const login = await loginOverHttp(srv, { params: req.params, email: user.email, password: user.password });
  const res = await codeGrant(srv, {
    clientId: web.client_id,
    clientSecret: web.client_secret,
    code: login.redirect.code,
    redirectUri: CALLBACK,
    verifier: req.verifier,
  });
  assert.equal(res.status, 200, `code grant: ${res.status} ${res.text}`);
  return { srv, mgmt, api, web, m2m, user, role: role.body, jar: login.jar, tokens: res.body };
}

before(async () => {
  server = await startTessera();
  const created = await cli(['tenants', 'create', '--issuer', `${server.url}dev/`, '--name', 'dev', '--json']);
  assert.equal(created.code, 0, `tenants create: ${created.stderr}`);
  const creds = JSON.parse(created.stdout);
  remember(creds.client_secret);
  devTenantId = creds.tenant_id;
  assert.equal(creds.tenant_name, 'dev');
  assert.equal(creds.issuer, `${server.url}dev/`);
  assert.equal(creds.audience, `${server.url}dev/api/v2/`);
  const file = JSON.parse(readFileSync(path.join(server.dataDir, 'bootstrap-client-dev.json'), 'utf8'));
  assert.deepEqual(Object.keys(file), ['client_id', 'client_secret', 'issuer', 'audience', 'token_endpoint'],
    'the file has the shape of bootstrap-client.json');
  assert.equal(file.client_secret, creds.client_secret);
  assert.equal((statSync(path.join(server.dataDir, 'bootstrap-client-dev.json')).mode & 0o777), 0o600);
  await waitForIssuer(`${server.url}dev/`, true);
  const email = testEmail('both'); // the same address in both tenants: two separate people
  tenants.a = await fixtures(server, email);
  tenants.b = await fixtures({ ...server, url: `${server.url}dev/`, bootstrap: creds }, email);
});

after(async () => {
  if (server) assert.equal(await server.stop(), 0, 'tessera should exit 0 on SIGTERM');
});

const pairs = () => [
  [tenants.a, tenants.b, 'default -> dev'],
  [tenants.b, tenants.a, 'dev -> default'],
];

test('tenants list shows both; create refuses a taken issuer or name; the default is never deleted', t_(async () => {
  const list = await cli(['tenants', 'list', '--json']);
  assert.equal(list.code, 0, list.stderr);
  const rows = JSON.parse(list.stdout);
  assert.deepEqual(rows.map((r) => [r.name, r.issuer, r.default]), [
    ['default', server.url, true],
    ['dev', `${server.url}dev/`, false],
  ]);
  const again = await cli(['tenants', 'create', '--issuer', `${server.url}dev/`, '--name', 'dev2']);
  assert.equal(again.code, 1, `a taken issuer: ${again.stderr}`);
  const named = await cli(['tenants', 'create', '--issuer', `${server.url}dev2/`, '--name', 'dev']);
  assert.equal(named.code, 1, `a taken name: ${named.stderr}`);
  const route = await cli(['tenants', 'create', '--issuer', `${server.url}oauth/`, '--name', 'x']);
  assert.equal(route.code, 2, `a prefix over a route: ${route.stderr}`);
  const noForce = await cli(['tenants', 'delete', 'dev']);
  assert.equal(noForce.code, 2, `delete without --force: ${noForce.stderr}`);
  const def = await cli(['tenants', 'delete', 'default', '--force']);
  assert.equal(def.code, 1, `the default tenant: ${def.stderr}`);
  assert.ok(!existsSync(path.join(server.dataDir, 'bootstrap-client-dev2.json')), 'no file for a refused tenant');
}));

test('each JWKS lists only its own keys, and each discovery document its own issuer', t_(async () => {
  const kids = {};
  for (const [k, x] of Object.entries(tenants)) {
    const jwks = await request(`${x.srv.url}.well-known/jwks.json`);
    assert.equal(jwks.status, 200);
    kids[k] = new Set(jwks.body.keys.map((key) => key.kid));
    assert.ok(kids[k].size > 0, `${x.srv.url} has keys`);
    const disc = await request(`${x.srv.url}.well-known/openid-configuration`);
    assert.equal(disc.body.issuer, x.srv.url);
    assert.equal(disc.body.token_endpoint, `${x.srv.url}oauth/token`);
  }
  for (const kid of kids.a) assert.ok(!kids.b.has(kid), `kid ${kid} in both JWKS`);
}));

// Before any cross-tenant attempt: afterwards a tenant's log rightly records
// the failed attempts, with the client_id the caller presented.
test("the Management API of one tenant never lists the other's records", t_(async () => {
  const lists = ['/clients', '/resource-servers', '/client-grants', '/users', '/connections', '/roles', '/logs', '/keys/signing'];
  const ids = (x) => [
    x.api.id, x.api.identifier, x.web.client_id, x.m2m.client.client_id, x.m2m.api.identifier, x.m2m.grant.id,
    x.user.user_id, x.role.id, x.srv.bootstrap.client_id,
  ];
  for (const [from, to, what] of pairs()) {
    const foreign = ids(to);
    for (const p of lists) {
      const res = await from.mgmt.get(p);
      assert.equal(res.status, 200, `${what}: GET ${p}: ${res.status} ${res.text}`);
      for (const id of foreign) assert.ok(!res.text.includes(id), `${what}: GET ${p} shows ${id} of the other tenant`);
    }
    const conns = await from.mgmt.get('/connections');
    assert.equal(conns.body.length, 1, `${what}: one connection per tenant`);
    for (const [p, id] of [['/clients/', to.web.client_id], ['/users/', to.user.user_id], ['/roles/', to.role.id], ['/client-grants/', to.m2m.grant.id], ['/resource-servers/', to.api.id]]) {
      const res = await from.mgmt.get(`${p}${encodeURIComponent(id)}`);
      assert.ok(res.status === 404 || res.status === 400, `${what}: GET ${p}<other's id>: ${res.status} ${res.text}`);
      assert.ok(res.body && typeof res.body.statusCode === 'number', `${what}: error shape of GET ${p}: ${res.text}`);
    }
    const same = await from.mgmt.get(`/users-by-email?email=${encodeURIComponent(from.user.email)}`);
    assert.equal(same.status, 200);
    assert.deepEqual(same.body.map((u) => u.user_id), [from.user.user_id], `${what}: users-by-email finds only its own person`);
  }
}));

test('the CLI reaches a tenant with --tenant NAME, through its own credentials file', t_(async () => {
  const ids = async (args) => {
    const r = await cli(['apps', 'list', '--json', ...args]);
    assert.equal(r.code, 0, r.stderr);
    const body = JSON.parse(r.stdout);
    return (Array.isArray(body) ? body : body.clients).map((c) => c.client_id);
  };
  const dev = await ids(['--tenant', 'dev']);
  assert.ok(dev.includes(tenants.b.web.client_id), `apps list --tenant dev: ${dev}`);
  assert.ok(!dev.includes(tenants.a.web.client_id), 'apps list --tenant dev shows a client of the default tenant');
  const def = await ids([]);
  assert.ok(def.includes(tenants.a.web.client_id) && !def.includes(tenants.b.web.client_id), `apps list: ${def}`);
  const bad = await cli(['apps', 'list', '--tenant', '../x']);
  assert.equal(bad.code, 2, bad.stderr);
}));

test('a Management API token works only in its own tenant', t_(async () => {
  for (const [from, to, what] of pairs()) {
    const res = await json(`${to.srv.url}api/v2/clients`, 'GET', undefined, from.mgmt.token);
    assertMgmtError(res, 401, {}, `${what}: Management token`);
    assert.match(res.headers.get('www-authenticate') ?? '', /invalid_token/);
    // The token of the other tenant's own bootstrap client, asked for this tenant's audience.
    const b = from.srv.bootstrap;
    const tok = await form(`${to.srv.url}oauth/token`, {
      grant_type: 'client_credentials', client_id: b.client_id, client_secret: b.client_secret, audience: `${to.srv.url}api/v2/`,
    });
    assertOAuthError(tok, 401, 'invalid_client', undefined, `${what}: bootstrap client at the other token endpoint`);
  }
}));

test('client id and secret of one tenant are unknown to the other', t_(async () => {
  for (const [from, to, what] of pairs()) {
    const m2m = await form(`${to.srv.url}oauth/token`, {
      grant_type: 'client_credentials', client_id: from.m2m.client.client_id, client_secret: from.m2m.client.client_secret,
      audience: to.api.identifier,
    });
    assertOAuthError(m2m, 401, 'invalid_client', undefined, `${what}: M2M client`);
    const own = await form(`${to.srv.url}oauth/token`, {
      grant_type: 'client_credentials', client_id: from.m2m.client.client_id, client_secret: from.m2m.client.client_secret,
      audience: from.m2m.api.identifier,
    });
    assertOAuthError(own, 401, 'invalid_client', undefined, `${what}: M2M client for its own API`);
    // /authorize of the other tenant does not know the client either.
    const q = codeRequest({ clientId: from.web.client_id, redirectUri: CALLBACK });
    const az = await new CookieJar().fetch(authorizeUrl(to.srv, q.params));
    assert.equal(az.status, 400, `${what}: /authorize with the other tenant's client_id: ${az.status}`);
    assert.ok(!(az.location ?? '').startsWith(CALLBACK), `${what}: never redirected to the app`);
  }
}));

test('an access token and an ID token are refused by the other tenant', t_(async () => {
  for (const [from, to, what] of pairs()) {
    const own = await userinfo(from.srv, from.tokens.access_token);
    assert.equal(own.status, 200, `${what}: the token works at home: ${own.status} ${own.text}`);
    const res = await userinfo(to.srv, from.tokens.access_token);
    assert.equal(res.status, 401, `${what}: /userinfo: ${res.status} ${res.text}`);
    assert.match(res.headers.get('www-authenticate') ?? '', /invalid_token/);
    const intro = await form(`${to.srv.url}oauth/introspect`, {
      token: from.tokens.access_token, client_id: to.web.client_id, client_secret: to.web.client_secret,
    });
    assert.equal(intro.status, 200, `${what}: introspection: ${intro.status} ${intro.text}`);
    assert.equal(intro.body.active, false, `${what}: introspection says inactive`);
    const out = await new CookieJar().fetch(`${to.srv.url}oidc/logout?id_token_hint=${from.tokens.id_token}`);
    assert.equal(out.status, 400, `${what}: id_token_hint of the other tenant: ${out.status}`);
    assert.match(out.text, /not issued by this server/);
  }
}));

test('a code and a refresh token are refused by the other tenant', t_(async () => {
  for (const [from, to, what] of pairs()) {
    const req = codeRequest({ clientId: from.web.client_id, redirectUri: CALLBACK, scope: SCOPE, audience: from.api.identifier });
    const { redirect } = await loginOverHttp(from.srv, { params: req.params, email: from.user.email, password: from.user.password });
    // The other tenant's own client presenting the code.
    const theirs = await codeGrant(to.srv, {
      clientId: to.web.client_id, clientSecret: to.web.client_secret, code: redirect.code, redirectUri: CALLBACK, verifier: req.verifier,
    });
    assertOAuthError(theirs, 400, 'invalid_grant', undefined, `${what}: code`);
    // The issuing client's credentials at the other tenant.
    const mine = await codeGrant(to.srv, {
      clientId: from.web.client_id, clientSecret: from.web.client_secret, code: redirect.code, redirectUri: CALLBACK, verifier: req.verifier,
    });
    assertOAuthError(mine, 401, 'invalid_client', undefined, `${what}: code with its own client`);
    // The code still works at home: the attempts elsewhere touched nothing.
    const home = await codeGrant(from.srv, {
      clientId: from.web.client_id, clientSecret: from.web.client_secret, code: redirect.code, redirectUri: CALLBACK, verifier: req.verifier,
    });
    assert.equal(home.status, 200, `${what}: the code at home: ${home.status} ${home.text}`);

    const rt = home.body.refresh_token;
    const r1 = await refreshGrant(to.srv, { clientId: to.web.client_id, clientSecret: to.web.client_secret, refreshToken: rt });
    assertOAuthError(r1, 400, 'invalid_grant', undefined, `${what}: refresh token`);
    const r2 = await refreshGrant(to.srv, { clientId: from.web.client_id, clientSecret: from.web.client_secret, refreshToken: rt });
    assertOAuthError(r2, 401, 'invalid_client', undefined, `${what}: refresh token with its own client`);
    const r3 = await refreshGrant(from.srv, { clientId: from.web.client_id, clientSecret: from.web.client_secret, refreshToken: rt });
    assert.equal(r3.status, 200, `${what}: the refresh token at home still works: ${r3.status} ${r3.text}`);
  }
}));

test('a session cookie of one tenant is no session in the other', t_(async () => {
  for (const [from, to, what] of pairs()) {
    // The jar sends every cookie to every path: the worst a browser could do.
    const jar = from.jar.clone();
    const q = codeRequest({ clientId: to.web.client_id, redirectUri: CALLBACK, audience: to.api.identifier, extra: { prompt: 'none' } });
    const f = await followOnServer(to.srv, jar, authorizeUrl(to.srv, q.params));
    assert.ok(f.location, `${what}: prompt=none answers the app: ${f.res.status}`);
    const u = new URL(f.location);
    assert.equal(u.searchParams.get('error'), 'login_required', `${what}: ${f.location}`);
    assert.equal(u.searchParams.get('code'), null, `${what}: no code`);
    // And at home the same jar still has its session.
    const h = codeRequest({ clientId: from.web.client_id, redirectUri: CALLBACK, audience: from.api.identifier, extra: { prompt: 'none' } });
    const home = await followOnServer(from.srv, from.jar.clone(), authorizeUrl(from.srv, h.params));
    assert.ok(new URL(home.location).searchParams.get('code'), `${what}: the session works at home: ${home.location}`);
  }
}));

test('a login transaction of one tenant cannot be completed in the other', t_(async () => {
  for (const [from, to, what] of pairs()) {
    const jar = new CookieJar();
    const q = codeRequest({ clientId: from.web.client_id, redirectUri: CALLBACK, audience: from.api.identifier });
    const login = await openLogin(from.srv, jar, q.params);
    // The same form, state and cookies, posted to the other tenant's login page.
    const action = new URL(login.form.action);
    const moved = { ...login, form: { ...login.form, action: `${to.srv.url}${action.href.slice(from.srv.url.length)}` } };
    assert.notEqual(moved.form.action, login.form.action);
    const res = await submitLogin(jar, moved, { username: to.user.email, password: to.user.password });
    assert.ok(res.status >= 400 && res.status < 500, `${what}: login POST in the other tenant: ${res.status} ${res.location}`);
    assert.ok(!(res.location ?? '').startsWith(CALLBACK), `${what}: never redirected to the app`);
  }
}));

test('a password-change ticket of one tenant does not open in the other', t_(async () => {
  for (const [from, to, what] of pairs()) {
    const res = await from.mgmt.post('/tickets/password-change', { user_id: from.user.user_id });
    assert.equal(res.status, 201, `${what}: ticket: ${res.status} ${res.text}`);
    const ticket = res.body.ticket;
    assert.ok(ticket.startsWith(from.srv.url), `${what}: the ticket is the tenant's own URL: ${ticket}`);
    const moved = `${to.srv.url}${ticket.slice(from.srv.url.length)}`;
    const page = await new CookieJar().fetch(moved);
    assert.ok(page.status >= 400 && page.status < 500, `${what}: the ticket in the other tenant: ${page.status}`);
    const home = await new CookieJar().fetch(ticket);
    assert.equal(home.status, 200, `${what}: the ticket at home: ${home.status}`);
  }
}));

test('a tenant on its own host is found by the Host header, on the same address', t_(async () => {
  const issuer = `http://localhost:${server.port}/`;
  const made = await cli(['tenants', 'create', '--issuer', issuer, '--name', 'stage', '--json']);
  assert.equal(made.code, 0, made.stderr);
  remember(JSON.parse(made.stdout).client_secret);
  const at = (p, headers = {}) => rawRequest(`${server.url}${p}`, { headers: { host: `localhost:${server.port}`, ...headers } });
  let disc;
  for (let i = 0; i < POLL_TRIES; i++) {
    disc = await at('.well-known/openid-configuration');
    if (disc.body?.issuer === issuer) break;
    await sleep(POLL_MS);
  }
  assert.equal(disc.body?.issuer, issuer, `discovery by Host: ${disc.status} ${disc.text}`);
  const jwks = await at('.well-known/jwks.json');
  const kids = new Set(jwks.body.keys.map((k) => k.kid));
  for (const x of Object.values(tenants)) {
    const other = await request(`${x.srv.url}.well-known/jwks.json`);
    for (const k of other.body.keys) assert.ok(!kids.has(k.kid), `kid ${k.kid} shared with ${x.srv.url}`);
    const res = await at('api/v2/clients', { authorization: `Bearer ${x.mgmt.token}` });
    assertMgmtError(res, 401, {}, `${x.srv.url}'s Management token at ${issuer}`);
  }
  // The same address without that Host header is still the default tenant.
  const def = await request(`${server.url}.well-known/openid-configuration`);
  assert.equal(def.body.issuer, server.url);
  const del = await cli(['tenants', 'delete', 'stage', '--force']);
  assert.equal(del.code, 0, del.stderr);
}));

test('tenants delete removes every record of the tenant, and the server stops serving it', t_(async () => {
  const b = tenants.b.srv.bootstrap;
  const tid = devTenantId;
  assert.match(tid ?? '', /^[A-Za-z0-9]{32}$/);
  const tables = queryRows(
    server.dbPath,
    "SELECT DISTINCT m.name FROM sqlite_master m, pragma_table_info(m.name) c WHERE m.type = 'table' AND c.name = 'tenant_id'",
  ).map((r) => r[0]);
  assert.ok(tables.length > 10, `tables with tenant_id: ${tables}`);
  const before = tables.reduce((n, t) => n + countWhere(server.dbPath, `SELECT count(*) FROM ${t} WHERE tenant_id = '${tid}'`), 0);
  assert.ok(before > 0, 'the tenant has records');
  const del = await cli(['tenants', 'delete', 'dev', '--force', '--json']);
  assert.equal(del.code, 0, del.stderr);
  assert.equal(JSON.parse(del.stdout).deleted, tid);
  assert.ok(!existsSync(path.join(server.dataDir, 'bootstrap-client-dev.json')), 'its credentials file is gone');
  for (const t of tables) {
    assert.equal(countWhere(server.dbPath, `SELECT count(*) FROM ${t} WHERE tenant_id = '${tid}'`), 0, `${t} keeps rows of the deleted tenant`);
  }
  await waitForIssuer(`${server.url}dev/`, false);
  const tok = await form(`${server.url}dev/oauth/token`, {
    grant_type: 'client_credentials', client_id: b.client_id, client_secret: b.client_secret, audience: b.audience,
  });
  // The prefix is the default tenant's path again, where no such endpoint exists.
  assert.equal(tok.status, 404, `the deleted tenant's token endpoint: ${tok.status} ${tok.text}`);
  assert.equal(tok.body?.error, 'not_found');
  // The default tenant goes on as before.
  const res = await tenants.a.mgmt.get('/clients');
  assert.equal(res.status, 200);
  const list = await cli(['tenants', 'list', '--json']);
  assert.deepEqual(JSON.parse(list.stdout).map((r) => r.name), ['default']);
  assert.equal(countWhere(server.dbPath, 'SELECT count(*) FROM tenants'), 1);
}));
