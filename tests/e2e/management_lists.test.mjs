// Management API lists as the SDKs read them: every list answers the bare
// array or, with include_totals, the {start, limit, length, total, <key>}
// wrapper; fields/include_fields select properties; client-grants,
// connections and role members also page by checkpoint (from/take) with a
// `next` cursor that walks every item exactly once.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { startTessera, withLogs } from './lib/server.mjs';
import { Mgmt, assertMgmtError, uid } from './lib/mgmt.mjs';

let server;
let mgmt;
let api;
let user;
let role;
const t_ = (fn) => withLogs(() => server, fn);
const enc = encodeURIComponent;

before(async () => {
  server = await startTessera();
  mgmt = await Mgmt.forBootstrap(server);
  api = await mgmt.createUserApi({ scopes: [{ value: 'read:messages', description: 'Read messages' }] });
  user = await mgmt.createUser();
  const r = await mgmt.post('/roles', { name: uid('role'), description: 'Lists' });
  assert.equal(r.status, 200, r.text);
  role = r.body;
  const perm = [{ resource_server_identifier: api.identifier, permission_name: 'read:messages' }];
  for (const path of [`/roles/${role.id}/permissions`, `/users/${enc(user.user_id)}/permissions`]) {
    const res = await mgmt.post(path, { permissions: perm });
    assert.equal(res.status, 201, `${path}: ${res.text}`);
  }
  const members = await mgmt.post(`/roles/${role.id}/users`, { users: [user.user_id] });
  assert.equal(members.status, 200, members.text);
});

after(async () => {
  if (server) assert.equal(await server.stop(), 0, 'tessera should exit 0 on SIGTERM');
});

/** Every list of the Management API: its path, the wrapper's key and a property its items have. */
function lists() {
  const u = enc(user.user_id);
  return [
    { path: '/clients', key: 'clients', field: 'client_id' },
    { path: '/resource-servers', key: 'resource_servers', field: 'identifier' },
    { path: '/client-grants', key: 'client_grants', field: 'audience' },
    { path: '/connections', key: 'connections', field: 'strategy' },
    { path: '/users', key: 'users', field: 'email' },
    { path: '/roles', key: 'roles', field: 'name' },
    { path: `/roles/${role.id}/permissions`, key: 'permissions', field: 'permission_name' },
    { path: `/roles/${role.id}/users`, key: 'users', field: 'email' },
    { path: `/users/${u}/roles`, key: 'roles', field: 'name' },
    { path: `/users/${u}/permissions`, key: 'permissions', field: 'permission_name' },
    { path: '/logs', key: 'logs', field: 'type' },
    { path: `/users/${u}/logs`, key: 'logs', field: 'type', mayBeEmpty: true },
    { path: '/grants', key: 'grants', field: 'clientID', mayBeEmpty: true },
  ];
}

test('every list: a bare array, or the include_totals wrapper with exact totals', t_(async () => {
  for (const { path, key, mayBeEmpty } of lists()) {
    const bare = await mgmt.get(`${path}?per_page=100`);
    assert.equal(bare.status, 200, `${path}: ${bare.text}`);
    assert.ok(Array.isArray(bare.body), `${path} without include_totals is an array: ${bare.text}`);
    if (!mayBeEmpty) assert.ok(bare.body.length > 0, `${path} lists something`);

    const wrapped = await mgmt.get(`${path}?include_totals=true&per_page=1&page=0`);
    assert.equal(wrapped.status, 200, `${path}: ${wrapped.text}`);
    const w = wrapped.body;
    assert.deepEqual(
      Object.keys(w).sort(),
      ['length', 'limit', 'start', 'total', key].sort(),
      `${path} wrapper keys: ${wrapped.text}`,
    );
    assert.equal(w.start, 0);
    assert.equal(w.limit, 1);
    assert.equal(w.total, bare.body.length, `${path} total counts every item`);
    assert.equal(w[key].length, Math.min(1, bare.body.length));
    assert.equal(w.length, w[key].length);
  }
}));

