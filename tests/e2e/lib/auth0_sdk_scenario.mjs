// Run as a child process with NODE_EXTRA_CA_CERTS set (node reads it at
// start): drives the whole Management API through the official `auth0`
// ManagementClient (every call through the SDK, none by hand) and prints a
// JSON report {steps: {name: {ok, value} | {ok: false, error}}} of what it
// read back, for management_sdk.test.mjs to judge.  A failing step is
// recorded and the scenario goes on, so one server bug shows as one failed
// assertion rather than hiding the rest.
// Usage: node auth0_sdk_scenario.mjs DOMAIN CLIENT_ID CLIENT_SECRET
import { ManagementClient } from 'auth0';

const [domain, clientId, clientSecret] = process.argv.slice(2);
const tag = `${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;
const steps = {};
// The bodies sent, reported so that the suite compares what it reads back with them.
const sent = {};

/** What the suite needs of an SDK error: its class, status and Auth0 body. */
function errorInfo(e) {
  return {
    name: e?.constructor?.name ?? typeof e,
    statusCode: e?.statusCode,
    body: e?.body,
    message: String(e?.message ?? e).slice(0, 2000),
  };
}

/** Runs one step; records {ok, value} or {ok: false, error}; returns the value or undefined. */
async function step(name, fn) {
  try {
    const value = await fn();
    steps[name] = { ok: true, value: value ?? null };
    return value;
  } catch (e) {
    steps[name] = { ok: false, error: errorInfo(e) };
    return undefined;
  }
}

/** Records the rejection a call must end in: {rejected, error} or {rejected: false, value}. */
async function expectError(name, fn) {
  try {
    const value = await fn();
    steps[name] = { ok: true, value: { rejected: false, value: value ?? null } };
  } catch (e) {
    steps[name] = { ok: true, value: { rejected: true, error: errorInfo(e) } };
  }
}

/** An SDK call made with its raw-response option: {status, contentType, data}. */
async function raw(promise) {
  const { data, rawResponse } = await promise.withRawResponse();
  return { status: rawResponse.status, contentType: rawResponse.headers.get('content-type'), data };
}

/** A first page as the SDK's Page helper holds it: {response (without items), data}. */
function firstPage(page, key) {
  const { [key]: _items, ...rest } = page.response ?? {};
  return { response: rest, data: page.data, hasNextPage: page.hasNextPage() };
}

/** Every item the SDK's async iterator yields, bounded so a paging bug cannot loop forever. */
async function collect(page, limit = 500) {
  const out = [];
  for await (const item of page) {
    out.push(item);
    if (out.length >= limit) break;
  }
  return out;
}

/** Walks pages with hasNextPage/getNextPage: the page sizes seen (bounded). */
async function walkPages(page, limit = 100) {
  const sizes = [page.data.length];
  while (page.hasNextPage() && sizes.length < limit) {
    await page.getNextPage();
    sizes.push(page.data.length);
  }
  return sizes;
}

const mgmt = new ManagementClient({ domain, clientId, clientSecret });
const ids = {};

// --- Clients -------------------------------------------------------------
const clientBody = (sent.client = {
  name: `SDK app ${tag}`,
  description: 'Made by the auth0 SDK suite',
  app_type: 'regular_web',
  callbacks: ['https://app.example.com/callback'],
  allowed_logout_urls: ['https://app.example.com/'],
  web_origins: ['https://app.example.com'],
  allowed_origins: ['https://app.example.com'],
  grant_types: ['authorization_code', 'refresh_token', 'client_credentials'],
  token_endpoint_auth_method: 'client_secret_post',
  client_metadata: { team: 'sdk' },
  jwt_configuration: { alg: 'RS256', lifetime_in_seconds: 3600 },
});
const created = await step('clients.create', () => raw(mgmt.clients.create(clientBody)));
ids.client = created?.data?.client_id;
ids.extraClients = [];
for (let i = 0; i < 2; i++) {
  const c = await step(`clients.create.extra${i}`, () =>
    mgmt.clients.create({ name: `SDK extra ${i} ${tag}`, app_type: 'non_interactive' }),
  );
  if (c) ids.extraClients.push(c.client_id);
}
await step('clients.get', () => mgmt.clients.get(ids.client));
await step('clients.get.fields', () =>
  mgmt.clients.get(ids.client, { fields: 'client_id,name', include_fields: true }),
);
await step('clients.update', () =>
  mgmt.clients.update(ids.client, {
    description: 'Changed by the SDK',
    callbacks: ['https://app.example.com/callback', 'https://app.example.com/cb2'],
    client_metadata: { team: 'sdk', stage: 'two' },
  }),
);
await step('clients.get.afterUpdate', () => mgmt.clients.get(ids.client));
await step('clients.rotateSecret', () => mgmt.clients.rotateSecret(ids.client));
await step('clients.list', async () => firstPage(await mgmt.clients.list(), 'clients'));
await step('clients.list.paged', async () => {
  const page = await mgmt.clients.list({ per_page: 2 });
  const first = firstPage(page, 'clients');
  return { first, all: (await collect(page)).map((c) => c.client_id) };
});
await step('clients.list.walk', async () => walkPages(await mgmt.clients.list({ per_page: 2 })));

// --- Resource servers (APIs) -------------------------------------------------
const apiBody = (sent.api = {
  name: `SDK API ${tag}`,
  identifier: `https://api-${tag}.example.com/`,
  scopes: [
    { value: 'read:things', description: 'Read things' },
    { value: 'write:things', description: 'Write things' },
  ],
  signing_alg: 'RS256',
  token_lifetime: 7200,
  allow_offline_access: true,
  skip_consent_for_verifiable_first_party_clients: true,
  enforce_policies: true,
  token_dialect: 'access_token_authz',
});
const api = await step('resourceServers.create', () => raw(mgmt.resourceServers.create(apiBody)));
ids.api = api?.data?.id;
ids.audience = api?.data?.identifier;
await step('resourceServers.get', () => mgmt.resourceServers.get(ids.api));
await step('resourceServers.update', () =>
  mgmt.resourceServers.update(ids.api, {
    token_lifetime: 3600,
    scopes: [...apiBody.scopes, { value: 'delete:things', description: 'Delete things' }],
  }),
);
await step('resourceServers.get.afterUpdate', () => mgmt.resourceServers.get(ids.api));
await step('resourceServers.list', async () =>
  firstPage(await mgmt.resourceServers.list(), 'resource_servers'),
);
await step('resourceServers.list.byIdentifier', async () =>
  (await mgmt.resourceServers.list({ identifiers: [ids.audience] })).data.map((r) => r.id),
);
await step('resourceServers.list.paged', async () =>
  (await collect(await mgmt.resourceServers.list({ per_page: 1 }))).map((r) => r.id),
);

