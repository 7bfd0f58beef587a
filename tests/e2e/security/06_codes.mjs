// Binding of codes and refresh tokens: a stolen authorization code or
// refresh token presented by another client, or with a wrong PKCE verifier
// or redirect_uri, changes nothing: it neither burns the code nor revokes
// the tokens the victim got from it.  Only the right client, with every
// binding right, makes a replay count.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { startTessera, withLogs } from '../lib/server.mjs';
import { Mgmt } from '../lib/mgmt.mjs';
import {
  assertTokens,
  codeGrant,
  codeRequest,
  loginOverHttp,
  pkcePair,
  refreshGrant,
  testEmail,
} from '../lib/authflow.mjs';
import { form } from '../lib/http.mjs';

const APP = 'http://127.0.0.1:7';
const SPA_CB = `${APP}/callback`;
const EVIL_CB = 'http://127.0.0.1:9/evil-callback';

describe('authorization codes: a stolen code or refresh token cannot burn or revoke the victim\'s grant', () => {
  let server;
  let mgmt;
  let spa; // the victim's app (public, PKCE)
  let evil; // a confidential client of the attacker, registered on the same tenant
  let user;
  const t_ = (fn) => withLogs(() => server, fn);

  before(async () => {
    server = await startTessera();
    mgmt = await Mgmt.forBootstrap(server);
    spa = await mgmt.createSpa(APP);
    evil = await mgmt.createWebApp(EVIL_CB);
    user = await mgmt.createUser({ email: testEmail('codes') });
  });

  after(async () => {
    if (server) assert.equal(await server.stop(), 0, 'tessera should exit 0 on SIGTERM');
  });

  async function victimCode() {
    const req = codeRequest({ clientId: spa.client_id, redirectUri: SPA_CB });
    const { redirect } = await loginOverHttp(server, { params: req.params, email: user.email, password: user.password });
    return { code: redirect.code, verifier: req.verifier };
  }

  const redeem = ({ code, verifier }, over = {}) =>
    codeGrant(server, { clientId: spa.client_id, code, redirectUri: SPA_CB, verifier, ...over });
  const evilRedeem = ({ code, verifier }) =>
    codeGrant(server, { clientId: evil.client_id, clientSecret: evil.client_secret, code, redirectUri: SPA_CB, verifier });
  const refresh = (rt) => refreshGrant(server, { clientId: spa.client_id, refreshToken: rt });

  function assertRefused(res, what) {
    assert.equal(res.body?.error, 'invalid_grant', `${what}: expected invalid_grant, got ${res.status} ${res.text}`);
  }

  test('a code intercepted before use and presented by another client: refused, and the victim still redeems it', t_(async () => {
    const stolen = await victimCode();
    assertRefused(await evilRedeem(stolen), 'the code presented by another client');
    assertRefused(await redeem(stolen, { verifier: pkcePair().verifier }), 'the code with a wrong code_verifier');
    assertRefused(await redeem(stolen, { redirectUri: `${APP}/other` }), 'the code with another redirect_uri');
    const tokens = assertTokens(await redeem(stolen), 'the victim redeems the code after the failed attempts');
    assert.equal(typeof tokens.refresh_token, 'string', 'a refresh token');
  }));

  test('a used code (or its refresh token) replayed by another client, or without the verifier, does not revoke the victim\'s tokens', t_(async () => {
    const stolen = await victimCode();
    const tokens = assertTokens(await redeem(stolen), 'the victim redeems the code');
    assertRefused(await evilRedeem(stolen), 'the used code presented by another client');
    assertRefused(await redeem(stolen, { verifier: pkcePair().verifier }), 'the used code with a guessed code_verifier');
    assertRefused(await redeem(stolen, { verifier: undefined }), 'the used code without a code_verifier');
    assertRefused(await redeem(stolen, { redirectUri: `${APP}/other` }), 'the used code with another redirect_uri');
    // The same for the refresh token: another client can neither use it nor revoke it.
    assertRefused(await refreshGrant(server, { clientId: evil.client_id, clientSecret: evil.client_secret, refreshToken: tokens.refresh_token }),
      'the victim\'s refresh token presented by another client');
    const revoke = await form(`${server.url}oauth/revoke`, { token: tokens.refresh_token, client_id: evil.client_id, client_secret: evil.client_secret });
    assert.equal(revoke.status, 200, `revoking a token of another client answers 200 (RFC 7009) and changes nothing: ${revoke.text}`);
    const next = assertTokens(await refresh(tokens.refresh_token), 'the victim\'s refresh token still works after the misuse');
    // The right client with every binding right: a replay, and what the code issued goes.
    assertRefused(await redeem(stolen), 'a replay by the right client');
    assertRefused(await refresh(next.refresh_token), 'a genuine replay revokes the family');
  }));
});
