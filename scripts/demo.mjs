#!/usr/bin/env node
// The SPA + API demo (`make demo`): starts Tessera, provisions the demo through
// the Management API with the bootstrap client, starts the example API and
// serves the example SPA.  Node built-ins only.  Two stacks:
//   c        examples/api-c (libtessera-verify) + examples/spa (auth0-spa-js), the default
//   angular  examples/api-node (Express, express-oauth2-jwt-bearer) + the built
//            examples/angular (@auth0/auth0-angular)
// tests/e2e/demo.test.mjs and angular_demo.test.mjs drive the same startDemo() in Chromium.
//
//   node scripts/demo.mjs          start everything; Ctrl-C stops it
//   node scripts/demo.mjs grant    assign the demo user the role "Messages reader",
//                                  which holds read:messages (Tessera running)
//   node scripts/demo.mjs revoke   take it away again
//
// Settings (environment): DEMO_STACK (c or angular), DEMO_HOST (localhost),
// DEMO_TESSERA_PORT (8080), DEMO_API_PORT (3001), DEMO_SPA_PORT (3000),
// DEMO_DATA_DIR (build/demo-data/HOST-PORT: a tenant keeps the issuer it was
// made with), TESSERA_BIN (build/tessera), TESSERA_EXAMPLE_API_BIN
// (build/examples/api-c/tessera-example-api), DEMO_ANGULAR_DIST (the built
// app's directory, printed by examples/angular/build.sh; scripts/demo.sh sets it).
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
export const REPO_ROOT = path.resolve(HERE, '..');
const SPA_DIR = path.join(REPO_ROOT, 'examples', 'spa');
export const API_NODE_DIR = path.join(REPO_ROOT, 'examples', 'api-node');
const SDK_REL = path.join('node_modules', '@auth0', 'auth0-spa-js', 'dist', 'auth0-spa-js.production.js');

export const DEMO_API = {
  identifier: 'https://demo-api.tessera.local',
  name: 'Demo API',
  scopes: [{ value: 'read:messages', description: 'Read messages' }],
  enforce_policies: true,
  token_dialect: 'access_token_authz',
  allow_offline_access: true,
  skip_consent_for_verifiable_first_party_clients: true,
};
export const DEMO_SPA_NAME = 'Tessera Demo SPA';
export const DEMO_ANGULAR_NAME = 'Tessera Demo Angular';
export const DEMO_EMAIL = 'demo@example.com';
export const DEMO_SCOPE = 'read:messages';
// `grant` assigns this role (holding DEMO_SCOPE) to the demo user, as an administrator would.
export const DEMO_ROLE = 'Messages reader';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** The auth0-spa-js bundle: examples/spa's own node_modules, else the e2e suite's. */
export function findSdk() {
  for (const dir of [SPA_DIR, path.join(REPO_ROOT, 'tests', 'e2e')]) {
    const p = path.join(dir, SDK_REL);
    if (existsSync(p)) return p;
  }
  throw new Error(`@auth0/auth0-spa-js not found: run npm ci in ${SPA_DIR}`);
}

/** A password the default policy ("good") accepts: upper, lower, digit, symbol. */
function newPassword() {
  return `Demo-${randomBytes(12).toString('base64url')}-7q`;
}

async function call(base, method, p, { token, body, form } = {}) {
  const headers = {};
  if (token) headers.authorization = `Bearer ${token}`;
  let payload;
  if (form) {
    headers['content-type'] = 'application/x-www-form-urlencoded';
    payload = new URLSearchParams(form).toString();
  } else if (body !== undefined) {
    headers['content-type'] = 'application/json';
    payload = JSON.stringify(body);
  }
  const res = await fetch(`${base}${p}`, { method, headers, body: payload, signal: AbortSignal.timeout(10_000) });
  const text = await res.text();
  let json = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = null;
  }
  return { status: res.status, body: json, text };
}

function expect(res, statuses, what) {
  if (!statuses.includes(res.status)) throw new Error(`${what}: HTTP ${res.status} ${res.text}`);
  return res.body;
}