test('every list: fields with include_fields=true keeps, include_fields=false drops', t_(async () => {
  for (const { path, key, field, mayBeEmpty } of lists()) {
    const all = await mgmt.get(`${path}?per_page=5`);
    if (mayBeEmpty && all.body.length === 0) continue;
    assert.ok(all.body.every((it) => field in it), `${path} items have ${field}: ${all.text}`);

    const only = await mgmt.get(`${path}?per_page=5&fields=${field}&include_fields=true`);
    assert.equal(only.status, 200, `${path}: ${only.text}`);
    for (const it of only.body) assert.deepEqual(Object.keys(it), [field], `${path} keeps only ${field}`);

    const implied = await mgmt.get(`${path}?per_page=5&fields=${field}`);
    for (const it of implied.body) assert.deepEqual(Object.keys(it), [field], `${path}: include_fields defaults to true`);

    const without = await mgmt.get(`${path}?per_page=5&fields=${field}&include_fields=false`);
    assert.equal(without.status, 200, `${path}: ${without.text}`);
    without.body.forEach((it, i) => {
      assert.ok(!(field in it), `${path} drops ${field}`);
      assert.deepEqual(Object.keys(it).sort(), Object.keys(all.body[i]).filter((k) => k !== field).sort());
    });

    const wrapped = await mgmt.get(`${path}?per_page=5&fields=${field}&include_totals=true`);
    for (const it of wrapped.body[key]) assert.deepEqual(Object.keys(it), [field], `${path} wrapped keeps ${field}`);

    const bad = await mgmt.get(`${path}?fields=${field}&include_fields=yes`);
    assertMgmtError(bad, 400, { errorCode: 'invalid_query_string', messageIncludes: 'include_fields' }, path);
  }
}));

/** Walks a checkpoint-paged list from the start; returns every item in order and the pages seen. */
async function walk(path, key, take) {
  const items = [];
  let pages = 0;
  let from = '';
  for (;;) {
    const sep = path.includes('?') ? '&' : '?';
    const res = await mgmt.get(`${path}${sep}take=${take}${from ? `&from=${enc(from)}` : ''}`);
    assert.equal(res.status, 200, `${path}: ${res.text}`);
    assert.ok(Array.isArray(res.body[key]), `${path} answers {${key}, next?}: ${res.text}`);
    assert.ok(res.body[key].length <= take, `${path} pages hold at most take=${take}`);
    items.push(...res.body[key]);
    pages++;
    assert.ok(pages <= 50, `${path}: paging should end`);
    if (res.body.next === undefined) break;
    assert.equal(typeof res.body.next, 'string');
    assert.equal(res.body[key].length, take, `${path}: only full pages have a next cursor`);
    from = res.body.next;
  }
  return { items, pages };
}

test('client-grants: from/take walks every grant once, with filters; next only while more follow', t_(async () => {
  const client = await mgmt.createClient();
  const made = [];
  for (let i = 0; i < 5; i++) {
    const a = await mgmt.createApi();
    made.push((await mgmt.createGrant(client.client_id, a.identifier, ['read:x'])).id);
  }
  const all = await mgmt.get('/client-grants?per_page=100');
  const { items, pages } = await walk('/client-grants', 'client_grants', 2);
  assert.deepEqual(items.map((g) => g.id).sort(), all.body.map((g) => g.id).sort(), 'every grant exactly once');
  assert.equal(pages, Math.ceil(all.body.length / 2));

  const mine = await walk(`/client-grants?client_id=${client.client_id}`, 'client_grants', 2);
  assert.deepEqual(mine.items.map((g) => g.id).sort(), [...made].sort(), 'client_id filter applies');
  assert.equal(mine.pages, 3);

  // A cursor stays valid when its grant is deleted between pages.
  const first = await mgmt.get(`/client-grants?client_id=${client.client_id}&take=2`);
  assert.equal((await mgmt.del(`/client-grants/${first.body.next}`)).status, 204);
  const rest = await walk(`/client-grants?client_id=${client.client_id}&from=${enc(first.body.next)}`, 'client_grants', 10);
  assert.equal(rest.items.length, 3, 'the three grants after the deleted cursor');
  const seen = new Set(first.body.client_grants.map((g) => g.id));
  assert.ok(rest.items.every((g) => !seen.has(g.id)), 'no grant of the first page again');

  const one = await mgmt.get('/client-grants?take=1&fields=id');
  assert.deepEqual(Object.keys(one.body.client_grants[0]), ['id'], 'fields apply to checkpoint pages');
  for (const take of ['0', '101', 'x']) {
    assertMgmtError(await mgmt.get(`/client-grants?take=${take}`), 400, { errorCode: 'invalid_query_string', messageIncludes: 'take' });
  }
}));

