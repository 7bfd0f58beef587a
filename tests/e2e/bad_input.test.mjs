// Every refused request gets its documented status and body, leaves the
// server answering, and changes no row in any table.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import * as jose from 'jose';

import { sleep, startTessera, withLogs } from './lib/server.mjs';
import { basicAuth, form, json, rawRequest, request, tokenBasic, tokenPost } from './lib/http.mjs';
import { Mgmt, assertMgmtError, assertOAuthError, remember } from './lib/mgmt.mjs';
import { countRows } from './lib/db.mjs';

let server;
let mgmt;
let fx; // API + client + grant
let noGrant; // a client without a grant on fx.api
const t_ = (fn) => withLogs(() => server, fn);

before(async () => {
  server = await startTessera();
  mgmt = await Mgmt.forBootstrap(server);
  fx = await mgmt.m2m();
  noGrant = await mgmt.createClient({ name: 'client without grant' });
});

after(async () => {
  if (server) assert.equal(await server.stop(), 0, 'tessera should exit 0 on SIGTERM');
});

/** Runs one refused request; asserts the server still answers and no row count changed. */
async function refused(what, fn) {
  const before = countRows(server.dbPath);
  await fn();
  const health = await request(`${server.url}healthz`);
  assert.equal(health.status, 200, `${what}: /healthz after the request answered ${health.status}`);
  assert.ok(!server.hasExited(), `${what}: the server process exited`);
  const after = countRows(server.dbPath);
  assert.deepEqual(after, before, `${what}: row counts changed`);
}

const tokenUrl = () => `${server.url}oauth/token`;
const good = () => ({ clientId: fx.client.client_id, clientSecret: fx.client.client_secret, audience: fx.api.identifier });

test('wrong client secret -> 401 invalid_client with WWW-Authenticate', t_(() =>
  refused('wrong secret', async () => {
    const res = await tokenPost(server, { ...good(), clientSecret: 'wrong-secret-0123456789abcdef' });
    assertOAuthError(res, 401, 'invalid_client', undefined, 'wrong secret (post)');
    assert.ok(res.headers.get('www-authenticate'), 'WWW-Authenticate header present');
    const basic = await tokenBasic(server, { ...good(), clientSecret: 'wrong-secret-0123456789abcdef' });
    assertOAuthError(basic, 401, 'invalid_client', undefined, 'wrong secret (basic)');
    assert.ok(basic.headers.get('www-authenticate'), 'WWW-Authenticate header present (basic)');
  })));

test('unknown client -> 401 invalid_client', t_(() =>
  refused('unknown client', async () => {
    const res = await tokenPost(server, { ...good(), clientId: 'no-such-client-e2e-000000' });
    assertOAuthError(res, 401, 'invalid_client', undefined, 'unknown client');
    assert.ok(res.headers.get('www-authenticate'), 'WWW-Authenticate header present');
  })));

test('missing audience -> 403 access_denied', t_(() =>
  refused('missing audience', async () => {
    const res = await tokenPost(server, { ...good(), audience: undefined });
    assertOAuthError(res, 403, 'access_denied', 'No audience parameter was provided, and no default audience has been configured');
  })));

test('unknown audience -> 403 access_denied Service not found', t_(() =>
  refused('unknown audience', async () => {
    const aud = 'https://nothing-here.tessera.test/api';
    const res = await tokenPost(server, { ...good(), audience: aud });
    assertOAuthError(res, 403, 'access_denied', `Service not found: ${aud}`);
  })));

test('no client grant -> 403 access_denied', t_(() =>
  refused('missing grant', async () => {
    const res = await tokenPost(server, { clientId: noGrant.client_id, clientSecret: noGrant.client_secret, audience: fx.api.identifier });
    assertOAuthError(
      res,
      403,
      'access_denied',
      `Client is not authorized to access "${fx.api.identifier}". You need to create a "client-grant" associated to this API.`,
    );
  })));

test('malformed JSON body -> 400 invalid_request', t_(() =>
  refused('malformed JSON', async () => {
    const res = await request(tokenUrl(), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"grant_type":"client_credentials","client_id":',
    });
    assertOAuthError(res, 400, 'invalid_request');
  })));

test('wrong content type -> 400 invalid_request', t_(() =>
  refused('wrong content type', async () => {
    const res = await request(tokenUrl(), {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: `grant_type=client_credentials&client_id=${fx.client.client_id}&client_secret=${fx.client.client_secret}&audience=${encodeURIComponent(fx.api.identifier)}`,
    });
    assertOAuthError(res, 400, 'invalid_request');
  })));

test('unknown and missing grant_type -> 400', t_(() =>
  refused('grant_type', async () => {
    const unknown = await form(tokenUrl(), {
      grant_type: 'urn:e2e:not-a-grant',
      client_id: fx.client.client_id,
      client_secret: fx.client.client_secret,
      audience: fx.api.identifier,
    });
    assertOAuthError(unknown, 400, 'unsupported_grant_type', undefined, 'unknown grant_type');
    const missing = await form(tokenUrl(), {
      client_id: fx.client.client_id,
      client_secret: fx.client.client_secret,
      audience: fx.api.identifier,
    });
    assertOAuthError(missing, 400, 'invalid_request', undefined, 'missing grant_type');
  })));