/** A Management API client from the bootstrap credentials; base is how this process reaches Tessera. */
export async function managementClient(base, bootstrap) {
  const tok = expect(
    await call(base, 'POST', 'oauth/token', {
      form: {
        grant_type: 'client_credentials',
        client_id: bootstrap.client_id,
        client_secret: bootstrap.client_secret,
        audience: bootstrap.audience,
      },
    }),
    [200],
    'Management API token',
  );
  const m = (method) => (p, body) => call(base, method, `api/v2${p}`, { token: tok.access_token, body });
  return { get: m('GET'), post: m('POST'), patch: m('PATCH'), del: m('DELETE') };
}

/**
 * Creates or updates the demo's API, SPA application and user.  Safe to run
 * again: existing ones are found by identifier, name and email, updated, and
 * the user gets a new password.  Returns {api, client, user, password}.
 */
export async function provision(mgmt, { spaOrigin, spaName = DEMO_SPA_NAME }) {
  const { identifier, ...apiSettings } = DEMO_API;
  const apis = expect(await mgmt.get('/resource-servers?per_page=100'), [200], 'list APIs');
  const oldApi = apis.find((a) => a.identifier === identifier);
  const api = oldApi
    ? expect(await mgmt.patch(`/resource-servers/${encodeURIComponent(oldApi.id)}`, apiSettings), [200], 'update the demo API')
    : expect(await mgmt.post('/resource-servers', DEMO_API), [201], 'create the demo API');

  const spaSettings = {
    callbacks: [`${spaOrigin}/`],
    allowed_logout_urls: [`${spaOrigin}/`],
    web_origins: [spaOrigin],
    allowed_origins: [spaOrigin],
    grant_types: ['authorization_code', 'refresh_token'],
    refresh_token: { rotation_type: 'rotating', expiration_type: 'expiring' },
  };
  const clients = expect(await mgmt.get('/clients?per_page=100'), [200], 'list applications');
  const oldClient = clients.find((c) => c.name === spaName && c.app_type === 'spa');
  const client = oldClient
    ? expect(await mgmt.patch(`/clients/${encodeURIComponent(oldClient.client_id)}`, spaSettings), [200], 'update the demo SPA')
    : expect(await mgmt.post('/clients', { name: spaName, app_type: 'spa', ...spaSettings }), [201], 'create the demo SPA');

  const password = newPassword();
  const found = expect(await mgmt.get(`/users-by-email?email=${encodeURIComponent(DEMO_EMAIL)}`), [200], 'find the demo user');
  const user = found.length
    ? expect(await mgmt.patch(`/users/${encodeURIComponent(found[0].user_id)}`, { password }), [200], 'new password for the demo user')
    : expect(
        await mgmt.post('/users', {
          connection: 'Username-Password-Authentication',
          email: DEMO_EMAIL,
          password,
          email_verified: true,
          name: 'Demo User',
        }),
        [201],
        'create the demo user',
      );
  const role = await provisionRole(mgmt);
  // Every start begins where the banner says: the scoped route answers 403 until `grant`.
  if (found.length) {
    await setRole(mgmt, user.user_id, role.id, false);
    const direct = `/users/${encodeURIComponent(user.user_id)}/permissions`;
    expect(await mgmt.del(direct, permissionBody()), [204], `remove a direct ${DEMO_SCOPE}`);
  }
  return { api, client, user, password, role };
}

function permissionBody() {
  return { permissions: [{ resource_server_identifier: DEMO_API.identifier, permission_name: DEMO_SCOPE }] };
}

/** The role DEMO_ROLE, made when missing, holding DEMO_SCOPE. */
async function provisionRole(mgmt) {
  const roles = expect(await mgmt.get(`/roles?name_filter=${encodeURIComponent(DEMO_ROLE)}`), [200], 'find the demo role');
  const role = roles.find((r) => r.name === DEMO_ROLE) ??
    expect(await mgmt.post('/roles', { name: DEMO_ROLE, description: `Holds ${DEMO_SCOPE} of the demo API` }), [200, 201], 'create the demo role');
  expect(await mgmt.post(`/roles/${encodeURIComponent(role.id)}/permissions`, permissionBody()), [201], `give the role ${DEMO_SCOPE}`);
  return role;
}

