// Review of issue 9 ("close what a hostile user finds"): attacks that still
// work.  Each test is written as the attacker would try it and fails until the
// server is fixed.  Limits are small and their windows an hour long, so no test
// straddles a window however slow the machine; every loop is bounded.
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, describe, test } from 'node:test';

import { sleep, startTessera, withLogs } from '../lib/server.mjs';
import { Mgmt, uid } from '../lib/mgmt.mjs';
import { CookieJar } from '../lib/cookies.mjs';
import { alertTexts } from '../lib/html.mjs';
import { DB_CONNECTION, codeRequest, openLogin, submitLogin, testEmail } from '../lib/authflow.mjs';
import { basicAuth, form, json } from '../lib/http.mjs';
import { outbox } from '../lib/mail.mjs';

const REALM = 'http://auth0.com/oauth/grant-type/password-realm';
const CB = 'http://127.0.0.1:9/review-callback';
const HOUR = 3600;
const LIMIT = 3;


describe('review of issue 9: client authentication answers', () => {
  let server;
  let mgmt;

  before(async () => {
    server = await startTessera();
    mgmt = await Mgmt.forBootstrap(server);
  });

  after(async () => {
    if (server) assert.equal(await server.stop(), 0, 'tessera should exit 0 on SIGTERM');
  });

  test('a wrong secret in the wrong place tells nothing about the client: same answer as an unknown client_id', async () => {
    await withLogs(() => server, async () => {
      const app = await mgmt.createWebApp(CB); // client_secret_post
      const ask = (clientId) =>
        form(`${server.url}oauth/token`, { grant_type: 'client_credentials', audience: `${server.url}api/v2/` }, { authorization: basicAuth(clientId, 'not-the-secret') });
      const known = await ask(app.client_id);
      const unknown = await ask(`${app.client_id.slice(0, -4)}zzzz`);
      assert.equal(known.status, 401, known.text);
      assert.equal(unknown.status, 401, unknown.text);
      // client_auth.c method_mismatch() answers before the secret is checked, naming the
      // registered method: whoever guesses a client_id learns that it exists and how it
      // authenticates, without any secret.
      assert.equal(known.body?.error_description, unknown.body?.error_description, 'the answer must not say whether the client exists');
    })();
  });
});
