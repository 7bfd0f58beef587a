// Token pools minted through an already-logged-in session, the same way for
// both servers: /authorize with the session cookie → code → /oauth/token.
import { request } from './http.mjs';

export const cookieHeader = (s) => [...s.jar].map(([k, v]) => `${k}=${v}`).join('; ');

/** One authorization code redeemed; alg null asks for no API (an opaque /userinfo token). */
export async function codeOnce(s, alg) {
  const a = await request(`${s.url}${s.authorizeQuery(alg).slice(1)}`, { headers: { cookie: cookieHeader(s) } });
  const code = a.location && new URL(a.location).searchParams.get('code');
  if (!code) throw new Error(`${s.name} /authorize with a session: ${a.status} ${a.location ?? a.text.slice(0, 300)}`);
  const t = await request(`${s.url}${s.paths.token.slice(1)}`, {
    method: 'POST',
    headers: { authorization: s.auth, 'content-type': 'application/x-www-form-urlencoded' },
    body: `${s.tokenFields}&code=${encodeURIComponent(code)}`,
  });
  if (t.status !== 200) throw new Error(`${s.name} code exchange: ${t.status} ${t.text.slice(0, 300)}`);
  return t.body;
}

/** n tokens of one kind ('refresh_token' or 'access_token'), minted four at a time. */
export async function mint(s, alg, n, field) {
  const out = [];
  while (out.length < n) {
    const batch = await Promise.all(Array.from({ length: Math.min(4, n - out.length) }, () => codeOnce(s, alg)));
    for (const b of batch) {
      if (typeof b[field] !== 'string') throw new Error(`${s.name}: no ${field} in ${JSON.stringify(Object.keys(b))}`);
      out.push(b[field]);
    }
  }
  return out;
}
