// Auth0's Deploy CLI (auth0-deploy-cli, `a0deploy`) against Tessera over native TLS,
// unchanged: a "dev" tenant set up through the Management API is exported as YAML, its
// environment-specific values become ##KEY## / @@KEY@@ placeholders, and the file is
// imported into a fresh "prod" tenant of the same server with
// AUTH0_KEYWORD_REPLACE_MAPPINGS. Then a person logs into prod through Auth0's SPA SDK
// (@auth0/auth0-spa-js in Debian's Chromium) and calls the prod API, whose
// express-oauth2-jwt-bearer accepts the token. A second import writes nothing; a
// directory-format export imported back without a client and with AUTH0_ALLOW_DELETE
// deletes it. Both tenants are path prefixes of one HTTPS server (docs/tenants.md), so
// AUTH0_DOMAIN is "127.0.0.1:PORT/dev". Resource types Tessera does not offer are named in
// AUTH0_EXCLUDED (the list docs/management-api.md gives).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';

import * as jose from 'jose';
import yaml from 'js-yaml';

import { testEmail } from './lib/authflow.mjs';
import { launchBrowser, loginThroughSpa, openBrowserPage } from './lib/browser.mjs';
import { runCli } from './lib/cli.mjs';
import { queryRows } from './lib/db.mjs';
import { remember } from './lib/mgmt.mjs';
import { httpsRequest, startTessera, withLogs } from './lib/server.mjs';
import { startProtectedApi, startSpaServer } from './lib/spa.mjs';
import { createTenant } from './lib/tenants.mjs';
import { makeTestCa } from './lib/tls.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const A0DEPLOY = path.join(HERE, 'node_modules', 'auth0-deploy-cli', 'lib', 'index.js');

// Every Deploy CLI resource type Tessera does not offer (docs/management-api.md).
export const EXCLUDED = [
  'actions', 'actionModules', 'clientAuthCredentials', 'connectionProfiles', 'customDomains',
  'eventStreams', 'flows', 'flowVaultConnections', 'forms', 'guardianFactorProviders',
  'guardianFactors', 'guardianFactorTemplates', 'guardianPhoneFactorMessageTypes',
  'guardianPhoneFactorSelectedProvider', 'guardianPolicies', 'hooks', 'logStreams',
  'networkACLs', 'organizations', 'pages', 'phoneProviders', 'phoneTemplates',
  'rateLimitPolicies', 'riskAssessment', 'rules', 'rulesConfigs', 'selfServiceProfiles',
  'supplementalSignals', 'themes', 'tokenExchangeProfiles', 'triggers', 'userAttributeProfiles',
];

const DEV_API = 'https://api.dev.example.com/';
const PROD_API = 'https://api.prod.example.com/';
const DEV_APP = 'https://dev.example.com';

let ca;
let server;
let dev; // tenant handles (lib/tenants.mjs)
let prod;
let spa; // the SPA's web server: prod's Web App lives at its origin
let work;
const t_ = (fn) => withLogs(() => server, fn);

before(async () => {
  ca = makeTestCa();
  server = await startTessera({ tls: ca });
  dev = await createTenant(server, 'dev');
  prod = await createTenant(server, 'prod');
  spa = await startSpaServer({ domain: prod.domain });
  work = mkdtempSync(path.join(os.tmpdir(), 'tessera-a0deploy-'));
});

after(async () => {
  if (work) rmSync(work, { recursive: true, force: true });
  if (spa) await spa.close();
  if (server) assert.equal(await server.stop(), 0, 'tessera should exit 0 on SIGTERM');
});

const tokens = new Map();
async function token(tenant) {
  if (tokens.has(tenant)) return tokens.get(tenant);
  const res = await httpsRequest(`${tenant.url}oauth/token`, {
    method: 'POST',
    ca: ca.ca,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      grant_type: 'client_credentials',
      client_id: tenant.bootstrap.client_id,
      client_secret: tenant.bootstrap.client_secret,
      audience: `${tenant.url}api/v2/`,
    }),
  });
  assert.equal(res.status, 200, res.text);
  const t = JSON.parse(res.text).access_token;
  tokens.set(tenant, t);
  return t;
}

