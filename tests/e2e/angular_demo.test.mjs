// The Angular + Express demo (`make demo STACK=angular`), end to end in
// Debian's Chromium: the same startDemo() as scripts/demo.mjs starts Tessera,
// provisions the demo through the Management API, starts examples/api-node
// (express-oauth2-jwt-bearer) and serves the built examples/angular
// (@auth0/auth0-angular); a person logs in and calls the three routes.
// The built app: $TESSERA_ANGULAR_DIST (scripts/e2e.sh builds it once per
// change of its sources), else examples/angular/build.sh builds it into
// build/examples/angular/ now.  The screenshot of the signed-in page:
// $TESSERA_ANGULAR_DEMO_SCREENSHOT, else angular-demo-signed-in.png next to
// TESSERA_BIN.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { statSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';

import { REPO_ROOT, startDemo } from '../../scripts/demo.mjs';
import { freePort, makeDataDir, tesseraBin } from './lib/server.mjs';
import { launchBrowser, openBrowserPage, STEP_TIMEOUT_MS } from './lib/browser.mjs';
import { remember } from './lib/mgmt.mjs';

const TESSERA = tesseraBin();
const SCREENSHOT = path.resolve(process.env.TESSERA_ANGULAR_DEMO_SCREENSHOT ?? path.join(path.dirname(TESSERA), 'angular-demo-signed-in.png'));

/** The built app's directory; builds it (quietly, a no-op when its sources did not change) when not given. */
function angularDist() {
  if (process.env.TESSERA_ANGULAR_DIST) return path.resolve(process.env.TESSERA_ANGULAR_DIST);
  try {
    const out = execFileSync(path.join(REPO_ROOT, 'examples', 'angular', 'build.sh'), [path.join(REPO_ROOT, 'build', 'examples', 'angular')], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 900_000,
    });
    return out.trim().split('\n').pop();
  } catch (e) {
    throw new Error(`examples/angular/build.sh failed:\n${e.stderr ?? e.message}`);
  }
}

let demo;
let browser;
let tab;
/** Every request the page made to the example API: {method, url, headers: Promise<headers>}. */
const apiRequests = [];

before(async () => {
  demo = await startDemo({
    stack: 'angular',
    tesseraBin: TESSERA,
    angularDist: angularDist(),
    host: '127.0.0.1',
    ports: { tessera: await freePort(), api: await freePort(), spa: await freePort() },
    dataDir: makeDataDir(),
  });
  remember(demo.password);
  browser = await launchBrowser();
  // The harness's page records requests to Tessera and its console.
  tab = await openBrowserPage(browser, { url: demo.issuer });
  tab.page.on('request', (r) => {
    if (r.url().startsWith(`${demo.apiUrl}/`)) apiRequests.push({ method: r.method(), url: r.url(), headers: r.allHeaders() });
  });
});

after(async () => {
  if (tab) await tab.close().catch(() => {});
  if (browser) await browser.close();
  if (demo) {
    const codes = await demo.stop();
    assert.equal(codes.tessera.code, 0, `tessera should exit 0 on SIGTERM\n${demo.tessera.output().slice(-2000)}`);
    assert.equal(codes.api.code, 0, `the Express API should exit 0 on SIGTERM\n${demo.exampleApi.output().slice(-2000)}`);
  }
});

/** Adds the browser console and both programs' output tails to a failure. */
const t_ = (fn) => async (t) => {
  try {
    await fn(t);
  } catch (e) {
    e.message += `\n--- at ${tab?.page.url()} ---\n--- browser console ---\n${tab?.console.slice(-15).join('\n')}` +
      `\n--- Express API ---\n${demo?.exampleApi.output().slice(-1500)}\n--- tessera ---\n${demo?.tessera.output().slice(-1500)}`;
    throw e;
  }
};

const appUrl = (p) => `${demo.spaOrigin}${p}`;
const isLoginPage = (u) => u.startsWith(`${demo.issuer}u/login`);
const isConsent = (u) => u.startsWith(`${demo.issuer}u/consent?`);

/** The app's state once auth0-angular has checked the session: {state, email, error}. */
async function appState(page) {
  await page.waitForFunction(() => ['signed-in', 'signed-out'].includes(document.getElementById('state')?.dataset.state), null, { timeout: STEP_TIMEOUT_MS });
  return page.evaluate(() => ({
    state: document.getElementById('state').dataset.state,
    email: document.getElementById('email')?.textContent ?? '',
    error: document.getElementById('error')?.textContent ?? '',
  }));
}

