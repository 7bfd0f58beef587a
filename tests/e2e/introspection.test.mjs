// POST /oauth/introspect (RFC 7662): confidential clients learn whether an
// opaque token, a refresh token or a JWT access token is active.  Revoked,
// rotated and unknown tokens are all just {"active": false}.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { startTessera, withLogs } from './lib/server.mjs';
import { Mgmt } from './lib/mgmt.mjs';
import { form } from './lib/http.mjs';
import { testEmail } from './lib/authflow.mjs';

const REALM = 'http://auth0.com/oauth/grant-type/password-realm';
let server;
let mgmt;
let app;
let user;
let spa;
const t_ = (fn) => withLogs(() => server, fn);

before(async () => {
  server = await startTessera();
  mgmt = await Mgmt.forBootstrap(server);
  app = await mgmt.createWebApp('http://127.0.0.1:9/cb', { grant_types: ['authorization_code', 'refresh_token', REALM] });
  spa = await mgmt.createSpa('http://127.0.0.1:7');
  user = await mgmt.createUser({ email: testEmail('intro') });
});

after(async () => {
  if (server) assert.equal(await server.stop(), 0, 'tessera should exit 0 on SIGTERM');
});

const introspect = (token, who = app) =>
  form(`${server.url}oauth/introspect`, { token, client_id: who.client_id, ...(who.client_secret ? { client_secret: who.client_secret } : {}) });

async function passwordLogin() {
  const res = await form(`${server.url}oauth/token`, {
    grant_type: REALM, client_id: app.client_id, client_secret: app.client_secret,
    username: user.email, password: user.password, realm: 'Username-Password-Authentication',
    scope: 'openid profile offline_access',
  });
  assert.equal(res.status, 200, `password-realm grant: ${res.text}`);
  return res.body;
}

test('an opaque access token and its refresh token are active; after revocation both are not', t_(async () => {
  const tokens = await passwordLogin();
  assert.equal(tokens.access_token.split('.').length, 1, 'no audience: an opaque access token');
  const at = await introspect(tokens.access_token);
  assert.equal(at.status, 200);
  assert.equal(at.body.active, true, `opaque token active: ${at.text}`);
  assert.equal(at.body.sub, user.user_id);
  assert.equal(at.body.client_id, app.client_id);
  assert.ok(at.body.scope.split(' ').includes('openid'), `scope: ${at.body.scope}`);
  const rt = await introspect(tokens.refresh_token);
  assert.equal(rt.body.active, true, `refresh token active: ${rt.text}`);
  assert.equal(rt.body.token_type, 'refresh_token');

  const revoked = await form(`${server.url}oauth/revoke`, { token: tokens.refresh_token, client_id: app.client_id, client_secret: app.client_secret });
  assert.equal(revoked.status, 200, `revoke: ${revoked.text}`);
  assert.deepEqual((await introspect(tokens.refresh_token)).body, { active: false }, 'revoked refresh token');
  assert.deepEqual((await introspect(tokens.access_token)).body, { active: false }, 'the access token of the revoked family');
}));

test('a JWT access token is active with its claims for its own client; garbage is inactive', t_(async () => {
  const cc = await form(`${server.url}oauth/token`, {
    grant_type: 'client_credentials', client_id: server.bootstrap.client_id,
    client_secret: server.bootstrap.client_secret, audience: server.bootstrap.audience,
  });
  const bootstrap = { client_id: server.bootstrap.client_id, client_secret: server.bootstrap.client_secret };
  const jwt = await introspect(cc.body.access_token, bootstrap);
  assert.equal(jwt.body.active, true, `JWT active: ${jwt.text}`);
  assert.equal(jwt.body.aud, server.bootstrap.audience);
  assert.equal(jwt.body.client_id, server.bootstrap.client_id);
  const tampered = cc.body.access_token.slice(0, -4) + (cc.body.access_token.endsWith('AAAA') ? 'BBBB' : 'AAAA');
  assert.deepEqual((await introspect(tampered, bootstrap)).body, { active: false }, 'a tampered JWT');
  assert.deepEqual((await introspect('not-a-token')).body, { active: false }, 'an unknown token');
}));

test('public clients and wrong secrets may not introspect; a token is required', t_(async () => {
  const pub = await introspect('x', spa);
  assert.equal(pub.status, 401, `public client: ${pub.text}`);
  assert.equal(pub.body.error, 'invalid_client');
  const wrong = await introspect('x', { ...app, client_secret: 'wrong' });
  assert.equal(wrong.status, 401);
  assert.equal(wrong.body.error, 'invalid_client');
  const missing = await form(`${server.url}oauth/introspect`, { client_id: app.client_id, client_secret: app.client_secret });
  assert.equal(missing.status, 400);
  assert.equal(missing.body.error, 'invalid_request');
}));
