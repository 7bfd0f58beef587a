// Tessera for the benchmark: `tessera serve` on a fresh data directory, then
// the Management API creates one confidential client, one API per signing
// algorithm and the client grants; a person logs in once through the
// Universal Login form, and that session mints the token pools.
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { basic, formWith, json, postForm, request } from './http.mjs';
import { ALGS, CHALLENGE, REDIRECT_URI, VERIFIER } from './pkce.mjs';
import { freePort, sleep, start, tesseraEnv, waitHttp } from './procs.mjs';

const PASSWORD = 'Str0ng!Passw0rd-bench';
const EMAIL = 'person@bench.test';
const apiFor = (alg) => `https://bench.tessera.test/${alg.toLowerCase()}`;

function must(res, status, what) {
  if (res.status !== status) throw new Error(`${what}: expected ${status}, got ${res.status} ${res.text.slice(0, 300)}`);
  return res.body;
}

export async function startTessera(bin, workDir) {
  const dataDir = mkdtempSync(path.join(workDir ?? tmpdir(), 'tessera-data-'));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}/`;
  const h = start(bin, ['serve', '--listen', `127.0.0.1:${port}`, '--public-url', url, '--data-dir', dataDir], { env: tesseraEnv() });
  try {
    return await setUp(h, url, dataDir);
  } catch (e) {
    await h.stop(); // a server that failed its setup is not left running
    throw e;
  }
}

async function setUp(h, url, dataDir) {
  await waitHttp(`${url}healthz`, h);
  const file = path.join(dataDir, 'bootstrap-client.json');
  for (let i = 0; i < 20 && !existsSync(file); i++) await sleep(50);
  const boot = JSON.parse(readFileSync(file, 'utf8'));
  const t = await postForm(`${url}oauth/token`, {
    grant_type: 'client_credentials',
    client_id: boot.client_id,
    client_secret: boot.client_secret,
    audience: `${url}api/v2/`,
  });
  const mgmt = must(t, 200, 'bootstrap client_credentials').access_token;
  const api = (method, p, body) => json(`${url}api/v2${p}`, method, body, mgmt);

  const audiences = {};
  const refused = {};
  for (const alg of ALGS) {
    const res = await api('POST', '/resource-servers', {
      name: `Bench ${alg}`,
      identifier: apiFor(alg),
      scopes: [{ value: 'read:messages', description: 'Read messages' }],
      signing_alg: alg,
      token_lifetime: 3600,
      allow_offline_access: true,
      skip_consent_for_verifiable_first_party_clients: true,
    });
    if (res.status === 201) audiences[alg] = apiFor(alg);
    else refused[alg] = `POST /api/v2/resource-servers signing_alg ${alg}: ${res.status} ${res.body?.message ?? res.text.slice(0, 200)}`;
  }
  const client = must(
    await api('POST', '/clients', {
      name: 'Bench client',
      app_type: 'regular_web',
      callbacks: [REDIRECT_URI],
      grant_types: ['authorization_code', 'refresh_token', 'client_credentials'],
      token_endpoint_auth_method: 'client_secret_basic',
      refresh_token: { rotation_type: 'rotating', expiration_type: 'expiring', leeway: 0, token_lifetime: 2592000, idle_token_lifetime: 1296000 },
    }),
    201,
    'POST /api/v2/clients',
  );
  for (const audience of Object.values(audiences)) {
    must(await api('POST', '/client-grants', { client_id: client.client_id, audience, scope: ['read:messages'] }), 201, `grant ${audience}`);
  }
  must(
    await api('POST', '/users', { connection: 'Username-Password-Authentication', email: EMAIL, password: PASSWORD, email_verified: true }),
    201,
    'POST /api/v2/users',
  );

  const server = {
    name: 'tessera',
    handle: h,
    pid: h.pid,
    url,
    dataDir,
    auth: basic(client.client_id, client.client_secret),
    clientId: client.client_id,
    audiences,
    refused,
    paths: { token: '/oauth/token', authorize: '/authorize', userinfo: '/userinfo', jwks: '/.well-known/jwks.json', discovery: '/.well-known/openid-configuration' },
    jar: new Map(),
    ccBody: (alg) => `grant_type=client_credentials&audience=${encodeURIComponent(audiences[alg])}`,
    /** The /authorize query: with an API (JWT access token + refresh token) or without (opaque, /userinfo only). */
    authorizeQuery(alg) {
      const q = new URLSearchParams({
        response_type: 'code',
        client_id: client.client_id,
        redirect_uri: REDIRECT_URI,
        scope: alg ? 'openid profile email offline_access read:messages' : 'openid profile email',
        state: 'bench',
        code_challenge: CHALLENGE,
        code_challenge_method: 'S256',
      });
      if (alg) q.set('audience', audiences[alg]);
      return `/authorize?${q}`;
    },
    tokenFields: `grant_type=authorization_code&redirect_uri=${encodeURIComponent(REDIRECT_URI)}&code_verifier=${VERIFIER}`,
    refreshExtra: '',
    stop: () => h.stop(),
  };
  await login(server);
  return server;
}

/** The Universal Login form once: /authorize → /u/login → POST → (consent) → code. */
async function login(s) {
  let res = await request(`${s.url}${s.authorizeQuery('RS256').slice(1)}`, { jar: s.jar });
  for (let hop = 0; hop < 5 && res.location?.startsWith(s.url); hop++) {
    if (res.location.includes('/u/login')) break;
    res = await request(res.location, { jar: s.jar });
  }
  const loginUrl = res.location;
  if (!loginUrl?.includes('/u/login')) throw new Error(`tessera /authorize did not lead to the login page: ${res.status} ${res.location}`);
  const page = await request(loginUrl, { jar: s.jar });
  const f = formWith(page.text, loginUrl, 'username');
  res = await postForm(f.action, { ...f.hidden, username: EMAIL, password: PASSWORD }, { jar: s.jar });
  // A consent page, when the tenant asks for one, is accepted once.
  for (let hop = 0; hop < 5 && res.location?.startsWith(s.url); hop++) {
    const at = res.location;
    res = await request(at, { jar: s.jar });
    if (res.status === 200 && at.includes('/u/consent')) {
      const c = formWith(res.text, at, 'csrf');
      res = await postForm(c.action, { ...c.hidden, decision: 'accept' }, { jar: s.jar });
    }
  }
  if (!res.location?.startsWith(REDIRECT_URI)) throw new Error(`tessera login ended on ${res.status} ${res.location ?? res.text.slice(0, 200)}`);
}
