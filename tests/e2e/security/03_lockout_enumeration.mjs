// Enumeration through the brute-force lock: an anonymous visitor sends ten
// wrong passwords for a name and looks at the eleventh answer.  If only names
// that have an account got locked, the lock itself would say which exist.
// The account throttle (which already treats every name alike) is off here,
// so that the per-name-and-address lock is what answers.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { startTessera, withLogs } from '../lib/server.mjs';
import { Mgmt } from '../lib/mgmt.mjs';
import { CookieJar } from '../lib/cookies.mjs';
import { alertTexts } from '../lib/html.mjs';
import { DB_CONNECTION, codeRequest, openLogin, submitLogin, testEmail } from '../lib/authflow.mjs';
import { form } from '../lib/http.mjs';

const REALM = 'http://auth0.com/oauth/grant-type/password-realm';
const CB = 'http://127.0.0.1:9/lock-enum-callback';
const ATTEMPTS = 10; // the default lock

describe('the brute-force lock does not tell which names have an account', () => {
  let server;
  let app;
  let user;
  const t_ = (fn) => withLogs(() => server, fn);

  before(async () => {
    server = await startTessera({ env: { TESSERA_ACCOUNT_THROTTLE_FAILURES: '0' } });
    const mgmt = await Mgmt.forBootstrap(server);
    app = await mgmt.createWebApp(CB, { grant_types: ['authorization_code', 'refresh_token', REALM] });
    user = await mgmt.createUser({ email: testEmail('lock-enum') });
  });

  after(async () => {
    if (server) assert.equal(await server.stop(), 0, 'tessera should exit 0 on SIGTERM');
  });

  const guess = (username, password) => form(`${server.url}oauth/token`, {
    grant_type: REALM, client_id: app.client_id, client_secret: app.client_secret, username, password, realm: DB_CONNECTION, scope: 'openid',
  });

  test('after ten wrong passwords, an existing and an unknown name get the same answer from the password grant', t_(async () => {
    const unknown = testEmail('nobody');
    const answers = {};
    for (const name of [user.email, unknown]) {
      for (let i = 0; i < ATTEMPTS; i++) await guess(name, `Wrong!Passw0rd${i}`);
      const res = await guess(name, `Wrong!Passw0rd${ATTEMPTS}`);
      answers[name] = `${res.status} ${res.body?.error} retry-after:${res.headers.get('retry-after') !== null}`;
    }
    assert.equal(answers[unknown], answers[user.email], `the lock tells which name has an account: ${JSON.stringify(answers)}`);
    assert.equal(answers[user.email], '429 too_many_attempts retry-after:true', 'the name is locked for this address, and the answer says for how long at most');
  }));

  test('after ten wrong passwords, an existing and an unknown name get the same login page', t_(async () => {
    const unknown = testEmail('nobody-page');
    const other = await (await Mgmt.forBootstrap(server)).createUser({ email: testEmail('lock-enum-page') });
    const texts = {};
    for (const name of [other.email, unknown]) {
      const jar = new CookieJar();
      const login = await openLogin(server, jar, codeRequest({ clientId: app.client_id, redirectUri: CB }).params);
      for (let i = 0; i < ATTEMPTS; i++) await submitLogin(jar, login, { username: name, password: `Wrong!Passw0rd${i}` });
      const res = await submitLogin(jar, login, { username: name, password: `Wrong!Passw0rd${ATTEMPTS}` });
      texts[name] = `${res.status} ${alertTexts(res.text).join(' ')}`;
    }
    assert.equal(texts[unknown], texts[other.email], `the page tells which name has an account: ${JSON.stringify(texts)}`);
    assert.match(texts[other.email], /Too many wrong passwords/, 'the name is locked for this address');
  }));
});
