// Management API v2 driven only by the bootstrap client: APIs, M2M clients
// and client grants, and what they do to the token endpoint.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import * as jose from 'jose';

import { startTessera, withLogs } from './lib/server.mjs';
import { json, tokenBasic, tokenPost } from './lib/http.mjs';
import {
  ALL_MGMT_SCOPES,
  Mgmt,
  assertMgmtError,
  assertOAuthError,
  remember,
  scopeSet,
  secretsSeen,
  uid,
} from './lib/mgmt.mjs';
import { assertAbsent } from './lib/logs.mjs';

let server;
let mgmt;
const t_ = (fn) => withLogs(() => server, fn);

before(async () => {
  server = await startTessera();
  mgmt = await Mgmt.forBootstrap(server);
});

after(async () => {
  if (server) assert.equal(await server.stop(), 0, 'tessera should exit 0 on SIGTERM');
});

const token = (c, audience, scope) =>
  tokenPost(server, { clientId: c.client_id, clientSecret: c.client_secret, audience, scope });

test('Management API responses carry rate-limit headers', t_(async () => {
  const res = await mgmt.get('/clients?per_page=1');
  assert.equal(res.status, 200, res.text);
  const limit = Number(res.headers.get('x-ratelimit-limit'));
  const remaining = Number(res.headers.get('x-ratelimit-remaining'));
  const reset = Number(res.headers.get('x-ratelimit-reset'));
  assert.ok(limit > 0, `X-RateLimit-Limit: ${res.headers.get('x-ratelimit-limit')}`);
  assert.ok(remaining >= 0 && remaining < limit, `X-RateLimit-Remaining: ${remaining}`);
  assert.ok(reset >= Math.floor(Date.now() / 1000) - 5, `X-RateLimit-Reset is a time in seconds: ${reset}`);
}));

test('the bootstrap client holds every Management scope', t_(async () => {
  const { scope, aud, sub } = jose.decodeJwt(mgmt.token);
  const got = scopeSet(scope);
  for (const s of ALL_MGMT_SCOPES) assert.ok(got.includes(s), `bootstrap token lacks ${s}: ${scope}`);
  const auds = Array.isArray(aud) ? aud : [aud];
  assert.ok(auds.includes(`${server.url}api/v2/`), `aud ${aud}`);
  assert.equal(sub, `${server.bootstrap.client_id}@clients`, 'sub');
}));

test('resource server CRUD, list shapes and conflicts', t_(async () => {
  const tag = uid('rs');
  const identifier = `https://${tag}.tessera.test/`;
  const created = await mgmt.createApi({
    name: `RS ${tag}`,
    identifier,
    scopes: [{ value: 'read:x', description: 'Read x' }],
    token_lifetime: 1234,
  });
  assert.equal(typeof created.id, 'string', 'id');
  assert.equal(created.name, `RS ${tag}`, 'name');
  assert.equal(created.identifier, identifier, 'identifier');
  assert.deepEqual(created.scopes, [{ value: 'read:x', description: 'Read x' }], 'scopes');
  assert.equal(created.signing_alg, 'RS256', 'signing_alg');
  assert.equal(created.token_lifetime, 1234, 'token_lifetime');
  assert.equal(typeof created.token_lifetime_for_web, 'number', 'token_lifetime_for_web');
  for (const k of ['allow_offline_access', 'skip_consent_for_verifiable_first_party_clients']) {
    assert.equal(typeof created[k], 'boolean', `${k} is a boolean`);
  }
  assert.equal(typeof created.enforce_policies, 'boolean', 'enforce_policies is a boolean');
  assert.equal(typeof created.token_dialect, 'string', 'token_dialect');
  assert.equal(created.is_system, false, 'is_system');

  const got = await mgmt.get(`/resource-servers/${created.id}`);
  assert.equal(got.status, 200, `GET by id: ${got.text}`);
  assert.deepEqual(got.body, created, 'GET returns what POST returned');

  const dup = await mgmt.post('/resource-servers', { name: 'dup', identifier });
  assertMgmtError(dup, 409, {}, 'duplicate identifier');

  const patched = await mgmt.patch(`/resource-servers/${created.id}`, {
    name: `RS ${tag} renamed`,
    token_lifetime: 600,
    scopes: [{ value: 'read:x', description: 'Read x' }, { value: 'write:x', description: 'Write x' }],
  });
  assert.equal(patched.status, 200, `PATCH: ${patched.text}`);
  assert.equal(patched.body.name, `RS ${tag} renamed`, 'patched name');
  assert.equal(patched.body.token_lifetime, 600, 'patched token_lifetime');
  assert.equal(patched.body.identifier, identifier, 'identifier unchanged by PATCH');
  assert.equal(patched.body.scopes.length, 2, 'patched scopes');
  const again = await mgmt.get(`/resource-servers/${created.id}`);
  assert.deepEqual(again.body, patched.body, 'GET after PATCH returns the patched resource');

  const list = await mgmt.get('/resource-servers');
  assert.equal(list.status, 200, `list: ${list.text}`);
  assert.ok(Array.isArray(list.body), 'list without include_totals is a bare array');
  assert.ok(list.body.some((r) => r.id === created.id), 'list contains the new API');
  const sys = list.body.find((r) => r.identifier === `${server.url}api/v2/`);
  assert.ok(sys, 'list contains the system API');
  assert.equal(sys.is_system, true, 'system API is_system');

  const totals = await mgmt.get('/resource-servers?include_totals=true');
  assert.equal(totals.status, 200, `include_totals: ${totals.text}`);
  for (const k of ['start', 'limit', 'total']) assert.equal(typeof totals.body[k], 'number', `${k} is a number`);
  assert.ok(Array.isArray(totals.body.resource_servers), 'resource_servers array');
  assert.equal(totals.body.total, list.body.length, 'total equals the number of APIs');

  const del = await mgmt.del(`/resource-servers/${created.id}`);
  assert.equal(del.status, 204, `DELETE: ${del.status} ${del.text}`);
  assertMgmtError(await mgmt.get(`/resource-servers/${created.id}`), 404, {}, 'GET after DELETE');
  assertMgmtError(await mgmt.patch(`/resource-servers/${created.id}`, { name: 'x' }), 404, {}, 'PATCH unknown');
  assertMgmtError(await mgmt.del(`/resource-servers/${created.id}`), 404, {}, 'DELETE unknown');
}));

