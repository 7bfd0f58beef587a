// Operating the server: health, JSON errors for unknown routes and methods,
// body limits, graceful SIGTERM and the JSON request log.
import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, test } from 'node:test';

import { sleep, startTessera, withLogs } from './lib/server.mjs';
import { json, rawRequest, request, tokenBasic, tokenPost } from './lib/http.mjs';
import { Mgmt, assertMgmtError, remember, secretsSeen } from './lib/mgmt.mjs';
import { FIELD_ALIASES, assertAbsent, parseJsonLines, pick, requestLines } from './lib/logs.mjs';

let server;
let mgmt;
let fx;
const t_ = (fn) => withLogs(() => server, fn);

before(async () => {
  server = await startTessera();
  mgmt = await Mgmt.forBootstrap(server);
  fx = await mgmt.m2m();
});

after(async () => {
  if (server && !server.hasExited()) await server.kill9();
});

function assertJson(res, what) {
  assert.match(res.headers.get?.('content-type') ?? res.headers['content-type'] ?? '', /application\/json/, `${what}: Content-Type is JSON`);
  assert.ok(res.body && typeof res.body === 'object', `${what}: body is a JSON object: ${res.text.slice(0, 200)}`);
}

test('GET /healthz answers 200 JSON', t_(async () => {
  const res = await request(`${server.url}healthz`);
  assert.equal(res.status, 200, 'healthz status');
  assertJson(res, 'healthz');
}));

test('unknown routes answer 404 JSON', t_(async () => {
  const plain = await request(`${server.url}no/such/route`);
  assert.equal(plain.status, 404, `GET /no/such/route: ${plain.status}`);
  assertJson(plain, 'unknown route');
  const mg = await mgmt.get('/no-such-collection');
  assertMgmtError(mg, 404, {}, 'unknown Management route');
  assertJson(mg, 'unknown Management route');
  // Auth0 resources Tessera does not offer yet answer 403, which the Deploy CLI skips.
  const org = await mgmt.get('/organizations');
  assertMgmtError(org, 403, { errorCode: 'operation_not_supported' }, 'GET /api/v2/organizations');
}));

test('wrong methods answer 405 JSON', t_(async () => {
  const getToken = await request(`${server.url}oauth/token`);
  assert.equal(getToken.status, 405, `GET /oauth/token: ${getToken.status} ${getToken.text}`);
  assertJson(getToken, 'GET /oauth/token');
  const postDisc = await request(`${server.url}.well-known/openid-configuration`, { method: 'POST' });
  assert.equal(postDisc.status, 405, `POST discovery: ${postDisc.status}`);
  assertJson(postDisc, 'POST discovery');
  const putClients = await mgmt.call('PUT', '/clients', {});
  assertMgmtError(putClients, 405, {}, 'PUT /api/v2/clients');
  assertJson(putClients, 'PUT /api/v2/clients');
}));

