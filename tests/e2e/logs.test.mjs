// The event log through the Management API: /api/v2/logs with q (type,
// user_id, client_id, date), offset pages with include_totals, checkpoint
// paging with from/take, /logs/{id}, /users/{id}/logs, scopes and bad queries.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { startTessera, withLogs } from './lib/server.mjs';
import { Mgmt, assertMgmtError } from './lib/mgmt.mjs';
import { CookieJar } from './lib/cookies.mjs';
import { codeRequest, loginOverHttp, openLogin, submitLogin, testEmail } from './lib/authflow.mjs';
import { mgmtToken } from './lib/http.mjs';

const CB = 'http://127.0.0.1:9/logs-callback';
const ISO_MS = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;
let server;
let mgmt;
let web;
let user;
const t_ = (fn) => withLogs(() => server, fn);
const q = (s) => encodeURIComponent(s);

before(async () => {
  server = await startTessera();
  mgmt = await Mgmt.forBootstrap(server); // a client_credentials token: seccft
  web = await mgmt.createWebApp(CB);
  user = await mgmt.createUser({ email: testEmail('logs') });
  // A wrong password on the login page (fp), then a good login (s).
  const jar = new CookieJar();
  const login = await openLogin(server, jar, codeRequest({ clientId: web.client_id, redirectUri: CB }).params);
  const wrong = await submitLogin(jar, login, { username: user.email, password: 'Wrong!Passw0rd1' });
  assert.equal(wrong.status, 200, `wrong password: the login page again (${wrong.status})`);
  await loginOverHttp(server, { params: codeRequest({ clientId: web.client_id, redirectUri: CB }).params, email: user.email, password: user.password });
});

after(async () => {
  if (server) assert.equal(await server.stop(), 0, 'tessera should exit 0 on SIGTERM');
});

function assertEntry(e) {
  assert.equal(typeof e.log_id, 'string', JSON.stringify(e));
  assert.match(e.date, ISO_MS, `date is ISO 8601 with ms: ${JSON.stringify(e)}`);
  assert.equal(typeof e.type, 'string');
  for (const [k, v] of Object.entries(e)) assert.notEqual(v, '', `empty ${k} is omitted: ${JSON.stringify(e)}`);
}

test('q by type finds the client-credentials, wrong-password and login events', t_(async () => {
  const cc = await mgmt.get(`/logs?q=${q(`type:seccft AND client_id:${server.bootstrap.client_id}`)}`);
  assert.equal(cc.status, 200, cc.text);
  assert.ok(Array.isArray(cc.body) && cc.body.length >= 1, `seccft events: ${cc.text}`);
  for (const e of cc.body) {
    assertEntry(e);
    assert.equal(e.type, 'seccft');
    assert.equal(e.client_id, server.bootstrap.client_id);
  }

  const fp = await mgmt.get(`/logs?q=${q('type:"fp"')}`);
  assert.equal(fp.status, 200, fp.text);
  assert.equal(fp.body.length, 1, `one wrong password: ${fp.text}`);
  assertEntry(fp.body[0]);
  assert.equal(fp.body[0].user_name, user.email);
  assert.equal(fp.body[0].client_id, web.client_id);
  assert.equal(typeof fp.body[0].ip, 'string');

  const s = await mgmt.get(`/logs?q=${q(`type:s AND user_id:"${user.user_id}"`)}`);
  assert.equal(s.status, 200, s.text);
  assert.equal(s.body.length, 1, s.text);
  assert.equal(s.body[0].user_id, user.user_id);
  assert.equal(s.body[0].description, 'Successful login');

  const today = new Date().toISOString().slice(0, 10);
  const dated = await mgmt.get(`/logs?q=${q(`type:s AND date:[${today} TO *]`)}`);
  assert.equal(dated.status, 200, dated.text);
  assert.equal(dated.body.length, 1, dated.text);
  const past = await mgmt.get(`/logs?q=${q('date:[2020-01-01 TO 2020-12-31]')}`);
  assert.deepEqual(past.body, [], past.text);
}));

