#!/usr/bin/env node
// A stand-in for `tessera serve`, written from the e2e specification, used
// only to check the e2e suite and its harness themselves (see README.md).
// It is not a reference implementation and is never a judge of Tessera.
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import * as jose from 'jose';

const argv = process.argv.slice(2);
if (argv[0] !== 'serve') {
  console.error('usage: tessera-fake serve --listen H:P --public-url URL --data-dir DIR');
  process.exit(2);
}
const opt = (name) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
};
const [host, portStr] = opt('--listen').split(':');
const issuer = opt('--public-url');
const dir = opt('--data-dir');
const mgmtAud = `${issuer}api/v2/`;
const log = (level, msg, fields = {}) =>
  process.stderr.write(`${JSON.stringify({ ts: new Date().toISOString(), level, msg, ...fields })}\n`);

fs.mkdirSync(dir, { recursive: true });
const keyPath = path.join(dir, 'master.key');
const statePath = path.join(dir, 'state.json');
const dbPath = path.join(dir, 'tessera.db');
const bootPath = path.join(dir, 'bootstrap-client.json');
const sha = (s) => createHash('sha256').update(s).digest('hex');

if (!fs.existsSync(keyPath)) fs.writeFileSync(keyPath, `${randomBytes(32).toString('hex')}\n`, { mode: 0o600 });
const masterKey = process.env.TESSERA_MASTER_KEY ?? fs.readFileSync(keyPath, 'utf8').trim();

let state;
const firstStart = !fs.existsSync(statePath);
if (!firstStart) {
  state = JSON.parse(fs.readFileSync(statePath, 'utf8'));
  if (state.masterKeyHash !== sha(masterKey)) {
    log('error', 'master key does not decrypt the signing keys: wrong TESSERA_MASTER_KEY or master.key');
    process.exit(1);
  }
} else {
  const keys = [];
  for (const st of ['current', 'next']) {
    const { privateKey } = await jose.generateKeyPair('RS256', { extractable: true });
    const jwk = await jose.exportJWK(privateKey);
    jwk.kid = randomUUID();
    keys.push({ state: st, jwk });
  }
  const now = Math.floor(Date.now() / 1000);
  state = {
    masterKeyHash: sha(masterKey),
    keys,
    apis: [{ id: 'rs_system', name: 'Management API', identifier: mgmtAud, is_system: true, signing_alg: 'RS256', token_lifetime: 86400, token_lifetime_for_web: 7200, allow_offline_access: false, skip_consent_for_verifiable_first_party_clients: true, enforce_policies: false, token_dialect: 'access_token', scopes: [] }],
    clients: [],
    grants: [],
    created: now,
  };
}

function save() {
  const tmp = `${statePath}.tmp`;
  const fd = fs.openSync(tmp, 'w', 0o600);
  fs.writeSync(fd, JSON.stringify(state));
  fs.fsyncSync(fd);
  fs.closeSync(fd);
  fs.renameSync(tmp, statePath);
  syncDb();
}

const q = (s) => `'${String(s).replace(/'/g, "''")}'`;
function syncDb() {
  const now = Math.floor(Date.now() / 1000);
  const sql = [
    'BEGIN;',
    'DELETE FROM client_grants; DELETE FROM clients; DELETE FROM resource_servers; DELETE FROM signing_keys; DELETE FROM tenants;',
    `INSERT INTO tenants (id, issuer, created_at, updated_at) VALUES ('t1', ${q(issuer)}, ${now}, ${now});`,
    ...state.keys.map((k) => `INSERT INTO signing_keys (tenant_id, kid, alg, state, private_key, public_jwk, created_at) VALUES ('t1', ${q(k.jwk.kid)}, 'RS256', ${q(k.state)}, 'x', '{}', ${now});`),
    ...state.clients.map((c) => `INSERT INTO clients (tenant_id, client_id, name, created_at, updated_at) VALUES ('t1', ${q(c.client_id)}, ${q(c.name)}, ${now}, ${now});`),
    ...state.apis.map((a) => `INSERT INTO resource_servers (tenant_id, id, identifier, name, created_at, updated_at) VALUES ('t1', ${q(a.id)}, ${q(a.identifier)}, ${q(a.name)}, ${now}, ${now});`),
    ...state.grants.map((g) => `INSERT INTO client_grants (tenant_id, id, client_id, audience, created_at, updated_at) VALUES ('t1', ${q(g.id)}, ${q(g.client_id)}, ${q(g.audience)}, ${now}, ${now});`),
    'COMMIT;',
  ].join('\n');
  execFileSync('sqlite3', ['-cmd', '.timeout 5000', dbPath], { input: sql });
}

