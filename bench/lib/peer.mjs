// node-oidc-provider for the benchmark (bench/peer/server.mjs), logged in once
// through its setup-only interaction route, which is closed before measuring.
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { basic, request } from './http.mjs';
import { ALGS, CHALLENGE, REDIRECT_URI, VERIFIER } from './pkce.mjs';
import { freePort, start, waitHttp } from './procs.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const resourceFor = (alg) => `https://bench.peer.test/${alg.toLowerCase()}`;

export async function startPeer() {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}/`;
  const clientId = 'bench-client';
  const secret = randomBytes(24).toString('base64url');
  const h = start(process.execPath, [path.join(HERE, '..', 'peer', 'server.mjs')], {
    stdin: 'pipe',
    env: {
      ...process.env,
      NODE_ENV: 'production',
      PEER_PORT: String(port),
      PEER_CLIENT_ID: clientId,
      PEER_CLIENT_SECRET: secret,
      PEER_REDIRECT_URI: REDIRECT_URI,
    },
  });
  try {
    return await setUp(h, url, clientId, secret);
  } catch (e) {
    await h.stop(); // a peer that failed its setup is not left running
    throw e;
  }
}

async function setUp(h, url, clientId, secret) {
  await waitHttp(`${url}.well-known/openid-configuration`, h);
  const audiences = Object.fromEntries(ALGS.map((a) => [a, resourceFor(a)]));
  const server = {
    name: 'peer',
    handle: h,
    pid: h.pid,
    url,
    auth: basic(clientId, secret),
    clientId,
    audiences,
    refused: {},
    paths: { token: '/token', authorize: '/auth', userinfo: '/me', jwks: '/jwks', discovery: '/.well-known/openid-configuration' },
    jar: new Map(),
    ccBody: (alg) => `grant_type=client_credentials&resource=${encodeURIComponent(audiences[alg])}&scope=read%3Amessages`,
    authorizeQuery(alg) {
      const q = new URLSearchParams({
        response_type: 'code',
        client_id: clientId,
        redirect_uri: REDIRECT_URI,
        scope: alg ? 'openid profile email offline_access read:messages' : 'openid profile email',
        state: 'bench',
        code_challenge: CHALLENGE,
        code_challenge_method: 'S256',
      });
      if (alg) q.set('resource', audiences[alg]);
      return `/auth?${q}`;
    },
    tokenFields: `grant_type=authorization_code&redirect_uri=${encodeURIComponent(REDIRECT_URI)}&code_verifier=${VERIFIER}`,
    refreshExtra: '',
    stop: () => h.stop(),
  };
  // The setup-only interaction: /auth → /interaction/:uid (login + consent at once) → /auth/:uid → code.
  let res = await request(`${url}${server.authorizeQuery('RS256').slice(1)}`, { jar: server.jar });
  for (let hop = 0; hop < 6 && res.location?.startsWith(url); hop++) {
    res = await request(res.location, { jar: server.jar });
  }
  if (!res.location?.startsWith(REDIRECT_URI)) {
    throw new Error(`peer login ended on ${res.status} ${res.location ?? res.text.slice(0, 300)}\n${h.err.slice(-3000)}`);
  }
  h.proc.stdin.write('close\n');
  return server;
}
