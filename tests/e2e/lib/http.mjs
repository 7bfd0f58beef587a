// HTTP helpers for the end-to-end suites.  Traffic goes to 127.0.0.1 only.
import http from 'node:http';

// Only catches a hang: a request that hashes a password (argon2id, 64 MiB) waits for a
// hashing slot, and on a loaded or instrumented build a burst of them takes many seconds.
const REQUEST_TIMEOUT_MS = 120_000;

function parseBody(text) {
  if (text === '') return null;
  try {
    return JSON.parse(text);
  } catch {
    return undefined; // not JSON: callers assert on this
  }
}

async function toResult(res) {
  const text = await res.text();
  return {
    status: res.status,
    headers: res.headers,
    text,
    body: parseBody(text),
  };
}

function assertLocal(url) {
  const u = new URL(url);
  if (u.hostname !== '127.0.0.1' && u.hostname !== 'localhost' && u.hostname !== '[::1]') {
    throw new Error(`refusing to send test traffic to ${u.host}: loopback only`);
  }
  return u;
}

/** Any fetch with a bounded time; resolves {status, headers, text, body}. */
export async function request(url, init = {}) {
  assertLocal(url);
  const res = await fetch(url, { ...init, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
  return toResult(res);
}

/** POST application/x-www-form-urlencoded. */
export function form(url, params, headers = {}) {
  const body = new URLSearchParams();
  for (const [k, v] of Object.entries(params ?? {})) {
    if (v !== undefined && v !== null) body.append(k, String(v));
  }
  return request(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: body.toString(),
  });
}

/** A JSON request, with an optional Bearer token. */
export function json(url, method = 'GET', body = undefined, token = undefined, headers = {}) {
  const h = { accept: 'application/json', ...headers };
  if (token) h.authorization = `Bearer ${token}`;
  const init = { method, headers: h };
  if (body !== undefined) {
    h['content-type'] = 'application/json';
    init.body = typeof body === 'string' ? body : JSON.stringify(body);
  }
  return request(url, init);
}

/** Authorization: Basic per RFC 6749 2.3.1 (form-urlencoded id and secret). */
export function basicAuth(clientId, clientSecret) {
  const enc = (s) => encodeURIComponent(s).replace(/%20/g, '+');
  return `Basic ${Buffer.from(`${enc(clientId)}:${enc(clientSecret)}`).toString('base64')}`;
}

/**
 * A raw request through node:http with an exact body, for cases fetch does
 * not allow (oversized bodies, odd headers).  The response is returned even
 * when the server answers before reading the whole body and then closes.
 * expectContinue sends `Expect: 100-continue` and holds the body back.
 */
export function rawRequest(url, { method = 'GET', headers = {}, body, expectContinue = false } = {}) {
  const u = assertLocal(url);
  return new Promise((resolve, reject) => {
    let settled = false;
    let writeError = null;
    const req = http.request(
      {
        host: u.hostname,
        port: u.port,
        path: `${u.pathname}${u.search}`,
        method,
        headers: { connection: 'close', ...(expectContinue ? { expect: '100-continue' } : {}), ...headers },
        agent: false,
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d) => {
          text += d;
        });
        const done = () => {
          if (settled) return;
          settled = true;
          resolve({ status: res.statusCode, headers: res.headers, text, body: parseBody(text) });
        };
        res.on('end', done);
        res.on('error', done);
        res.on('close', done);
      },
    );
    req.setTimeout(REQUEST_TIMEOUT_MS, () => {
      req.destroy(new Error(`timeout after ${REQUEST_TIMEOUT_MS} ms`));
    });
    req.on('error', (e) => {
      writeError = e;
      // Give a response that is already on its way a moment to arrive.
      setTimeout(() => {
        if (!settled) {
          settled = true;
          reject(
            new Error(`${method} ${url}: connection failed before a response (${writeError.message})`),
          );
        }
      }, 200);
    });
    if (body === undefined) {
      req.end();
    } else if (expectContinue) {
      // Send the body only on 100 Continue (or after a bounded wait, as curl
      // does), so that a server refusing by Content-Length can answer first.
      let sent = false;
      const send = () => {
        if (sent || settled) return;
        sent = true;
        req.end(body);
      };
      req.on('continue', send);
      const timer = setTimeout(send, 1000);
      req.on('response', () => clearTimeout(timer));
      req.on('close', () => clearTimeout(timer));
    } else {
      req.end(body);
    }
  });
}

/** client_credentials with client_secret_post. */
export function tokenPost(server, { clientId, clientSecret, audience, scope, extra } = {}) {
  return form(`${server.url}oauth/token`, {
    grant_type: 'client_credentials',
    client_id: clientId,
    client_secret: clientSecret,
    audience,
    scope,
    ...(extra ?? {}),
  });
}

/** client_credentials with client_secret_basic. */
export function tokenBasic(server, { clientId, clientSecret, audience, scope } = {}) {
  return form(
    `${server.url}oauth/token`,
    { grant_type: 'client_credentials', audience, scope },
    { authorization: basicAuth(clientId, clientSecret) },
  );
}

/**
 * A Management API token for the bootstrap client (all Management scopes).
 * Throws with the response when the server refuses.
 */
export async function mgmtToken(server, scope = undefined) {
  const b = server.bootstrap;
  const res = await tokenPost(server, {
    clientId: b.client_id,
    clientSecret: b.client_secret,
    audience: `${server.url}api/v2/`,
    scope,
  });
  if (res.status !== 200 || !res.body?.access_token) {
    throw new Error(`bootstrap client_credentials failed: ${res.status} ${res.text}`);
  }
  return res.body.access_token;
}
