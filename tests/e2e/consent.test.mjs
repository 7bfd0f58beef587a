// Consent: a third-party application shows the consent page listing the
// requested scopes; the answer is remembered, can be revoked through the
// Management API (/api/v2/grants), and declining sends access_denied.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { startTessera, withLogs } from './lib/server.mjs';
import { Mgmt, assertMgmtError } from './lib/mgmt.mjs';
import { CookieJar } from './lib/cookies.mjs';
import { findForm, hiddenFields } from './lib/html.mjs';
import {
  appRedirect,
  codeRequest,
  followOnServer,
  openLogin,
  submitLogin,
  testEmail,
  authorizeUrl,
} from './lib/authflow.mjs';
import { countRows } from './lib/db.mjs';

const CB = 'http://127.0.0.1:9/consent-callback';

let server;
let mgmt;
let api;
let thirdParty;
let user;
const t_ = (fn) => withLogs(() => server, fn);

before(async () => {
  server = await startTessera();
  mgmt = await Mgmt.forBootstrap(server);
  api = await mgmt.createUserApi();
  thirdParty = await mgmt.createWebApp(CB, { is_first_party: false, name: 'Partner "Reports" & Co' });
  user = await mgmt.createUser({ email: testEmail('consent') });
});

after(async () => {
  if (server) assert.equal(await server.stop(), 0, 'tessera should exit 0 on SIGTERM');
});

const request = () =>
  codeRequest({ clientId: thirdParty.client_id, redirectUri: CB, audience: api.identifier, scope: 'openid profile read:messages' });

/** Logs in through the third-party client and returns the consent page it lands on. */
async function loginToConsent(jar, req) {
  const login = await openLogin(server, jar, req.params);
  const posted = await submitLogin(jar, login, { username: user.email, password: user.password });
  assert.ok(posted.status === 302 || posted.status === 303, `login POST: ${posted.status} ${posted.text.slice(0, 200)}`);
  const next = new URL(posted.location, login.form.action).href;
  assert.ok(next.startsWith(`${server.url}u/consent?state=`), `a third-party login goes to the consent page, got ${next}`);
  const page = await jar.fetch(next);
  assert.equal(page.status, 200, `consent page: ${page.status}`);
  return { url: next, page };
}

async function decide(jar, consent, decision) {
  const form = findForm(consent.page.text, consent.url, 'csrf');
  const res = await jar.postForm(form.action, { ...hiddenFields(form), decision });
  assert.ok(res.status === 302 || res.status === 303, `consent POST (${decision}): ${res.status} ${res.text.slice(0, 200)}`);
  return appRedirect(new URL(res.location, form.action).href);
}

test('a third-party application shows the consent page with the scopes, escaped', t_(async () => {
  const jar = new CookieJar();
  const consent = await loginToConsent(jar, request());
  const html = consent.page.text;
  assert.ok(html.includes('Partner &quot;Reports&quot; &amp; Co'), 'the client name is shown escaped');
  assert.ok(!html.includes('Partner "Reports" & Co'), 'the client name is never raw HTML');
  assert.ok(html.includes('read:messages') || html.includes('Read messages'), 'the API scope is listed');
  assert.match(consent.page.headers.get('content-security-policy') ?? '', /frame-ancestors 'none'/, 'the page cannot be framed');
}));

test('declining sends access_denied with state to the redirect_uri and stores no consent', t_(async () => {
  const jar = new CookieJar();
  const req = request();
  const before = countRows(server.dbPath, ['user_grants', 'authorization_codes']);
  const back = await decide(jar, await loginToConsent(jar, req), 'deny');
  assert.equal(back.error, 'access_denied', `error: ${back.url}`);
  assert.equal(back.state, req.state, 'state echoed');
  assert.equal(back.code, null, 'no code');
  assert.deepEqual(countRows(server.dbPath, ['user_grants', 'authorization_codes']), before, 'nothing stored');
}));

test('accepting is remembered; revoking it through /api/v2/grants asks again', t_(async () => {
  const jar = new CookieJar();
  const first = await decide(jar, await loginToConsent(jar, request()), 'accept');
  assert.ok(first.code, `a code after consent: ${first.url}`);

  // Same browser, same scopes: SSO answers at once, no consent page.
  const again = request();
  const f = await followOnServer(server, jar, authorizeUrl(server, again.params));
  assert.ok(f.location, `remembered consent answers at once, ended on ${f.url}`);
  assert.ok(appRedirect(f.location).code, 'a code without a second consent');

  const list = await mgmt.get(`/grants?user_id=${encodeURIComponent(user.user_id)}`);
  assert.equal(list.status, 200, `GET /grants: ${list.text}`);
  const grant = list.body.find((g) => g.clientID === thirdParty.client_id);
  assert.ok(grant, `the consent is listed: ${list.text}`);
  assert.equal(grant.audience, api.identifier);
  assert.ok(grant.scope.includes('read:messages'), `scopes: ${grant.scope}`);

  assert.equal((await mgmt.del(`/grants/${grant.id}`)).status, 204, 'DELETE /grants/{id}');
  assert.equal((await mgmt.del(`/grants/${grant.id}`)).status, 404, 'a deleted grant is gone');

  const third = request();
  const g = await followOnServer(server, jar, authorizeUrl(server, third.params));
  assert.equal(g.location, null, 'after revocation the app does not get a code at once');
  assert.ok(g.url.startsWith(`${server.url}u/consent?state=`), `the consent page again: ${g.url}`);

  // Accepted again, then every consent of the user revoked at once: DELETE /grants?user_id=.
  const renewed = await decide(jar, { url: g.url, page: g.res }, 'accept');
  assert.ok(renewed.code, `a code after the second consent: ${renewed.url}`);
  const byUser = `/grants?user_id=${encodeURIComponent(user.user_id)}`;
  assert.equal((await mgmt.get(byUser)).body.length, 1);
  assert.equal((await mgmt.del(byUser)).status, 204, 'DELETE /grants?user_id=');
  assert.deepEqual((await mgmt.get(byUser)).body, []);
  assertMgmtError(await mgmt.del('/grants'), 400, { errorCode: 'invalid_query_string', messageIncludes: 'user_id' });
}));

test('prompt=none without consent answers consent_required', t_(async () => {
  const jar = new CookieJar();
  const consent = await loginToConsent(jar, request());
  assert.ok(consent.url, 'logged in, consent pending');
  const silent = request();
  silent.params.prompt = 'none';
  const f = await followOnServer(server, jar, authorizeUrl(server, silent.params));
  const back = appRedirect(f.location);
  assert.equal(back.error, 'consent_required', `prompt=none: ${back.url}`);
  assert.equal(back.state, silent.state);
}));