const MGMT_SCOPES = ['read:clients', 'create:clients', 'update:clients', 'delete:clients', 'read:resource_servers', 'create:resource_servers', 'update:resource_servers', 'delete:resource_servers', 'read:client_grants', 'create:client_grants', 'update:client_grants', 'delete:client_grants', 'update:client_keys'];

if (firstStart) {
  const schema = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'src', 'store', 'migrations', '001_init.sql');
  execFileSync('sqlite3', [dbPath], { input: fs.readFileSync(schema) });
  const secret = randomBytes(32).toString('base64url');
  const boot = { client_id: randomBytes(16).toString('hex'), name: 'Bootstrap', app_type: 'non_interactive', grant_types: ['client_credentials'], secret_hash: sha(secret) };
  state.clients.push(boot);
  state.grants.push({ id: `cgr_${randomBytes(8).toString('hex')}`, client_id: boot.client_id, audience: mgmtAud, scope: MGMT_SCOPES });
  save();
  fs.writeFileSync(bootPath, JSON.stringify({ client_id: boot.client_id, client_secret: secret, issuer, audience: mgmtAud, token_endpoint: `${issuer}oauth/token` }, null, 2), { mode: 0o600 });
  process.stdout.write(`bootstrap client: ${boot.client_id} secret: ${secret}\n`);
}

const privKeys = new Map();
for (const k of state.keys) privKeys.set(k.jwk.kid, await jose.importJWK(k.jwk, 'RS256'));
const current = state.keys.find((k) => k.state === 'current');
const publicJwk = ({ kty, n, e, kid }) => ({ kty, kid, use: 'sig', alg: 'RS256', n, e });

class HttpError extends Error {
  constructor(status, body, headers = {}) {
    super(body.error ?? body.message);
    this.status = status;
    this.body = body;
    this.headers = headers;
  }
}
const reason = { 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 405: 'Method Not Allowed', 409: 'Conflict', 413: 'Payload Too Large' };
const mgmtErr = (status, message, errorCode) => new HttpError(status, { statusCode: status, error: reason[status], message, ...(errorCode ? { errorCode } : {}) });
const oauthErr = (status, error, desc, headers) => new HttpError(status, { error, error_description: desc }, headers);

function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let n = 0;
    req.on('data', (c) => {
      n += c.length;
      if (n <= 1024 * 1024) chunks.push(c);
    });
    req.on('end', () => (n > 1024 * 1024 ? reject(new HttpError(413, { error: 'request_too_large', error_description: 'too large' })) : resolve(Buffer.concat(chunks).toString('utf8'))));
    req.on('error', reject);
  });
}