test('connections: from/take walks every connection once, strategy filter applies', t_(async () => {
  for (let i = 0; i < 3; i++) {
    const res = await mgmt.post('/connections', { name: uid('conn').slice(0, 40), strategy: 'auth0' });
    assert.equal(res.status, 201, res.text);
  }
  const all = await mgmt.get('/connections?per_page=100');
  assert.ok(all.body.length >= 4);
  const { items } = await walk('/connections', 'connections', 1);
  assert.deepEqual(items.map((c) => c.id).sort(), all.body.map((c) => c.id).sort());
  const db = await walk('/connections?strategy=auth0', 'connections', 3);
  assert.equal(db.items.length, all.body.filter((c) => c.strategy === 'auth0').length);
  const none = await mgmt.get('/connections?take=5&strategy=none-such');
  assert.deepEqual(none.body, { connections: [] });
  // Repeated arguments are a list, as node-auth0 sends arrays.
  const either = await mgmt.get('/connections?strategy=samlp&strategy=auth0&per_page=100');
  assert.equal(either.body.length, db.items.length);
}));

test('resource-servers: identifiers filter, repeated up to 10 times', t_(async () => {
  const a = await mgmt.createApi();
  const b = await mgmt.createApi();
  const both = await mgmt.get(`/resource-servers?identifiers=${enc(a.identifier)}&identifiers=${enc(b.identifier)}&identifiers=https%3A%2F%2Fnone.tessera.test%2F&include_totals=true`);
  assert.equal(both.status, 200, both.text);
  assert.deepEqual(both.body.resource_servers.map((r) => r.id).sort(), [a.id, b.id].sort());
  assert.equal(both.body.total, 2);
  // As in Auth0, {id} may be the identifier (the audience) instead of the id.
  const byAudience = await mgmt.get(`/resource-servers/${enc(a.identifier)}`);
  assert.equal(byAudience.status, 200, byAudience.text);
  assert.equal(byAudience.body.id, a.id);
  const many = Array.from({ length: 11 }, (_, i) => `identifiers=x${i}`).join('&');
  assertMgmtError(await mgmt.get(`/resource-servers?${many}`), 400, { errorCode: 'invalid_query_string', messageIncludes: 'identifiers' });
}));

test('role members: from/take with fields', t_(async () => {
  const extra = [await mgmt.createUser(), await mgmt.createUser()];
  const res = await mgmt.post(`/roles/${role.id}/users`, { users: extra.map((u) => u.user_id) });
  assert.equal(res.status, 200, res.text);
  const { items } = await walk(`/roles/${role.id}/users?fields=user_id`, 'users', 2);
  assert.equal(items.length, 3);
  for (const it of items) assert.deepEqual(Object.keys(it), ['user_id']);
}));

test('single reads take fields/include_fields too', t_(async () => {
  const grant = (await mgmt.get('/client-grants?per_page=1')).body[0];
  const conn = (await mgmt.get('/connections?per_page=1')).body[0];
  const log = (await mgmt.get('/logs?per_page=1')).body[0];
  const cases = [
    [`/client-grants/${grant.id}`, 'audience'],
    [`/connections/${conn.id}`, 'strategy'],
    [`/roles/${role.id}`, 'name'],
    [`/logs/${log.log_id}`, 'type'],
  ];
  for (const [path, field] of cases) {
    const full = await mgmt.get(path);
    assert.equal(full.status, 200, `${path}: ${full.text}`);
    const only = await mgmt.get(`${path}?fields=${field}`);
    assert.deepEqual(only.body, { [field]: full.body[field] }, `${path}?fields=${field}`);
    const without = await mgmt.get(`${path}?fields=${field}&include_fields=false`);
    const expected = { ...full.body };
    delete expected[field];
    assert.deepEqual(without.body, expected, `${path} without ${field}`);
    assertMgmtError(await mgmt.get(`${path}?include_fields=1`), 400, { errorCode: 'invalid_query_string', messageIncludes: 'include_fields' }, path);
  }
}));

test('clients: app_type (comma list), is_first_party and is_global filters, with exact totals', t_(async () => {
  const spa = await mgmt.createSpa('http://127.0.0.1:5599');
  const m2m = await mgmt.createClient({ is_first_party: false });
  const spas = await mgmt.get('/clients?app_type=spa&include_totals=true&per_page=100');
  assert.equal(spas.status, 200, spas.text);
  assert.ok(spas.body.clients.every((c) => c.app_type === 'spa'));
  assert.ok(spas.body.clients.some((c) => c.client_id === spa.client_id));
  assert.equal(spas.body.total, spas.body.clients.length);
  const both = await mgmt.get('/clients?app_type=spa,non_interactive&per_page=100');
  assert.ok(both.body.every((c) => c.app_type === 'spa' || c.app_type === 'non_interactive'));
  assert.ok(both.body.some((c) => c.client_id === m2m.client_id));
  const third = await mgmt.get('/clients?is_first_party=false&per_page=100');
  assert.deepEqual(third.body.map((c) => c.client_id), [m2m.client_id]);
  assert.deepEqual((await mgmt.get('/clients?is_global=true')).body, []);
  const all = await mgmt.get('/clients?is_global=false&include_totals=true');
  assert.ok(all.body.total >= 3);
  assertMgmtError(await mgmt.get('/clients?is_first_party=maybe'), 400, { errorCode: 'invalid_query_string', messageIncludes: 'is_first_party' });
}));