test('pages with include_totals, both sort orders, fields', t_(async () => {
  const all = await mgmt.get('/logs?include_totals=true&per_page=100');
  assert.equal(all.status, 200, all.text);
  const { total, logs } = all.body;
  assert.ok(total >= 3 && logs.length === total, all.text);
  assert.deepEqual([all.body.start, all.body.limit, all.body.length], [0, 100, total]);
  const dates = logs.map((e) => e.date);
  assert.deepEqual(dates, [...dates].sort().reverse(), 'newest first by default');

  const p1 = await mgmt.get('/logs?include_totals=true&per_page=1&page=1');
  assert.deepEqual([p1.body.start, p1.body.limit, p1.body.length, p1.body.total], [1, 1, 1, total]);
  assert.equal(p1.body.logs[0].log_id, logs[1].log_id);

  const asc = await mgmt.get('/logs?sort=date:1&per_page=2');
  assert.deepEqual(asc.body.map((e) => e.log_id), [logs[total - 1].log_id, logs[total - 2].log_id]);
  const past = await mgmt.get(`/logs?per_page=100&page=5`);
  assert.deepEqual(past.body, []);

  const some = await mgmt.get('/logs?fields=log_id,type&include_fields=true&per_page=3');
  for (const e of some.body) assert.deepEqual(Object.keys(e).sort(), ['log_id', 'type']);
  const without = await mgmt.get('/logs?fields=ip,user_agent&include_fields=false&per_page=3');
  for (const e of without.body) assert.ok(!('ip' in e) && !('user_agent' in e) && 'log_id' in e, JSON.stringify(e));

  const badSort = await mgmt.get('/logs?sort=type:1');
  assertMgmtError(badSort, 400, { errorCode: 'invalid_query_string', messageIncludes: 'sort' });
  const badPage = await mgmt.get('/logs?per_page=101');
  assertMgmtError(badPage, 400, { messageIncludes: 'per_page' });
}));

test('from/take: oldest first, continued after the last log_id, a bare array and a next link', t_(async () => {
  const first = await mgmt.get('/logs?take=2');
  assert.equal(first.status, 200, first.text);
  assert.ok(Array.isArray(first.body) && first.body.length === 2, first.text);
  const seen = [...first.body];
  let from = first.body[1].log_id;
  assert.match(first.headers.get('link') ?? '', new RegExp(`from=${from}&take=2>; rel="next"`));
  for (let i = 0; i < 50; i++) {
    const next = await mgmt.get(`/logs?from=${from}&take=2`);
    assert.equal(next.status, 200, next.text);
    assert.ok(Array.isArray(next.body), next.text);
    if (next.body.length === 0) break;
    seen.push(...next.body);
    from = next.body[next.body.length - 1].log_id;
  }
  const ids = seen.map((e) => e.log_id);
  assert.deepEqual(ids, [...ids].sort(), 'ascending log_id order');
  assert.equal(new Set(ids).size, ids.length, 'no entry twice');
  const all = await mgmt.get('/logs?include_totals=true&per_page=100');
  // The reads above are not logged, so the checkpoint walk saw every entry.
  assert.equal(ids.length, all.body.total);

  const badTake = await mgmt.get('/logs?from=0&take=101');
  assertMgmtError(badTake, 400, { errorCode: 'invalid_query_string', messageIncludes: 'take' });
}));

test('/logs/{id} and /users/{id}/logs', t_(async () => {
  const list = await mgmt.get('/logs?per_page=1');
  const one = await mgmt.get(`/logs/${list.body[0].log_id}`);
  assert.equal(one.status, 200, one.text);
  assert.deepEqual(one.body, list.body[0]);
  assertMgmtError(await mgmt.get('/logs/00000000000000000nope'), 404, { errorCode: 'inexistent_log' });

  const mine = await mgmt.get(`/users/${encodeURIComponent(user.user_id)}/logs?include_totals=true`);
  assert.equal(mine.status, 200, mine.text);
  assert.ok(mine.body.total >= 1 && mine.body.logs.every((e) => e.user_id === user.user_id), mine.text);
  assert.ok(mine.body.logs.some((e) => e.type === 's'), mine.text);
  const bare = await mgmt.get(`/users/${encodeURIComponent(user.user_id)}/logs?sort=date:1&per_page=1`);
  assert.equal(bare.body.length, 1);
  const nobody = await mgmt.get('/users/auth0%7Cnobody/logs');
  assert.deepEqual(nobody.body, []);
}));

test('without read:logs: 403 insufficient_scope; a bad q: 400 naming the part', t_(async () => {
  const token = await mgmtToken(server, 'read:users');
  for (const path of ['/logs', '/logs/x', `/users/${encodeURIComponent(user.user_id)}/logs`]) {
    const res = await mgmt.call('GET', path, undefined, token);
    assertMgmtError(res, 403, { errorCode: 'insufficient_scope', messageIncludes: 'Insufficient scope, expected any of: read:logs' }, path);
  }
  const field = await mgmt.get(`/logs?q=${q('ip:127.0.0.1')}`);
  assertMgmtError(field, 400, { errorCode: 'invalid_query_string', messageIncludes: "'ip'" });
  const or = await mgmt.get(`/logs?q=${q('type:s OR type:fp')}`);
  assertMgmtError(or, 400, { errorCode: 'invalid_query_string', messageIncludes: "'OR'" });
  const date = await mgmt.get(`/logs?q=${q('date:[2026-13-01 TO *]')}`);
  assertMgmtError(date, 400, { errorCode: 'invalid_query_string', messageIncludes: '2026-13-01' });
}));