/** Assigns (add = true) the demo role to the user, or takes it away. */
export async function setRole(mgmt, userId, roleId, add) {
  const p = `/users/${encodeURIComponent(userId)}/roles`;
  const body = { roles: [roleId] };
  const res = add ? await mgmt.post(p, body) : await mgmt.del(p, body);
  expect(res, [201, 204], `${add ? 'assign' : 'unassign'} the role ${DEMO_ROLE}`);
}

/** A child process whose output is kept (the last 64 KiB) and optionally echoed to a file stream. */
function startChild(name, bin, args, log, env) {
  const proc = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'], ...(env ? { env: { ...process.env, ...env } } : {}) });
  let out = '';
  const keep = (d) => {
    out = (out + d).slice(-65536);
    log?.write(d);
  };
  proc.stdout.setEncoding('utf8').on('data', keep);
  proc.stderr.setEncoding('utf8').on('data', keep);
  const exited = new Promise((resolve) => {
    proc.on('error', (e) => keep(`[demo] cannot start ${bin}: ${e.message}\n`));
    proc.on('close', (code, signal) => resolve({ code, signal }));
  });
  let info = null;
  exited.then((i) => {
    info = i;
  });
  return {
    name,
    proc,
    exited,
    exitInfo: () => info,
    output: () => out,
    /** SIGTERM, then SIGKILL after 10 s; resolves {code, signal}. */
    async stop() {
      if (info) return info;
      proc.kill('SIGTERM');
      const t = setTimeout(() => proc.kill('SIGKILL'), 10_000);
      const i = await exited;
      clearTimeout(t);
      return i;
    },
  };
}

/** Polls url until it answers 200 (bounded), failing early when child exits. */
async function waitReady(url, child, tries = 300) {
  for (let i = 0; i < tries; i++) {
    if (child.exitInfo()) break;
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(1000) });
      await res.arrayBuffer();
      if (res.status === 200) return;
    } catch {
      /* not yet */
    }
    await sleep(100);
  }
  const i = child.exitInfo();
  throw new Error(`${child.name} did not answer ${url}${i ? ` (exited code=${i.code} signal=${i.signal})` : ''}\n${child.output().slice(-3000)}`);
}

/** An HTTP server at listenHost:port answering with handler; resolves {close()}. */
async function listenHttp({ listenHost, port, handler }) {
  const server = http.createServer(handler);
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, listenHost, resolve);
  });
  return {
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
  '.ico': 'image/x-icon',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.map': 'application/json',
};

function send(res, status, type, body) {
  res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' });
  res.end(body);
}

const notFound = (res) => send(res, 404, 'text/plain', 'not found\n');

/** examples/spa: its three files, the SDK bundle and config.json. */
function vanillaSpaHandler({ sdkPath, config }) {
  const files = new Map();
  for (const f of ['index.html', 'app.js', 'style.css']) files.set(`/${f}`, readFileSync(path.join(SPA_DIR, f)));
  files.set('/auth0-spa-js.production.js', readFileSync(sdkPath));
  return (req, res) => {
    const { pathname } = new URL(req.url, 'http://x');
    const name = pathname === '/' ? '/index.html' : pathname;
    const body = name === '/config.json' ? JSON.stringify(config) : files.get(name);
    if (req.method !== 'GET' || body === undefined) return notFound(res);
    send(res, 200, name === '/config.json' ? 'application/json' : TYPES[path.extname(name)], body);
  };
}

/**
 * A built single-page app in root (index.html and its bundles), plus
 * config.json.  A path without a file extension is one of the app's routes
 * (/api, a reload there, the callback): it gets index.html and the app's
 * router takes over.
 */