test('users: sort by a field ascending (:1) or descending (:-1); anything else is 400', t_(async () => {
  const tag = uid('sort');
  for (const name of ['b', 'c', 'a']) await mgmt.createUser({ email: `${name}-${tag}@example.com` });
  const q = `q=${enc(tag)}&search_engine=v3`;
  const sorted = async (sort) => {
    const res = await mgmt.get(`/users?${q}&sort=${enc(sort)}`);
    assert.equal(res.status, 200, `${sort}: ${res.text}`);
    return res.body;
  };
  assert.deepEqual((await sorted('email:1')).map((u) => u.email[0]), ['a', 'b', 'c']);
  assert.deepEqual((await sorted('email:-1')).map((u) => u.email[0]), ['c', 'b', 'a']);
  const times = (list) => list.map((u) => Date.parse(u.created_at));
  const up = times(await sorted('created_at:1'));
  assert.deepEqual(up, [...up].sort((x, y) => x - y));
  const down = times(await sorted('created_at:-1'));
  assert.deepEqual(down, [...down].sort((x, y) => y - x));
  for (const bad of ['password_hash:1', 'email', 'email:2', 'email:1; DROP TABLE users']) {
    assertMgmtError(await mgmt.get(`/users?${q}&sort=${enc(bad)}`), 400, { errorCode: 'invalid_query_string', messageIncludes: 'sort' }, bad);
  }
}));

test('users: q terms joined by AND over email, email.domain, name, username, flags and connection', t_(async () => {
  const tag = uid('q').replace(/-/g, '');
  const domain = `${tag}.example.org`;
  const ana = await mgmt.createUser({ email: `ana@${domain}`, name: 'Ana Lima', email_verified: true });
  const bob = await mgmt.createUser({ email: `bob@${domain}`, name: 'Bob Stone', email_verified: false, verify_email: false });
  const cy = await mgmt.createUser({ email: `cy@${domain}`, name: 'Ana Maria', email_verified: true });
  await mgmt.patchUser(cy.user_id, { blocked: true });
  const ids = async (q) => {
    const res = await mgmt.get(`/users?q=${enc(q)}&search_engine=v3&sort=email:1&include_totals=true`);
    assert.equal(res.status, 200, `${q}: ${res.text}`);
    assert.equal(res.body.total, res.body.users.length, `${q}: exact total`);
    return res.body.users.map((u) => u.user_id);
  };
  assert.deepEqual(await ids(`email.domain:"${domain}"`), [ana.user_id, bob.user_id, cy.user_id]);
  assert.deepEqual(await ids(`email.domain:${domain} AND email_verified:false`), [bob.user_id]);
  assert.deepEqual(await ids(`email.domain:${domain} AND blocked:true`), [cy.user_id]);
  assert.deepEqual(await ids(`name:"ana lima"`), [ana.user_id], 'exact, ignoring case');
  assert.deepEqual(await ids(`name:ana* email.domain:${domain}`), [ana.user_id, cy.user_id], 'prefix; a space joins like AND');
  assert.deepEqual(await ids(`email:ANA@${domain.toUpperCase()}`), [ana.user_id]);
  const bos = await ids('email:bo* AND identities.connection:"Username-Password-Authentication"');
  assert.ok(bos.includes(bob.user_id) && !bos.includes(ana.user_id), 'an email prefix within a connection');
  assert.deepEqual(await ids(`identities.connection:none-such AND email.domain:${domain}`), []);
  assert.deepEqual(await ids(`stone AND email.domain:${domain}`), [bob.user_id], 'a bare text searches names too');
  assert.deepEqual(await ids(`user_id:"${bob.user_id}"`), [bob.user_id]);
  for (const bad of ['email:a OR email:b', 'NOT blocked:true', 'logins_count:[1 TO 5]', 'email_verified:maybe',
    'app_metadata.plan:pro', 'name:a*b', `user_id:"${bob.user_id}" AND blocked:true`, 'name:x name:y', 'email:"unterminated',
    `email:a* AND email.domain:${domain}`]) {
    assertMgmtError(await mgmt.get(`/users?q=${enc(bad)}`), 400, { errorCode: 'invalid_query_string', messageIncludes: 'q' }, bad);
  }
}));