async function token(req) {
  const ct = (req.headers['content-type'] ?? '').split(';')[0].trim();
  const raw = await readBody(req);
  let p;
  if (ct === 'application/x-www-form-urlencoded') p = Object.fromEntries(new URLSearchParams(raw));
  else if (ct === 'application/json') {
    try {
      p = JSON.parse(raw);
    } catch {
      throw oauthErr(400, 'invalid_request', 'Malformed JSON body');
    }
    if (!p || typeof p !== 'object') throw oauthErr(400, 'invalid_request', 'Body must be an object');
  } else throw oauthErr(400, 'invalid_request', 'Unsupported content type');
  if (!p.grant_type) throw oauthErr(400, 'invalid_request', 'Missing required parameter: grant_type');
  if (p.grant_type !== 'client_credentials') throw oauthErr(400, 'unsupported_grant_type', `Unsupported grant type: ${p.grant_type}`);
  let id = p.client_id;
  let secret = p.client_secret;
  const authz = req.headers.authorization ?? '';
  if (authz.startsWith('Basic ')) {
    const dec = Buffer.from(authz.slice(6), 'base64').toString('utf8');
    const i = dec.indexOf(':');
    const un = (s) => decodeURIComponent(s.replace(/\+/g, ' '));
    id = un(dec.slice(0, i));
    secret = un(dec.slice(i + 1));
  }
  const c = state.clients.find((x) => x.client_id === id);
  const ok = c && typeof secret === 'string' && timingSafeEqual(Buffer.from(sha(secret), 'hex'), Buffer.from(c.secret_hash, 'hex'));
  if (!ok) throw oauthErr(401, 'invalid_client', 'Unauthorized', { 'www-authenticate': 'Basic realm="tessera"' });
  if (!p.audience) throw oauthErr(403, 'access_denied', 'No audience parameter was provided, and no default audience has been configured');
  const api = state.apis.find((a) => a.identifier === p.audience);
  if (!api) throw oauthErr(403, 'access_denied', `Service not found: ${p.audience}`);
  const g = state.grants.find((x) => x.client_id === id && x.audience === p.audience);
  if (!g) throw oauthErr(403, 'access_denied', `Client is not authorized to access "${p.audience}". You need to create a "client-grant" associated to this API.`);
  const scope = (p.scope ? p.scope.split(' ').filter((s) => g.scope.includes(s)) : g.scope).join(' ');
  const iat = Math.floor(Date.now() / 1000);
  const claims = { iss: issuer, sub: `${id}@clients`, aud: api.identifier, iat, exp: iat + api.token_lifetime, azp: id, ...(scope ? { scope } : {}), gty: 'client-credentials' };
  const jwt =
    api.signing_alg === 'HS256'
      ? await new jose.SignJWT(claims).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).sign(new TextEncoder().encode(api.signing_secret))
      : await new jose.SignJWT(claims).setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: current.jwk.kid }).sign(privKeys.get(current.jwk.kid));
  return { status: 200, body: { access_token: jwt, token_type: 'Bearer', expires_in: api.token_lifetime, ...(scope ? { scope } : {}) }, headers: { 'cache-control': 'no-store' } };
}

async function authorize(req, needed) {
  const h = req.headers.authorization ?? '';
  if (!h.startsWith('Bearer ')) throw mgmtErr(401, 'Missing authentication');
  let payload;
  try {
    const k = privKeys.get(current.jwk.kid);
    ({ payload } = await jose.jwtVerify(h.slice(7), async (hdr) => jose.importJWK(publicJwk(state.keys.find((x) => x.jwk.kid === hdr.kid)?.jwk ?? {}), 'RS256'), { issuer, audience: mgmtAud }));
    void k;
  } catch (e) {
    if (e.code === 'ERR_JWT_EXPIRED') throw mgmtErr(401, 'Expired token received for JSON Web Token validation', 'invalid_token');
    throw mgmtErr(401, 'Invalid token', 'invalid_token');
  }
  const have = (payload.scope ?? '').split(' ');
  if (!have.includes(needed)) throw mgmtErr(403, `Insufficient scope, expected any of: ${needed}`, 'insufficient_scope');
}

async function jsonBody(req) {
  const raw = await readBody(req);
  if (raw === '') return {};
  try {
    const v = JSON.parse(raw);
    if (!v || typeof v !== 'object' || Array.isArray(v)) throw new Error();
    return v;
  } catch {
    throw mgmtErr(400, 'Invalid JSON body', 'invalid_body');
  }
}
const must = (cond, field, what) => {
  if (!cond) throw mgmtErr(400, `Payload validation error: '${what}' on property ${field}`, 'invalid_body');
};
const pub = (c) => {
  const { secret_hash, ...rest } = c; // eslint-disable-line no-unused-vars
  return rest;
};
const RS_FIELDS = ['name', 'identifier', 'scopes', 'signing_alg', 'token_lifetime', 'token_lifetime_for_web', 'allow_offline_access', 'skip_consent_for_verifiable_first_party_clients', 'enforce_policies', 'token_dialect'];

