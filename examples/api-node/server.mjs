#!/usr/bin/env node
// Starts the example API.  Configuration from the environment only:
//   ISSUER_BASE_URL  Tessera's issuer, e.g. http://localhost:8080/
//   AUDIENCE         the API's identifier in Tessera, e.g. https://demo-api.tessera.local
//   SPA_ORIGIN       the single origin allowed by CORS, e.g. http://localhost:3000
//   PORT             3001 unless given;  HOST  127.0.0.1 unless given
import http from 'node:http';

import { createApp } from './app.mjs';

const USAGE = `usage: ISSUER_BASE_URL=http://localhost:8080/ AUDIENCE=https://demo-api.tessera.local \\
       SPA_ORIGIN=http://localhost:3000 [PORT=3001] [HOST=127.0.0.1] node server.mjs`;

function config(env) {
  const missing = ['ISSUER_BASE_URL', 'AUDIENCE', 'SPA_ORIGIN'].filter((k) => !env[k]);
  if (missing.length) throw new Error(`missing ${missing.join(', ')} in the environment\n${USAGE}`);
  const port = Number(env.PORT ?? 3001);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`PORT: not a port: ${env.PORT}\n${USAGE}`);
  // The origin must match the browser's Origin header exactly: no path, no trailing slash.
  const origin = new URL(env.SPA_ORIGIN).origin;
  if (origin !== env.SPA_ORIGIN) throw new Error(`SPA_ORIGIN must be an origin like ${origin}, not ${env.SPA_ORIGIN}`);
  return { issuerBaseURL: env.ISSUER_BASE_URL, audience: env.AUDIENCE, spaOrigin: origin, port, host: env.HOST ?? '127.0.0.1' };
}

let cfg;
try {
  cfg = config(process.env);
} catch (e) {
  console.error(`api-node: ${e.message}`);
  process.exit(2);
}

const server = http.createServer(createApp(cfg));
server.on('error', (e) => {
  console.error(`api-node: ${e.message}`);
  process.exit(1);
});
server.listen(cfg.port, cfg.host, () => {
  console.log(`Example API on http://${cfg.host}:${cfg.port}/api/{public,private,private-scoped} (issuer ${cfg.issuerBaseURL}, audience ${cfg.audience})`);
});

// A clean stop on SIGTERM / Ctrl-C: exit status 0.
for (const sig of ['SIGTERM', 'SIGINT']) {
  process.on(sig, () => {
    server.closeAllConnections();
    server.close(() => process.exit(0));
  });
}
