// Management API v2 helpers and fixtures (APIs, M2M clients, grants).
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';

import { json, mgmtToken } from './http.mjs';

/** A short unique tag for names and identifiers. */
export function uid(prefix = 'e2e') {
  return `${prefix}-${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;
}

/** Records every secret and token a test run handled, for the log leak checks. */
export const secretsSeen = new Set();
export function remember(...values) {
  for (const v of values) if (typeof v === 'string' && v.length >= 8) secretsSeen.add(v);
}

/** A Management API client bound to one server and one token. */
export class Mgmt {
  constructor(server, token) {
    this.server = server;
    this.token = token;
    this.base = `${server.url}api/v2`;
    remember(token);
  }

  static async forBootstrap(server) {
    remember(server.bootstrap.client_secret);
    return new Mgmt(server, await mgmtToken(server));
  }

  call(method, path, body, token = this.token) {
    return json(`${this.base}${path}`, method, body, token);
  }
  get(path) {
    return this.call('GET', path);
  }
  post(path, body) {
    return this.call('POST', path, body);
  }
  patch(path, body) {
    return this.call('PATCH', path, body);
  }
  del(path) {
    return this.call('DELETE', path);
  }

  /** POST /resource-servers; asserts 201. */
  async createApi(overrides = {}) {
    const tag = uid('api');
    const body = {
      name: `E2E ${tag}`,
      identifier: `https://${tag}.tessera.test/api`,
      scopes: [
        { value: 'read:x', description: 'Read x' },
        { value: 'write:x', description: 'Write x' },
      ],
      signing_alg: 'RS256',
      token_lifetime: 3600,
      ...overrides,
    };
    const res = await this.post('/resource-servers', body);
    assert.equal(res.status, 201, `POST /api/v2/resource-servers: expected 201, got ${res.status} ${res.text}`);
    remember(res.body?.signing_secret);
    return res.body;
  }

  /** POST /clients (M2M); asserts 201 and a client_secret. */
  async createClient(overrides = {}) {
    const body = {
      name: `E2E ${uid('client')}`,
      app_type: 'non_interactive',
      grant_types: ['client_credentials'],
      ...overrides,
    };
    const res = await this.post('/clients', body);
    assert.equal(res.status, 201, `POST /api/v2/clients: expected 201, got ${res.status} ${res.text}`);
    assert.equal(typeof res.body?.client_id, 'string', `client_id missing in ${res.text}`);
    assert.equal(typeof res.body?.client_secret, 'string', `client_secret missing in POST /clients answer`);
    remember(res.body.client_secret);
    return res.body;
  }

  /** POST /client-grants; asserts 201. */
  async createGrant(clientId, audience, scope) {
    const res = await this.post('/client-grants', { client_id: clientId, audience, scope });
    assert.equal(res.status, 201, `POST /api/v2/client-grants: expected 201, got ${res.status} ${res.text}`);
    return res.body;
  }

  /** An API, an M2M client and a grant between them. */
  async m2m({ api = {}, client = {}, grantScope = ['read:x', 'write:x'] } = {}) {
    const a = await this.createApi(api);
    const c = await this.createClient(client);
    const g = await this.createGrant(c.client_id, a.identifier, grantScope);
    return { api: a, client: c, grant: g };
  }

  /** POST /clients for an application used by people (no secret expected); asserts 201. */
  async createApp(body) {
    const res = await this.post('/clients', { name: `E2E ${uid('app')}`, ...body });
    assert.equal(res.status, 201, `POST /api/v2/clients: expected 201, got ${res.status} ${res.text}`);
    assert.equal(typeof res.body?.client_id, 'string', `client_id missing in ${res.text}`);
    remember(res.body.client_secret);
    return res.body;
  }

  /**
   * A single-page application (public client, PKCE) for an app at origin
   * (e.g. http://127.0.0.1:5555) with rotating refresh tokens.
   * callbackPath: '/callback' (default) or '/'.
   */
  async createSpa(origin, { callbackPath = '/callback', ...overrides } = {}) {
    const c = await this.createApp({
      app_type: 'spa',
      callbacks: [`${origin}${callbackPath}`],
      allowed_logout_urls: [`${origin}/`],
      web_origins: [origin],
      allowed_origins: [origin],
      grant_types: ['authorization_code', 'refresh_token'],
      refresh_token: {
        rotation_type: 'rotating',
        expiration_type: 'expiring',
        leeway: 0,
        token_lifetime: 2592000,
        idle_token_lifetime: 1296000,
      },
      ...overrides,
    });
    assert.equal(c.token_endpoint_auth_method, 'none', `an spa is a public client: ${JSON.stringify(c)}`);
    assert.equal(c.client_secret, undefined, 'an spa has no client_secret');
    return c;
  }

  /** A regular web application (confidential client) with the given callback URL(s); asserts a secret. */
  async createWebApp(callbacks, overrides = {}) {
    const list = Array.isArray(callbacks) ? callbacks : [callbacks];
    const origin = new URL(list[0]).origin;
    const c = await this.createApp({
      app_type: 'regular_web',
      callbacks: list,
      allowed_logout_urls: [`${origin}/`],
      grant_types: ['authorization_code', 'refresh_token'],
      token_endpoint_auth_method: 'client_secret_post',
      refresh_token: { rotation_type: 'rotating', expiration_type: 'expiring', leeway: 0, token_lifetime: 2592000, idle_token_lifetime: 1296000 },
      ...overrides,
    });
    assert.equal(typeof c.client_secret, 'string', `a regular_web client gets a client_secret: ${JSON.stringify(c)}`);
    return c;
  }

  /** An API that people's apps ask tokens for (offline access, no consent for first-party apps). */
  createUserApi(overrides = {}) {
    return this.createApi({
      scopes: [{ value: 'read:messages', description: 'Read messages' }],
      allow_offline_access: true,
      skip_consent_for_verifiable_first_party_clients: true,
      ...overrides,
    });
  }

  /** POST /users in the database connection; asserts 201 and returns the user plus {password}. */
  async createUser({ email, password = 'Str0ng!Passw0rd', ...overrides } = {}) {
    const body = {
      connection: 'Username-Password-Authentication',
      email: email ?? `${uid('user')}@example.com`,
      password,
      email_verified: true,
      ...overrides,
    };
    const res = await this.post('/users', body);
    assert.equal(res.status, 201, `POST /api/v2/users: expected 201, got ${res.status} ${res.text}`);
    assert.match(res.body?.user_id ?? '', /^auth0\|/, `user_id should be auth0|…: ${res.text}`);
    remember(password);
    return { ...res.body, password };
  }

  /** PATCH /users/{id}; asserts 200. */
  async patchUser(userId, body) {
    const res = await this.patch(`/users/${encodeURIComponent(userId)}`, body);
    assert.equal(res.status, 200, `PATCH /api/v2/users/${userId}: expected 200, got ${res.status} ${res.text}`);
    return res.body;
  }

  /** The system API (the Management API itself). */
  async systemApi() {
    const res = await this.get('/resource-servers');
    assert.equal(res.status, 200, `GET /api/v2/resource-servers: ${res.status} ${res.text}`);
    const list = Array.isArray(res.body) ? res.body : res.body?.resource_servers;
    const sys = (list ?? []).find((r) => r.identifier === `${this.server.url}api/v2/`);
    assert.ok(sys, `system API ${this.server.url}api/v2/ not in the resource server list: ${res.text}`);
    return sys;
  }
}

