// The official `auth0` npm package's ManagementClient (7.1.0, https only)
// drives Tessera over HTTPS with the bootstrap client's credentials and a
// test CA given through NODE_EXTRA_CA_CERTS.  lib/auth0_sdk_scenario.mjs
// makes every call through the SDK (clients, APIs, client grants,
// connections, users, roles and permissions, tenant settings, errors, logs,
// deletes, signing keys, tickets and jobs) and reports what it read back; each test here
// judges one resource family of that report.
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { after, before, test } from 'node:test';

import { runSdkScript } from './lib/auth0_sdk.mjs';
import { FIELD_ALIASES, lines, pick } from './lib/logs.mjs';
import { waitForMailLink } from './lib/mail.mjs';
import { startTessera, withLogs } from './lib/server.mjs';
import { makeTestCa } from './lib/tls.mjs';

let server;
let report;
const t_ = (fn) => withLogs(() => server, fn);

before(async () => {
  server = await startTessera({ tls: makeTestCa() });
  report = await runSdkScript(server, 'auth0_sdk_scenario.mjs');
});

after(async () => {
  if (server) assert.equal(await server.stop(), 0, 'tessera should exit 0 on SIGTERM');
});

/** The value a scenario step read back; fails with the SDK's error when the step failed. */
function val(name) {
  const s = report.steps[name];
  assert.ok(s, `scenario step ${name} did not run`);
  assert.ok(s.ok, `${name} failed through the SDK: ${JSON.stringify(s.error, null, 1)}`);
  return s.value;
}

/** The SDK error a step had to end in. */
function rejection(name) {
  const v = val(name);
  assert.equal(v.rejected, true, `${name} should have been rejected, got ${JSON.stringify(v.value)}`);
  return v.error;
}

const isObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);

/**
 * Asserts every member of expected is in actual: objects recursively (the
 * server may add members of its own, as Auth0 does), anything else deep-equal.
 */
function assertHas(actual, expected, what) {
  for (const [k, v] of Object.entries(expected)) {
    if (isObject(v) && isObject(actual?.[k])) assertHas(actual[k], v, `${what}.${k}`);
    else assert.deepEqual(actual?.[k], v, `${what}.${k}`);
  }
}

/** A create made with the SDK's raw-response option: 201 (or status) and JSON. */
function created(name, status = 201) {
  const r = val(name);
  assert.equal(r.status, status, `${name} status`);
  assert.match(r.contentType ?? '', /^application\/json/, `${name} content-type`);
  return r.data;
}

/** node-auth0's default include_totals=true list: {start, limit, length, total} around the items. */
function assertTotals(page, { limit, what, start = 0 }) {
  const { response, data } = page;
  assert.equal(response.start, start, `${what}: start`);
  assert.equal(response.limit, limit, `${what}: limit`);
  assert.equal(response.length, data.length, `${what}: length`);
  assert.ok(Number.isInteger(response.total) && response.total >= data.length, `${what}: total`);
}

function assertNoDuplicates(list, what) {
  assert.equal(new Set(list).size, list.length, `${what} repeats items: ${list}`);
}

/** The SDK's iterator yielded each expected id once, and nothing else. */
function assertSameItems(iterated, expected, what) {
  assertNoDuplicates(iterated, what);
  assert.deepEqual([...iterated].sort(), [...expected].sort(), what);
}

/** A rejection carrying Auth0's error body with the SDK's class and statusCode. */
function assertSdkError(name, statusCode, errorCode, className) {
  const e = rejection(name);
  assert.equal(e.statusCode, statusCode, `${name}: ${JSON.stringify(e)}`);
  if (className) assert.equal(e.name, className, `${name}: SDK error class`);
  if (errorCode) {
    assert.equal(e.body?.statusCode, statusCode, `${name}: body.statusCode`);
    assert.equal(e.body?.errorCode, errorCode, `${name}: body.errorCode`);
    assert.equal(typeof e.body?.message, 'string', `${name}: body.message`);
    assert.equal(typeof e.body?.error, 'string', `${name}: body.error`);
  }
  return e;
}

/**
 * A signing key's certificate as Auth0 shows it: PEM cert and PKCS #7, a
 * SHA-1 fingerprint of it, self-signed by the key the JWK describes.
 */
