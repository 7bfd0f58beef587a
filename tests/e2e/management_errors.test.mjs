// Every Management API endpoint family refuses what it must, in Auth0's
// error shape, and writes nothing when it does: a token without the
// endpoint's scope gets 403 insufficient_scope naming the scope; malformed
// bodies get 400 naming the property; unknown ids get 404; a body naming
// one unknown id among known ones changes nothing.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { startTessera, withLogs } from './lib/server.mjs';
import { tokenPost } from './lib/http.mjs';
import { Mgmt, assertMgmtError, remember, uid } from './lib/mgmt.mjs';
import { PEOPLE_TABLES, TABLES, countRows } from './lib/db.mjs';

const MORE_TABLES = ['user_permissions', 'roles', 'role_permissions', 'user_roles', 'jobs'];
// The event log grows with every request; every other table must not change.
const STORED = [...TABLES, ...PEOPLE_TABLES.filter((t) => t !== 'events'), ...MORE_TABLES];

let server;
let mgmt;
let fx; // API + M2M client + grant
let user;
let role;
let conn;
const t_ = (fn) => withLogs(() => server, fn);
const enc = encodeURIComponent;

before(async () => {
  server = await startTessera();
  mgmt = await Mgmt.forBootstrap(server);
  fx = await mgmt.m2m();
  user = await mgmt.createUser();
  const r = await mgmt.post('/roles', { name: uid('role'), description: 'errors' });
  assert.equal(r.status, 200, r.text);
  role = r.body;
  const c = await mgmt.post('/connections', { name: uid('conn').slice(0, 40), strategy: 'auth0' });
  assert.equal(c.status, 201, c.text);
  conn = c.body;
});

after(async () => {
  if (server) assert.equal(await server.stop(), 0, 'tessera should exit 0 on SIGTERM');
});

/** Runs fn; asserts no stored row was added, removed or changed in count. */
async function nothingWritten(what, fn) {
  const before = countRows(server.dbPath, STORED);
  await fn();
  assert.deepEqual(countRows(server.dbPath, STORED), before, `${what}: row counts changed`);
}

/** A Management API client whose token holds only scope. */
async function tokenWith(scope) {
  const c = await mgmt.createClient({ name: `scoped ${scope}` });
  await mgmt.createGrant(c.client_id, `${server.url}api/v2/`, [scope]);
  const res = await tokenPost(server, { clientId: c.client_id, clientSecret: c.client_secret, audience: `${server.url}api/v2/` });
  assert.equal(res.status, 200, `token with ${scope}: ${res.text}`);
  remember(res.body.access_token);
  return new Mgmt(server, res.body.access_token);
}

