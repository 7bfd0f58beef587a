// Auth0's SDK for server-rendered Express apps, express-openid-connect,
// pointed at Tessera as a new user would, in Debian's Chromium:
// - its defaults (issuerBaseURL, baseURL, clientID, secret and nothing
//   else: response_type=id_token with response_mode=form_post, the
//   implicit flow with form post) log a person in and show their email;
// - the hybrid code id_token (c_hash checked by the SDK's openid-client);
// - the code flow with a client secret gets an access token that an
//   express-oauth2-jwt-bearer API accepts.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import { after, before, test } from 'node:test';

import express from 'express';
import eoc from 'express-openid-connect';
import * as jose from 'jose';

import { freePort, startTessera, withLogs } from './lib/server.mjs';
import { Mgmt } from './lib/mgmt.mjs';
import { testEmail } from './lib/authflow.mjs';
import { startProtectedApi } from './lib/spa.mjs';
import { launchBrowser, openBrowserPage, waitForUrl } from './lib/browser.mjs';

const { auth, requiresAuth } = eoc;

let server;
let mgmt;
let browser;
let api;
let protectedApi;
const apps = [];
const t_ = (fn) => withLogs(() => server, fn);

before(async () => {
  server = await startTessera();
  mgmt = await Mgmt.forBootstrap(server);
  api = await mgmt.createUserApi();
  protectedApi = await startProtectedApi({ issuer: server.url, audience: api.identifier, scope: 'read:messages' });
  browser = await launchBrowser();
});

after(async () => {
  for (const a of apps) await a.close();
  if (browser) await browser.close();
  if (protectedApi) await protectedApi.close();
  if (server) assert.equal(await server.stop(), 0, 'tessera should exit 0 on SIGTERM');
});

const escapeHtml = (s) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * A server-rendered Express app on a free port: express-openid-connect's
 * auth(await config(baseURL)) in front of every route (config makes the
 * Tessera application, whose callback names the base URL); / shows the
 * signed-in person, /api calls the protected API with the session's
 * access token.
 */
async function startWebApp(config) {
  const port = await freePort();
  const baseURL = `http://127.0.0.1:${port}`;
  const app = express();
  app.use(auth(await config(baseURL)));
  app.get('/', (req, res) => {
    res.type('html').send(`<!DOCTYPE html><title>Web app</title><p id="who">${escapeHtml(req.oidc.user?.email ?? 'signed out')}</p>`);
  });
  app.get('/api', requiresAuth(), async (req, res) => {
    const token = req.oidc.accessToken?.access_token;
    if (!token) {
      res.status(500).json({ error: 'no access token in the session' });
      return;
    }
    const r = await fetch(protectedApi.url, { headers: { authorization: `Bearer ${token}` } });
    res.status(r.status).json({ api: await r.json().catch(() => null), aud: jose.decodeJwt(token).aud });
  });
  // eslint-disable-next-line no-unused-vars
  app.use((err, req, res, next) => {
    res.status(err.status ?? 500).type('text').send(`${err.error ?? err.name}: ${err.error_description ?? err.message}`);
  });
  const srv = http.createServer(app);
  await new Promise((resolve) => srv.listen(port, '127.0.0.1', resolve));
  const handle = {
    baseURL,
    close: () => new Promise((resolve) => { srv.closeAllConnections?.(); srv.close(() => resolve()); }),
  };
  apps.push(handle);
  return handle;
}

/** A regular web application as a new user makes one: callbacks and logout URL, the rest defaults. */
async function webApp(baseURL, overrides = {}) {
  return mgmt.createApp({
    app_type: 'regular_web',
    callbacks: [`${baseURL}/callback`],
    allowed_logout_urls: [baseURL],
    ...overrides,
  });
}

/** Opens the app's page, logs in on Tessera's login page, and returns the page back on the app. */
async function logIn(baseURL, person) {
  const tab = await openBrowserPage(browser, server);
  const { page } = tab;
  const authorizeUrls = [];
  page.on('request', (r) => {
    if (r.url().startsWith(`${server.url}authorize?`)) authorizeUrls.push(new URL(r.url()));
  });
  await page.goto(`${baseURL}/`);
  await waitForUrl(page, (u) => u.startsWith(`${server.url}u/login?`), 'the app sends the person to Tessera\'s login page', tab.rec?.console);
  await page.fill('input[name="username"]', person.email);
  await page.fill('input[name="password"]', person.password);
  const back = (u) => u.href === `${baseURL}/`;
  const consent = (u) => u.href.startsWith(`${server.url}u/consent?`);
  await Promise.all([
    page.waitForURL((u) => back(u) || consent(u)),
    page.click('button[type="submit"]'),
  ]);
  // An app on a loopback address is asked for consent to an API, as in Auth0.
  if (consent(new URL(page.url()))) {
    await Promise.all([page.waitForURL(back), page.click('button[value="accept"]')]);
  }
  return { tab, page, authorizeUrls };
}

test('express-openid-connect with only issuerBaseURL, baseURL, clientID and secret (id_token + form_post) signs a person in', t_(async () => {
  const person = await mgmt.createUser({ email: testEmail('eoc') });
  const app = await startWebApp(async (baseURL) => ({
    issuerBaseURL: server.url,
    baseURL,
    clientID: (await webApp(baseURL)).client_id,
    secret: randomBytes(32).toString('hex'),
  }));
  const { tab, page, authorizeUrls } = await logIn(app.baseURL, person);
  try {
    assert.equal(await page.textContent('#who'), person.email, 'the app shows the signed-in person\'s email');
    const asked = authorizeUrls[0];
    assert.equal(asked.searchParams.get('response_type'), 'id_token', 'the SDK\'s default response type');
    assert.equal(asked.searchParams.get('response_mode'), 'form_post', 'the SDK\'s default response mode');
    assert.ok(asked.searchParams.get('nonce'), 'the SDK sends a nonce');
  } finally {
    await tab.close();
  }
}));

// With a client secret: the hybrid flow (the SDK checks the ID token's c_hash before it redeems
// the code) and the code flow both end with an access token for the API in the session.
for (const responseType of ['code id_token', 'code']) {
  test(`express-openid-connect with a client secret and response_type ${responseType} gets an access token the API accepts`, t_(async () => {
    const person = await mgmt.createUser({ email: testEmail('eoc-secret') });
    const app = await startWebApp(async (baseURL) => {
      const c = await webApp(baseURL, { token_endpoint_auth_method: 'client_secret_basic' });
      return {
        issuerBaseURL: server.url,
        baseURL,
        clientID: c.client_id,
        clientSecret: c.client_secret,
        secret: randomBytes(32).toString('hex'),
        authorizationParams: { response_type: responseType, scope: 'openid profile email read:messages', audience: api.identifier },
      };
    });
    const { tab, page, authorizeUrls } = await logIn(app.baseURL, person);
    try {
      assert.equal(await page.textContent('#who'), person.email);
      assert.equal(authorizeUrls[0].searchParams.get('response_type'), responseType);
      await page.goto(`${app.baseURL}/api`);
      const body = JSON.parse(await page.textContent('body'));
      assert.equal(body.aud[0], api.identifier, `the session's access token is for the API: ${JSON.stringify(body)}`);
      assert.equal(body.api?.sub, person.user_id, `the API answered 200 for the person: ${JSON.stringify(body)}`);
      assert.deepEqual(body.api?.messages, ['hello']);
    } finally {
      await tab.close();
    }
  }));
}