function builtSpaHandler({ root, config }) {
  const index = readFileSync(path.join(root, 'index.html'));
  return (req, res) => {
    let pathname;
    try {
      pathname = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    } catch {
      return notFound(res);
    }
    if (req.method !== 'GET') return notFound(res);
    if (pathname === '/config.json') return send(res, 200, 'application/json', JSON.stringify(config));
    const ext = path.extname(pathname);
    if (!ext) return send(res, 200, TYPES['.html'], index);
    // normalize() takes every ".." away from a path that starts with "/": the file stays under root.
    const file = path.join(root, path.normalize(pathname));
    if (!file.startsWith(root + path.sep) || !TYPES[ext] || !existsSync(file) || !statSync(file).isFile()) return notFound(res);
    send(res, 200, TYPES[ext], readFileSync(file));
  };
}

/** localhost, 127.0.0.0/8 or ::1: the hosts libtessera-verify reaches over http without opting in. */
function isLoopbackHost(host) {
  return /^(localhost|127(\.\d{1,3}){3}|\[?::1\]?)$/i.test(host);
}

/**
 * What each stack runs beside Tessera: its API (a child process) and its SPA
 * (served by this process).  o: startDemo's options plus listenHost, issuer,
 * audience, spaOrigin.
 */
const STACKS = {
  c: {
    spaName: DEMO_SPA_NAME,
    prepare(o) {
      if (!existsSync(o.apiBin)) throw new Error(`example API binary not found at ${o.apiBin}: build it first (make demo builds it)`);
      o.sdkPath ??= findSdk();
    },
    api: (o) => ({
      bin: o.apiBin,
      args: [
        '--listen', `${o.listenHost}:${o.ports.api}`, '--issuer', o.issuer, '--audience', o.audience, '--allowed-origin', o.spaOrigin,
        // The demo is plain http; libtessera-verify accepts that without the flag only on loopback.
        ...(isLoopbackHost(o.host) ? [] : ['--allow-insecure-http']),
      ],
    }),
    spa: (o, config) => vanillaSpaHandler({ sdkPath: o.sdkPath, config }),
  },
  angular: {
    spaName: DEMO_ANGULAR_NAME,
    prepare(o) {
      if (!existsSync(path.join(API_NODE_DIR, 'node_modules', 'express-oauth2-jwt-bearer'))) {
        throw new Error(`examples/api-node is not installed: run npm ci in ${API_NODE_DIR} (make demo STACK=angular does)`);
      }
      if (!o.angularDist || !existsSync(path.join(o.angularDist, 'index.html'))) {
        throw new Error(`the built Angular app is not at ${o.angularDist}: run examples/angular/build.sh build/examples/angular (make demo STACK=angular does)`);
      }
      o.angularDist = path.resolve(o.angularDist);
    },
    api: (o) => ({
      bin: process.execPath,
      args: [path.join(API_NODE_DIR, 'server.mjs')],
      env: { ISSUER_BASE_URL: o.issuer, AUDIENCE: o.audience, SPA_ORIGIN: o.spaOrigin, HOST: o.listenHost, PORT: String(o.ports.api) },
    }),
    spa: (o, config) => builtSpaHandler({ root: o.angularDist, config }),
  },
};

/**
 * Starts the whole demo.  Options: stack ('c', the default, or 'angular'),
 * tesseraBin, apiBin (stack c), angularDist (stack angular: the built app),
 * host (the name in every URL: Tessera and the SPA share it so that
 * Tessera's SameSite=Lax session cookie is same-site), ports {tessera, api,
 * spa}, dataDir, sdkPath (stack c), logDir (children's output to files
 * there; otherwise kept in memory).  Returns {stack, issuer, spaOrigin,
 * apiUrl, user, password, client, api, config, tessera, exampleApi, grant(),
 * revoke(), stop()}; stop() resolves the exit statuses {tessera, api}.
 */
