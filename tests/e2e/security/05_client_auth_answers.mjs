// Client enumeration through /oauth/token: a guesser sends made-up or real
// client_ids with a wrong secret, in the wrong place, and compares answers.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { startTessera, withLogs } from '../lib/server.mjs';
import { Mgmt } from '../lib/mgmt.mjs';
import { basicAuth, form } from '../lib/http.mjs';

const CB = 'http://127.0.0.1:9/client-auth-callback';

describe('client authentication answers tell a guesser nothing', () => {
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
      // Naming the registered method before the secret is checked would tell whoever
      // guesses a client_id that it exists and how it authenticates.
      assert.equal(known.body?.error_description, unknown.body?.error_description, 'the answer must not say whether the client exists');
    })();
  });
});