test('the system API accepts only token lifetime changes', t_(async () => {
  const sys = await mgmt.systemApi();
  assert.equal(sys.is_system, true, 'is_system');
  const before = sys.token_lifetime;
  const ok = await mgmt.patch(`/resource-servers/${sys.id}`, { token_lifetime: 7200, token_lifetime_for_web: 7200 });
  assert.equal(ok.status, 200, `PATCH token_lifetime on the system API: ${ok.text}`);
  assert.equal(ok.body.token_lifetime, 7200, 'patched');
  const restore = await mgmt.patch(`/resource-servers/${sys.id}`, { token_lifetime: before });
  assert.equal(restore.status, 200, `restore: ${restore.text}`);

  const rename = await mgmt.patch(`/resource-servers/${sys.id}`, { name: 'Not the Management API' });
  assert.ok(rename.status === 400 || rename.status === 403, `renaming the system API must be refused (400/403), got ${rename.status} ${rename.text}`);
  const del = await mgmt.del(`/resource-servers/${sys.id}`);
  assert.ok(del.status >= 400 && del.status < 500, `deleting the system API must be refused, got ${del.status} ${del.text}`);
  const still = await mgmt.get(`/resource-servers/${sys.id}`);
  assert.equal(still.status, 200, 'system API still there');
  assert.equal(still.body.name, sys.name, 'name unchanged');
}));