function assertCert(key) {
  const what = `key ${key.kid}`;
  assert.match(key.cert ?? '', /^-----BEGIN CERTIFICATE-----\n[\s\S]+-----END CERTIFICATE-----\n$/, `${what}: cert`);
  assert.match(key.pkcs7 ?? '', /^-----BEGIN PKCS7-----\n[\s\S]+-----END PKCS7-----\n$/, `${what}: pkcs7`);
  const x509 = new X509Certificate(key.cert);
  assert.equal(key.fingerprint, x509.fingerprint, `${what}: fingerprint`);
  assert.ok(x509.verify(x509.publicKey), `${what}: the certificate is self-signed`);
  assert.equal(x509.publicKey.export({ format: 'jwk' }).n, key.jwk.n, `${what}: the certificate holds the key`);
}

test(
  'the scenario ran to its end and the server answered no 5xx',
  t_(async () => {
    assert.equal(report.ok, true);
    const failed = Object.entries(report.steps).filter(([, s]) => !s.ok);
    assert.deepEqual(
      failed.map(([name, s]) => `${name}: ${s.error.statusCode} ${s.error.message.split('\n')[0]}`),
      [],
    );
    const entries = lines(server.stderr()).flatMap((l) => {
      try {
        return [JSON.parse(l)];
      } catch {
        return []; // not a request log line
      }
    });
    const errors5xx = entries.filter((e) => {
      const status = pick(e, FIELD_ALIASES.status)?.value;
      return typeof status === 'number' && status >= 500;
    });
    assert.deepEqual(errors5xx, []);
  }),
);

test(
  'clients: create, get, update, rotate-secret and list with the SDK paging helpers',
  t_(async () => {
    const sent = report.sent.client;
    const c = created('clients.create');
    assertHas(c, sent, 'clients.create');
    assert.match(c.client_id, /^[A-Za-z0-9]{32}$/);
    assert.ok(c.client_secret?.length >= 32, 'a confidential client gets a secret');

    const got = val('clients.get');
    assertHas(got, sent, 'clients.get');
    assert.equal(got.client_id, c.client_id);
    assert.deepEqual(val('clients.get.fields'), { client_id: c.client_id, name: sent.name });

    const upd = val('clients.update');
    assert.equal(upd.description, 'Changed by the SDK');
    assert.deepEqual(upd.callbacks, ['https://app.example.com/callback', 'https://app.example.com/cb2']);
    assert.deepEqual(upd.client_metadata, { team: 'sdk', stage: 'two' });
    const after = val('clients.get.afterUpdate');
    assertHas(after, { ...sent, description: upd.description, callbacks: upd.callbacks, client_metadata: upd.client_metadata }, 'after update');

    const rotated = val('clients.rotateSecret');
    assert.equal(rotated.client_id, c.client_id);
    assert.ok(rotated.client_secret?.length >= 32);
    assert.notEqual(rotated.client_secret, c.client_secret);

    const mine = [c.client_id, ...report.ids.extraClients];
    const list = val('clients.list');
    assertTotals(list, { limit: 50, what: 'clients.list' });
    const listed = list.data.map((x) => x.client_id);
    for (const id of [...mine, server.bootstrap.client_id]) assert.ok(listed.includes(id), `clients.list lacks ${id}`);
    assert.equal(list.response.total, listed.length);

    const paged = val('clients.list.paged');
    assertTotals(paged.first, { limit: 2, what: 'clients.list per_page=2' });
    assert.equal(paged.first.data.length, 2);
    assert.equal(paged.first.response.total, list.response.total);
    assertSameItems(paged.all, listed, 'iterated clients');

    // hasNextPage/getNextPage: full pages, then the empty page past the end.
    const sizes = val('clients.list.walk');
    assert.deepEqual(sizes.slice(0, -1).every((n) => n === 2), true, `page sizes ${sizes}`);
    assert.equal(sizes.at(-1), 0);
    assert.equal(sizes.reduce((a, b) => a + b, 0), list.response.total);
  }),
);