/** Every endpoint, with the scopes that open it (any of) and a body that would be accepted. */
function endpoints() {
  const u = enc(user.user_id);
  const perms = { permissions: [{ resource_server_identifier: fx.api.identifier, permission_name: 'read:x' }] };
  return [
    ['GET', '/clients', 'read:clients'],
    ['POST', '/clients', 'create:clients', { name: 'x', app_type: 'non_interactive' }],
    ['GET', `/clients/${fx.client.client_id}`, 'read:clients'],
    ['PATCH', `/clients/${fx.client.client_id}`, 'update:clients', { description: 'x' }],
    ['DELETE', `/clients/${fx.client.client_id}`, 'delete:clients'],
    ['POST', `/clients/${fx.client.client_id}/rotate-secret`, 'update:client_keys'],
    ['GET', '/resource-servers', 'read:resource_servers'],
    ['POST', '/resource-servers', 'create:resource_servers', { name: 'x', identifier: 'https://x.tessera.test/' }],
    ['GET', `/resource-servers/${fx.api.id}`, 'read:resource_servers'],
    ['PATCH', `/resource-servers/${fx.api.id}`, 'update:resource_servers', { name: 'y' }],
    ['DELETE', `/resource-servers/${fx.api.id}`, 'delete:resource_servers'],
    ['GET', '/client-grants', 'read:client_grants'],
    ['POST', '/client-grants', 'create:client_grants', { client_id: fx.client.client_id, audience: fx.api.identifier, scope: [] }],
    ['PATCH', `/client-grants/${fx.grant.id}`, 'update:client_grants', { scope: [] }],
    ['DELETE', `/client-grants/${fx.grant.id}`, 'delete:client_grants'],
    ['GET', '/connections', 'read:connections'],
    ['POST', '/connections', 'create:connections', { name: 'x', strategy: 'auth0' }],
    ['GET', `/connections/${conn.id}`, 'read:connections'],
    ['PATCH', `/connections/${conn.id}`, 'update:connections', { display_name: 'x' }],
    ['DELETE', `/connections/${conn.id}`, 'delete:connections'],
    ['GET', '/users', 'read:users'],
    ['POST', '/users', 'create:users', { connection: 'Username-Password-Authentication', email: 'x@example.com', password: 'Str0ng!Passw0rd' }],
    ['GET', `/users/${u}`, 'read:users'],
    ['PATCH', `/users/${u}`, 'update:users,update:users_app_metadata', { blocked: true }],
    ['DELETE', `/users/${u}`, 'delete:users'],
    ['GET', '/users-by-email?email=x@example.com', 'read:users'],
    ['GET', `/users/${u}/permissions`, 'read:users'],
    ['POST', `/users/${u}/permissions`, 'update:users', perms],
    ['DELETE', `/users/${u}/permissions`, 'update:users', perms],
    ['GET', `/users/${u}/roles`, 'read:users,read:roles'],
    ['POST', `/users/${u}/roles`, 'update:users', { roles: [role.id] }],
    ['DELETE', `/users/${u}/roles`, 'update:users', { roles: [role.id] }],
    ['GET', `/users/${u}/logs`, 'read:logs,read:logs_users'],
    ['GET', '/roles', 'read:roles'],
    ['POST', '/roles', 'create:roles', { name: 'x' }],
    ['GET', `/roles/${role.id}`, 'read:roles'],
    ['PATCH', `/roles/${role.id}`, 'update:roles', { name: 'y' }],
    ['DELETE', `/roles/${role.id}`, 'delete:roles'],
    ['GET', `/roles/${role.id}/permissions`, 'read:roles'],
    ['POST', `/roles/${role.id}/permissions`, 'update:roles', perms],
    ['DELETE', `/roles/${role.id}/permissions`, 'update:roles', perms],
    ['GET', `/roles/${role.id}/users`, 'read:role_members,read:roles'],
    ['POST', `/roles/${role.id}/users`, 'create:role_members', { users: [user.user_id] }],
    ['GET', '/grants', 'read:grants'],
    ['DELETE', '/grants/ugr_x', 'delete:grants'],
    ['DELETE', `/grants?user_id=${u}`, 'delete:grants'],
    ['GET', `/user-blocks/${u}`, 'read:users'],
    ['DELETE', `/user-blocks/${u}`, 'update:users'],
    ['GET', '/user-blocks?identifier=x@example.com', 'read:users'],
    ['DELETE', '/user-blocks?identifier=x@example.com', 'update:users'],
    ['GET', '/logs', 'read:logs'],
    ['GET', '/logs/x', 'read:logs'],
    ['GET', '/keys/signing', 'read:signing_keys'],
    ['GET', '/keys/signing/x', 'read:signing_keys'],
    ['POST', '/keys/signing/rotate', 'create:signing_keys,update:signing_keys'],
    ['PUT', '/keys/signing/x/revoke', 'update:signing_keys'],
    ['GET', '/tenants/settings', 'read:tenant_settings'],
    ['PATCH', '/tenants/settings', 'update:tenant_settings', { friendly_name: 'x' }],
    ['GET', '/attack-protection/brute-force-protection', 'read:attack_protection'],
    ['PATCH', '/attack-protection/brute-force-protection', 'update:attack_protection', { max_attempts: 10 }],
    ['GET', '/attack-protection/suspicious-ip-throttling', 'read:attack_protection'],
    ['PATCH', '/attack-protection/suspicious-ip-throttling', 'update:attack_protection', { enabled: true }],
    ['POST', '/tickets/password-change', 'create:user_tickets', { user_id: user.user_id }],
    ['POST', '/tickets/email-verification', 'create:user_tickets', { user_id: user.user_id }],
    ['POST', '/jobs/verification-email', 'update:users', { user_id: user.user_id }],
    ['GET', '/jobs/job_0000000000000000', 'create:users,read:users'],
  ];
}