// --- Client grants ---------------------------------------------------------------
const grant = await step('clientGrants.create', () =>
  raw(mgmt.clientGrants.create({ client_id: ids.client, audience: ids.audience, scope: ['read:things'] })),
);
ids.grant = grant?.data?.id;
await step('clientGrants.get', () => mgmt.clientGrants.get(ids.grant));
await step('clientGrants.update', () =>
  mgmt.clientGrants.update(ids.grant, { scope: ['read:things', 'write:things'] }),
);
await step('clientGrants.list.byClient', async () =>
  firstPage(await mgmt.clientGrants.list({ client_id: ids.client }), 'client_grants'),
);
await step('clientGrants.list.byAudience', async () =>
  firstPage(await mgmt.clientGrants.list({ audience: ids.audience }), 'client_grants'),
);
await step('clientGrants.list.paged', async () =>
  (await collect(await mgmt.clientGrants.list({ take: 1 }))).map((g) => g.id),
);

// --- Connections ---------------------------------------------------------------
sent.connection = { name: `sdk-db-${tag}`, strategy: 'auth0', enabled_clients: [ids.client] };
const conn = await step('connections.create', () => raw(mgmt.connections.create(sent.connection)));
ids.connection = conn?.data?.id;
ids.connectionName = conn?.data?.name;
await step('connections.get', () => mgmt.connections.get(ids.connection));
await step('connections.get.fields', () =>
  mgmt.connections.get(ids.connection, { fields: 'id,name', include_fields: true }),
);
await step('connections.update', () =>
  mgmt.connections.update(ids.connection, { enabled_clients: [ids.client, ...ids.extraClients] }),
);
await step('connections.list.byStrategy', async () =>
  firstPage(await mgmt.connections.list({ strategy: ['auth0'] }), 'connections'),
);
await step('connections.list.byName', async () =>
  firstPage(await mgmt.connections.list({ name: ids.connectionName }), 'connections'),
);
await step('connections.list.paged', async () =>
  (await collect(await mgmt.connections.list({ take: 1 }))).map((c) => c.id),
);

