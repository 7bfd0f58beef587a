// Roles: CRUD with Auth0's shapes, permissions held through roles, role
// members, users' roles, and the RBAC acceptance with roles: on an API with
// enforce_policies a person's token carries read:messages only while a role
// holding it is assigned to them (and `permissions` with the
// access_token_authz dialect).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import * as jose from 'jose';

import { startTessera, withLogs } from './lib/server.mjs';
import { tokenPost } from './lib/http.mjs';
import { Mgmt, assertMgmtError, remember, uid } from './lib/mgmt.mjs';
import { codeGrant, codeRequest, loginOverHttp, testEmail } from './lib/authflow.mjs';

const CB = 'http://127.0.0.1:9/roles-callback';
let server;
let mgmt;
let api;
let web;
let user;
const t_ = (fn) => withLogs(() => server, fn);

before(async () => {
  server = await startTessera();
  mgmt = await Mgmt.forBootstrap(server);
  api = await mgmt.createUserApi({
    enforce_policies: true,
    token_dialect: 'access_token_authz',
    scopes: [{ value: 'read:messages', description: 'Read messages' }, { value: 'write:messages', description: 'Write messages' }],
  });
  web = await mgmt.createWebApp(CB);
  user = await mgmt.createUser({ email: testEmail('roles') });
});

after(async () => {
  if (server) assert.equal(await server.stop(), 0, 'tessera should exit 0 on SIGTERM');
});

const enc = encodeURIComponent;
const perm = (name = 'read:messages') => ({ resource_server_identifier: api.identifier, permission_name: name });

async function createRole(body) {
  const res = await mgmt.post('/roles', body);
  assert.equal(res.status, 200, `POST /roles: ${res.text}`);
  assert.match(res.body.id, /^rol_[A-Za-z0-9]{16}$/);
  return res.body;
}

/** A fresh login asking for read:messages; returns the decoded access token. */
async function login(who = user) {
  const req = codeRequest({ clientId: web.client_id, redirectUri: CB, audience: api.identifier, scope: 'openid read:messages' });
  const { redirect } = await loginOverHttp(server, { params: req.params, email: who.email, password: who.password });
  const res = await codeGrant(server, { clientId: web.client_id, clientSecret: web.client_secret, code: redirect.code, redirectUri: CB, verifier: req.verifier });
  assert.equal(res.status, 200, `code grant: ${res.text}`);
  return jose.decodeJwt(res.body.access_token);
}
const scopes = (claims) => (claims.scope ?? '').split(' ');

test('a role holding read:messages gives it to the next token; removing the role takes it away', t_(async () => {
  const before = await login();
  assert.ok(!scopes(before).includes('read:messages'), `without the role: ${before.scope}`);
  assert.deepEqual(before.permissions, []);

  const role = await createRole({ name: uid('reader'), description: 'Reads messages' });
  const added = await mgmt.post(`/roles/${role.id}/permissions`, { permissions: [perm()] });
  assert.equal(added.status, 201, added.text);
  const assigned = await mgmt.post(`/users/${enc(user.user_id)}/roles`, { roles: [role.id] });
  assert.equal(assigned.status, 204, assigned.text);

  const withRole = await login();
  assert.ok(scopes(withRole).includes('read:messages'), `with the role: ${withRole.scope}`);
  assert.deepEqual(withRole.permissions, ['read:messages']);

  const listed = await mgmt.get(`/users/${enc(user.user_id)}/permissions?include_totals=true`);
  assert.equal(listed.status, 200, listed.text);
  assert.equal(listed.body.total, 1);
  assert.deepEqual(listed.body.permissions[0], {
    permission_name: 'read:messages',
    description: 'Read messages',
    resource_server_name: api.name,
    resource_server_identifier: api.identifier,
    sources: [{ source_id: role.id, source_name: role.name, source_type: 'ROLE' }],
  });
  // A direct grant of the same permission appears as a second source.
  assert.equal((await mgmt.post(`/users/${enc(user.user_id)}/permissions`, { permissions: [perm()] })).status, 201);
  const both = await mgmt.get(`/users/${enc(user.user_id)}/permissions`);
  assert.deepEqual(both.body[0].sources.map((s) => s.source_type), ['DIRECT', 'ROLE']);
  assert.equal((await mgmt.call('DELETE', `/users/${enc(user.user_id)}/permissions`, { permissions: [perm()] })).status, 204);

  const removed = await mgmt.call('DELETE', `/users/${enc(user.user_id)}/roles`, { roles: [role.id] });
  assert.equal(removed.status, 204, removed.text);
  const afterRemoval = await login();
  assert.ok(!scopes(afterRemoval).includes('read:messages'), `after removal: ${afterRemoval.scope}`);
  assert.deepEqual(afterRemoval.permissions, []);
  assert.deepEqual((await mgmt.get(`/users/${enc(user.user_id)}/permissions`)).body, []);
}));