test('every endpoint: a token without its scope -> 403 insufficient_scope naming it; nothing written', t_(async () => {
  // Each endpoint is called with every token whose one scope it does not accept.
  const tokens = [['read:clients', await tokenWith('read:clients')], ['read:roles', await tokenWith('read:roles')]];
  const list = endpoints();
  await nothingWritten('insufficient scope', async () => {
    for (const [method, path, scopes, body] of list) {
      for (const [, who] of tokens.filter(([held]) => !scopes.split(',').includes(held))) {
        const res = await who.call(method, path, body);
        assertMgmtError(
          res,
          403,
          { errorCode: 'insufficient_scope', message: `Insufficient scope, expected any of: ${scopes}` },
          `${method} ${path}`,
        );
      }
    }
  });
}));

/** [method, path, body, property the message must name] for each endpoint that reads a body. */
function malformed() {
  const u = enc(user.user_id);
  const c = fx.client.client_id;
  return [
    ['POST', '/clients', { name: 42, app_type: 'non_interactive' }, 'name'],
    ['POST', '/clients', { app_type: 'non_interactive' }, 'name'],
    ['POST', '/clients', { name: 'x', app_type: 'robot' }, 'app_type'],
    ['PATCH', `/clients/${c}`, { callbacks: 'https://x.example/cb' }, 'callbacks'],
    ['PATCH', `/clients/${c}`, { callbacks: ['javascript:alert(1)'] }, 'callbacks[0]'],
    // CSP form-action cannot name a host with '_': a login would end blocked there.
    ['PATCH', `/clients/${c}`, { callbacks: ['https://app.example.com/cb', 'https://my_app.example.com/cb'] }, 'callbacks[1]'],
    ['POST', '/resource-servers', { name: 'x', identifier: 42 }, 'identifier'],
    ['POST', '/resource-servers', { name: 'x' }, 'identifier'],
    ['PATCH', `/resource-servers/${fx.api.id}`, { token_lifetime: 'long' }, 'token_lifetime'],
    ['POST', '/client-grants', { client_id: c, audience: fx.api.identifier, scope: 'read:x' }, 'scope'],
    ['POST', '/client-grants', { audience: fx.api.identifier, scope: [] }, 'client_id'],
    ['PATCH', `/client-grants/${fx.grant.id}`, { scope: [1] }, 'scope[0]'],
    ['POST', '/connections', { name: 'x', strategy: 5 }, 'strategy'],
    ['POST', '/connections', { name: 'x' }, 'strategy'],
    ['PATCH', `/connections/${conn.id}`, { enabled_clients: c }, 'enabled_clients'],
    ['POST', '/users', { connection: 'Username-Password-Authentication', email: 5, password: 'Str0ng!Passw0rd' }, 'email'],
    ['POST', '/users', { email: 'y@example.com', password: 'Str0ng!Passw0rd' }, 'connection'],
    ['PATCH', `/users/${u}`, { blocked: 'yes' }, 'blocked'],
    ['PATCH', `/users/${u}`, { app_metadata: [] }, 'app_metadata'],
    ['POST', `/users/${u}/permissions`, { permissions: 'read:x' }, 'permissions'],
    ['POST', `/users/${u}/permissions`, {}, 'permissions'],
    ['DELETE', `/users/${u}/permissions`, { permissions: [{ permission_name: 'read:x' }] }, 'resource_server_identifier'],
    ['POST', `/users/${u}/roles`, { roles: role.id }, 'roles'],
    ['POST', `/users/${u}/roles`, { roles: [] }, 'roles'],
    ['DELETE', `/users/${u}/roles`, {}, 'roles'],
    ['POST', '/roles', { name: 5 }, 'name'],
    ['POST', '/roles', { description: 'x' }, 'name'],
    ['PATCH', `/roles/${role.id}`, { description: 5 }, 'description'],
    ['POST', `/roles/${role.id}/permissions`, { permissions: [{}] }, 'permission_name'],
    ['DELETE', `/roles/${role.id}/permissions`, { permissions: 5 }, 'permissions'],
    ['POST', `/roles/${role.id}/users`, { users: [5] }, 'users[0]'],
    ['PATCH', '/tenants/settings', { session_lifetime: 'long' }, 'session_lifetime'],
    ['PATCH', '/tenants/settings', { default_audience: 42 }, 'default_audience'],
    ['PATCH', '/tenants/settings', { rate_limits: { login_per_ip: 'fast' } }, 'rate_limits.login_per_ip'],
    ['PATCH', '/attack-protection/brute-force-protection', { max_attempts: 'ten' }, 'max_attempts'],
    ['PATCH', '/attack-protection/suspicious-ip-throttling', { stage: { 'pre-login': { rate: 0 } } }, 'stage.pre-login.rate'],
    ['POST', '/tickets/password-change', { user_id: 5 }, 'user_id'],
    ['POST', '/tickets/password-change', { user_id: user.user_id, ttl_sec: 'long' }, 'ttl_sec'],
    ['POST', '/tickets/email-verification', {}, 'user_id'],
    ['POST', '/tickets/email-verification', { user_id: user.user_id, result_url: 'javascript:alert(1)' }, 'result_url'],
    ['POST', '/tickets/password-change', { user_id: user.user_id, result_url: 'https://my_app.example.com/done' }, 'result_url'],
    ['POST', '/jobs/verification-email', { user_id: [] }, 'user_id'],
  ];
}