export async function startDemo({ stack = 'c', host = 'localhost', ...options }) {
  const kind = STACKS[stack];
  if (!kind) throw new Error(`unknown stack ${stack} (try: ${Object.keys(STACKS).join(', ')})`);
  const { tesseraBin, ports, dataDir, logDir } = options;
  if (!existsSync(tesseraBin)) throw new Error(`tessera binary not found at ${tesseraBin}: build it first (make demo builds it)`);
  const o = { ...options, host };
  kind.prepare(o);
  mkdirSync(dataDir, { recursive: true });
  const listenHost = host === 'localhost' ? '127.0.0.1' : host;
  const issuer = `http://${host}:${ports.tessera}/`;
  const internal = `http://${listenHost}:${ports.tessera}/`; // Node's fetch may try ::1 first for localhost
  const spaOrigin = `http://${host}:${ports.spa}`;
  const apiUrl = `http://${host}:${ports.api}`;
  const logFile = async (n) => {
    if (!logDir) return null;
    const { createWriteStream } = await import('node:fs');
    return createWriteStream(path.join(logDir, n), { flags: 'a' });
  };

  const children = [];
  let spaServer = null;
  const stop = async () => {
    const codes = {};
    if (spaServer) await spaServer.close();
    spaServer = null;
    for (const c of children.reverse()) codes[c.name] = await c.stop();
    children.length = 0;
    return codes;
  };
  try {
    const tessera = startChild(
      'tessera',
      tesseraBin,
      ['serve', '--listen', `${listenHost}:${ports.tessera}`, '--public-url', issuer, '--data-dir', dataDir],
      await logFile('tessera.log'),
    );
    children.push(tessera);
    await waitReady(`${internal}healthz`, tessera);
    // A data dir keeps the issuer it was first made with.
    const disco = expect(await call(internal, 'GET', '.well-known/openid-configuration'), [200], 'discovery');
    if (disco.issuer !== issuer) {
      throw new Error(`${dataDir} holds a tenant whose issuer is ${disco.issuer}, not ${issuer}: use another DEMO_DATA_DIR or remove it`);
    }
    const bootstrap = JSON.parse(readFileSync(path.join(dataDir, 'bootstrap-client.json'), 'utf8'));
    const mgmt = await managementClient(internal, bootstrap);
    const { api, client, user, password, role } = await provision(mgmt, { spaOrigin, spaName: kind.spaName });

    const config = { domain: issuer.replace(/\/$/, ''), clientId: client.client_id, audience: api.identifier, apiUrl };
    writeFileSync(path.join(dataDir, 'config.json'), `${JSON.stringify(config, null, 2)}\n`);
    writeFileSync(path.join(dataDir, 'demo.json'), `${JSON.stringify({ internal, userId: user.user_id, email: user.email, roleId: role.id }, null, 2)}\n`);

    const run = kind.api({ ...o, listenHost, issuer, audience: api.identifier, spaOrigin });
    const exampleApi = startChild('api', run.bin, run.args, await logFile('api.log'), run.env);
    children.push(exampleApi);
    await waitReady(`http://${listenHost}:${ports.api}/api/public`, exampleApi);
    spaServer = await listenHttp({ listenHost, port: ports.spa, handler: kind.spa(o, config) });

    return {
      stack,
      issuer,
      spaOrigin,
      apiUrl,
      user,
      password,
      client,
      api,
      config,
      tessera,
      exampleApi,
      mgmt,
      role,
      grant: () => setRole(mgmt, user.user_id, role.id, true),
      revoke: () => setRole(mgmt, user.user_id, role.id, false),
      stop,
    };
  } catch (e) {
    await stop();
    throw e;
  }
}

function settings() {
  const env = process.env;
  const build = path.join(REPO_ROOT, env.BUILD_DIR ?? 'build');
  const port = (name, dflt) => {
    const v = Number(env[name] ?? dflt);
    if (!Number.isInteger(v) || v < 1 || v > 65535) throw new Error(`${name}: not a port: ${env[name]}`);
    return v;
  };
  const stack = env.DEMO_STACK || 'c';
  if (!STACKS[stack]) throw new Error(`DEMO_STACK: unknown stack ${stack} (try: ${Object.keys(STACKS).join(', ')})`);
  return {
    stack,
    tesseraBin: path.resolve(env.TESSERA_BIN ?? path.join(build, 'tessera')),
    apiBin: path.resolve(env.TESSERA_EXAMPLE_API_BIN ?? path.join(build, 'examples', 'api-c', 'tessera-example-api')),
    angularDist: env.DEMO_ANGULAR_DIST ? path.resolve(env.DEMO_ANGULAR_DIST) : undefined,
    host: env.DEMO_HOST ?? 'localhost',
    ports: { tessera: port('DEMO_TESSERA_PORT', 8080), api: port('DEMO_API_PORT', 3001), spa: port('DEMO_SPA_PORT', 3000) },
    // One data dir per issuer (a tenant keeps the issuer it was made with).
    dataDir: path.resolve(env.DEMO_DATA_DIR ?? path.join(build, 'demo-data', `${env.DEMO_HOST ?? 'localhost'}-${port('DEMO_TESSERA_PORT', 8080)}`)),
  };
}

