// The SPA + API demo (`make demo`), end to end in Debian's Chromium: the same
// startDemo() as scripts/demo.mjs starts Tessera, provisions the demo through
// the Management API, starts examples/api-c (libtessera-verify) and serves
// examples/spa (auth0-spa-js); a person logs in and calls the three routes.
// The example API binary: $TESSERA_EXAMPLE_API_BIN, else
// examples/api-c/tessera-example-api next to TESSERA_BIN.  The screenshot of
// the signed-in page: $TESSERA_DEMO_SCREENSHOT, else demo-signed-in.png next
// to TESSERA_BIN.
import assert from 'node:assert/strict';
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';

import { startDemo } from '../../scripts/demo.mjs';
import { freePort, makeDataDir, tesseraBin } from './lib/server.mjs';
import { launchBrowser, openBrowserPage, STEP_TIMEOUT_MS } from './lib/browser.mjs';
import { remember } from './lib/mgmt.mjs';

const TESSERA = tesseraBin();
const API_BIN = path.resolve(process.env.TESSERA_EXAMPLE_API_BIN ?? path.join(path.dirname(TESSERA), 'examples', 'api-c', 'tessera-example-api'));
const SCREENSHOT = path.resolve(process.env.TESSERA_DEMO_SCREENSHOT ?? path.join(path.dirname(TESSERA), 'demo-signed-in.png'));

let demo;
let browser;
let tab;

before(async () => {
  demo = await startDemo({
    tesseraBin: TESSERA,
    apiBin: API_BIN,
    host: '127.0.0.1',
    ports: { tessera: await freePort(), api: await freePort(), spa: await freePort() },
    dataDir: makeDataDir(),
  });
  remember(demo.password);
  browser = await launchBrowser();
  // The harness's page records requests to Tessera and its console.
  tab = await openBrowserPage(browser, { url: demo.issuer });
});

after(async () => {
  if (tab) await tab.close().catch(() => {});
  if (browser) await browser.close();
  if (demo) {
    const codes = await demo.stop();
    assert.equal(codes.tessera.code, 0, `tessera should exit 0 on SIGTERM\n${demo.tessera.output().slice(-2000)}`);
    assert.equal(codes.api.code, 0, `the example API should exit 0 on SIGTERM\n${demo.exampleApi.output().slice(-2000)}`);
  }
});

/** Adds both programs' output tails to a failure. */
const t_ = (fn) => async () => {
  try {
    await fn();
  } catch (e) {
    e.message += `\n--- browser console ---\n${tab?.console.slice(-15).join('\n')}` +
      `\n--- example API ---\n${demo?.exampleApi.output().slice(-1500)}\n--- tessera ---\n${demo?.tessera.output().slice(-1500)}`;
    throw e;
  }
};

async function appState(page) {
  // (Right after a navigation commits, the document may not be parsed yet.)
  await page.waitForFunction(() => ['signed-in', 'signed-out', 'error'].includes(document.getElementById('state')?.dataset.state), null, { timeout: STEP_TIMEOUT_MS });
  const state = await page.$eval('#state', (el) => el.dataset.state);
  const error = await page.$eval('#error', (el) => el.textContent);
  return { state, error };
}

/** Clicks a call button and returns {status, www, text} of its result. */
async function callRoute(page, route) {
  await page.click(`#call-${route}`);
  const sel = `#result-${route}`;
  await page.waitForFunction((s) => document.querySelector(s).dataset.status !== '', sel, { timeout: STEP_TIMEOUT_MS });
  return page.$eval(sel, (el) => ({ status: Number(el.dataset.status), www: el.dataset.www ?? '', text: el.textContent }));
}

function bodyOf(result) {
  return JSON.parse(result.text.slice(result.text.indexOf('{')));
}

/** Clicks sel and waits (bounded) until the main frame commits a document whose URL matches. */
async function clickAndLand(page, sel, pred, what) {
  const landed = page.waitForEvent('framenavigated', { predicate: (f) => f === page.mainFrame() && pred(f.url()), timeout: STEP_TIMEOUT_MS });
  await page.click(sel);
  try {
    await landed;
  } catch (e) {
    throw new Error(`${what}: still at ${page.url()} (${e.message.split('\n')[0]})`);
  }
}

const isCallback = (u) => u.startsWith(`${demo.spaOrigin}/?`) && new URL(u).searchParams.has('code');
const isConsent = (u) => u.startsWith(`${demo.issuer}u/consent?`);

/** Clicks sel and lands on the callback; an app on a loopback origin is asked for consent first (as in Auth0). */
async function clickToCallback(page, sel, what) {
  await clickAndLand(page, sel, (u) => isCallback(u) || isConsent(u), what);
  if (isConsent(page.url())) await clickAndLand(page, 'button[value="accept"]', isCallback, `${what} (after consent)`);
}