/** Waits (bounded) until the page's URL matches; the failure says where it is. */
async function landOn(page, pred, what) {
  try {
    await page.waitForURL((u) => pred(u.href), { timeout: STEP_TIMEOUT_MS, waitUntil: 'commit' });
  } catch (e) {
    throw new Error(`${what}: still at ${page.url()} (${e.message.split('\n')[0]})`);
  }
}

/** From Tessera's login page (or a consent page after it) back into the app. */
async function submitLogin(page) {
  await page.fill('input[name="username"]', demo.user.email);
  await page.fill('input[name="password"]', demo.password);
  await page.click('button[type="submit"]');
  await acceptConsentIfAsked(page, 'the login form should return to the app with a code');
}

/**
 * Back in the app (at the callback, or already past it: the app replaces
 * that URL at once); an app on a loopback origin is asked for consent first
 * (as in Auth0).
 */
async function acceptConsentIfAsked(page, what) {
  const inApp = (u) => u.startsWith(`${demo.spaOrigin}/`);
  await landOn(page, (u) => inApp(u) || isConsent(u), what);
  if (isConsent(page.url())) {
    await page.click('button[value="accept"]');
    await landOn(page, inApp, `${what} (after consent)`);
  }
}

/** auth0-angular handled the callback: the app shows the user at path, code and state gone from the URL. */
async function expectSignedInAt(page, p) {
  await landOn(page, (u) => u === appUrl(p), `after the callback the app should go to ${p}`);
  const s = await appState(page);
  assert.deepEqual(s, { state: 'signed-in', email: demo.user.email, error: '' }, `signed in at ${p}`);
}

/** Clicks a call button and returns {status, www, text} of its result. */
async function callRoute(page, route) {
  await page.click(`#call-${route}`);
  const sel = `#result-${route}`;
  await page.waitForFunction((s) => document.querySelector(s)?.dataset.status, sel, { timeout: STEP_TIMEOUT_MS });
  return page.$eval(sel, (el) => ({ status: Number(el.dataset.status), www: el.dataset.www ?? '', text: el.textContent }));
}

const bodyOf = (result) => JSON.parse(result.text.slice(result.text.indexOf('{')));

/** The Authorization headers the page sent to one API route since index from: [header or null]. */
async function authHeadersOf(route, from = 0) {
  const sent = apiRequests.slice(from).filter((r) => r.method === 'GET' && new URL(r.url).pathname === `/api/${route}`);
  return Promise.all(sent.map(async (r) => (await r.headers).authorization ?? null));
}

test('signed out, the protected route /api sends the browser to the login page', t_(async () => {
  const { page } = tab;
  await page.goto(appUrl('/'));
  assert.deepEqual(await appState(page), { state: 'signed-out', email: '', error: '' }, 'the app starts signed out');
  await page.goto(appUrl('/api'));
  await landOn(page, isLoginPage, 'authGuardFn should redirect to Tessera\'s login page');
  const authorize = tab.requests.find((r) => r.url.startsWith(`${demo.issuer}authorize?`));
  const q = new URL(authorize.url).searchParams;
  assert.equal(q.get('client_id'), demo.client.client_id);
  assert.equal(q.get('audience'), demo.api.identifier);
  assert.equal(q.get('redirect_uri'), appUrl('/'));
  assert.equal(q.get('code_challenge_method'), 'S256');
  // Logging in from there brings the browser back to the route it asked for.
  await submitLogin(page);
  await expectSignedInAt(page, '/api');

  // A new context: the test below starts signed out again.
  await tab.context.clearCookies();
  await page.goto(appUrl('/'));
  assert.equal((await appState(page)).state, 'signed-out', 'no Tessera session, no tokens: signed out');
}));

/** Log in from the app's button through Universal Login, then open the guarded API page. */
async function logInAndOpenApiPage(page) {
  await page.click('#login');
  await landOn(page, isLoginPage, 'Log in should reach Tessera\'s login page');
  await submitLogin(page);
  await expectSignedInAt(page, '/');
  await page.click('#nav-api');
  await landOn(page, (u) => u === appUrl('/api'), 'the guard lets a signed-in user in');
}