async function main(cmd) {
  const s = settings();
  if (cmd === 'grant' || cmd === 'revoke') {
    const statePath = path.join(s.dataDir, 'demo.json');
    if (!existsSync(statePath)) throw new Error(`${statePath} not found: start the demo first (make demo), with the same DEMO_* settings`);
    const state = JSON.parse(readFileSync(statePath, 'utf8'));
    const bootstrap = JSON.parse(readFileSync(path.join(s.dataDir, 'bootstrap-client.json'), 'utf8'));
    const mgmt = await managementClient(state.internal, bootstrap).catch((e) => {
      throw new Error(`cannot reach Tessera at ${state.internal} (${e.message}): is make demo running?`);
    });
    await setRole(mgmt, state.userId, state.roleId, cmd === 'grant');
    console.log(`${cmd === 'grant' ? 'Assigned' : 'Took away'} the role "${DEMO_ROLE}" (${DEMO_SCOPE}) ${cmd === 'grant' ? 'to' : 'from'} ${state.email}: log in again in the app for a new token.`);
    return;
  }
  if (cmd !== undefined) throw new Error(`unknown command ${cmd} (try: grant, revoke, or nothing)`);

  const demo = await startDemo({ ...s, logDir: s.dataDir });
  let stopping = false;
  const shutdown = async (why) => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${why}: stopping Tessera, the API and the SPA server...`);
    const codes = await demo.stop();
    const bad = Object.entries(codes).filter(([, c]) => c.code !== 0 && c.signal !== 'SIGINT' && c.signal !== 'SIGTERM');
    process.exit(bad.length ? 1 : 0);
  };
  process.on('SIGINT', () => shutdown('Ctrl-C'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  for (const c of [demo.tessera, demo.exampleApi]) {
    c.exited.then((i) => {
      if (!stopping) {
        console.error(`\n${c.name} exited (code=${i.code} signal=${i.signal}); its output:\n${c.output().slice(-2000)}`);
        shutdown(`${c.name} stopped`);
      }
    });
  }
  const again = ['BUILD_DIR', 'DEMO_HOST', 'DEMO_TESSERA_PORT', 'DEMO_DATA_DIR']
    .filter((k) => process.env[k] && !(k === 'BUILD_DIR' && process.env[k] === 'build'))
    .map((k) => `${k}=${process.env[k]} `)
    .join('');
  const angular = demo.stack === 'angular';
  console.log(`
Tessera SPA + API demo${angular ? ' (Angular + Express)' : ''}
  Tessera (issuer)  ${demo.issuer}          data: ${s.dataDir} (logs: tessera.log, api.log)
  ${angular ? 'Express API    ' : 'Example API    '}   ${demo.apiUrl}/api/{public,private,private-scoped}   audience ${demo.api.identifier}
  ${angular ? 'Angular SPA    ' : 'SPA            '}   ${demo.spaOrigin}/          client_id ${demo.client.client_id}

  Demo user         ${demo.user.email}
  Password          ${demo.password}    (new on every start)

Open ${demo.spaOrigin}/ and click "Log in"${angular ? ', then "API calls"' : ''}.  "Call private-scoped" answers 403
(insufficient_scope) until the user holds ${DEMO_SCOPE}, through the role "${DEMO_ROLE}":
  ${again}node scripts/demo.mjs grant     (in another terminal: assigns the role; "revoke" takes it away)
then ${angular ? '"Log out" and "Log in"' : '"Log in"'} again for a token that carries it.  Ctrl-C stops everything.
`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv[2]).catch((e) => {
    console.error(`demo: ${e.message}`);
    process.exit(1);
  });
}
