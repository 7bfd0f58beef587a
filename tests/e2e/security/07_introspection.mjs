// Introspection (RFC 7662) as a confused deputy: a confidential client
// learns whether a token is active, and its claims, only for its own tokens
// and for the JWT access tokens of an API it holds a client grant for.
// Everything else, ID tokens included, is {"active": false}.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { startTessera, withLogs } from '../lib/server.mjs';
import { Mgmt } from '../lib/mgmt.mjs';
import { testEmail } from '../lib/authflow.mjs';
import { form } from '../lib/http.mjs';

const REALM = 'http://auth0.com/oauth/grant-type/password-realm';
const CB = 'http://127.0.0.1:9/introspection-callback';

describe('introspection: a client sees only its own tokens and those of the APIs it serves', () => {
  let server;
  let mgmt;
  let api;
  let app; // the app the user logs in to
  let snoop; // another confidential client of the tenant, with no business with those tokens
  let backend; // the API's own M2M client (a client grant for the API)
  let user;
  const t_ = (fn) => withLogs(() => server, fn);

  before(async () => {
    server = await startTessera();
    mgmt = await Mgmt.forBootstrap(server);
    api = await mgmt.createUserApi();
    app = await mgmt.createWebApp(CB, { grant_types: ['authorization_code', 'refresh_token', REALM] });
    snoop = await mgmt.createWebApp(CB);
    backend = await mgmt.createClient();
    await mgmt.createGrant(backend.client_id, api.identifier, ['read:messages']);
    user = await mgmt.createUser({ email: testEmail('introspect') });
  });

  after(async () => {
    if (server) assert.equal(await server.stop(), 0, 'tessera should exit 0 on SIGTERM');
  });

  const introspect = (token, who) =>
    form(`${server.url}oauth/introspect`, { token, client_id: who.client_id, client_secret: who.client_secret });

  async function login(audience) {
    const res = await form(`${server.url}oauth/token`, {
      grant_type: REALM, client_id: app.client_id, client_secret: app.client_secret,
      username: user.email, password: user.password, realm: 'Username-Password-Authentication',
      scope: `openid profile offline_access${audience ? ' read:messages' : ''}`, audience,
    });
    assert.equal(res.status, 200, `password-realm grant: ${res.text}`);
    return res.body;
  }

  async function assertHidden(token, who, what) {
    const res = await introspect(token, who);
    assert.equal(res.status, 200, `${what}: ${res.status} ${res.text}`);
    assert.deepEqual(res.body, { active: false }, `${what}: must answer {"active": false}, got ${res.text}`);
  }

  test('another client introspecting a user\'s opaque access token and refresh token learns nothing', t_(async () => {
    const tokens = await login(undefined);
    assert.equal((await introspect(tokens.access_token, app)).body.active, true, 'the issuing client sees its opaque token');
    assert.equal((await introspect(tokens.refresh_token, app)).body.active, true, 'the issuing client sees its refresh token');
    await assertHidden(tokens.access_token, snoop, 'an opaque access token of another client');
    await assertHidden(tokens.refresh_token, snoop, 'a refresh token of another client');
    await assertHidden(tokens.refresh_token, backend, 'a refresh token, even for the API\'s client');
  }));

  test('a JWT access token is visible to its client and to the API\'s client (client grant), not to another client', t_(async () => {
    const tokens = await login(api.identifier);
    const own = await introspect(tokens.access_token, app);
    assert.equal(own.body.active, true, `the issuing client: ${own.text}`);
    const served = await introspect(tokens.access_token, backend);
    assert.equal(served.body.active, true, `the client that holds a client grant for the API: ${served.text}`);
    assert.equal(served.body.sub, user.user_id);
    await assertHidden(tokens.access_token, snoop, 'a JWT access token for an API the caller has no grant for');
    const m2m = await form(`${server.url}oauth/token`, {
      grant_type: 'client_credentials', client_id: backend.client_id, client_secret: backend.client_secret, audience: api.identifier,
    });
    assert.equal(m2m.status, 200, m2m.text);
    await assertHidden(m2m.body.access_token, snoop, 'an M2M token of another client');
  }));

  test('an ID token is never an active access token, not even for the client it was issued to', t_(async () => {
    const tokens = await login(api.identifier);
    assert.equal(typeof tokens.id_token, 'string', 'an ID token');
    await assertHidden(tokens.id_token, app, 'the ID token, by its own client');
    await assertHidden(tokens.id_token, snoop, 'the ID token, by another client');
    await assertHidden(tokens.id_token, backend, 'the ID token, by the API\'s client');
  }));
});
