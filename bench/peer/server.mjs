// The peer: node-oidc-provider configured like the Tessera of the benchmark.
// One confidential client (client_secret_basic; client_credentials,
// authorization_code, refresh_token), one resource server per signing
// algorithm with JWT access tokens, a key of each type in the JWKS, PKCE
// required, rotating refresh tokens, opaque access tokens for /userinfo.
//
//   PEER_PORT=… PEER_CLIENT_ID=… PEER_CLIENT_SECRET=… PEER_REDIRECT_URI=… node peer/server.mjs
//
// Setup only: while stdin has not said "close", GET /interaction/:uid finishes
// login and consent for the fixed account at once, so that the benchmark gets
// a logged-in session without a login UI.  After "close" that route answers
// 404; nothing measured goes through it (devInteractions stays off).
import { randomBytes } from 'node:crypto';
import { createInterface } from 'node:readline';

import * as jose from 'jose';
import Provider, { errors } from 'oidc-provider';

export const ALGS = ['RS256', 'PS256', 'ES256', 'EdDSA'];
export const resourceFor = (alg) => `https://bench.peer.test/${alg.toLowerCase()}`;
export const ACCOUNT = 'bench-person';
export const SCOPE = 'read:messages';

const env = (k) => {
  const v = process.env[k];
  if (!v) throw new Error(`${k} is not set`);
  return v;
};

async function privateJwk(alg, kid, options) {
  const { privateKey } = await jose.generateKeyPair(alg, { extractable: true, ...options });
  return { ...(await jose.exportJWK(privateKey)), kid, use: 'sig' };
}

async function main() {
  const port = Number(env('PEER_PORT'));
  const issuer = `http://127.0.0.1:${port}`;
  // One RSA key signs RS256 and PS256, as one RSA 2048 key would for Tessera's two APIs.
  const keys = [
    await privateJwk('RS256', 'rsa', { modulusLength: 2048 }),
    await privateJwk('ES256', 'ec'),
    await privateJwk('EdDSA', 'okp', { crv: 'Ed25519' }),
  ];
  const resources = Object.fromEntries(
    ALGS.map((alg) => [
      resourceFor(alg),
      { scope: SCOPE, audience: resourceFor(alg), accessTokenTTL: 3600, accessTokenFormat: 'jwt', jwt: { sign: { alg } } },
    ]),
  );

  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: env('PEER_CLIENT_ID'),
        client_secret: env('PEER_CLIENT_SECRET'),
        token_endpoint_auth_method: 'client_secret_basic',
        grant_types: ['client_credentials', 'authorization_code', 'refresh_token'],
        response_types: ['code'],
        redirect_uris: [env('PEER_REDIRECT_URI')],
      },
    ],
    jwks: { keys },
    cookies: { keys: [randomBytes(32).toString('base64url')] },
    scopes: ['openid', 'offline_access'],
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
    findAccount: (_ctx, sub) => ({
      accountId: sub,
      claims: () => ({ sub, email: 'person@bench.test', email_verified: true, name: 'Bench Person' }),
    }),
    pkce: { required: () => true },
    rotateRefreshToken: true,
    ttl: { ClientCredentials: 3600 },
    // offline_access needs prompt=consent at /auth, which forces an interaction on every
    // request; Tessera's code flow with offline_access answers silently with a refresh
    // token, so the peer issues one whenever the client may use the grant.
    issueRefreshToken: (_ctx, client) => client.grantTypeAllowed('refresh_token'),
    enabledJWA: { idTokenSigningAlgValues: ALGS },
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      userinfo: { enabled: true },
      resourceIndicators: {
        enabled: true,
        useGrantedResource: () => true,
        getResourceServerInfo: (_ctx, resource) => {
          const info = resources[resource];
          if (!info) throw new errors.InvalidTarget();
          return info;
        },
      },
    },
  });

  let setupOpen = true;
  createInterface({ input: process.stdin }).on('line', (line) => {
    if (line.trim() === 'close') setupOpen = false;
  });

  provider.use(async (ctx, next) => {
    if (!ctx.path.startsWith('/interaction/')) return next();
    if (!setupOpen) {
      ctx.status = 404;
      return undefined;
    }
    const details = await provider.interactionDetails(ctx.req, ctx.res);
    const grant = details.grantId
      ? await provider.Grant.find(details.grantId)
      : new provider.Grant({ accountId: ACCOUNT, clientId: details.params.client_id });
    grant.addOIDCScope('openid profile email offline_access');
    for (const r of Object.keys(resources)) grant.addResourceScope(r, SCOPE);
    const grantId = await grant.save();
    const to = await provider.interactionResult(
      ctx.req,
      ctx.res,
      { login: { accountId: ACCOUNT }, consent: { grantId } },
      { mergeWithLastSubmission: false },
    );
    ctx.status = 303;
    ctx.redirect(to);
    return undefined;
  });

  const server = provider.listen(port, '127.0.0.1', () => {
    process.stdout.write(`listening ${issuer}\n`);
  });
  process.on('SIGTERM', () => server.close(() => process.exit(0)));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
