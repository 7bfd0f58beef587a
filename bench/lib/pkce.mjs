// One fixed PKCE pair (S256) for every /authorize of the benchmark: the server
// still checks it on every code; a fixed pair keeps the wrk script static.
import { createHash, randomBytes } from 'node:crypto';

export const VERIFIER = randomBytes(32).toString('base64url');
export const CHALLENGE = createHash('sha256').update(VERIFIER).digest('base64url');
export const REDIRECT_URI = 'https://app.bench.test/callback';
export const ALGS = ['RS256', 'PS256', 'ES256', 'EdDSA'];