test('a 2 MiB body answers 413 JSON', t_(async () => {
  const big = JSON.stringify({ grant_type: 'client_credentials', pad: 'x'.repeat(2 * 1024 * 1024) });
  const res = await rawRequest(`${server.url}oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(big) },
    body: big, // no Expect: 100-continue here: the server must cope with a plain client
  });
  assert.equal(res.status, 413, `expected 413, got ${res.status} ${res.text.slice(0, 200)}`);
  assert.ok(res.body && typeof res.body === 'object', `413 body is JSON: ${res.text.slice(0, 200)}`);
  const alive = await request(`${server.url}healthz`);
  assert.equal(alive.status, 200, 'healthz after 413');
}));

test('secrets and tokens never reach the logs', t_(async () => {
  // Traffic that carries secrets in every place they can be: body, Basic
  // header, Bearer header, and a wrong secret.
  const c = fx.client;
  for (const secret of [c.client_secret, 'wrong-secret-for-log-check-0123456789']) {
    remember(secret);
    const args = { clientId: c.client_id, clientSecret: secret, audience: fx.api.identifier };
    for (const res of [await tokenPost(server, args), await tokenBasic(server, args)]) {
      if (res.body?.access_token) remember(res.body.access_token);
    }
  }
  const rot = await mgmt.post(`/clients/${c.client_id}/rotate-secret`);
  assert.equal(rot.status, 200, rot.text);
  remember(rot.body.client_secret);
  await json(`${server.url}api/v2/clients`, 'GET', undefined, `${mgmt.token}x`); // a bad token is not logged either
  remember(`${mgmt.token}x`);
  await sleep(100); // let the last log lines be written

  const values = [...secretsSeen];
  assertAbsent(server.stderr(), values, 'stderr');
  const bootstrapSecret = server.bootstrap.client_secret;
  assertAbsent(server.stdout(), values.filter((v) => v !== bootstrapSecret), 'stdout');
  const times = server.stdout().split(bootstrapSecret).length - 1;
  assert.ok(times <= 1, `the bootstrap secret is printed at most once on stdout (${times} times)`);
}));

test('every stderr line is JSON; request lines carry id, method, route, status, latency', t_(async () => {
  await request(`${server.url}healthz`);
  await request(`${server.url}no/such/route`);
  // A request's line is written when it completes, which may be just after its answer
  // arrives: look again, 50 ms apart, at most 200 times, until the 404's line is there.
  let entries = [];
  let reqs = [];
  for (let i = 0; i < 200; i++) {
    entries = parseJsonLines(server.stderr());
    reqs = requestLines(entries);
    if (reqs.some((e) => Number(pick(e, FIELD_ALIASES.status).value) === 404)) break;
    await sleep(50);
  }
  assert.ok(reqs.length >= 5, `at least 5 request log lines (found ${reqs.length} of ${entries.length} lines)`);
  for (const e of reqs) {
    const line = JSON.stringify(e);
    for (const [field, aliases] of Object.entries(FIELD_ALIASES)) {
      assert.ok(pick(e, aliases) !== undefined, `request log line lacks ${field} (${aliases.join('|')}): ${line}`);
    }
    const status = Number(pick(e, FIELD_ALIASES.status).value);
    assert.ok(status >= 100 && status <= 599, `status is an HTTP status: ${line}`);
    const latency = Number(pick(e, FIELD_ALIASES.latency).value);
    assert.ok(Number.isFinite(latency) && latency >= 0, `latency is a non-negative number: ${line}`);
    const route = String(pick(e, FIELD_ALIASES.route).value);
    assert.ok(!route.includes('?'), `route carries no query string: ${line}`);
  }
  const ids = reqs.map((e) => String(pick(e, FIELD_ALIASES.requestId).value));
  assert.equal(new Set(ids).size, ids.length, 'request ids are unique');
  const statuses = reqs.map((e) => Number(pick(e, FIELD_ALIASES.status).value));
  assert.ok(statuses.includes(404), 'the 404 was logged');
  assert.ok(statuses.includes(200), 'a 200 was logged');
}));

/** A POST sent through a fresh connection; resolves {status} or {error}. */
function sendAndTrack(url, body) {
  const u = new URL(url);
  let written;
  const wrote = new Promise((r) => {
    written = r;
  });
  const done = new Promise((resolve) => {
    const req = http.request(
      {
        host: u.hostname,
        port: u.port,
        path: u.pathname,
        method: 'POST',
        agent: false,
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(body) },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode }));
        res.on('error', (e) => resolve({ error: e.message }));
      },
    );
    req.setTimeout(15_000, () => req.destroy(new Error('timeout')));
    req.on('error', (e) => resolve({ error: e.message }));
    req.on('finish', () => written());
    req.end(body);
  });
  return { wrote, done };
}

/** A GET on a connection of its own (never a pooled one); resolves the status. */
function freshGet(url) {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode));
    });
    req.setTimeout(15_000, () => req.destroy(new Error('timeout')));
    req.on('error', reject);
  });
}

test('SIGTERM: requests sent just before it get answers, exit code 0', t_(async () => {
  const body = new URLSearchParams({
    grant_type: 'client_credentials',
    client_id: server.bootstrap.client_id,
    client_secret: server.bootstrap.client_secret,
    audience: `${server.url}api/v2/`,
  }).toString();
  const inflight = [];
  for (let i = 0; i < 5; i++) inflight.push(sendAndTrack(`${server.url}oauth/token`, body));
  await Promise.all(inflight.map((r) => r.wrote));
  // The listening socket hands out connections in the order their handshakes finished, so
  // once a connection opened after the five is answered, the server holds all five: only
  // then is SIGTERM sent, however fast or slow the machine.
  assert.equal(await freshGet(`${server.url}.well-known/jwks.json`), 200, 'the later request was answered');
  const code = server.stop();
  const results = await Promise.all(inflight.map((r) => r.done));
  for (const [i, r] of results.entries()) {
    assert.equal(r.error, undefined, `request ${i} sent before SIGTERM failed: ${r.error}`);
    assert.equal(r.status, 200, `request ${i} sent before SIGTERM answered ${r.status}`);
  }
  assert.equal(await code, 0, 'exit code after SIGTERM');
  const entries = parseJsonLines(server.stderr());
  assert.ok(entries.length > 0, 'the server logged');
}));