/** Every Management scope the bootstrap client is documented to hold. */
export const ALL_MGMT_SCOPES = [
  'read:clients',
  'create:clients',
  'update:clients',
  'delete:clients',
  'read:resource_servers',
  'create:resource_servers',
  'update:resource_servers',
  'delete:resource_servers',
  'read:client_grants',
  'create:client_grants',
  'update:client_grants',
  'delete:client_grants',
  'update:client_keys',
];

/** Asserts the Management API error shape and returns the body. */
export function assertMgmtError(res, status, { errorCode, message, messageIncludes } = {}, what = '') {
  const ctx = `${what ? `${what}: ` : ''}${res.status} ${res.text}`;
  assert.equal(res.status, status, `expected HTTP ${status} (${ctx})`);
  assert.ok(res.body && typeof res.body === 'object', `expected a JSON error body (${ctx})`);
  assert.equal(res.body.statusCode, status, `statusCode field should be ${status} (${ctx})`);
  assert.equal(typeof res.body.error, 'string', `error field should be a string (${ctx})`);
  assert.equal(typeof res.body.message, 'string', `message field should be a string (${ctx})`);
  if (errorCode !== undefined) assert.equal(res.body.errorCode, errorCode, `errorCode (${ctx})`);
  if (message !== undefined) assert.equal(res.body.message, message, `message (${ctx})`);
  if (messageIncludes !== undefined) {
    assert.ok(res.body.message.includes(messageIncludes), `message should mention "${messageIncludes}" (${ctx})`);
  }
  return res.body;
}

/** Asserts an OAuth error body {error, error_description} and returns it. */
export function assertOAuthError(res, status, error, description = undefined, what = '') {
  const ctx = `${what ? `${what}: ` : ''}${res.status} ${res.text}`;
  assert.equal(res.status, status, `expected HTTP ${status} (${ctx})`);
  assert.ok(res.body && typeof res.body === 'object', `expected a JSON error body (${ctx})`);
  assert.equal(res.body.error, error, `error field (${ctx})`);
  assert.equal(typeof res.body.error_description, 'string', `error_description should be a string (${ctx})`);
  if (description !== undefined) assert.equal(res.body.error_description, description, `error_description (${ctx})`);
  return res.body;
}

/** Splits a space-separated scope string into a sorted array. */
export function scopeSet(s) {
  return (s ?? '').split(' ').filter(Boolean).sort();
}
