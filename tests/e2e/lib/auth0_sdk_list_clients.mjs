// Run as a child process with NODE_EXTRA_CA_CERTS set (node reads it at
// start): lists clients through the official `auth0` ManagementClient and
// prints {ok, clients: [{client_id, name}]} or {ok: false, error} as JSON.
// Usage: node auth0_sdk_list_clients.mjs DOMAIN CLIENT_ID CLIENT_SECRET
import { ManagementClient } from 'auth0';

const [domain, clientId, clientSecret] = process.argv.slice(2);
try {
  const mgmt = new ManagementClient({ domain, clientId, clientSecret });
  const page = await (mgmt.clients.list ? mgmt.clients.list() : mgmt.clients.getAll());
  const items = Array.isArray(page) ? page : (page.data ?? page);
  const list = Array.isArray(items) ? items : (items.clients ?? []);
  const clients = list.map((c) => ({ client_id: c.client_id ?? c.clientId, name: c.name }));
  process.stdout.write(JSON.stringify({ ok: true, clients }));
} catch (e) {
  process.stdout.write(
    JSON.stringify({ ok: false, error: String(e?.message ?? e), status: e?.statusCode, body: e?.body }),
  );
}
