// Tenants made with `tessera tenants create` on a running server's data
// directory, at a path prefix of the server's own URL.
import assert from 'node:assert/strict';

import { runCli } from './cli.mjs';
import { remember } from './mgmt.mjs';
import { httpsRequest, sleep } from './server.mjs';

const POLL_TRIES = 100;
const POLL_MS = 100;

async function discoveryIssuer(url, tls) {
  const where = `${url}.well-known/openid-configuration`;
  try {
    if (tls) {
      const res = await httpsRequest(where, { ca: tls.ca, timeoutMs: 2000 });
      return res.status === 200 ? JSON.parse(res.text).issuer : null;
    }
    const res = await fetch(where, { signal: AbortSignal.timeout(2000) });
    return res.status === 200 ? (await res.json()).issuer : null;
  } catch {
    return null;
  }
}

/**
 * Polls (bounded) until the tenant whose issuer is url serves its discovery
 * document with that issuer (present) or no longer does.  tls: the server's.
 */
export async function waitForIssuer(url, present, tls = null) {
  for (let i = 0; i < POLL_TRIES; i++) {
    const serving = (await discoveryIssuer(url, tls)) === url;
    if (serving === present) return;
    await sleep(POLL_MS);
  }
  assert.fail(`${url} still ${present ? 'not served' : 'served'} after ${POLL_TRIES} tries`);
}

/**
 * Creates tenant name at {server.url}name/ and waits until the server serves
 * it.  Returns a handle shaped like the server's for the helpers that take
 * one: {name, id, url, domain (host/prefix, as Auth0's SDKs take it),
 * bootstrap, tls, dataDir, dbPath}.
 */
export async function createTenant(server, name) {
  const url = `${server.url}${name}/`;
  const r = await runCli(['tenants', 'create', '--issuer', url, '--name', name, '--json', '--data-dir', server.dataDir]);
  assert.equal(r.code, 0, `tenants create ${name}: ${r.stderr}`);
  const bootstrap = JSON.parse(r.stdout);
  remember(bootstrap.client_secret);
  await waitForIssuer(url, true, server.tls);
  const u = new URL(url);
  return {
    name,
    id: bootstrap.tenant_id,
    url,
    domain: `${u.host}${u.pathname.replace(/\/$/, '')}`,
    bootstrap,
    tls: server.tls,
    dataDir: server.dataDir,
    dbPath: server.dbPath,
  };
}