// --- Users ---------------------------------------------------------------------
const email = `sdk-${tag}@example.com`;
sent.user = {
  connection: ids.connectionName,
  email,
  email_verified: true,
  name: 'Ana SDK',
  given_name: 'Ana',
  family_name: 'SDK',
  user_metadata: { theme: 'dark' },
  app_metadata: { plan: 'pro', seats: 3 },
};
const user = await step('users.create', () =>
  raw(mgmt.users.create({ ...sent.user, password: `Sdk!${tag}Pw9` })),
);
ids.user = user?.data?.user_id;
const user2 = await step('users.create.second', () =>
  mgmt.users.create({ connection: ids.connectionName, email: `sdk2-${tag}@example.com`, password: `Sdk!${tag}Pw8` }),
);
ids.user2 = user2?.user_id;
await step('users.get', () => mgmt.users.get(ids.user));
await step('users.get.fields', () => mgmt.users.get(ids.user, { fields: 'user_id,email' }));
await step('users.get.fieldsExcluded', () =>
  mgmt.users.get(ids.user, { fields: 'identities,app_metadata', include_fields: false }),
);
await step('users.update', () =>
  mgmt.users.update(ids.user, { user_metadata: { lang: 'pt' }, app_metadata: { seats: null }, name: 'Ana B. SDK' }),
);
await step('users.get.afterUpdate', () => mgmt.users.get(ids.user));
await step('users.list.search', async () =>
  firstPage(await mgmt.users.list({ q: `email:"${email}"`, search_engine: 'v3' }), 'users'),
);
await step('users.list.paged', async () =>
  (await collect(await mgmt.users.list({ per_page: 1 }))).map((u) => u.user_id),
);
await step('users.listUsersByEmail', () => mgmt.users.listUsersByEmail({ email }));

// --- Roles and permissions -----------------------------------------------------------
sent.role = { name: `SDK reader ${tag}`, description: 'Reads things' };
const roleA = await step('roles.create', () => raw(mgmt.roles.create(sent.role)));
ids.roleA = roleA?.data?.id;
const roleB = await step('roles.create.second', () => mgmt.roles.create({ name: `SDK writer ${tag}` }));
ids.roleB = roleB?.id;
await step('roles.get', () => mgmt.roles.get(ids.roleA));
await step('roles.update', () => mgmt.roles.update(ids.roleA, { description: 'Reads all things' }));
await step('roles.list.byName', async () =>
  firstPage(await mgmt.roles.list({ name_filter: sent.role.name }), 'roles'),
);
await step('roles.list.paged', async () =>
  (await collect(await mgmt.roles.list({ per_page: 1 }))).map((r) => r.id),
);
const perm = (name) => ({ resource_server_identifier: ids.audience, permission_name: name });
await step('roles.permissions.add', () =>
  raw(mgmt.roles.permissions.add(ids.roleA, { permissions: [perm('read:things'), perm('delete:things')] })),
);
await step('roles.permissions.list', async () =>
  firstPage(await mgmt.roles.permissions.list(ids.roleA), 'permissions'),
);
await step('users.roles.assign', () => raw(mgmt.users.roles.assign(ids.user, { roles: [ids.roleA] })));
await step('roles.users.assign', () =>
  raw(mgmt.roles.users.assign(ids.roleB, { users: [ids.user, ids.user2] })),
);
await step('users.roles.list', async () => firstPage(await mgmt.users.roles.list(ids.user), 'roles'));
await step('roles.users.list.A', async () => firstPage(await mgmt.roles.users.list(ids.roleA), 'users'));
await step('roles.users.list.B.paged', async () =>
  (await collect(await mgmt.roles.users.list(ids.roleB, { take: 1 }))).map((u) => u.user_id),
);
await step('users.permissions.create', () =>
  raw(mgmt.users.permissions.create(ids.user, { permissions: [perm('write:things')] })),
);
await step('users.permissions.list', async () =>
  firstPage(await mgmt.users.permissions.list(ids.user), 'permissions'),
);
await step('users.permissions.delete', () =>
  raw(mgmt.users.permissions.delete(ids.user, { permissions: [perm('write:things')] })),
);
await step('roles.permissions.delete', () =>
  raw(mgmt.roles.permissions.delete(ids.roleA, { permissions: [perm('delete:things')] })),
);
await step('users.roles.delete', () => raw(mgmt.users.roles.delete(ids.user, { roles: [ids.roleB] })));
await step('users.roles.list.afterDelete', async () => (await mgmt.users.roles.list(ids.user)).data);
await step('users.permissions.list.afterDelete', async () =>
  (await mgmt.users.permissions.list(ids.user)).data,
);

