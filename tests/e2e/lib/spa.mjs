// The other programs of the SPA + API story, on 127.0.0.1 free ports: the
// test single-page app (tests/e2e/spa/ with auth0-spa-js from node_modules)
// and an Express API protected by express-oauth2-jwt-bearer.
import { readFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import express from 'express';
import { auth, requiredScopes } from 'express-oauth2-jwt-bearer';

import { freePort } from './server.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const SPA_DIR = path.join(HERE, '..', 'spa');
const SDK = path.join(HERE, '..', 'node_modules', '@auth0', 'auth0-spa-js', 'dist', 'auth0-spa-js.production.js');

function listen(server, port) {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
}

function closeServer(server) {
  return new Promise((resolve) => {
    server.closeAllConnections?.();
    server.close(() => resolve());
  });
}

/**
 * Serves the test SPA at http://127.0.0.1:<free port>: /, /callback (the
 * page), /app.js, /auth0-spa-js.production.js, /config.js.
 * config: {domain, clientId}; setConfig() changes it for later page loads.
 * Returns {origin, setConfig, close}.
 */
export async function startSpaServer(config = {}) {
  let cfg = { ...config };
  const files = {
    '/index.html': { type: 'text/html; charset=utf-8', body: readFileSync(path.join(SPA_DIR, 'index.html')) },
    '/app.js': { type: 'text/javascript; charset=utf-8', body: readFileSync(path.join(SPA_DIR, 'app.js')) },
    '/auth0-spa-js.production.js': { type: 'text/javascript; charset=utf-8', body: readFileSync(SDK) },
  };
  const server = http.createServer((req, res) => {
    const { pathname } = new URL(req.url, 'http://127.0.0.1');
    let f;
    if (pathname === '/' || pathname === '/callback' || pathname === '/index.html') f = files['/index.html'];
    else if (pathname === '/config.js') {
      f = { type: 'text/javascript; charset=utf-8', body: `window.SPA_CONFIG = ${JSON.stringify(cfg)};\n` };
    } else f = files[pathname];
    if (!f || req.method !== 'GET') {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('not found');
      return;
    }
    res.writeHead(200, { 'content-type': f.type, 'cache-control': 'no-store' });
    res.end(f.body);
  });
  const port = await freePort();
  await listen(server, port);
  return {
    origin: `http://127.0.0.1:${port}`,
    setConfig(c) {
      cfg = { ...cfg, ...c };
    },
    close: () => closeServer(server),
  };
}

/**
 * An Express API at http://127.0.0.1:<free port>/api/messages protected by
 * express-oauth2-jwt-bearer (issuerBaseURL = Tessera's issuer, audience =
 * the API identifier; scope, when given, is required), with CORS for
 * corsOrigin.  agent: the https.Agent its discovery and JWKS requests use
 * (one trusting the test CA for an HTTPS issuer).  Returns {url, close}.
 */
export async function startProtectedApi({ issuer, audience, corsOrigin, scope, agent }) {
  const app = express();
  app.use((req, res, next) => {
    if (corsOrigin && req.headers.origin === corsOrigin) {
      res.set('access-control-allow-origin', corsOrigin);
      res.set('access-control-allow-headers', 'authorization');
      res.set('vary', 'Origin');
    }
    if (req.method === 'OPTIONS') {
      res.status(204).end();
      return;
    }
    next();
  });
  const checks = [auth({ issuerBaseURL: issuer, audience, ...(agent ? { agent } : {}) })];
  if (scope) checks.push(requiredScopes(scope));
  app.get('/api/messages', ...checks, (req, res) => {
    res.json({ messages: ['hello'], sub: req.auth.payload.sub, scope: req.auth.payload.scope ?? null });
  });
  // eslint-disable-next-line no-unused-vars
  app.use((err, req, res, next) => {
    res.status(err.status ?? 500).json({ error: err.code ?? err.name, message: err.message });
  });
  const port = await freePort();
  const server = http.createServer(app);
  await listen(server, port);
  return { url: `http://127.0.0.1:${port}/api/messages`, close: () => closeServer(server) };
}