/** "Log in": through the login page when Tessera has no session, straight back (SSO) when it has. */
async function logIn(page, { expectLoginPage }) {
  if (expectLoginPage) {
    await clickAndLand(page, '#login', (u) => u.startsWith(`${demo.issuer}u/login`), 'Log in should reach the login page');
    await page.fill('input[name="username"]', demo.user.email);
    await page.fill('input[name="password"]', demo.password);
    await clickToCallback(page, 'button[type="submit"]', 'the login form should return to the app with a code');
  } else {
    await clickToCallback(page, '#login', 'with a session, Log in should return to the app with a code at once');
  }
  const s = await appState(page);
  assert.equal(s.state, 'signed-in', `after the login: ${JSON.stringify(s)}`);
  assert.equal(page.url(), `${demo.spaOrigin}/`, 'the app removed code and state from its URL');
}

test('the demo: log in, public 200, private 200, private-scoped 403 then 200 after the grant, log out', t_(async () => {
  assert.ok(existsSync(API_BIN), `example API binary missing: ${API_BIN}`);
  const { page } = tab;
  await page.goto(`${demo.spaOrigin}/`);
  assert.deepEqual(await appState(page), { state: 'signed-out', error: '' }, 'the app starts signed out');

  // Signed out: public answers, private wants a token.
  const pub = await callRoute(page, 'public');
  assert.equal(pub.status, 200, `public: ${pub.text}`);
  assert.match(bodyOf(pub).message, /public/);
  const anon = await callRoute(page, 'private');
  assert.equal(anon.status, 401, `private without a token: ${anon.text}`);
  assert.match(anon.www, /^Bearer realm="api"/, `WWW-Authenticate (exposed by CORS): ${anon.www}`);

  await logIn(page, { expectLoginPage: true });
  const profile = JSON.parse(await page.$eval('#profile', (el) => el.textContent));
  assert.equal(profile.sub, demo.user.user_id, 'profile from the ID token: sub');
  assert.equal(profile.email, demo.user.email, 'profile from the ID token: email');
  await tab.settle();
  const code = tab.tokenResponses.find((r) => r.request.grant_type === 'authorization_code');
  assert.equal(code?.status, 200, `code exchange: ${JSON.stringify(code)}`);
  assert.ok(code.body.refresh_token, 'a refresh token came with the code (offline_access, rotating)');
  const keys = await page.evaluate(() => Object.keys(window.localStorage));
  assert.deepEqual(keys, [], `tokens stay in memory, not in localStorage: ${keys}`);

  const pub2 = await callRoute(page, 'public');
  assert.equal(pub2.status, 200, `public signed in: ${pub2.text}`);
  const priv = await callRoute(page, 'private');
  assert.equal(priv.status, 200, `private: ${priv.text}`);
  assert.equal(bodyOf(priv).sub, demo.user.user_id, 'the API read sub from the verified token');

  const denied = await callRoute(page, 'private-scoped');
  assert.equal(denied.status, 403, `private-scoped without the permission: ${denied.text}`);
  assert.match(denied.www, /error="insufficient_scope"/, `WWW-Authenticate: ${denied.www}`);
  assert.equal(bodyOf(denied).error, 'insufficient_scope', `body: ${denied.text}`);

  // The administrator assigns a role holding read:messages; the next login carries it.
  await demo.grant();
  await logIn(page, { expectLoginPage: false });
  const scope = await page.$eval('#token-scope', (el) => el.textContent);
  assert.ok(scope.split(' ').includes('read:messages'), `access token scope after the grant: ${scope}`);
  await callRoute(page, 'public');
  await callRoute(page, 'private');
  const allowed = await callRoute(page, 'private-scoped');
  assert.equal(allowed.status, 200, `private-scoped with the permission: ${allowed.text}`);
  assert.equal(bodyOf(allowed).sub, demo.user.user_id);
  assert.ok(bodyOf(allowed).scope.split(' ').includes('read:messages'), `scope seen by the API: ${allowed.text}`);

  await page.screenshot({ path: SCREENSHOT, fullPage: true });
  assert.ok(statSync(SCREENSHOT).size > 1000, `screenshot written to ${SCREENSHOT}`);

  await clickAndLand(page, '#logout', (u) => u === `${demo.spaOrigin}/`, 'Log out should come back to the app');
  assert.ok(tab.requests.some((r) => r.url.startsWith(`${demo.issuer}v2/logout?`)), 'the SDK called /v2/logout');
  assert.equal((await appState(page)).state, 'signed-out', 'the app is signed out');
  const cookies = await tab.context.cookies(demo.issuer);
  assert.ok(!cookies.some((c) => c.name === 'tsr_session'), `Tessera's session cookie is gone: ${cookies.map((c) => c.name)}`);
  const after = await callRoute(page, 'private');
  assert.equal(after.status, 401, `private after logout: ${after.text}`);
}));