// --- Tenant settings -------------------------------------------------------------------
await step('tenants.settings.get.before', () => mgmt.tenants.settings.get());
sent.settings = {
  friendly_name: `SDK tenant ${tag}`,
  default_audience: ids.audience,
  session_lifetime: 72,
  idle_session_lifetime: 24,
};
await step('tenants.settings.update', () => raw(mgmt.tenants.settings.update(sent.settings)));
await step('tenants.settings.get.after', () => mgmt.tenants.settings.get());
await step('tenants.settings.get.fields', () =>
  mgmt.tenants.settings.get({ fields: 'friendly_name', include_fields: true }),
);

// --- Errors through the SDK ------------------------------------------------------------
await expectError('error.clients.get.unknown', () => mgmt.clients.get('no-such-client-id'));
await expectError('error.users.get.unknown', () => mgmt.users.get('auth0|000000000000000000000000'));
await expectError('error.roles.get.unknown', () => mgmt.roles.get('rol_0000000000000000'));
await expectError('error.resourceServers.get.unknown', () => mgmt.resourceServers.get('no-such-api'));
await expectError('error.connections.get.unknown', () => mgmt.connections.get('con_0000000000000000'));
await expectError('error.clientGrants.get.unknown', () => mgmt.clientGrants.get('cgr_0000000000000000'));
await expectError('error.clients.create.noName', () => mgmt.clients.create({ app_type: 'spa' }));
await expectError('error.resourceServers.create.noIdentifier', () =>
  mgmt.resourceServers.create({ name: `SDK bad ${tag}` }),
);
await expectError('error.roles.create.noName', () => mgmt.roles.create({ description: 'nameless' }));
await expectError('error.users.create.badEmail', () =>
  mgmt.users.create({ connection: ids.connectionName, email: 'not-an-email', password: 'x' }),
);
await expectError('error.users.create.duplicate', () =>
  mgmt.users.create({ connection: ids.connectionName, email, password: `Sdk!${tag}Pw7` }),
);
await expectError('error.resourceServers.create.duplicate', () =>
  mgmt.resourceServers.create({ name: `SDK dup ${tag}`, identifier: ids.audience }),
);
await expectError('error.roles.create.duplicate', () => mgmt.roles.create({ name: sent.role.name }));
// A client allowed read:clients only on the Management API: reads work, writes are refused.
const limited = await step('limited.client', () =>
  mgmt.clients.create({ name: `SDK limited ${tag}`, app_type: 'non_interactive' }),
);
ids.limitedClient = limited?.client_id;
const limitedGrant = await step('limited.grant', () =>
  mgmt.clientGrants.create({ client_id: ids.limitedClient, audience: `https://${domain}/api/v2/`, scope: ['read:clients'] }),
);
ids.limitedGrant = limitedGrant?.id;
const reader = new ManagementClient({ domain, clientId: ids.limitedClient, clientSecret: limited?.client_secret });
await step('limited.clients.get', () => reader.clients.get(ids.client, { fields: 'client_id' }));
await expectError('error.insufficientScope', () => reader.clients.create({ name: `SDK refused ${tag}` }));
await expectError('error.wrongSecret', () =>
  new ManagementClient({ domain, clientId, clientSecret: `${clientSecret}x` }).clients.list(),
);