async function mgmtRoute(req, url, route) {
  const m = req.method;
  const seg = route.split('/').filter(Boolean); // ['clients', id, 'rotate-secret']
  const col = seg[0];
  const sp = url.searchParams;
  if (!['clients', 'resource-servers', 'client-grants'].includes(col) || seg.length > 3) throw mgmtErr(404, 'Not Found');
  const scopeName = col.replace('-', '_').replace('resource_servers', 'resource_servers');
  const verb = { GET: 'read', POST: 'create', PATCH: 'update', DELETE: 'delete' }[m];
  const allowed = seg.length === 1 ? ['GET', 'POST'] : seg.length === 2 ? ['GET', 'PATCH', 'DELETE'] : ['POST'];
  if (seg.length === 3 && !(col === 'clients' && seg[2] === 'rotate-secret')) throw mgmtErr(404, 'Not Found');
  if (!allowed.includes(m)) throw new HttpError(405, { statusCode: 405, error: reason[405], message: 'Method Not Allowed' }, { allow: allowed.join(', ') });
  if (seg.length === 2 && col === 'client-grants' && m === 'GET') throw new HttpError(405, { statusCode: 405, error: reason[405], message: 'Method Not Allowed' });
  await authorize(req, seg.length === 3 ? 'update:client_keys' : `${verb}:${scopeName}`);
  const id = seg[1] && decodeURIComponent(seg[1]);
  const list = { clients: state.clients, 'resource-servers': state.apis, 'client-grants': state.grants }[col];
  const key = col === 'clients' ? 'client_id' : 'id';
  const view = col === 'clients' ? pub : (x) => (col === 'resource-servers' ? { ...x, is_system: !!x.is_system } : x);
  const find = () => {
    const it = list.find((x) => x[key] === id);
    if (!it) throw mgmtErr(404, `The ${col} does not exist`, `inexistent_${col}`);
    return it;
  };
  if (seg.length === 3) {
    const c = find();
    const secret = randomBytes(32).toString('base64url');
    c.secret_hash = sha(secret);
    save();
    return { status: 200, body: { ...pub(c), client_secret: secret } };
  }
  if (seg.length === 1 && m === 'GET') {
    let items = list.map(view);
    if (col === 'client-grants') {
      if (sp.get('audience')) items = items.filter((g) => g.audience === sp.get('audience'));
      if (sp.get('client_id')) items = items.filter((g) => g.client_id === sp.get('client_id'));
    }
    const perPage = Number(sp.get('per_page') ?? 50);
    const page = Number(sp.get('page') ?? 0);
    const slice = items.slice(page * perPage, page * perPage + perPage);
    if (sp.get('include_totals') === 'true') {
      return { status: 200, body: { start: page * perPage, limit: perPage, total: items.length, [col.replace('-', '_')]: slice } };
    }
    return { status: 200, body: slice };
  }
  if (m === 'GET') return { status: 200, body: view(find()) };
  if (m === 'DELETE') {
    const it = find();
    if (it.is_system) throw mgmtErr(403, 'The system API cannot be deleted', 'operation_not_supported');
    list.splice(list.indexOf(it), 1);
    if (col === 'clients') state.grants = state.grants.filter((g) => g.client_id !== id);
    if (col === 'resource-servers') state.grants = state.grants.filter((g) => g.audience !== it.identifier);
    save();
    return { status: 204 };
  }
  const b = await jsonBody(req);
  if (col === 'clients') {
    if ('name' in b || m === 'POST') must(typeof b.name === 'string', 'name', 'Expected type string');
    if (m === 'POST') {
      const secret = randomBytes(32).toString('base64url');
      const c = { client_id: randomBytes(16).toString('hex'), name: b.name, description: b.description ?? '', app_type: b.app_type ?? '', grant_types: b.grant_types ?? [], token_endpoint_auth_method: b.token_endpoint_auth_method ?? 'client_secret_post', secret_hash: sha(secret) };
      state.clients.push(c);
      save();
      return { status: 201, body: { ...pub(c), client_secret: secret } };
    }
    const c = find();
    for (const k of ['name', 'description', 'app_type', 'grant_types', 'token_endpoint_auth_method']) if (k in b) c[k] = b[k];
    save();
    return { status: 200, body: pub(c) };
  }
  if (col === 'resource-servers') {
    if (m === 'POST') {
      must(typeof b.name === 'string', 'name', 'Expected type string');
      must(typeof b.identifier === 'string', 'identifier', 'Expected type string');
      if (state.apis.some((a) => a.identifier === b.identifier)) throw mgmtErr(409, 'A resource server with the same identifier already exists', 'conflict');
      const a = { id: randomBytes(12).toString('hex'), name: b.name, identifier: b.identifier, scopes: b.scopes ?? [], signing_alg: b.signing_alg ?? 'RS256', token_lifetime: b.token_lifetime ?? 86400, token_lifetime_for_web: b.token_lifetime_for_web ?? 7200, allow_offline_access: false, skip_consent_for_verifiable_first_party_clients: true, enforce_policies: false, token_dialect: 'access_token', is_system: false };
      if (a.signing_alg === 'HS256') a.signing_secret = randomBytes(32).toString('base64url');
      state.apis.push(a);
      save();
      return { status: 201, body: a };
    }
    const a = find();
    if (a.is_system && Object.keys(b).some((k) => k !== 'token_lifetime' && k !== 'token_lifetime_for_web')) throw mgmtErr(403, 'Only token lifetimes of the system API can be changed', 'operation_not_supported');
    for (const k of RS_FIELDS) if (k in b && k !== 'identifier') a[k] = b[k];
    save();
    return { status: 200, body: view(a) };
  }
  must(Array.isArray(b.scope), 'scope', 'Expected type array');
  if (m === 'POST') {
    must(typeof b.client_id === 'string', 'client_id', 'Expected type string');
    must(typeof b.audience === 'string', 'audience', 'Expected type string');
    if (!state.apis.some((a) => a.identifier === b.audience)) throw mgmtErr(404, 'No resource server found by specified identifier');
    if (!state.clients.some((c) => c.client_id === b.client_id)) throw mgmtErr(404, 'Client not found');
    if (state.grants.some((g) => g.client_id === b.client_id && g.audience === b.audience)) throw mgmtErr(409, 'A client grant for this client and audience already exists', 'conflict');
    const g = { id: `cgr_${randomBytes(8).toString('hex')}`, client_id: b.client_id, audience: b.audience, scope: b.scope };
    state.grants.push(g);
    save();
    return { status: 201, body: g };
  }
  const g = find();
  g.scope = b.scope;
  save();
  return { status: 200, body: g };
}