/** One Management API call; returns {status, body}. */
async function api(tenant, method, p, body) {
  const res = await httpsRequest(`${tenant.url}api/v2${p}`, {
    method,
    ca: ca.ca,
    headers: {
      authorization: `Bearer ${await token(tenant)}`,
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    body: body !== undefined ? JSON.stringify(body) : undefined,
  });
  return { status: res.status, body: res.text ? JSON.parse(res.text) : null };
}

async function ok(tenant, method, p, body, status = [200, 201, 204]) {
  const r = await api(tenant, method, p, body);
  assert.ok([].concat(status).includes(r.status), `${method} ${p}: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
}

/** Runs a0deploy with the tenant's credentials; resolves {code, out}. */
function a0deploy(tenant, args, env = {}) {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [A0DEPLOY, ...args],
      {
        timeout: 180_000,
        maxBuffer: 16 * 1024 * 1024,
        env: {
          PATH: process.env.PATH,
          HOME: work,
          NODE_EXTRA_CA_CERTS: ca.caPath,
          AUTH0_DOMAIN: tenant.domain,
          AUTH0_CLIENT_ID: tenant.bootstrap.client_id,
          AUTH0_CLIENT_SECRET: tenant.bootstrap.client_secret,
          AUTH0_EXCLUDED: JSON.stringify(EXCLUDED),
          ...env,
        },
      },
      (err, stdout, stderr) => {
        if (process.env.A0DEPLOY_LOG) writeFileSync(`${process.env.A0DEPLOY_LOG}.${args[0]}.${Date.now()}`, `${stdout}\n${stderr}`);
        resolve({ code: err ? (err.code ?? 1) : 0, out: `${stdout}\n${stderr}` });
      },
    );
  });
}

/**
 * Every row the Deploy CLI could write, in every tenant of the database (the others must
 * not move either), for "nothing changed" checks. The Deploy CLI
 * updates a role by deleting all its permissions and adding them again (two calls),
 * so a role permission's created_at and the tenant's generation and updated_at (which
 * every catalog change moves) are left out: the permissions themselves are compared.
 */
function snapshot(tenant) {
  const tables = {
    clients: 'SELECT * FROM clients ORDER BY client_id',
    resource_servers: 'SELECT * FROM resource_servers ORDER BY id',
    client_grants: 'SELECT * FROM client_grants ORDER BY id',
    connections: 'SELECT * FROM connections ORDER BY id',
    connection_clients: 'SELECT * FROM connection_clients ORDER BY 1, 2, 3',
    roles: 'SELECT * FROM roles ORDER BY id',
    role_permissions: 'SELECT tenant_id, role_id, audience, permission FROM role_permissions ORDER BY 1, 2, 3, 4',
    setting_documents: 'SELECT * FROM setting_documents ORDER BY tenant_id, name',
    tenant_limits: 'SELECT * FROM tenant_limits ORDER BY tenant_id, name',
  };
  const cols = queryRows(tenant.dbPath, "SELECT name FROM pragma_table_info('tenants')")
    .map(([c]) => c)
    .filter((c) => c !== 'generation' && c !== 'updated_at');
  tables.tenants = `SELECT ${cols.join(', ')} FROM tenants ORDER BY id`;
  return Object.fromEntries(Object.entries(tables).map(([k, sql]) => [k, queryRows(tenant.dbPath, sql)]));
}

async function findClient(tenant, name) {
  const list = await ok(tenant, 'GET', '/clients?per_page=100');
  return list.find((c) => c.name === name);
}

let exported; // the dev export, parsed

test(
  'a0deploy export --format yaml reads a whole dev tenant',
  t_(async () => {
    await ok(dev, 'POST', '/resource-servers', {
      name: 'Messages',
      identifier: DEV_API,
      scopes: [{ value: 'read:messages', description: 'Read' }, { value: 'write:messages', description: 'Write' }],
      enforce_policies: true,
      token_dialect: 'access_token_authz',
    });
    const spa = await ok(dev, 'POST', '/clients', {
      name: 'Web App',
      app_type: 'spa',
      callbacks: [`${DEV_APP}/callback`],
      web_origins: [DEV_APP],
      allowed_logout_urls: [DEV_APP],
      grant_types: ['authorization_code', 'refresh_token'],
      token_endpoint_auth_method: 'none',
    });
    const worker = await ok(dev, 'POST', '/clients', {
      name: 'Worker',
      app_type: 'non_interactive',
      grant_types: ['client_credentials'],
    });
    await ok(dev, 'POST', '/client-grants', { client_id: worker.client_id, audience: DEV_API, scope: ['read:messages'] });
    const role = await ok(dev, 'POST', '/roles', { name: 'Reader', description: 'Reads messages' });
    await ok(dev, 'POST', `/roles/${role.id}/permissions`, {
      permissions: [{ resource_server_identifier: DEV_API, permission_name: 'read:messages' }],
    });
    const [conn] = await ok(dev, 'GET', '/connections?strategy=auth0');
    await ok(dev, 'PATCH', `/connections/${conn.id}/clients`, [{ client_id: spa.client_id, status: true }]);
    const enabled = await ok(dev, 'GET', `/connections/${conn.id}/clients?take=50`);
    assert.ok(enabled.clients.some((c) => c.client_id === spa.client_id), JSON.stringify(enabled));
    await ok(dev, 'PATCH', '/branding', {
      colors: { primary: '#112233', page_background: '#ffffff' },
      logo_url: 'https://cdn.example.com/logo.png',
    });
    await ok(dev, 'PATCH', '/prompts', { identifier_first: true });
    await ok(dev, 'PUT', '/prompts/login/custom-text/en', { login: { title: 'Welcome to Dev' } });
    await ok(dev, 'POST', '/emails/provider', {
      name: 'smtp',
      enabled: true,
      default_from_address: 'no-reply@example.com',
      credentials: { smtp_host: 'smtp.example.com', smtp_port: 587, smtp_user: 'mailer', smtp_pass: 'not-kept' },
    });
    const provider = await ok(dev, 'GET', '/emails/provider');
    assert.equal(provider.credentials.smtp_pass, undefined, 'the SMTP password is never stored or shown');
    await ok(dev, 'POST', '/email-templates', {
      template: 'verify_email',
      body: '<p>Verify {{ user.email }}</p>',
      from: 'no-reply@example.com',
      subject: 'Verify your email',
      syntax: 'liquid',
      enabled: true,
    });
    await ok(dev, 'PATCH', '/attack-protection/breached-password-detection', { enabled: true, shields: ['block'] });

    const out = path.join(work, 'dev-yaml');
    const r = await a0deploy(dev, ['export', '--format', 'yaml', '--output_folder', out]);
    assert.equal(r.code, 0, r.out);
    exported = yaml.load(readFileSync(path.join(out, 'tenant.yaml'), 'utf8'));
    const names = (exported.clients ?? []).map((c) => c.name);
    assert.ok(names.includes('Web App') && names.includes('Worker'), names.join());
    assert.ok(!(exported.resourceServers ?? []).some((x) => x.name === 'Auth0 Management API'), 'system API left out');
    assert.ok(exported.resourceServers.some((x) => x.identifier === DEV_API));
    assert.ok(exported.clientGrants.some((g) => g.client_id === 'Worker' && g.audience === DEV_API));
    const reader = exported.roles.find((x) => x.name === 'Reader');
    assert.deepEqual(reader.permissions, [{ permission_name: 'read:messages', resource_server_identifier: DEV_API }]);
    const db = exported.databases.find((d) => d.name === 'Username-Password-Authentication');
    assert.ok(db.enabled_clients.includes('Web App'), JSON.stringify(db.enabled_clients));
    assert.equal(exported.branding.colors.primary, '#112233');
    assert.equal(exported.prompts.identifier_first, true);
    assert.equal(exported.prompts.customText.en.login.login.title, 'Welcome to Dev');
    assert.equal(exported.emailProvider.name, 'smtp');
    assert.ok(exported.emailTemplates.some((x) => x.template === 'verify_email'));
    assert.equal(exported.attackProtection.breachedPasswordDetection.enabled, true);
  }),
);

/** The dev export with environment values as placeholders, as a repository keeps it. */
function templated(doc) {
  const d = structuredClone(doc);
  const web = d.clients.find((c) => c.name === 'Web App');
  web.callbacks = '@@CALLBACKS@@';
  web.web_origins = '@@ORIGINS@@';
  web.allowed_logout_urls = '@@ORIGINS@@';
  let text = yaml.dump(d);
  text = text.replace(/'@@(\w+)@@'/g, '@@$1@@').replaceAll(DEV_API, '##API_IDENTIFIER##');
  return text;
}

// prod's Web App is the test SPA, at its origin on 127.0.0.1.
const prodApp = () => spa.origin;
const mappings = () =>
  JSON.stringify({ API_IDENTIFIER: PROD_API, CALLBACKS: [`${prodApp()}/callback`], ORIGINS: [prodApp()] });

// Written next to the export: its email template bodies are files beside tenant.yaml.
let imports = 0;
async function importInto(server, text, env = {}) {
  const file = path.join(work, 'dev-yaml', `import-${++imports}.yaml`);
  writeFileSync(file, text);
  return a0deploy(server, ['import', '--input_file', file], {
    AUTH0_KEYWORD_REPLACE_MAPPINGS: mappings(),
    ...env,
  });
}

test(
  'a0deploy import of that export makes a fresh prod tenant match, with keywords replaced',
  t_(async () => {
    assert.ok(exported, 'the export test ran first');
    const r = await importInto(prod, templated(exported));
    assert.equal(r.code, 0, r.out);
    const web = await findClient(prod, 'Web App');
    assert.ok(web, 'Web App created');
    assert.deepEqual(web.callbacks, [`${prodApp()}/callback`]);
    assert.deepEqual(web.web_origins, [prodApp()]);
    assert.deepEqual(web.allowed_logout_urls, [prodApp()]);
    assert.equal(web.app_type, 'spa');
    const worker = await findClient(prod, 'Worker');
    const apis = await ok(prod, 'GET', '/resource-servers');
    const msgs = apis.find((x) => x.identifier === PROD_API);
    assert.ok(msgs, `API ${PROD_API} created: ${JSON.stringify(apis.map((x) => x.identifier))}`);
    assert.ok(!apis.some((x) => x.identifier === DEV_API), 'no dev identifier in prod');
    assert.deepEqual(msgs.scopes.map((s) => s.value).sort(), ['read:messages', 'write:messages']);
    const grants = await ok(prod, 'GET', `/client-grants?client_id=${worker.client_id}`);
    assert.deepEqual(grants.map((g) => [g.audience, g.scope]), [[PROD_API, ['read:messages']]]);
    const roles = await ok(prod, 'GET', '/roles');
    const reader = roles.find((x) => x.name === 'Reader');
    const perms = await ok(prod, 'GET', `/roles/${reader.id}/permissions`);
    assert.deepEqual(perms.map((p) => [p.resource_server_identifier, p.permission_name]), [[PROD_API, 'read:messages']]);
    const [conn] = await ok(prod, 'GET', '/connections?strategy=auth0');
    assert.ok(conn.enabled_clients.includes(web.client_id), JSON.stringify(conn.enabled_clients));
    assert.equal((await ok(prod, 'GET', '/branding')).colors.primary, '#112233');
    assert.equal((await ok(prod, 'GET', '/prompts')).identifier_first, true);
    assert.equal((await ok(prod, 'GET', '/prompts/login/custom-text/en')).login.title, 'Welcome to Dev');
    assert.equal((await ok(prod, 'GET', '/emails/provider')).default_from_address, 'no-reply@example.com');
    assert.equal((await ok(prod, 'GET', '/email-templates/verify_email')).subject, 'Verify your email');
    assert.equal((await ok(prod, 'GET', '/attack-protection/breached-password-detection')).enabled, true);
    // The import set prod's friendly_name to dev's; the tenant's name, which the CLI goes by, stays.
    assert.equal((await ok(prod, 'GET', '/tenants/settings')).friendly_name, exported.tenant.friendly_name);
    const list = await runCli(['tenants', 'list', '--json', '--data-dir', server.dataDir]);
    assert.deepEqual(
      JSON.parse(list.stdout).map((x) => [x.name, x.issuer]).sort(),
      [['default', server.url], ['dev', dev.url], ['prod', prod.url]].sort(),
    );
  }),
);

test(
  'auth0-spa-js in Chromium logs into prod and calls the prod API; express-oauth2-jwt-bearer accepts the token',
  t_(async () => {
    const web = await findClient(prod, 'Web App');
    spa.setConfig({ clientId: web.client_id });
    const [reader] = (await ok(prod, 'GET', '/roles')).filter((x) => x.name === 'Reader');
    const person = { email: testEmail('prod'), password: `Pw-${crypto.randomUUID()}` };
    remember(person.password);
    const user = await ok(prod, 'POST', '/users', { connection: 'Username-Password-Authentication', ...person });
    await ok(prod, 'POST', `/users/${encodeURIComponent(user.user_id)}/roles`, { roles: [reader.id] });
    const protectedApi = await startProtectedApi({
      issuer: prod.url,
      audience: PROD_API,
      corsOrigin: spa.origin,
      scope: 'read:messages',
      agent: new https.Agent({ ca: ca.ca }),
    });
    const browser = await launchBrowser();
    try {
      const tab = await openBrowserPage(browser, prod);
      const init = { audience: PROD_API, scope: 'openid profile email read:messages' };
      // The imported branding is the login page's: its colour and logo.
      const onLoginPage = async (page) => {
        const html = await page.content();
        assert.match(html, /--primary: #112233;/, 'the login page has the imported primary colour');
        assert.match(html, /<img src="https:\/\/cdn\.example\.com\/logo\.png"/, 'and its logo');
      };
      const loginUrl = await loginThroughSpa(tab, { server: prod, spa, ...person, init, onLoginPage });
      assert.ok(loginUrl.startsWith(`${prod.url}u/login?`), `prod's login page: ${loginUrl}`);
      const got = await tab.page.evaluate(() => window.app.token());
      assert.equal(got.ok, true, `getTokenSilently: ${JSON.stringify(got)}`);
      const at = jose.decodeJwt(got.access_token);
      assert.equal(at.iss, prod.url, 'issued by prod');
      assert.ok([].concat(at.aud).includes(PROD_API), `aud: ${JSON.stringify(at.aud)}`);
      assert.deepEqual(at.permissions, ['read:messages'], 'the imported role grants the imported permission');
      const call = await tab.page.evaluate(([u, tok]) => window.app.callApi(u, tok), [protectedApi.url, got.access_token]);
      assert.equal(call.status, 200, `the prod API: ${JSON.stringify(call)}`);
      assert.equal(JSON.parse(call.body).sub, user.user_id);
      // dev's token for its own API is no key to prod's API.
      const devApi = await startProtectedApi({
        issuer: dev.url,
        audience: DEV_API,
        corsOrigin: spa.origin,
        agent: new https.Agent({ ca: ca.ca }),
      });
      try {
        const refused = await tab.page.evaluate(([u, tok]) => window.app.callApi(u, tok), [devApi.url, got.access_token]);
        assert.equal(refused.status, 401, `prod's token at dev's API: ${JSON.stringify(refused)}`);
      } finally {
        await devApi.close();
      }
    } finally {
      await browser.close();
      await protectedApi.close();
    }
  }),
);

