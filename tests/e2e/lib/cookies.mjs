// A small cookie jar for driving Tessera's browser endpoints over HTTP, and
// a fetch that never follows redirects.  Traffic goes to 127.0.0.1 only.
import { request } from './http.mjs';

/** One parsed Set-Cookie line: {name, value, attrs: {lowercased name: value|true}}. */
export function parseSetCookie(line) {
  const [pair, ...rest] = line.split(';');
  const eq = pair.indexOf('=');
  const name = pair.slice(0, eq).trim();
  const value = pair.slice(eq + 1).trim();
  const attrs = {};
  for (const a of rest) {
    const i = a.indexOf('=');
    if (i === -1) attrs[a.trim().toLowerCase()] = true;
    else attrs[a.slice(0, i).trim().toLowerCase()] = a.slice(i + 1).trim();
  }
  return { name, value, attrs, line };
}

/**
 * Cookies of one (loopback) host, by name.  Domain and path are not
 * modelled: every cookie goes with every request the jar makes.
 */
export class CookieJar {
  constructor() {
    this.cookies = new Map(); // name -> value
    this.lastSet = new Map(); // name -> the parsed Set-Cookie that set or cleared it
  }

  /** Stores the Set-Cookie headers of a response. */
  store(headers) {
    const lines = typeof headers.getSetCookie === 'function' ? headers.getSetCookie() : [];
    for (const line of lines) {
      const c = parseSetCookie(line);
      this.lastSet.set(c.name, c);
      const maxAge = c.attrs['max-age'];
      const expires = c.attrs.expires ? Date.parse(c.attrs.expires) : NaN;
      const gone =
        c.value === '' ||
        (maxAge !== undefined && Number(maxAge) <= 0) ||
        (!Number.isNaN(expires) && expires <= Date.now());
      if (gone) this.cookies.delete(c.name);
      else this.cookies.set(c.name, c.value);
    }
  }

  get(name) {
    return this.cookies.get(name);
  }
  has(name) {
    return this.cookies.has(name);
  }
  set(name, value) {
    this.cookies.set(name, value);
  }
  delete(name) {
    this.cookies.delete(name);
  }

  header() {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  /** A copy (same cookies, independent afterwards). */
  clone() {
    const j = new CookieJar();
    for (const [k, v] of this.cookies) j.cookies.set(k, v);
    return j;
  }

  /** A request with the jar's cookies that stores what the answer sets; never follows redirects. */
  async fetch(url, init = {}) {
    const headers = { ...(init.headers ?? {}) };
    const cookie = this.header();
    if (cookie) headers.cookie = cookie;
    const res = await request(url, { ...init, headers, redirect: 'manual' });
    this.store(res.headers);
    res.location = res.headers.get('location');
    return res;
  }

  /** POST application/x-www-form-urlencoded through the jar. */
  postForm(url, fields, headers = {}) {
    const body = new URLSearchParams();
    for (const [k, v] of Object.entries(fields)) {
      if (v !== undefined && v !== null) body.append(k, String(v));
    }
    return this.fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
      body: body.toString(),
    });
  }
}