test('malformed bodies -> 400 invalid_body naming the property; nothing written', t_(async () => {
  await nothingWritten('malformed bodies', async () => {
    for (const [method, path, body, property] of malformed()) {
      const res = await mgmt.call(method, path, body);
      assertMgmtError(res, 400, { errorCode: 'invalid_body', messageIncludes: property }, `${method} ${path} ${JSON.stringify(body)}`);
    }
    const writes = endpoints().filter(([, , , body]) => body !== undefined);
    for (const [method, path] of writes) {
      const what = `${method} ${path}`;
      assertMgmtError(await mgmt.call(method, path, '{"name": '), 400, { errorCode: 'invalid_body' }, `${what} with broken JSON`);
      assertMgmtError(await mgmt.call(method, path, '[1, 2]'), 400, { errorCode: 'invalid_body' }, `${what} with an array`);
      const extra = await mgmt.call(method, path, { bogus_property: 1 });
      assertMgmtError(extra, 400, { errorCode: 'invalid_body', messageIncludes: 'bogus_property' }, `${what} with an unknown property`);
    }
  });
}));

test('unknown ids -> 404 in the documented shape; nothing written', t_(async () => {
  const ghostUser = enc('auth0|000000000000000000000000');
  const cases = [
    ['GET', '/clients/no-such-client', 'inexistent_client'],
    ['PATCH', '/clients/no-such-client', 'inexistent_client', { description: 'x' }],
    ['DELETE', '/clients/no-such-client', 'inexistent_client'],
    ['POST', '/clients/no-such-client/rotate-secret', 'inexistent_client'],
    ['GET', '/resource-servers/no-such-api', 'inexistent_resource_server'],
    ['PATCH', '/resource-servers/no-such-api', 'inexistent_resource_server', { name: 'x' }],
    ['DELETE', '/resource-servers/no-such-api', 'inexistent_resource_server'],
    ['GET', '/client-grants/cgr_nosuchgrant', 'inexistent_client_grant'],
    ['PATCH', '/client-grants/cgr_nosuchgrant', 'inexistent_client_grant', { scope: [] }],
    ['DELETE', '/client-grants/cgr_nosuchgrant', 'inexistent_client_grant'],
    ['GET', '/connections/con_nosuchconnection', 'inexistent_connection'],
    ['PATCH', '/connections/con_nosuchconnection', 'inexistent_connection', { display_name: 'x' }],
    ['DELETE', '/connections/con_nosuchconnection', 'inexistent_connection'],
    ['GET', `/users/${ghostUser}`, 'inexistent_user'],
    ['PATCH', `/users/${ghostUser}`, 'inexistent_user', { blocked: true }],
    ['GET', `/users/${ghostUser}/permissions`, 'inexistent_user'],
    ['POST', `/users/${ghostUser}/roles`, 'inexistent_user', { roles: [role.id] }],
    ['GET', `/users/${ghostUser}/roles`, 'inexistent_user'],
    ['GET', '/roles/rol_0000000000000000', 'inexistent_role'],
    ['PATCH', '/roles/rol_0000000000000000', 'inexistent_role', { name: 'x' }],
    ['DELETE', '/roles/rol_0000000000000000', 'inexistent_role'],
    ['GET', '/roles/rol_0000000000000000/permissions', 'inexistent_role'],
    ['GET', '/roles/rol_0000000000000000/users', 'inexistent_role'],
    ['POST', '/roles/rol_0000000000000000/users', 'inexistent_role', { users: [user.user_id] }],
    ['DELETE', '/grants/ugr_nosuchgrant', 'inexistent_grant'],
    ['GET', '/logs/nosuchlog', 'inexistent_log'],
    ['GET', '/keys/signing/nosuchkid', 'inexistent_signing_key'],
    ['PUT', '/keys/signing/nosuchkid/revoke', 'inexistent_signing_key'],
    ['POST', '/tickets/password-change', 'inexistent_user', { user_id: 'auth0|000000000000000000000000' }],
    ['POST', '/tickets/email-verification', 'inexistent_user', { user_id: 'auth0|000000000000000000000000' }],
    ['POST', '/jobs/verification-email', 'inexistent_user', { user_id: 'auth0|000000000000000000000000' }],
    ['GET', '/jobs/job_0000000000000000', 'inexistent_job'],
    ['GET', `/user-blocks/${ghostUser}`, 'inexistent_user'],
    ['DELETE', `/user-blocks/${ghostUser}`, 'inexistent_user'],
  ];
  await nothingWritten('unknown ids', async () => {
    for (const [method, path, errorCode, body] of cases) {
      assertMgmtError(await mgmt.call(method, path, body), 404, { errorCode }, `${method} ${path}`);
    }
    // As in Auth0, deleting a user is idempotent: an unknown id answers 204.
    assert.equal((await mgmt.del(`/users/${ghostUser}`)).status, 204);
  });
}));