test(
  'a second import of the same file writes nothing',
  t_(async () => {
    const before_ = snapshot(prod);
    const r = await importInto(prod, templated(exported));
    assert.equal(r.code, 0, r.out);
    assert.deepEqual(snapshot(prod), before_);
  }),
);

test(
  'a0deploy export --format directory writes a file per object; importing it without a client and with AUTH0_ALLOW_DELETE=true deletes that client',
  t_(async () => {
    assert.ok(await findClient(prod, 'Worker'));
    const out = path.join(work, 'prod-dir');
    const r = await a0deploy(prod, ['export', '--format', 'directory', '--output_folder', out]);
    assert.equal(r.code, 0, r.out);
    assert.ok(existsSync(path.join(out, 'clients', 'Web App.json')), readdirSync(out).join());
    const web = JSON.parse(readFileSync(path.join(out, 'clients', 'Web App.json'), 'utf8'));
    assert.deepEqual(web.callbacks, [`${prodApp()}/callback`]);
    assert.ok(existsSync(path.join(out, 'emails', 'verify_email.json')), 'email template exported');

    // The repository's change: the Worker application is gone from the files, with its grant
    // and its place in the database connection's enabled_clients.
    rmSync(path.join(out, 'clients', 'Worker.json'));
    for (const f of readdirSync(out, { recursive: true }).filter((x) => x.endsWith('.json'))) {
      const file = path.join(out, f);
      const o = JSON.parse(readFileSync(file, 'utf8'));
      if (o.client_id === 'Worker') rmSync(file);
      else if (Array.isArray(o.enabled_clients) && o.enabled_clients.includes('Worker')) {
        o.enabled_clients = o.enabled_clients.filter((c) => c !== 'Worker');
        writeFileSync(file, JSON.stringify(o, null, 2));
      }
    }
    const imported = await a0deploy(prod, ['import', '--input_file', out], { AUTH0_ALLOW_DELETE: 'true' });
    assert.equal(imported.code, 0, imported.out);
    assert.equal(await findClient(prod, 'Worker'), undefined, 'Worker deleted');
    assert.ok(await findClient(prod, 'Web App'), 'Web App kept');
    assert.ok(await findClient(prod, 'Bootstrap Management Client'), 'the CLI never deletes its own client');
    const apis = await ok(prod, 'GET', '/resource-servers');
    assert.ok(apis.some((x) => x.identifier === PROD_API), 'the API kept');
  }),
);

