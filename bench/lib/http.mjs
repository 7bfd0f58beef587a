// Just enough HTTP for setting up the benchmark's servers: fetch bounded in
// time, loopback only, a cookie jar, and the hidden fields of an HTML form.
// Kept free of dependencies (the e2e helpers import test-only packages).

const TIMEOUT_MS = 60_000;

function loopbackOnly(url) {
  const u = new URL(url);
  if (u.hostname !== '127.0.0.1') throw new Error(`benchmark traffic goes to 127.0.0.1 only, not ${u.host}`);
}

/** One request, redirects not followed; resolves {status, headers, text, body, location}. */
export async function request(url, { method = 'GET', headers = {}, body, jar } = {}) {
  loopbackOnly(url);
  const h = { ...headers };
  if (jar && jar.size) h.cookie = [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
  const res = await fetch(url, { method, headers: h, body, redirect: 'manual', signal: AbortSignal.timeout(TIMEOUT_MS) });
  const text = await res.text();
  if (jar) {
    for (const line of res.headers.getSetCookie()) {
      const pair = line.split(';')[0];
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      if (value === '' || /max-age=0\b/i.test(line)) jar.delete(name);
      else jar.set(name, value);
    }
  }
  let parsed;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  const location = res.headers.get('location');
  return { status: res.status, headers: res.headers, text, body: parsed, location: location && new URL(location, url).href };
}

export const basic = (id, secret) =>
  `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;

export function formBody(fields) {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(fields)) if (v !== undefined && v !== null) p.append(k, String(v));
  return p.toString();
}

export function postForm(url, fields, { headers = {}, jar } = {}) {
  return request(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: formBody(fields),
    jar,
  });
}

export function json(url, method, body, token) {
  const headers = { accept: 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  return request(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
}

const decode = (s) => s.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
const attr = (tag, name) => {
  const m = tag.match(new RegExp(`\\b${name}\\s*=\\s*(?:"([^"]*)"|'([^']*)')`, 'i'));
  return m ? decode(m[1] ?? m[2]) : undefined;
};

/** The first form holding an input named `field`: {action, hidden: {name: value}}. */
export function formWith(html, baseUrl, field) {
  for (const m of html.matchAll(/<form\b[^>]*>[\s\S]*?<\/form>/gi)) {
    const inputs = m[0].match(/<input\b[^>]*>/gi) ?? [];
    if (!inputs.some((t) => attr(t, 'name') === field)) continue;
    const hidden = {};
    for (const t of inputs) if ((attr(t, 'type') ?? '').toLowerCase() === 'hidden') hidden[attr(t, 'name')] = attr(t, 'value') ?? '';
    return { action: new URL(attr(m[0].match(/^<form\b[^>]*>/i)[0], 'action') ?? '', baseUrl).href, hidden };
  }
  throw new Error(`no form with an input named ${field} at ${baseUrl}`);
}