test('roles CRUD reads back, filters, pages, and answers 404 and 409', t_(async () => {
  const name = uid('Editor');
  const role = await createRole({ name, description: 'Edits' });
  assert.deepEqual(role, { id: role.id, name, description: 'Edits' });
  assert.deepEqual((await mgmt.get(`/roles/${role.id}`)).body, role);

  assertMgmtError(await mgmt.post('/roles', { name }), 409, {}, 'duplicate name');
  assertMgmtError(await mgmt.post('/roles', { description: 'no name' }), 400, { errorCode: 'invalid_body', messageIncludes: 'name' });
  assertMgmtError(await mgmt.post('/roles', { name: 'x'.repeat(101) }), 400, { errorCode: 'invalid_body', messageIncludes: 'name' });
  assertMgmtError(await mgmt.post('/roles', { name: 42 }), 400, { errorCode: 'invalid_body', messageIncludes: 'name' });
  assertMgmtError(await mgmt.post('/roles', { name: uid('r'), color: 'red' }), 400, { errorCode: 'invalid_body', messageIncludes: 'color' });

  const patched = await mgmt.patch(`/roles/${role.id}`, { description: 'Edits everything' });
  assert.equal(patched.status, 200, patched.text);
  assert.deepEqual(patched.body, { id: role.id, name, description: 'Edits everything' });
  const other = await createRole({ name: uid('Other') });
  assertMgmtError(await mgmt.patch(`/roles/${other.id}`, { name }), 409, {}, 'rename onto a taken name');

  const filtered = await mgmt.get(`/roles?name_filter=${enc(name.toUpperCase())}&include_totals=true`);
  assert.equal(filtered.status, 200, filtered.text);
  assert.equal(filtered.body.total, 1);
  assert.deepEqual(filtered.body.roles, [{ id: role.id, name, description: 'Edits everything' }]);
  const paged = await mgmt.get('/roles?per_page=1&page=0&include_totals=true');
  assert.equal(paged.body.roles.length, 1);
  assert.ok(paged.body.total >= 2);

  const missing = 'rol_0000000000000000';
  for (const [method, path, body] of [
    ['GET', `/roles/${missing}`],
    ['PATCH', `/roles/${missing}`, { name: 'x' }],
    ['DELETE', `/roles/${missing}`],
    ['GET', `/roles/${missing}/permissions`],
    ['POST', `/roles/${missing}/permissions`, { permissions: [perm()] }],
    ['GET', `/roles/${missing}/users`],
    ['POST', `/roles/${missing}/users`, { users: [user.user_id] }],
  ]) {
    assertMgmtError(await mgmt.call(method, path, body), 404, { errorCode: 'inexistent_role' }, `${method} ${path}`);
  }
  assertMgmtError(await mgmt.post(`/users/${enc(user.user_id)}/roles`, { roles: [role.id, missing] }), 404, { errorCode: 'inexistent_role' });
  assert.deepEqual((await mgmt.get(`/users/${enc(user.user_id)}/roles`)).body, [], 'nothing assigned after the refusal');
  assertMgmtError(await mgmt.get('/users/auth0%7C000000000000000000000000/roles'), 404, { errorCode: 'inexistent_user' });

  const deleted = await mgmt.del(`/roles/${role.id}`);
  assert.equal(deleted.status, 200, deleted.text);
  assertMgmtError(await mgmt.get(`/roles/${role.id}`), 404, { errorCode: 'inexistent_role' });
}));

test('role permissions: all or nothing, listed in Auth0 shape', t_(async () => {
  const role = await createRole({ name: uid('Writer') });
  const path = `/roles/${role.id}/permissions`;
  assertMgmtError(await mgmt.post(path, { permissions: [perm('write:messages'), perm('write:everything')] }), 400, { errorCode: 'invalid_body', messageIncludes: 'permissions' });
  assertMgmtError(await mgmt.post(path, { permissions: [perm(), { resource_server_identifier: 'https://nope.test', permission_name: 'read:messages' }] }), 404, {});
  assertMgmtError(await mgmt.post(path, {}), 400, { errorCode: 'invalid_body', messageIncludes: 'permissions' });
  assert.deepEqual((await mgmt.get(path)).body, [], 'nothing stored after refusals');

  assert.equal((await mgmt.post(path, { permissions: [perm('write:messages'), perm()] })).status, 201);
  const listed = await mgmt.get(`${path}?include_totals=true`);
  assert.equal(listed.body.total, 2);
  assert.deepEqual(listed.body.permissions, [
    { permission_name: 'read:messages', description: 'Read messages', resource_server_name: api.name, resource_server_identifier: api.identifier },
    { permission_name: 'write:messages', description: 'Write messages', resource_server_name: api.name, resource_server_identifier: api.identifier },
  ]);
  assert.equal((await mgmt.call('DELETE', path, { permissions: [perm('write:messages')] })).status, 200);
  assert.deepEqual((await mgmt.get(path)).body.map((p) => p.permission_name), ['read:messages']);
}));