test(
  'resource servers: create, get, update and list',
  t_(async () => {
    const sent = report.sent.api;
    const a = created('resourceServers.create');
    assertHas(a, sent, 'resourceServers.create');
    assert.equal(typeof a.id, 'string');
    assert.equal(a.is_system, false);
    assertHas(val('resourceServers.get'), sent, 'resourceServers.get');

    const upd = val('resourceServers.update');
    assert.equal(upd.token_lifetime, 3600);
    const scopes = [...sent.scopes, { value: 'delete:things', description: 'Delete things' }];
    assert.deepEqual(upd.scopes, scopes);
    assertHas(val('resourceServers.get.afterUpdate'), { ...sent, token_lifetime: 3600, scopes }, 'after update');

    const list = val('resourceServers.list');
    assertTotals(list, { limit: 50, what: 'resourceServers.list' });
    assert.ok(list.data.some((r) => r.id === a.id && r.identifier === sent.identifier));
    const system = list.data.find((r) => r.is_system);
    assert.equal(system?.identifier, `${server.url}api/v2/`, 'the Management API is listed as the system API');

    const paged = val('resourceServers.list.paged');
    assertSameItems(paged, list.data.map((r) => r.id), 'iterated resource servers');

    // node-auth0 sends the filter as a repeated argument: identifiers=a&identifiers=b.
    assert.deepEqual(val('resourceServers.list.byIdentifier'), [a.id]);
  }),
);

test(
  'client grants: create, get, update and list (filters and checkpoint paging)',
  t_(async () => {
    const { ids } = report;
    const g = created('clientGrants.create');
    assert.match(g.id, /^cgr_/);
    assertHas(g, { client_id: ids.client, audience: ids.audience, scope: ['read:things'] }, 'clientGrants.create');
    assert.deepEqual(val('clientGrants.get'), g);
    const upd = val('clientGrants.update');
    assert.deepEqual(upd, { ...g, scope: ['read:things', 'write:things'] });

    for (const name of ['clientGrants.list.byClient', 'clientGrants.list.byAudience']) {
      const page = val(name);
      assert.deepEqual(page.data, [upd], name);
      assert.equal(page.hasNextPage, false, `${name}: no next cursor after the last page`);
    }
    const paged = val('clientGrants.list.paged');
    assertNoDuplicates(paged, 'iterated client grants');
    assert.ok(paged.includes(g.id), 'take=1 pages reach the new grant');
    assert.ok(paged.length >= 2, 'the bootstrap client grant is listed too');
  }),
);

test(
  'connections: create, get, update and list (strategy, name, checkpoint paging)',
  t_(async () => {
    const { ids, sent } = report;
    const c = created('connections.create');
    assert.match(c.id, /^con_/);
    assertHas(c, sent.connection, 'connections.create');
    assertHas(val('connections.get'), sent.connection, 'connections.get');
    assert.deepEqual(val('connections.get.fields'), { id: c.id, name: sent.connection.name });
    const upd = val('connections.update');
    assertSameItems(upd.enabled_clients, [ids.client, ...ids.extraClients], 'enabled_clients');
    assert.equal(upd.name, sent.connection.name);

    const byStrategy = val('connections.list.byStrategy');
    const names = byStrategy.data.map((x) => x.name);
    assert.ok(names.includes(sent.connection.name));
    assert.ok(names.includes('Username-Password-Authentication'));
    assert.ok(byStrategy.data.every((x) => x.strategy === 'auth0'));
    const byName = val('connections.list.byName');
    assert.deepEqual(byName.data.map((x) => x.id), [c.id]);

    const paged = val('connections.list.paged');
    assertSameItems(paged, byStrategy.data.map((x) => x.id), 'iterated connections');
  }),
);