// --- Logs ------------------------------------------------------------------------------
await step('logs.list', async () => firstPage(await mgmt.logs.list({ per_page: 100 }), 'logs'));
// The SDK's logs.list offers Auth0's `search` parameter; `q` goes through its queryParams option.
await step('logs.list.search', async () =>
  (await mgmt.logs.list({ search: 'type:fp', per_page: 100 })).data.map((l) => l.type),
);
await step('logs.list.q', async () =>
  (await mgmt.logs.list({ per_page: 100 }, { queryParams: { q: 'type:seccft' } })).data.map((l) => l.type),
);
await step('logs.list.walk', async () => walkPages(await mgmt.logs.list({ per_page: 1 }), 50));
const logs = steps['logs.list']?.value?.data ?? [];
ids.log = logs.find((l) => l.type === 'seccft' && l.client_id === clientId)?.log_id ?? logs[0]?.log_id;
await step('logs.get', () => mgmt.logs.get(ids.log));
await step('users.logs.list', async () => firstPage(await mgmt.users.logs.list(ids.user), 'logs'));

// --- Deletes -----------------------------------------------------------------------------
await step('tenants.settings.update.clearAudience', () =>
  mgmt.tenants.settings.update({ default_audience: '' }),
);
const deletes = [
  ['clientGrants', ids.grant],
  ['clientGrants', ids.limitedGrant],
  ['clients', ids.limitedClient],
  ['users', ids.user],
  ['users', ids.user2],
  ['roles', ids.roleA],
  ['roles', ids.roleB],
  ['connections', ids.connection],
  ['resourceServers', ids.api],
  ['clients', ids.client],
  ...ids.extraClients.map((id) => ['clients', id]),
];
const deleted = {};
for (const [family, id] of deletes) {
  const key = `${family}:${id}`;
  deleted[key] = { delete: null, getAfter: null };
  try {
    deleted[key].delete = (await raw(mgmt[family].delete(id))).status;
  } catch (e) {
    deleted[key].delete = errorInfo(e);
  }
  try {
    await mgmt[family].get(id);
    deleted[key].getAfter = 'still there';
  } catch (e) {
    deleted[key].getAfter = errorInfo(e);
  }
}
steps.deletes = { ok: true, value: deleted };

// --- Signing keys (last: revoking the key that signed this client's token ends it) -----------
const before = await step('keys.signing.list.before', () => mgmt.keys.signing.list());
const oldKid = before?.find((k) => k.current)?.kid;
await step('keys.signing.get', () => mgmt.keys.signing.get(oldKid));
await expectError('error.keys.signing.revoke.current', () => mgmt.keys.signing.revoke(oldKid));
await step('keys.signing.rotate', () => raw(mgmt.keys.signing.rotate()));
await step('keys.signing.list.afterRotate', () => mgmt.keys.signing.list());
await step('keys.signing.revoke', () => raw(mgmt.keys.signing.revoke(oldKid)));
// From here on a new client: the token `mgmt` holds was signed by the revoked key.
const fresh = new ManagementClient({ domain, clientId, clientSecret });
await step('keys.signing.get.afterRevoke', () => fresh.keys.signing.get(oldKid));
await expectError('error.keys.oldToken', () => mgmt.keys.signing.list());
await expectError('error.keys.signing.get.unknown', () => fresh.keys.signing.get('no-such-kid'));

// --- Tickets and jobs ----------------------------------------------------------------------
const ticketUser = await step('tickets.user', () =>
  fresh.users.create({
    connection: 'Username-Password-Authentication',
    email: `sdk-ticket-${tag}@example.com`,
    password: `Sdk!${tag}Pw7`,
    email_verified: false,
  }),
);
sent.ticketUserEmail = `sdk-ticket-${tag}@example.com`;
const uid = ticketUser?.user_id;
await step('tickets.changePassword', () =>
  raw(fresh.tickets.changePassword({ user_id: uid, result_url: 'https://app.example.com/done', ttl_sec: 3600, mark_email_as_verified: true })),
);
await step('tickets.verifyEmail', () => raw(fresh.tickets.verifyEmail({ user_id: uid, includeEmailInRedirect: true, result_url: 'https://app.example.com/verified' })));
const job = await step('jobs.verificationEmail.create', () => raw(fresh.jobs.verificationEmail.create({ user_id: uid })));
await step('jobs.get', () => fresh.jobs.get(job?.data?.id));
await expectError('error.tickets.changePassword.unknownUser', () =>
  fresh.tickets.changePassword({ user_id: 'auth0|000000000000000000000000' }),
);
await expectError('error.jobs.get.unknown', () => fresh.jobs.get('job_0000000000000000'));

process.stdout.write(JSON.stringify({ ok: true, tag, ids, sent, steps }));
