// The scenarios run against both servers, and how one is driven with wrk.
import { writeFileSync } from 'node:fs';
import path from 'node:path';

import { request } from './http.mjs';
import { cookieHeader, mint } from './session.mjs';
import { THREADS, wrk } from './wrk.mjs';

export const SCENARIOS = [
  { id: 'cc_rs256', label: 'client_credentials RS256', title: 'client_credentials, RS256 JWT', kind: 'cc', alg: 'RS256', unit: 'tokens/s' },
  { id: 'cc_ps256', label: 'client_credentials PS256', title: 'client_credentials, PS256 JWT', kind: 'cc', alg: 'PS256', unit: 'tokens/s' },
  { id: 'cc_es256', label: 'client_credentials ES256', title: 'client_credentials, ES256 JWT', kind: 'cc', alg: 'ES256', unit: 'tokens/s' },
  { id: 'cc_eddsa', label: 'client_credentials EdDSA', title: 'client_credentials, EdDSA (Ed25519) JWT', kind: 'cc', alg: 'EdDSA', unit: 'tokens/s' },
  { id: 'refresh', label: 'refresh-token rotation', title: 'refresh-token rotation (RS256 access token + ID token)', kind: 'refresh', alg: 'RS256', unit: 'refreshes/s' },
  { id: 'code_pkce', label: 'code + PKCE (pairs)', title: 'authorization code + PKCE, logged-in session (authorize → token pairs)', kind: 'code', alg: 'RS256', unit: 'pairs/s' },
  { id: 'userinfo', label: '/userinfo, opaque token', title: '/userinfo with an opaque access token', kind: 'userinfo', unit: 'requests/s' },
  { id: 'jwks', label: 'JWKS', title: 'GET JWKS', kind: 'get', path: 'jwks', unit: 'requests/s' },
  { id: 'discovery', label: 'discovery', title: 'GET discovery document', kind: 'get', path: 'discovery', unit: 'requests/s' },
];

// More tokens per thread than connections per thread (64 / 2), so that every
// connection finds one even while others wait for their answers.
const REFRESH_POOL_PER_THREAD = 48;
const USERINFO_POOL_PER_THREAD = 16;

function writePools(workDir, name, tokens) {
  const prefix = path.join(workDir, `${name}.pool`);
  for (let t = 1; t <= THREADS; t++) {
    writeFileSync(`${prefix}.${t}`, `${tokens.filter((_, i) => i % THREADS === t - 1).join('\n')}\n`);
  }
  return prefix;
}

/** One scenario against one server; resolves a result row, or {error} (the run goes on). */
export async function runScenario(s, sc, { workDir, seconds }) {
  if (sc.alg && s.refused[sc.alg]) return { error: `refused: ${s.refused[sc.alg]}`, refused: true };
  const url = (p) => `${s.url}${s.paths[p].slice(1)}`;
  switch (sc.kind) {
    case 'cc': {
      // One request first: a refusal is recorded with the server's own words.
      const probe = await request(url('token'), {
        method: 'POST',
        headers: { authorization: s.auth, 'content-type': 'application/x-www-form-urlencoded' },
        body: s.ccBody(sc.alg),
      });
      if (probe.status !== 200) return { error: `refused: ${probe.status} ${probe.text.slice(0, 200)}`, refused: true };
      return wrk({ url: url('token'), script: 'static', args: ['POST', s.auth, s.ccBody(sc.alg)], seconds, pid: s.pid });
    }
    case 'refresh': {
      const tokens = await mint(s, sc.alg, REFRESH_POOL_PER_THREAD * THREADS, 'refresh_token');
      const prefix = writePools(workDir, `${s.name}-refresh`, tokens);
      return wrk({ url: url('token'), script: 'refresh', args: [prefix, s.auth, s.refreshExtra], seconds, pid: s.pid });
    }
    case 'code':
      return wrk({
        url: s.url,
        script: 'code',
        args: [s.authorizeQuery(sc.alg), cookieHeader(s), s.paths.token, s.auth, s.tokenFields],
        seconds,
        pid: s.pid,
      });
    case 'userinfo': {
      const tokens = await mint(s, null, USERINFO_POOL_PER_THREAD * THREADS, 'access_token');
      const prefix = writePools(workDir, `${s.name}-userinfo`, tokens);
      return wrk({ url: url('userinfo'), script: 'userinfo', args: [prefix], seconds, pid: s.pid });
    }
    case 'get':
      return wrk({ url: url(sc.path), script: 'static', seconds, pid: s.pid });
    default:
      throw new Error(`unknown scenario kind ${sc.kind}`);
  }
}