test('M2M client gets the requested subset of its granted scopes; grants gate access', t_(async () => {
  const { api, client: c, grant } = await mgmt.m2m({ grantScope: ['read:x', 'write:x'] });
  assert.equal(typeof grant.id, 'string', 'grant id');
  assert.equal(grant.client_id, c.client_id, 'grant client_id');
  assert.equal(grant.audience, api.identifier, 'grant audience');
  assert.deepEqual([...grant.scope].sort(), ['read:x', 'write:x'], 'grant scope');

  const all = await token(c, api.identifier);
  assert.equal(all.status, 200, `token: ${all.text}`);
  remember(all.body.access_token);
  assert.equal(all.body.token_type, 'Bearer', 'token_type');
  assert.match(all.headers.get('cache-control') ?? '', /no-store/, 'Cache-Control: no-store');
  assert.deepEqual(scopeSet(all.body.scope), ['read:x', 'write:x'], 'no scope requested -> all granted');

  const one = await token(c, api.identifier, 'read:x');
  assert.equal(one.status, 200, `token read:x: ${one.text}`);
  remember(one.body.access_token);
  assert.equal(one.body.scope, 'read:x', 'requested read:x of read:x write:x');
  assert.equal(jose.decodeJwt(one.body.access_token).scope, 'read:x', 'scope claim');

  const mixed = await token(c, api.identifier, 'read:x delete:x');
  assert.equal(mixed.status, 200, `token read:x delete:x: ${mixed.text}`);
  remember(mixed.body.access_token);
  assert.equal(mixed.body.scope, 'read:x', 'ungranted scopes are dropped');

  // A client authenticates with its registered method only: Basic once it is client_secret_basic.
  const refused = await tokenBasic(server, { clientId: c.client_id, clientSecret: c.client_secret, audience: api.identifier, scope: 'write:x' });
  assert.equal(refused.status, 401, `Basic for a client_secret_post client: ${refused.text}`);
  assert.equal(refused.body.error, 'invalid_client', `Basic for a client_secret_post client: ${refused.text}`);
  assert.equal((await mgmt.patch(`/clients/${c.client_id}`, { token_endpoint_auth_method: 'client_secret_basic' })).status, 200);
  const basic = await tokenBasic(server, { clientId: c.client_id, clientSecret: c.client_secret, audience: api.identifier, scope: 'write:x' });
  assert.equal(basic.status, 200, `client_secret_basic: ${basic.text}`);
  remember(basic.body.access_token);
  assert.equal(basic.body.scope, 'write:x', 'basic auth scope');
  assert.equal((await mgmt.patch(`/clients/${c.client_id}`, { token_endpoint_auth_method: 'client_secret_post' })).status, 200);

  const jsonBody = await json(`${server.url}oauth/token`, 'POST', {
    grant_type: 'client_credentials',
    client_id: c.client_id,
    client_secret: c.client_secret,
    audience: api.identifier,
  });
  assert.equal(jsonBody.status, 200, `JSON body token request: ${jsonBody.text}`);
  remember(jsonBody.body.access_token);

  // PATCH the grant: the next token carries the new scope.
  const narrowed = await mgmt.patch(`/client-grants/${grant.id}`, { scope: ['write:x'] });
  assert.equal(narrowed.status, 200, `PATCH grant: ${narrowed.text}`);
  assert.deepEqual(narrowed.body.scope, ['write:x'], 'patched grant scope');
  const after1 = await token(c, api.identifier);
  assert.equal(after1.status, 200, after1.text);
  remember(after1.body.access_token);
  assert.equal(after1.body.scope, 'write:x', 'token follows the patched grant');

  // An empty grant: token without a scope member.
  const emptied = await mgmt.patch(`/client-grants/${grant.id}`, { scope: [] });
  assert.equal(emptied.status, 200, `PATCH grant to []: ${emptied.text}`);
  const noScope = await token(c, api.identifier);
  assert.equal(noScope.status, 200, noScope.text);
  remember(noScope.body.access_token);
  assert.equal(noScope.body.scope, undefined, `scope omitted when empty: ${noScope.text}`);

  // Delete the grant: access_denied.
  const del = await mgmt.del(`/client-grants/${grant.id}`);
  assert.equal(del.status, 204, `DELETE grant: ${del.status} ${del.text}`);
  assertOAuthError(
    await token(c, api.identifier),
    403,
    'access_denied',
    `Client is not authorized to access "${api.identifier}". You need to create a "client-grant" associated to this API.`,
    'token after the grant was deleted',
  );

  // Recreate it: access again.
  await mgmt.createGrant(c.client_id, api.identifier, ['read:x']);
  const back = await token(c, api.identifier);
  assert.equal(back.status, 200, `token after re-grant: ${back.text}`);
  remember(back.body.access_token);
  assert.equal(back.body.scope, 'read:x', 'scope of the recreated grant');
}));

test('rotate-secret invalidates the old secret', t_(async () => {
  const { api, client: c } = await mgmt.m2m();
  const rot = await mgmt.post(`/clients/${c.client_id}/rotate-secret`);
  assert.equal(rot.status, 200, `rotate-secret: ${rot.text}`);
  assert.equal(rot.body.client_id, c.client_id, 'same client');
  assert.equal(typeof rot.body.client_secret, 'string', 'rotate returns the new secret');
  remember(rot.body.client_secret);
  assert.notEqual(rot.body.client_secret, c.client_secret, 'a new secret');

  const old = await token(c, api.identifier);
  assertOAuthError(old, 401, 'invalid_client', undefined, 'old secret after rotation');
  assert.ok(old.headers.get('www-authenticate'), 'invalid_client carries WWW-Authenticate');
  const fresh = await token({ client_id: c.client_id, client_secret: rot.body.client_secret }, api.identifier);
  assert.equal(fresh.status, 200, `new secret: ${fresh.text}`);
  remember(fresh.body.access_token);

  assertMgmtError(await mgmt.post('/clients/no-such-client-0000/rotate-secret'), 404, {}, 'rotate unknown client');
}));