test(
  '/branding colors.primary and logo_url are the tenant settings\' login page colour and logo; bad values write nothing',
  t_(async () => {
    const before_ = await ok(dev, 'GET', '/branding');
    for (const bad of [
      { colors: { primary: 'red' } },
      { colors: 'blue' },
      { logo_url: 'javascript:alert(1)' },
      { logo_url: 'http://cdn.example.com/l.png' },
      { logo_url: 7 },
    ]) {
      const r = await api(dev, 'PATCH', '/branding', { ...bad, font: { url: 'https://fonts.example.com/f.woff' } });
      assert.equal(r.status, 400, `${JSON.stringify(bad)}: ${r.status} ${JSON.stringify(r.body)}`);
      assert.equal(r.body.errorCode, 'invalid_body');
    }
    assert.deepEqual(await ok(dev, 'GET', '/branding'), before_, 'a refused PATCH writes nothing');

    await ok(dev, 'PATCH', '/branding', {
      colors: { primary: '#abcdef' },
      logo_url: 'https://cdn.example.com/two.png',
      font: { url: 'https://fonts.example.com/f.woff' },
    });
    const settings = await ok(dev, 'GET', '/tenants/settings');
    assert.equal(settings.branding.colors.primary, '#abcdef');
    assert.equal(settings.picture_url, 'https://cdn.example.com/two.png');
    await ok(dev, 'PATCH', '/tenants/settings', { branding: { colors: { primary: '#010203' } }, picture_url: '' });
    const branding = await ok(dev, 'GET', '/branding');
    assert.equal(branding.colors.primary, '#010203', 'a tenant settings change shows in /branding');
    assert.equal(branding.logo_url, undefined, 'no logo');
    assert.equal(branding.font.url, 'https://fonts.example.com/f.woff', 'the rest is kept as written');
  }),
);

test(
  'the email provider keeps only the credentials that name where mail goes, never a secret',
  t_(async () => {
    const bad = await api(dev, 'PATCH', '/emails/provider', { credentials: 'smtp_pass=S2' });
    assert.equal(bad.status, 400, JSON.stringify(bad.body));
    await ok(dev, 'PATCH', '/emails/provider', {
      name: 'sendgrid',
      credentials: { API_KEY: 'S4', apiKey: 'S5', api_key: 'S6', smtp_host: 'smtp.example.com', region: 'eu' },
    });
    const got = await ok(dev, 'GET', '/emails/provider');
    assert.deepEqual(got.credentials, { smtp_host: 'smtp.example.com', region: 'eu' });
    const rows = queryRows(dev.dbPath, "SELECT body FROM setting_documents WHERE name = 'emails/provider'");
    for (const [body] of rows) assert.ok(!/S[2-6]/.test(body), `no secret stored: ${body}`);
  }),
);