test(
  'users: create, get, update (metadata merge), search, paging and users-by-email',
  t_(async () => {
    const { ids, sent } = report;
    const u = created('users.create');
    assert.match(u.user_id, /^auth0\|/);
    const { connection, ...fields } = sent.user;
    assertHas(u, fields, 'users.create');
    assert.equal(u.password, undefined, 'no password is read back');
    assert.deepEqual(u.identities, [
      { connection, provider: 'auth0', user_id: u.user_id.slice('auth0|'.length), isSocial: false },
    ]);
    assert.match(u.created_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
    const got = val('users.get');
    assertHas(got, fields, 'users.get');
    assert.deepEqual(val('users.get.fields'), { user_id: u.user_id, email: sent.user.email });
    const { identities: _i, app_metadata: _a, ...rest } = got;
    assert.deepEqual(val('users.get.fieldsExcluded'), rest);

    // PATCH merges metadata at the root; null deletes a key.
    const expected = {
      ...fields,
      name: 'Ana B. SDK',
      user_metadata: { theme: 'dark', lang: 'pt' },
      app_metadata: { plan: 'pro' },
    };
    assertHas(val('users.update'), expected, 'users.update');
    assertHas(val('users.get.afterUpdate'), expected, 'users.get after update');

    const search = val('users.list.search');
    assertTotals(search, { limit: 50, what: 'users.list q=email' });
    assert.deepEqual(search.data.map((x) => x.user_id), [u.user_id]);
    const paged = val('users.list.paged');
    assertNoDuplicates(paged, 'iterated users');
    assert.ok(paged.includes(ids.user) && paged.includes(ids.user2));
    assert.deepEqual(val('users.listUsersByEmail').map((x) => x.user_id), [u.user_id]);
  }),
);

test(
  'roles and permissions: CRUD, permissions of roles and users, assignments seen from both sides',
  t_(async () => {
    const { ids, sent } = report;
    const r = created('roles.create', 200);
    assert.match(r.id, /^rol_[A-Za-z0-9]{16}$/);
    assertHas(r, sent.role, 'roles.create');
    assert.deepEqual(val('roles.get'), r);
    assert.deepEqual(val('roles.update'), { ...r, description: 'Reads all things' });
    const byName = val('roles.list.byName');
    assertTotals(byName, { limit: 50, what: 'roles.list name_filter' });
    assert.deepEqual(byName.data.map((x) => x.id), [r.id]);
    const paged = val('roles.list.paged');
    assertNoDuplicates(paged, 'iterated roles');
    assert.ok(paged.includes(ids.roleA) && paged.includes(ids.roleB));

    const perm = (name, description) => ({
      permission_name: name,
      description,
      resource_server_name: report.sent.api.name,
      resource_server_identifier: ids.audience,
    });
    assert.equal(val('roles.permissions.add').status, 201);
    const rolePerms = val('roles.permissions.list');
    assertTotals(rolePerms, { limit: 50, what: 'roles.permissions.list' });
    const byPermName = (a, b) => a.permission_name.localeCompare(b.permission_name);
    assert.deepEqual(
      [...rolePerms.data].sort(byPermName),
      [perm('delete:things', 'Delete things'), perm('read:things', 'Read things')],
    );

    // Roles assigned to a user (users.roles.assign) and users to a role (roles.users.assign).
    assert.equal(val('users.roles.assign').status, 204);
    assert.equal(val('roles.users.assign').status, 200);
    const userRoles = val('users.roles.list');
    assertTotals(userRoles, { limit: 50, what: 'users.roles.list' });
    assertSameItems(userRoles.data.map((x) => x.id), [ids.roleA, ids.roleB], 'users.roles.list');
    const membersA = val('roles.users.list.A');
    assert.deepEqual(membersA.data.map((x) => x.user_id), [ids.user]);
    assertHas(membersA.data[0], { email: sent.user.email, name: 'Ana B. SDK' }, 'role member');
    const membersB = val('roles.users.list.B.paged');
    assertSameItems(membersB, [ids.user, ids.user2], 'role members (take=1)');

    // A user's permissions: direct ones and those of their roles, each with its sources.
    assert.equal(val('users.permissions.create').status, 201);
    const userPerms = val('users.permissions.list');
    assertTotals(userPerms, { limit: 50, what: 'users.permissions.list' });
    const roleSource = { source_id: ids.roleA, source_name: sent.role.name, source_type: 'ROLE' };
    assert.deepEqual([...userPerms.data].sort(byPermName), [
      { ...perm('delete:things', 'Delete things'), sources: [roleSource] },
      { ...perm('read:things', 'Read things'), sources: [roleSource] },
      { ...perm('write:things', 'Write things'), sources: [{ source_id: '', source_name: '', source_type: 'DIRECT' }] },
    ]);

    assert.equal(val('users.permissions.delete').status, 204);
    assert.equal(val('roles.permissions.delete').status, 200);
    assert.equal(val('users.roles.delete').status, 204);
    assert.deepEqual(val('users.roles.list.afterDelete').map((x) => x.id), [ids.roleA]);
    assert.deepEqual(val('users.permissions.list.afterDelete'), [
      { ...perm('read:things', 'Read things'), sources: [roleSource] },
    ]);
  }),
);

test(
  'tenant settings: a PATCH of friendly_name, default_audience and session lifetimes reads back',
  t_(async () => {
    const { sent } = report;
    const before = val('tenants.settings.get.before');
    const upd = val('tenants.settings.update');
    assert.equal(upd.status, 200);
    assertHas(upd.data, sent.settings, 'tenants.settings.update');
    const afterGet = val('tenants.settings.get.after');
    assert.deepEqual(afterGet, { ...before, ...sent.settings }, 'only the patched settings change');
    assert.deepEqual(val('tenants.settings.get.fields'), { friendly_name: sent.settings.friendly_name });
    assert.equal(val('tenants.settings.update.clearAudience').default_audience, '');
  }),
);

test(
  'errors through the SDK: 404 for unknown ids, 400 for bad bodies, 401 for a wrong secret',
  t_(async () => {
    assertSdkError('error.clients.get.unknown', 404, 'inexistent_client', 'NotFoundError');
    assertSdkError('error.users.get.unknown', 404, 'inexistent_user', 'NotFoundError');
    assertSdkError('error.roles.get.unknown', 404, 'inexistent_role', 'NotFoundError');
    assertSdkError('error.resourceServers.get.unknown', 404, 'inexistent_resource_server', 'NotFoundError');
    assertSdkError('error.connections.get.unknown', 404, 'inexistent_connection', 'NotFoundError');
    assertSdkError('error.clientGrants.get.unknown', 404, 'inexistent_client_grant', 'NotFoundError');
    assertSdkError('error.keys.signing.get.unknown', 404, 'inexistent_signing_key', 'NotFoundError');
    for (const name of [
      'error.clients.create.noName',
      'error.resourceServers.create.noIdentifier',
      'error.roles.create.noName',
      'error.users.create.badEmail',
    ]) {
      const e = assertSdkError(name, 400, 'invalid_body', 'BadRequestError');
      assert.match(e.body.message, /^Payload validation error: /, name);
    }
    assertSdkError('error.users.create.duplicate', 409, 'auth0_idp_error', 'ConflictError');
    assertSdkError('error.resourceServers.create.duplicate', 409, undefined, 'ConflictError');
    assertSdkError('error.roles.create.duplicate', 409, undefined);
    // A client granted read:clients only: reads pass, a create is 403 insufficient_scope.
    assert.deepEqual(val('limited.clients.get'), { client_id: report.ids.client });
    const scopeError = assertSdkError('error.insufficientScope', 403, 'insufficient_scope', 'ForbiddenError');
    assert.equal(scopeError.body.message, 'Insufficient scope, expected any of: create:clients');
    // The token request itself fails: the SDK reports the OAuth error body.
    const e = assertSdkError('error.wrongSecret', 401);
    assert.equal(e.body?.error, 'invalid_client');
  }),
);

test(
  'logs: the scenario\'s token exchange is listed (wrapped, paged) and read back by id',
  t_(async () => {
    const list = val('logs.list');
    assertTotals(list, { limit: 100, what: 'logs.list' });
    const exchange = list.data.find((l) => l.type === 'seccft' && l.client_id === server.bootstrap.client_id);
    assert.ok(exchange, `no seccft entry in ${JSON.stringify(list.data.map((l) => l.type))}`);
    assertHas(exchange, { description: 'Client Credentials for Access Token', client_name: 'Bootstrap Management Client', ip: '127.0.0.1' }, 'seccft');
    assert.match(exchange.date, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    assert.deepEqual(val('logs.get'), exchange);
    // The second ManagementClient's exchange, under its own client.
    assert.ok(
      list.data.some((l) => l.type === 'seccft' && l.client_id === report.ids.limitedClient && l.client_name === `SDK limited ${report.tag}`),
      'the limited client\'s seccft is listed',
    );

    const sizes = val('logs.list.walk');
    assert.ok(sizes.slice(0, -1).every((n) => n === 1), `page sizes ${sizes}`);
    assert.equal(sizes.at(-1), 0);
    assert.equal(sizes.length - 1, list.response.total);

    const q = val('logs.list.q');
    assert.ok(q.length >= 1 && q.every((type) => type === 'seccft'), `q=type:seccft gave ${q}`);
    const userLogs = val('users.logs.list');
    assertTotals(userLogs, { limit: 50, what: 'users.logs.list' });

    // node-auth0 7.1 names the Lucene query `search` on logs.list.
    assert.deepEqual(val('logs.list.search'), []);
    // The refused client_credentials exchange (wrong secret) is logged.
    assert.ok(
      list.data.some((l) => l.type === 'feccft' && l.client_id === server.bootstrap.client_id),
      `types: ${list.data.map((l) => l.type)}`,
    );
  }),
);

test(
  'deletes through the SDK succeed and the deleted items then answer 404',
  t_(async () => {
    const deleted = val('deletes');
    assert.equal(Object.keys(deleted).length, 10 + report.ids.extraClients.length);
    for (const [key, { delete: status, getAfter }] of Object.entries(deleted)) {
      assert.ok(typeof status === 'number' && status >= 200 && status < 300, `${key}: delete gave ${JSON.stringify(status)}`);
      assert.equal(getAfter?.statusCode, 404, `${key}: get after delete gave ${JSON.stringify(getAfter)}`);
      assert.equal(getAfter?.name, 'NotFoundError', key);
    }
  }),
);

test(
  'signing keys: list, rotate (new current kid, old key previous), revoke the previous one',
  t_(async () => {
    const before = val('keys.signing.list.before');
    const current = before.filter((k) => k.current);
    const next = before.filter((k) => k.next);
    assert.equal(current.length, 1, 'one current key');
    assert.equal(next.length, 1, 'one next key');
    const oldKid = current[0].kid;
    for (const k of before) assertCert(k);
    const got = val('keys.signing.get');
    assertHas(got, { kid: oldKid, current: true, previous: false, revoked: false }, 'get');
    assert.deepEqual(got, current[0], 'get shows the key as the list does (the same certificate)');

    const revokeCurrent = assertSdkError('error.keys.signing.revoke.current', 400, 'invalid_key_state');
    assert.match(revokeCurrent.body.message, /previous/);

    const rot = created('keys.signing.rotate');
    assert.notEqual(rot.kid, oldKid);
    assert.equal(rot.kid, next[0].kid, 'the next key becomes current');
    assert.equal(rot.cert, next[0].cert, 'rotate answers {cert, kid} of the new current key');
    const afterRotate = val('keys.signing.list.afterRotate');
    for (const k of afterRotate) assertCert(k);
    const byKid = new Map(afterRotate.map((k) => [k.kid, k]));
    assertHas(byKid.get(rot.kid), { current: true, previous: false, next: false }, 'new current');
    assertHas(byKid.get(oldKid), { current: false, previous: true, revoked: false }, 'old key');
    assert.ok(byKid.get(oldKid).current_until, 'the old key has current_until');
    assert.equal(afterRotate.filter((k) => k.next && k.kid !== rot.kid).length, 1, 'a new next key');

    const rev = val('keys.signing.revoke');
    assert.equal(rev.status, 200);
    assert.equal(rev.data.kid, oldKid);
    assert.equal(rev.data.cert, current[0].cert, 'revoke answers {cert, kid} of the revoked key');
    const revoked = val('keys.signing.get.afterRevoke');
    assertHas(revoked, { kid: oldKid, revoked: true, current: false }, 'revoked key');
    assert.ok(revoked.revoked_at, 'revoked_at is set');
    assertCert(revoked);
    // The SDK's cached token was signed by the revoked key.
    assertSdkError('error.keys.oldToken', 401, 'invalid_token', 'UnauthorizedError');
  }),
);

test(
  'tickets and jobs: links for a password change and an email verification; the verification email job',
  t_(async () => {
    const user = val('tickets.user');
    const issuer = server.url;
    const pw = created('tickets.changePassword');
    assert.match(pw.ticket, new RegExp(`^${issuer}u/reset-password\\?ticket=[A-Za-z0-9_-]{43}`), pw.ticket);
    const ve = created('tickets.verifyEmail');
    assert.match(ve.ticket, new RegExp(`^${issuer}u/email-verification\\?ticket=[A-Za-z0-9_-]{43}`), ve.ticket);
    assert.notEqual(new URL(pw.ticket).searchParams.get('ticket'), new URL(ve.ticket).searchParams.get('ticket'));

    const job = created('jobs.verificationEmail.create');
    assertHas(job, { type: 'verification_email', status: 'completed' }, 'job');
    assert.match(job.id, /^job_[A-Za-z0-9]+$/);
    assert.ok(!Number.isNaN(Date.parse(job.created_at)), `created_at ${job.created_at}`);
    assert.deepEqual(val('jobs.get'), job, 'jobs.get reads the job back');
    const mail = await waitForMailLink(server.dataDir, { to: user.email, linkRe: /https?:\/\/\S+u\/email-verification\?ticket=[A-Za-z0-9_-]+/ });
    assert.ok(mail, 'the job mailed a verification link');

    assertSdkError('error.tickets.changePassword.unknownUser', 404, 'inexistent_user', 'NotFoundError');
    assertSdkError('error.jobs.get.unknown', 404, 'inexistent_job', 'NotFoundError');
  }),
);