test('client CRUD never returns the secret on reads', t_(async () => {
  const c = await mgmt.createClient({ name: 'CRUD client', description: 'made by e2e' });
  assert.equal(c.name, 'CRUD client', 'name');
  assert.equal(c.app_type, 'non_interactive', 'app_type');
  assert.deepEqual(c.grant_types, ['client_credentials'], 'grant_types');

  const got = await mgmt.get(`/clients/${c.client_id}`);
  assert.equal(got.status, 200, `GET client: ${got.text}`);
  assert.equal(got.body.client_id, c.client_id, 'client_id');
  assert.equal(got.body.name, 'CRUD client', 'name read back');
  assert.equal(got.body.client_secret, undefined, 'GET never returns client_secret');
  assert.ok(!got.text.includes(c.client_secret), 'GET body does not contain the secret');

  const patched = await mgmt.patch(`/clients/${c.client_id}`, { name: 'CRUD client renamed', description: 'changed' });
  assert.equal(patched.status, 200, `PATCH client: ${patched.text}`);
  assert.equal(patched.body.name, 'CRUD client renamed', 'patched name');
  assert.equal(patched.body.client_secret, undefined, 'PATCH answer has no secret');
  const again = await mgmt.get(`/clients/${c.client_id}`);
  assert.equal(again.body.name, 'CRUD client renamed', 'GET after PATCH');
  assert.equal(again.body.description, 'changed', 'description after PATCH');

  const bad = await mgmt.post('/clients', { name: 12345 });
  assertMgmtError(bad, 400, { errorCode: 'invalid_body', messageIncludes: 'name' }, 'POST /clients with a numeric name');

  const del = await mgmt.del(`/clients/${c.client_id}`);
  assert.equal(del.status, 204, `DELETE client: ${del.status} ${del.text}`);
  assertMgmtError(await mgmt.get(`/clients/${c.client_id}`), 404, {}, 'GET deleted client');
  assertMgmtError(await mgmt.patch(`/clients/${c.client_id}`, { name: 'x' }), 404, {}, 'PATCH deleted client');
  assertMgmtError(await mgmt.del(`/clients/${c.client_id}`), 404, {}, 'DELETE deleted client');
}));

test('client list paging with include_totals covers every client exactly once', t_(async () => {
  const mine = [];
  for (let i = 0; i < 5; i++) mine.push((await mgmt.createClient({ name: `Paging ${i}` })).client_id);

  const plain = await mgmt.get('/clients');
  assert.equal(plain.status, 200, plain.text);
  assert.ok(Array.isArray(plain.body), 'without include_totals the list is a bare array');
  for (const c of plain.body) assert.equal(c.client_secret, undefined, 'list never returns client_secret');

  const first = await mgmt.get('/clients?page=0&per_page=2&include_totals=true');
  assert.equal(first.status, 200, first.text);
  assert.equal(first.body.start, 0, 'start of page 0');
  assert.equal(first.body.limit, 2, 'limit = per_page');
  assert.equal(typeof first.body.total, 'number', 'total');
  assert.ok(first.body.total >= mine.length, `total ${first.body.total} counts the new clients`);
  assert.equal(first.body.clients.length, 2, 'two clients on page 0');

  const seen = new Set();
  const pages = Math.ceil(first.body.total / 2);
  assert.ok(pages <= 100, 'bounded page walk');
  for (let page = 0; page < pages; page++) {
    const res = await mgmt.get(`/clients?page=${page}&per_page=2&include_totals=true`);
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.start, page * 2, `start of page ${page}`);
    assert.equal(res.body.total, first.body.total, 'total is stable');
    for (const c of res.body.clients) {
      assert.ok(!seen.has(c.client_id), `client ${c.client_id} appears on two pages`);
      seen.add(c.client_id);
    }
  }
  assert.equal(seen.size, first.body.total, 'the pages together hold total clients');
  for (const id of mine) assert.ok(seen.has(id), `client ${id} is on some page`);
  const beyond = await mgmt.get(`/clients?page=${pages + 1}&per_page=2&include_totals=true`);
  assert.equal(beyond.status, 200, beyond.text);
  assert.deepEqual(beyond.body.clients, [], 'a page past the end is empty');
}));