test('Log in through Universal Login; public 200 without a token, private 200 and private-scoped 403 with one', t_(async () => {
  const { page } = tab;
  await logInAndOpenApiPage(page);
  const from = apiRequests.length;
  const pub = await callRoute(page, 'public');
  assert.equal(pub.status, 200, `public: ${pub.text}`);
  assert.match(bodyOf(pub).message, /public/);
  const priv = await callRoute(page, 'private');
  assert.equal(priv.status, 200, `private: ${priv.text}`);
  assert.equal(bodyOf(priv).sub, demo.user.user_id, 'the API read sub from the verified token');
  const denied = await callRoute(page, 'private-scoped');
  assert.equal(denied.status, 403, `private-scoped without the permission: ${denied.text}`);
  assert.match(denied.www, /error="insufficient_scope"/, `WWW-Authenticate (exposed by CORS): ${denied.www}`);
  assert.equal(bodyOf(denied).error, 'insufficient_scope', `body: ${denied.text}`);

  // authHttpInterceptorFn: a token for the allowedList's URLs only.
  assert.deepEqual(await authHeadersOf('public', from), [null], 'the public call went out without Authorization');
  for (const route of ['private', 'private-scoped']) {
    const headers = await authHeadersOf(route, from);
    assert.equal(headers.length, 1, `one ${route} request: ${headers}`);
    assert.match(headers[0], /^Bearer [\w-]+\.[\w-]+\.[\w-]+$/, `the ${route} call carried the access token`);
  }
  await tab.settle();
  const code = tab.tokenResponses.find((r) => r.request.grant_type === 'authorization_code' && r.status === 200);
  assert.ok(code?.body.refresh_token, `a refresh token came with the code (offline_access, rotating): ${JSON.stringify(code)}`);
  const keys = await page.evaluate(() => Object.keys(window.localStorage));
  assert.deepEqual(keys, [], `tokens stay in memory, not in localStorage: ${keys}`);
}));

test('after a role holding read:messages is assigned and a new login, private-scoped answers 200', t_(async (t) => {
  const { page } = tab;
  await demo.grant(); // the role "Messages reader" (read:messages) for the demo user, through the Management API
  // The token in hand was issued before the grant: log out and in again for one that carries it.
  await page.click('#logout');
  await landOn(page, (u) => u === appUrl('/'), 'Log out should come back to the app');
  assert.equal((await appState(page)).state, 'signed-out', 'signed out');
  await logInAndOpenApiPage(page);
  const allowed = await callRoute(page, 'private-scoped');
  assert.equal(allowed.status, 200, `private-scoped with the permission: ${allowed.text}`);
  assert.equal(bodyOf(allowed).sub, demo.user.user_id);
  assert.ok(bodyOf(allowed).scope.split(' ').includes('read:messages'), `scope seen by the API: ${allowed.text}`);
  await callRoute(page, 'public');
  await callRoute(page, 'private');

  await page.screenshot({ path: SCREENSHOT, fullPage: true });
  assert.ok(statSync(SCREENSHOT).size > 1000, `screenshot written to ${SCREENSHOT}`);
  t.diagnostic(`screenshot of the signed-in page: ${SCREENSHOT}`);
}));

test('a page reload keeps the user signed in', t_(async () => {
  const { page } = tab;
  const from = tab.requests.length;
  await page.reload();
  assert.equal(page.url(), appUrl('/api'), 'the server answers the route with the app');
  assert.deepEqual(await appState(page), { state: 'signed-in', email: demo.user.email, error: '' }, 'signed in after the reload');
  // The tokens were in memory only: the SDK got new ones from Tessera's session in a hidden iframe.
  const silent = tab.requests.slice(from).find((r) => r.url.startsWith(`${demo.issuer}authorize?`));
  assert.ok(silent, 'an /authorize request after the reload');
  const q = new URL(silent.url).searchParams;
  assert.deepEqual([q.get('prompt'), q.get('response_mode')], ['none', 'web_message'], `silent authentication: ${silent.url}`);
  const priv = await callRoute(page, 'private');
  assert.equal(priv.status, 200, `private after the reload: ${priv.text}`);
  assert.equal(bodyOf(priv).sub, demo.user.user_id);
}));

test('Log out ends the session at Tessera; the protected route asks for a login again', t_(async () => {
  const { page } = tab;
  await page.click('#logout');
  await landOn(page, (u) => u === appUrl('/'), 'Log out should come back to the app');
  assert.ok(tab.requests.some((r) => r.url.startsWith(`${demo.issuer}v2/logout?`)), 'the SDK called /v2/logout');
  assert.equal((await appState(page)).state, 'signed-out', 'the app is signed out');
  const cookies = await tab.context.cookies(demo.issuer);
  assert.ok(!cookies.some((c) => c.name === 'tsr_session'), `Tessera's session cookie is gone: ${cookies.map((c) => c.name)}`);
  await page.goto(appUrl('/api'));
  await landOn(page, isLoginPage, 'signed out, /api should send to the login page again');
}));
