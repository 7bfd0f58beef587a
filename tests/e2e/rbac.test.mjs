// RBAC for people: on an API with enforce_policies, a person's access token
// carries only the requested scopes they hold (given through
// /api/v2/users/{id}/permissions), and the access_token_authz dialect lists
// them in `permissions`.  Removing a permission removes it from the next token.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import * as jose from 'jose';

import { startTessera, withLogs } from './lib/server.mjs';
import { Mgmt } from './lib/mgmt.mjs';
import { tokenPost } from './lib/http.mjs';
import { codeGrant, codeRequest, loginOverHttp, refreshGrant, testEmail } from './lib/authflow.mjs';

const CB = 'http://127.0.0.1:9/rbac-callback';
let server;
let mgmt;
let api;
let web;
let user;
const t_ = (fn) => withLogs(() => server, fn);

before(async () => {
  server = await startTessera();
  mgmt = await Mgmt.forBootstrap(server);
  api = await mgmt.createUserApi({ enforce_policies: true, token_dialect: 'access_token_authz' });
  web = await mgmt.createWebApp(CB);
  user = await mgmt.createUser({ email: testEmail('rbac') });
});

after(async () => {
  if (server) assert.equal(await server.stop(), 0, 'tessera should exit 0 on SIGTERM');
});

const permissionsPath = () => `/users/${encodeURIComponent(user.user_id)}/permissions`;
const body = () => ({ permissions: [{ resource_server_identifier: api.identifier, permission_name: 'read:messages' }] });

/** A fresh login asking for read:messages; returns the decoded access token and the token response. */
async function login() {
  const req = codeRequest({ clientId: web.client_id, redirectUri: CB, audience: api.identifier, scope: 'openid offline_access read:messages' });
  const { redirect } = await loginOverHttp(server, { params: req.params, email: user.email, password: user.password });
  const res = await codeGrant(server, { clientId: web.client_id, clientSecret: web.client_secret, code: redirect.code, redirectUri: CB, verifier: req.verifier });
  assert.equal(res.status, 200, `code grant: ${res.text}`);
  return { claims: jose.decodeJwt(res.body.access_token), body: res.body };
}

test('without the permission the token lacks the scope; with it, scope and permissions carry it', t_(async () => {
  const before = await login();
  assert.ok(!(before.claims.scope ?? '').split(' ').includes('read:messages'), `scope without permission: ${before.claims.scope}`);
  assert.deepEqual(before.claims.permissions, [], 'no permissions yet');

  const added = await mgmt.post(permissionsPath(), body());
  assert.equal(added.status, 201, `POST permissions: ${added.text}`);
  const listed = await mgmt.get(`${permissionsPath()}?include_totals=true`);
  assert.equal(listed.status, 200, listed.text);
  assert.equal(listed.body.total, 1);
  assert.equal(listed.body.permissions[0].permission_name, 'read:messages');
  assert.equal(listed.body.permissions[0].resource_server_identifier, api.identifier);

  const after = await login();
  assert.ok(after.claims.scope.split(' ').includes('read:messages'), `scope with permission: ${after.claims.scope}`);
  assert.deepEqual(after.claims.permissions, ['read:messages']);
  assert.ok(after.body.scope.split(' ').includes('read:messages'), 'the response scope says so too');

  const removed = await mgmt.call('DELETE', permissionsPath(), body());
  assert.equal(removed.status, 204, `DELETE permissions: ${removed.text}`);
  const refreshed = await refreshGrant(server, { clientId: web.client_id, clientSecret: web.client_secret, refreshToken: after.body.refresh_token });
  assert.equal(refreshed.status, 200, refreshed.text);
  const claims = jose.decodeJwt(refreshed.body.access_token);
  assert.ok(!(claims.scope ?? '').split(' ').includes('read:messages'), `after removal the refreshed token lacks it: ${claims.scope}`);
  assert.deepEqual(claims.permissions, []);
}));

test('bad permission bodies are refused and nothing is stored', t_(async () => {
  const unknownScope = await mgmt.post(permissionsPath(), { permissions: [{ resource_server_identifier: api.identifier, permission_name: 'write:everything' }] });
  assert.equal(unknownScope.status, 400, unknownScope.text);
  const unknownApi = await mgmt.post(permissionsPath(), { permissions: [{ resource_server_identifier: 'https://nope.test', permission_name: 'read:messages' }] });
  assert.equal(unknownApi.status, 404, unknownApi.text);
  const unknownUser = await mgmt.post('/users/auth0%7C000000000000000000000000/permissions', body());
  assert.equal(unknownUser.status, 404, unknownUser.text);
  const listed = await mgmt.get(permissionsPath());
  assert.deepEqual(listed.body, [], 'nothing was stored');
}));

test('rfc9068_profile_authz: typ at+jwt, client_id and jti instead of azp, permissions; client credentials too', t_(async () => {
  const rfcApi = await mgmt.createUserApi({ enforce_policies: true, token_dialect: 'rfc9068_profile_authz' });
  const grant = { permissions: [{ resource_server_identifier: rfcApi.identifier, permission_name: 'read:messages' }] };
  assert.equal((await mgmt.post(permissionsPath(), grant)).status, 201);
  const req = codeRequest({ clientId: web.client_id, redirectUri: CB, audience: rfcApi.identifier, scope: 'openid read:messages' });
  const { redirect } = await loginOverHttp(server, { params: req.params, email: user.email, password: user.password });
  const res = await codeGrant(server, { clientId: web.client_id, clientSecret: web.client_secret, code: redirect.code, redirectUri: CB, verifier: req.verifier });
  assert.equal(res.status, 200, res.text);

  const jwks = jose.createRemoteJWKSet(new URL(`${server.url}.well-known/jwks.json`));
  const { payload, protectedHeader } = await jose.jwtVerify(res.body.access_token, jwks, {
    issuer: server.url,
    audience: rfcApi.identifier,
    typ: 'at+jwt',
    requiredClaims: ['iss', 'exp', 'aud', 'sub', 'client_id', 'iat', 'jti'],
  });
  assert.equal(protectedHeader.typ, 'at+jwt');
  assert.equal(payload.client_id, web.client_id);
  assert.equal(payload.sub, user.user_id);
  assert.equal(payload.azp, undefined, 'RFC 9068 names the client client_id');
  assert.match(payload.jti, /^[A-Za-z0-9]{16,}$/);
  assert.deepEqual(payload.permissions, ['read:messages']);
  assert.ok(payload.scope.split(' ').includes('read:messages'));

  const { client } = await mgmt.m2m({ api: { token_dialect: 'rfc9068_profile', scopes: [{ value: 'read:x', description: 'x' }] }, grantScope: ['read:x'] });
  const grants = await mgmt.get(`/client-grants?client_id=${client.client_id}`);
  const { audience } = grants.body[0];
  const cc = await tokenPost(server, { clientId: client.client_id, clientSecret: client.client_secret, audience });
  assert.equal(cc.status, 200, cc.text);
  const m = await jose.jwtVerify(cc.body.access_token, jwks, { issuer: server.url, audience, typ: 'at+jwt' });
  assert.equal(m.payload.client_id, client.client_id);
  assert.equal(m.payload.sub, `${client.client_id}@clients`);
  assert.equal(m.payload.gty, undefined);
  assert.equal(m.payload.permissions, undefined, 'rfc9068_profile without _authz has no permissions');
}));