test('client grant list filters by audience and client_id; 404 for unknown ids', t_(async () => {
  const a1 = await mgmt.createApi();
  const a2 = await mgmt.createApi();
  const c1 = await mgmt.createClient();
  const c2 = await mgmt.createClient();
  const g11 = await mgmt.createGrant(c1.client_id, a1.identifier, ['read:x']);
  const g12 = await mgmt.createGrant(c1.client_id, a2.identifier, ['read:x']);
  const g21 = await mgmt.createGrant(c2.client_id, a1.identifier, ['write:x']);

  const byAud = await mgmt.get(`/client-grants?audience=${encodeURIComponent(a1.identifier)}`);
  assert.equal(byAud.status, 200, byAud.text);
  assert.ok(Array.isArray(byAud.body), 'grant list is a bare array');
  assert.deepEqual(byAud.body.map((g) => g.id).sort(), [g11.id, g21.id].sort(), 'filter by audience');

  const byClient = await mgmt.get(`/client-grants?client_id=${encodeURIComponent(c1.client_id)}`);
  assert.equal(byClient.status, 200, byClient.text);
  assert.deepEqual(byClient.body.map((g) => g.id).sort(), [g11.id, g12.id].sort(), 'filter by client_id');

  const both = await mgmt.get(`/client-grants?audience=${encodeURIComponent(a2.identifier)}&client_id=${encodeURIComponent(c1.client_id)}`);
  assert.equal(both.status, 200, both.text);
  assert.deepEqual(both.body.map((g) => g.id), [g12.id], 'filter by both');
  assert.equal(both.body[0].audience, a2.identifier, 'grant audience');
  assert.deepEqual(both.body[0].scope, ['read:x'], 'grant scope');

  assertMgmtError(await mgmt.patch('/client-grants/cgr_doesnotexist0000', { scope: [] }), 404, {}, 'PATCH unknown grant');
  assertMgmtError(await mgmt.del('/client-grants/cgr_doesnotexist0000'), 404, {}, 'DELETE unknown grant');
  assertMgmtError(await mgmt.get('/clients/doesnotexist0000'), 404, {}, 'GET unknown client');
  assertMgmtError(await mgmt.get('/resource-servers/doesnotexist0000'), 404, {}, 'GET unknown API');

  // Deleting a client removes its grants.
  assert.equal((await mgmt.del(`/clients/${c2.client_id}`)).status, 204, 'DELETE client c2');
  const afterDel = await mgmt.get(`/client-grants?audience=${encodeURIComponent(a1.identifier)}`);
  assert.deepEqual(afterDel.body.map((g) => g.id), [g11.id], 'the deleted client\'s grants are gone');
}));

test('a token lacking a scope gets 403 insufficient_scope', t_(async () => {
  const reader = await mgmt.createClient({ name: 'read-only management client' });
  await mgmt.createGrant(reader.client_id, `${server.url}api/v2/`, ['read:clients']);
  const tok = await token(reader, `${server.url}api/v2/`);
  assert.equal(tok.status, 200, `reader token: ${tok.text}`);
  remember(tok.body.access_token);
  assert.equal(tok.body.scope, 'read:clients', 'reader scope');
  const ro = new Mgmt(server, tok.body.access_token);

  const list = await ro.get('/clients');
  assert.equal(list.status, 200, `read:clients may list clients: ${list.text}`);
  assertMgmtError(
    await ro.post('/clients', { name: 'nope', app_type: 'non_interactive' }),
    403,
    { errorCode: 'insufficient_scope', message: 'Insufficient scope, expected any of: create:clients' },
    'POST /clients with read:clients only',
  );
  assertMgmtError(await ro.get('/resource-servers'), 403, { errorCode: 'insufficient_scope', messageIncludes: 'read:resource_servers' }, 'GET /resource-servers');
  assertMgmtError(await ro.post(`/clients/${reader.client_id}/rotate-secret`), 403, { errorCode: 'insufficient_scope', messageIncludes: 'update:client_keys' }, 'rotate-secret');
}));

test('no secret or token handled in this file appears in the server logs', t_(async () => {
  const values = [...secretsSeen];
  assert.ok(values.length > 5, 'the run handled secrets and tokens');
  assertAbsent(server.stderr(), values, 'stderr');
  const allowed = server.bootstrap.client_secret;
  assertAbsent(server.stdout(), values.filter((v) => v !== allowed), 'stdout');
}));