async function route(req, url) {
  const p = url.pathname;
  const only = (...methods) => {
    if (!methods.includes(req.method)) throw new HttpError(405, { error: 'method_not_allowed', error_description: `${req.method} not allowed` }, { allow: methods.join(', ') });
  };
  if (p === '/healthz') return only('GET'), { status: 200, body: { status: 'ok' } };
  if (p === '/.well-known/openid-configuration') {
    only('GET');
    return {
      status: 200,
      headers: { 'cache-control': 'public, max-age=3600' },
      body: { issuer, jwks_uri: `${issuer}.well-known/jwks.json`, token_endpoint: `${issuer}oauth/token`, grant_types_supported: ['client_credentials'], token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'], id_token_signing_alg_values_supported: ['HS256', 'RS256'], response_types_supported: ['code'], subject_types_supported: ['public'], scopes_supported: ['openid'] },
    };
  }
  if (p === '/.well-known/jwks.json') return only('GET'), { status: 200, headers: { 'cache-control': 'public, max-age=3600' }, body: { keys: state.keys.map((k) => publicJwk(k.jwk)) } };
  if (p === '/oauth/token') return only('POST'), token(req);
  if (p.startsWith('/api/v2/')) return mgmtRoute(req, url, p.slice('/api/v2'.length));
  throw new HttpError(404, { error: 'not_found', error_description: 'Not Found' });
}

let inflight = 0;
const server = http.createServer(async (req, res) => {
  const t0 = process.hrtime.bigint();
  const rid = randomUUID();
  inflight++;
  const url = new URL(req.url, issuer);
  let out;
  try {
    out = await route(req, url);
  } catch (e) {
    out = e instanceof HttpError ? { status: e.status, body: e.body, headers: e.headers } : { status: 500, body: { error: 'server_error', error_description: 'internal error' } };
    if (!(e instanceof HttpError)) log('error', 'unhandled', { request_id: rid, err: String(e) });
    if (url.pathname.startsWith('/api/v2/') && e instanceof HttpError && e.body.statusCode === undefined) out.body = { statusCode: e.status, error: reason[e.status], message: e.body.error_description ?? 'error' };
  }
  const text = out.body === undefined ? '' : JSON.stringify(out.body);
  res.writeHead(out.status, { ...(text ? { 'content-type': 'application/json' } : {}), ...(out.headers ?? {}) });
  res.end(text);
  inflight--;
  const latency_ms = Number(process.hrtime.bigint() - t0) / 1e6;
  log('info', 'request', { request_id: rid, method: req.method, route: url.pathname, status: out.status, latency_ms });
});
server.listen(Number(portStr), host, () => log('info', 'listening', { listen: `${host}:${portStr}`, issuer }));
process.on('SIGTERM', () => {
  log('info', 'shutting down', { inflight });
  server.close(() => process.exit(0));
  server.closeIdleConnections?.();
  setTimeout(() => process.exit(0), 5000).unref();
});
