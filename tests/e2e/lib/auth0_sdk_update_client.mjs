// Run as a child process with NODE_EXTRA_CA_CERTS set (node reads it at
// start): through the official `auth0` ManagementClient, creates a client,
// replaces its callbacks, reads it back and deletes it; prints
// {ok, callbacks} or {ok: false, error} as JSON.  The SDK sends no If-Match,
// so this shows Tessera's ETag extension leaves it unchanged.
// Usage: node auth0_sdk_update_client.mjs DOMAIN CLIENT_ID CLIENT_SECRET
import { ManagementClient } from 'auth0';

const [domain, clientId, clientSecret] = process.argv.slice(2);
const unwrap = (r) => (r && typeof r === 'object' && 'data' in r ? r.data : r);
try {
  const mgmt = new ManagementClient({ domain, clientId, clientSecret });
  const target = unwrap(await mgmt.clients.create({ name: 'etag-sdk-target', app_type: 'spa' }));
  await mgmt.clients.update(target.client_id, { callbacks: ['https://sdk.example.com/callback'] });
  const back = unwrap(await mgmt.clients.get(target.client_id));
  await mgmt.clients.delete(target.client_id);
  process.stdout.write(JSON.stringify({ ok: true, callbacks: back.callbacks }));
} catch (e) {
  process.stdout.write(
    JSON.stringify({ ok: false, error: String(e?.message ?? e), status: e?.statusCode, body: e?.body }),
  );
}
