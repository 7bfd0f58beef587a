// Debian's Chromium driven by playwright-core (never a downloaded browser),
// and the steps of a person using the test SPA.  Every wait is bounded.
import assert from 'node:assert/strict';

import { chromium } from 'playwright-core';

import { remember } from './mgmt.mjs';

export const CHROMIUM = process.env.CHROMIUM_BIN ?? '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
// A hang catcher: a step that hashes a password can take seconds on a loaded machine.
export const STEP_TIMEOUT_MS = 60_000;

export function launchBrowser() {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, timeout: 30_000 });
}

/**
 * A fresh browser context and page for one test.  Records, for the test:
 * tokenResponses (every POST {issuer}oauth/token: {status, request (params), body}),
 * requests (every URL the browser asked of Tessera, frames included) and
 * console (the page's console and errors).  await settle() before reading
 * tokenResponses.
 */
export async function openBrowserPage(browser, server) {
  // An HTTPS server's certificate is from the suite's own CA, which Chromium's store lacks.
  const context = await browser.newContext(server.tls ? { ignoreHTTPSErrors: true } : {});
  context.setDefaultTimeout(STEP_TIMEOUT_MS);
  context.setDefaultNavigationTimeout(STEP_TIMEOUT_MS);
  // Nothing but loopback: any other host is refused by the browser.
  await context.route(/^(?!https?:\/\/(127\.0\.0\.1|localhost)[:/]).*/, (route) => route.abort());
  const page = await context.newPage();
  const rec = { tokenResponses: [], requests: [], console: [] };
  const pending = new Set();
  context.on('request', (r) => {
    if (r.url().startsWith(server.url)) rec.requests.push({ method: r.method(), url: r.url() });
  });
  context.on('response', (r) => {
    if (r.request().method() !== 'POST' || r.url() !== `${server.url}oauth/token`) return;
    const p = (async () => {
      let body = null;
      try {
        body = await r.json();
      } catch {
        body = null;
      }
      const sent = r.request().postData() ?? '';
      let params;
      try {
        params = sent.trim().startsWith('{') ? JSON.parse(sent) : Object.fromEntries(new URLSearchParams(sent));
      } catch {
        params = {};
      }
      if (body) remember(body.access_token, body.refresh_token, body.id_token);
      rec.tokenResponses.push({ status: r.status(), request: params, body });
    })();
    pending.add(p);
    p.finally(() => pending.delete(p));
  });
  page.on('console', (m) => rec.console.push(`${m.type()}: ${m.text()}`));
  page.on('pageerror', (e) => rec.console.push(`pageerror: ${e.message}`));
  return {
    context,
    page,
    ...rec,
    async settle() {
      await Promise.race([Promise.all([...pending]), new Promise((r) => setTimeout(r, 5_000))]);
    },
    /** Refresh tokens the browser received, oldest first. */
    refreshTokens() {
      return rec.tokenResponses.map((t) => t.body?.refresh_token).filter(Boolean);
    },
    close: () => context.close(),
  };
}

/** page.waitForURL with a failure that says where the page is and what it shows. */
export async function waitForUrl(page, predicate, what, consoleLines = []) {
  try {
    await page.waitForURL((u) => predicate(u.href), { timeout: STEP_TIMEOUT_MS, waitUntil: 'load' });
  } catch (e) {
    let body = '';
    try {
      body = (await page.content()).slice(0, 800);
    } catch {
      body = '(no content)';
    }
    const log = consoleLines.length ? `\n--- browser console ---\n${consoleLines.slice(-15).join('\n')}` : '';
    throw new Error(`${what}: still at ${page.url()} after ${STEP_TIMEOUT_MS} ms (${e.message.split('\n')[0]})${log}\n--- page ---\n${body}`);
  }
}

/** Loads the SPA at origin + path and creates its auth0-spa-js client with init options. */
export async function loadApp(tab, spa, init, path = '/') {
  await tab.page.goto(`${spa.origin}${path}`);
  await tab.page.evaluate((o) => window.app.init(o), init);
}

/**
 * A person logs in through the SPA: loginWithRedirect -> Tessera's login
 * page -> fill and submit -> (the consent page, accepted, when asked) ->
 * back at /callback -> handleRedirectCallback.  onLoginPage(page), when
 * given, runs on the login page before the form is filled.
 * Returns the login page URL.
 */
export async function loginThroughSpa(tab, { server, spa, email, password, init = {}, loginParams, onLoginPage }) {
  const { page } = tab;
  await loadApp(tab, spa, init);
  await page.evaluate((p) => window.app.login(p), loginParams ?? null);
  await waitForUrl(page, (u) => u.startsWith(`${server.url}u/login`), 'loginWithRedirect should reach the login page', tab.console);
  const loginUrl = page.url();
  if (onLoginPage) await onLoginPage(page);
  await page.fill('input[name="username"]', email);
  await page.fill('input[name="password"]', password);
  await page.click('button[type="submit"]');
  const consent = `${server.url}u/consent?`;
  await waitForUrl(page, (u) => u.startsWith(`${spa.origin}/callback?`) || u.startsWith(consent), 'submitting the login form should return to the app', tab.console);
  if (page.url().startsWith(consent)) {
    // An app on a loopback origin is asked for consent, first-party or not (as in Auth0).
    await page.click('button[value="accept"]');
    await waitForUrl(page, (u) => u.startsWith(`${spa.origin}/callback?`), 'accepting consent should return to the app', tab.console);
  }
  const back = new URL(page.url());
  assert.ok(back.searchParams.get('code'), `the app got no code: ${page.url()}`);
  await page.evaluate((o) => window.app.init(o), init);
  const cb = await page.evaluate(() => window.app.handleCallback());
  assert.equal(cb.ok, true, `handleRedirectCallback failed: ${JSON.stringify(cb)}\nconsole: ${tab.console.join('\n')}`);
  return loginUrl;
}