test('role members: assign, list with paging and from/take, users/{id}/roles', t_(async () => {
  const role = await createRole({ name: uid('Members'), description: 'Group' });
  const others = [await mgmt.createUser({ name: 'Member One' }), await mgmt.createUser(), await mgmt.createUser()];
  const ids = others.map((u) => u.user_id);
  assertMgmtError(await mgmt.post(`/roles/${role.id}/users`, { users: [...ids, 'auth0|000000000000000000000000'] }), 404, { errorCode: 'inexistent_user' });
  assertMgmtError(await mgmt.post(`/roles/${role.id}/users`, { users: 'nope' }), 400, { errorCode: 'invalid_body', messageIncludes: 'users' });
  assert.deepEqual((await mgmt.get(`/roles/${role.id}/users`)).body, [], 'nothing assigned after the refusal');

  const assigned = await mgmt.post(`/roles/${role.id}/users`, { users: ids });
  assert.equal(assigned.status, 200, assigned.text);
  const all = await mgmt.get(`/roles/${role.id}/users?include_totals=true`);
  assert.equal(all.body.total, 3);
  const sorted = [...ids].sort();
  assert.deepEqual(all.body.users.map((u) => u.user_id), sorted);
  const one = all.body.users.find((u) => u.user_id === others[0].user_id);
  assert.deepEqual(one, { user_id: others[0].user_id, email: others[0].email, picture: others[0].picture, name: 'Member One' });

  const first = await mgmt.get(`/roles/${role.id}/users?take=2`);
  assert.equal(first.status, 200, first.text);
  assert.deepEqual(first.body.users.map((u) => u.user_id), sorted.slice(0, 2));
  assert.equal(typeof first.body.next, 'string');
  const rest = await mgmt.get(`/roles/${role.id}/users?take=2&from=${enc(first.body.next)}`);
  assert.deepEqual(rest.body.users.map((u) => u.user_id), sorted.slice(2));
  assert.equal(rest.body.next, undefined);

  const roles = await mgmt.get(`/users/${enc(ids[0])}/roles?include_totals=true`);
  assert.equal(roles.status, 200, roles.text);
  assert.deepEqual(roles.body, { start: 0, limit: 50, length: 1, total: 1, roles: [{ id: role.id, name: role.name, description: 'Group' }] });

  // Deleting the role removes the assignments.
  assert.equal((await mgmt.del(`/roles/${role.id}`)).status, 200);
  assert.deepEqual((await mgmt.get(`/users/${enc(ids[0])}/roles`)).body, []);
}));

test('role endpoints without the roles scopes -> 403 insufficient_scope', t_(async () => {
  const reader = await mgmt.createClient({ name: 'clients-only' });
  await mgmt.createGrant(reader.client_id, `${server.url}api/v2/`, ['read:clients', 'read:users']);
  const res = await tokenPost(server, { clientId: reader.client_id, clientSecret: reader.client_secret, audience: `${server.url}api/v2/` });
  assert.equal(res.status, 200, res.text);
  remember(res.body.access_token);
  const ro = new Mgmt(server, res.body.access_token);
  assertMgmtError(await ro.get('/roles'), 403, { errorCode: 'insufficient_scope', message: 'Insufficient scope, expected any of: read:roles' });
  assertMgmtError(await ro.post('/roles', { name: 'nope' }), 403, { errorCode: 'insufficient_scope', messageIncludes: 'create:roles' });
  assertMgmtError(await ro.get('/roles/rol_0000000000000000/users'), 403, { errorCode: 'insufficient_scope', messageIncludes: 'read:role_members' });
  assertMgmtError(await ro.post(`/users/${enc(user.user_id)}/roles`, { roles: [] }), 403, { errorCode: 'insufficient_scope', messageIncludes: 'update:users' });
  const listed = await mgmt.get('/roles?name_filter=nope');
  assert.deepEqual(listed.body, [], 'nothing was created');
}));