test('2 MiB body -> 413 JSON', t_(() =>
  refused('2 MiB body', async () => {
    const big = `grant_type=client_credentials&audience=${'a'.repeat(2 * 1024 * 1024)}`;
    const res = await rawRequest(tokenUrl(), {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'content-length': Buffer.byteLength(big),
        authorization: basicAuth(fx.client.client_id, fx.client.client_secret),
      },
      body: big,
      expectContinue: true,
    });
    assert.equal(res.status, 413, `expected 413, got ${res.status} ${res.text.slice(0, 200)}`);
    assert.ok(res.body && typeof res.body === 'object', `413 body is JSON: ${res.text.slice(0, 200)}`);
  })));

test('Management call without a token -> 401 Missing authentication', t_(() =>
  refused('no token', async () => {
    const res = await json(`${server.url}api/v2/clients`, 'POST', { name: 'should not exist', app_type: 'non_interactive' });
    assertMgmtError(res, 401, { message: 'Missing authentication' });
  })));

test('Management call with a garbage token -> 401 invalid_token', t_(() =>
  refused('garbage token', async () => {
    const res = await json(`${server.url}api/v2/clients`, 'POST', { name: 'should not exist' }, 'not.a.jwt');
    assertMgmtError(res, 401, { errorCode: 'invalid_token' });
  })));

test('Management call with an expired token -> 401 expired', t_(async () => {
  const sys = await mgmt.systemApi();
  const original = sys.token_lifetime;
  const patched = await mgmt.patch(`/resource-servers/${sys.id}`, { token_lifetime: 1 });
  assert.equal(patched.status, 200, `PATCH system API token_lifetime: ${patched.text}`);
  let short;
  try {
    const res = await tokenPost(server, {
      clientId: server.bootstrap.client_id,
      clientSecret: server.bootstrap.client_secret,
      audience: `${server.url}api/v2/`,
    });
    assert.equal(res.status, 200, `short token: ${res.text}`);
    short = res.body.access_token;
    remember(short);
    assert.equal(res.body.expires_in, 1, 'expires_in follows the patched system API');
  } finally {
    // mgmt.token was issued before the PATCH, so it is still long-lived.
    const restore = await mgmt.patch(`/resource-servers/${sys.id}`, { token_lifetime: original ?? 86400 });
    assert.equal(restore.status, 200, `restore system API token_lifetime: ${restore.text}`);
  }
  const { exp } = jose.decodeJwt(short);
  await sleep(Math.min(5000, Math.max(2000, (exp + 2) * 1000 - Date.now())));
  await refused('expired token', async () => {
    const res = await json(`${server.url}api/v2/clients`, 'POST', { name: 'should not exist', app_type: 'non_interactive' }, short);
    assertMgmtError(res, 401, { errorCode: 'invalid_token', message: 'Expired token received for JSON Web Token validation' });
  });
}));

test('Management call with a token for another audience -> 401 invalid_token', t_(async () => {
  await mgmt.createGrant(server.bootstrap.client_id, fx.api.identifier, ['read:x']);
  const res = await tokenPost(server, {
    clientId: server.bootstrap.client_id,
    clientSecret: server.bootstrap.client_secret,
    audience: fx.api.identifier,
  });
  assert.equal(res.status, 200, `token for ${fx.api.identifier}: ${res.text}`);
  remember(res.body.access_token);
  await refused('other audience', async () => {
    const r = await json(`${server.url}api/v2/clients`, 'POST', { name: 'should not exist', app_type: 'non_interactive' }, res.body.access_token);
    assertMgmtError(r, 401, { errorCode: 'invalid_token' });
  });
}));

test('Management call with a token lacking the scope -> 403 insufficient_scope', t_(async () => {
  const reader = await mgmt.createClient({ name: 'reader' });
  await mgmt.createGrant(reader.client_id, `${server.url}api/v2/`, ['read:clients']);
  const res = await tokenPost(server, { clientId: reader.client_id, clientSecret: reader.client_secret, audience: `${server.url}api/v2/` });
  assert.equal(res.status, 200, `reader token: ${res.text}`);
  remember(res.body.access_token);
  const ro = new Mgmt(server, res.body.access_token);
  await refused('insufficient scope', async () => {
    assertMgmtError(
      await ro.post('/clients', { name: 'should not exist', app_type: 'non_interactive' }),
      403,
      { errorCode: 'insufficient_scope', message: 'Insufficient scope, expected any of: create:clients' },
    );
    assertMgmtError(
      await ro.post('/resource-servers', { name: 'x', identifier: 'https://x.tessera.test/' }),
      403,
      { errorCode: 'insufficient_scope', messageIncludes: 'create:resource_servers' },
    );
    assertMgmtError(
      await ro.del(`/clients/${fx.client.client_id}`),
      403,
      { errorCode: 'insufficient_scope', messageIncludes: 'delete:clients' },
    );
  });
}));

test('Management malformed bodies -> 400 invalid_body naming the field', t_(() =>
  refused('malformed management bodies', async () => {
    assertMgmtError(await mgmt.post('/clients', { name: 12345, app_type: 'non_interactive' }), 400, { errorCode: 'invalid_body', messageIncludes: 'name' }, 'numeric client name');
    assertMgmtError(await mgmt.post('/resource-servers', { name: 'x', identifier: 42 }), 400, { errorCode: 'invalid_body', messageIncludes: 'identifier' }, 'numeric identifier');
    assertMgmtError(await mgmt.post('/client-grants', { client_id: fx.client.client_id, audience: fx.api.identifier, scope: 'read:x' }), 400, { errorCode: 'invalid_body', messageIncludes: 'scope' }, 'scope not an array');
    const broken = await mgmt.call('POST', '/clients', '{"name": ');
    assertMgmtError(broken, 400, {}, 'unparseable JSON');
  })));