test('a body naming one unknown id among known ones changes nothing', t_(async () => {
  const u = enc(user.user_id);
  const other = await mgmt.post('/roles', { name: uid('role2') });
  assert.equal(other.status, 200, other.text);
  const known = { resource_server_identifier: fx.api.identifier, permission_name: 'read:x' };
  await nothingWritten('mixed known and unknown ids', async () => {
    const cases = [
      ['POST', `/users/${u}/roles`, { roles: [other.body.id, 'rol_0000000000000000'] }, 404],
      ['POST', `/roles/${role.id}/users`, { users: [user.user_id, 'auth0|000000000000000000000000'] }, 404],
      ['POST', `/roles/${role.id}/permissions`, { permissions: [known, { ...known, permission_name: 'no:such' }] }, 400],
      ['POST', `/users/${u}/permissions`, { permissions: [known, { ...known, resource_server_identifier: 'https://nope.tessera.test/' }] }, 404],
      ['POST', '/client-grants', { client_id: 'no-such-client', audience: fx.api.identifier, scope: ['read:x'] }, 404],
      ['PATCH', `/connections/${conn.id}`, { enabled_clients: [fx.client.client_id, 'no-such-client'] }, 400],
    ];
    for (const [method, path, body, status] of cases) {
      const res = await mgmt.call(method, path, body);
      assertMgmtError(res, status, {}, `${method} ${path} ${JSON.stringify(body)}`);
    }
  });
  const roles = await mgmt.get(`/users/${u}/roles`);
  assert.deepEqual(roles.body, [], 'no role was assigned');
  const perms = await mgmt.get(`/roles/${role.id}/permissions`);
  assert.deepEqual(perms.body, [], 'no permission was added to the role');
  const c = await mgmt.get(`/connections/${conn.id}`);
  assert.ok(!c.body.enabled_clients.includes(fx.client.client_id), 'enabled_clients unchanged');
}));
