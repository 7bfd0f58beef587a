// OAuth errors with RFC 6749 section 5.2's status codes: the OpenID
// conformance suite and generic OAuth clients read the status, Auth0's SDKs
// read the error code, so both must be right.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { startTessera, withLogs } from '../lib/server.mjs';
import { Mgmt, assertOAuthError, remember } from '../lib/mgmt.mjs';
import { codeGrant, codeRequest, loginOverHttp, refreshGrant, testEmail } from '../lib/authflow.mjs';
import { form, tokenBasic, tokenPost } from '../lib/http.mjs';

const CB = 'http://127.0.0.1:9/status-callback';

describe('OAuth status codes (RFC 6749 section 5.2)', () => {
  let server;
  let mgmt;
  let web;
  let api;
  let m2m;
  const t_ = (fn) => withLogs(() => server, fn);

  before(async () => {
    server = await startTessera();
    mgmt = await Mgmt.forBootstrap(server);
    web = await mgmt.createWebApp(CB);
    api = await mgmt.createUserApi();
    m2m = await mgmt.createClient();
  });

  after(async () => {
    if (server) assert.equal(await server.stop(), 0, 'tessera should exit 0 on SIGTERM');
  });

  test('an unknown authorization code: 400 invalid_grant', t_(async () => {
    const res = await codeGrant(server, {
      clientId: web.client_id, clientSecret: web.client_secret, code: 'not-a-code-0123456789', redirectUri: CB, verifier: 'v'.repeat(43),
    });
    assertOAuthError(res, 400, 'invalid_grant', 'Invalid authorization code');
  }));

  test('a grant type the client lacks: 400 unauthorized_client', t_(async () => {
    const res = await tokenPost(server, { clientId: web.client_id, clientSecret: web.client_secret, audience: api.identifier });
    assertOAuthError(res, 400, 'unauthorized_client');
    const pw = await form(`${server.url}oauth/token`, {
      grant_type: 'password', client_id: m2m.client_id, client_secret: m2m.client_secret, username: 'a@example.com', password: 'x',
    });
    assertOAuthError(pw, 400, 'unauthorized_client');
  }));

  test('a refresh asking for more than was granted: 400 invalid_scope', t_(async () => {
    const user = await mgmt.createUser({ email: testEmail('status') });
    const req = codeRequest({ clientId: web.client_id, redirectUri: CB, scope: 'openid offline_access' });
    const { redirect } = await loginOverHttp(server, { params: req.params, email: user.email, password: user.password });
    const tokens = await codeGrant(server, {
      clientId: web.client_id, clientSecret: web.client_secret, code: redirect.code, redirectUri: CB, verifier: req.verifier,
    });
    assert.equal(tokens.status, 200, `code exchange: ${tokens.text}`);
    const wider = await refreshGrant(server, {
      clientId: web.client_id, clientSecret: web.client_secret, refreshToken: tokens.body.refresh_token, scope: 'openid offline_access email',
    });
    assertOAuthError(wider, 400, 'invalid_scope');
  }));

  test('an unknown refresh token: 400 invalid_grant', t_(async () => {
    const res = await refreshGrant(server, { clientId: web.client_id, clientSecret: web.client_secret, refreshToken: 'no-such-refresh-token' });
    assertOAuthError(res, 400, 'invalid_grant');
  }));

  test('wrong credentials over Basic: 401 invalid_client with a Basic challenge', t_(async () => {
    const wrong = 'wrong-secret-0123456789abcdef';
    remember(wrong);
    const res = await tokenBasic(server, { clientId: m2m.client_id, clientSecret: wrong, audience: api.identifier });
    assertOAuthError(res, 401, 'invalid_client');
    assert.match(res.headers.get('www-authenticate') ?? '', /^Basic /, 'WWW-Authenticate: Basic');
  }));

  test('a public client asking to introspect: 401 invalid_client with a Basic challenge', t_(async () => {
    const spa = await mgmt.createSpa('http://127.0.0.1:9');
    const res = await form(`${server.url}oauth/introspect`, { token: 'x' }, { authorization: `Basic ${Buffer.from(`${spa.client_id}:`).toString('base64')}` });
    assertOAuthError(res, 401, 'invalid_client');
    assert.match(res.headers.get('www-authenticate') ?? '', /^Basic /, 'WWW-Authenticate: Basic');
  }));

  test('a missing client grant stays 403 access_denied, as Auth0 answers it', t_(async () => {
    const res = await tokenPost(server, { clientId: m2m.client_id, clientSecret: m2m.client_secret, audience: api.identifier });
    assertOAuthError(res, 403, 'access_denied');
  }));
});
