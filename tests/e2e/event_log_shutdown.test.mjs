// The event log's writer (core/event_writer.h): a failed login is in
// /api/v2/logs as soon as its answer arrives, the brute-force lock counts
// concurrent failures exactly, and a SIGTERM under load writes every event
// it answered for: each 200 token answer has exactly one seccft row after
// the restart (plus one for each answer the stop cut off on its way, which
// the server logs as aborted), and the server exits 0.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { startTessera, withLogs } from './lib/server.mjs';
import { Mgmt } from './lib/mgmt.mjs';
import { tokenPost } from './lib/http.mjs';
import { CookieJar } from './lib/cookies.mjs';
import { alertTexts } from './lib/html.mjs';
import { WRONG_CREDENTIALS, codeRequest, openLogin, submitLogin, testEmail } from './lib/authflow.mjs';
import { countWhere, sqlText } from './lib/db.mjs';

const CB = 'http://127.0.0.1:9/events-callback';
const CLIENTS = 16; // concurrent token clients
const PER_CLIENT = 150; // most token requests each sends (bounded)
const SIGTERM_AFTER = 400; // 200 answers before the SIGTERM
const ATTEMPTS = 10; // lockout-attempts (the default)

let server;
let mgmt;
let web;
const t_ = (fn) => withLogs(() => server, fn);
const q = (s) => encodeURIComponent(s);

before(async () => {
  server = await startTessera();
  mgmt = await Mgmt.forBootstrap(server);
  web = await mgmt.createWebApp(CB);
});

after(async () => {
  if (server && !server.hasExited()) assert.equal(await server.stop(), 0, 'tessera should exit 0 on SIGTERM');
});

async function loginForm() {
  const jar = new CookieJar();
  const login = await openLogin(server, jar, codeRequest({ clientId: web.client_id, redirectUri: CB }).params);
  return { jar, login };
}

/** The fp events of a name, through the Management API. */
async function fpCount(email) {
  const res = await mgmt.get(`/logs?per_page=100&q=${q(`type:"fp"`)}`);
  assert.equal(res.status, 200, res.text);
  return res.body.filter((e) => e.user_name === email).length;
}

test('a failed login is in /api/v2/logs right after its answer', t_(async () => {
  const user = await mgmt.createUser({ email: testEmail('ryw') });
  const { jar, login } = await loginForm();
  for (let i = 1; i <= 5; i++) {
    const res = await submitLogin(jar, login, { username: user.email, password: `Wrong!Passw0rd${i}` });
    assert.equal(res.status, 200, `attempt ${i}`);
    assert.deepEqual(alertTexts(res.text), [WRONG_CREDENTIALS], `attempt ${i} message`);
    assert.equal(await fpCount(user.email), i, `fp events listed right after attempt ${i}`);
  }
  const byUser = await mgmt.get(`/users/${encodeURIComponent(user.user_id)}/logs?per_page=100`);
  assert.equal(byUser.status, 200, byUser.text);
}));

/** Sends n wrong passwords for email at once, each from its own login form; returns the answers. */
async function concurrentFailures(email, n) {
  const forms = [];
  for (let i = 0; i < n; i++) forms.push(await loginForm());
  return Promise.all(forms.map(({ jar, login }, i) => submitLogin(jar, login, { username: email, password: `Wrong!Passw0rd${i}` })));
}

test('the brute-force lock counts concurrent failures exactly', t_(async () => {
  // One short of the count: the right password still gets in.
  const under = await mgmt.createUser({ email: testEmail('under') });
  for (const res of await concurrentFailures(under.email, ATTEMPTS - 1)) {
    assert.deepEqual(alertTexts(res.text), [WRONG_CREDENTIALS], 'a wrong password');
  }
  let { jar, login } = await loginForm();
  const ok = await submitLogin(jar, login, { username: under.email, password: under.password });
  assert.ok(ok.status === 302 || ok.status === 303, `${ATTEMPTS - 1} failures do not lock: ${ok.status} ${alertTexts(ok.text).join(' ')}`);

  // Exactly the count, all at once: the next attempt, with the right password, is refused.
  const at = await mgmt.createUser({ email: testEmail('at') });
  for (const res of await concurrentFailures(at.email, ATTEMPTS)) {
    assert.deepEqual(alertTexts(res.text), [WRONG_CREDENTIALS], 'a wrong password');
  }
  ({ jar, login } = await loginForm());
  const locked = await submitLogin(jar, login, { username: at.email, password: at.password });
  assert.equal(locked.status, 200, 'the right password is refused once the count is reached');
  assert.match(alertTexts(locked.text).join(' '), /Too many wrong passwords/, 'the page says why');
  assert.equal(await fpCount(at.email), ATTEMPTS, 'each failure recorded once');
}));

test('SIGTERM under load: every 200 token answer has exactly one seccft row after the restart', t_(async (t) => {
  const { api, client } = await mgmt.m2m();
  let oks = 0;
  let failures = 0;
  let stopping = false;
  let signalled;
  const signalledAt = new Promise((resolve) => { signalled = resolve; });
  const worker = async () => {
    for (let i = 0; i < PER_CLIENT; i++) {
      let res;
      try {
        res = await tokenPost(server, { clientId: client.client_id, clientSecret: client.client_secret, audience: api.identifier });
      } catch {
        failures++; // refused or reset once the server stops listening
        if (stopping) return;
        continue;
      }
      if (res.status === 200) oks++;
      else assert.ok(stopping, `token answer before the stop: ${res.status} ${res.text}`);
      if (oks >= SIGTERM_AFTER && !stopping) {
        stopping = true;
        server.proc.kill('SIGTERM'); // the other clients still have requests in flight
        signalled();
      }
    }
  };
  const workers = Array.from({ length: CLIENTS }, worker);
  await Promise.race([signalledAt, Promise.all(workers)]);
  assert.ok(stopping, `SIGTERM sent after ${SIGTERM_AFTER} answers (got ${oks}, ${failures} failures)`);
  await Promise.all(workers);
  t.diagnostic(`${oks} token answers, ${failures} requests refused after the SIGTERM`);
  const code = await server.stop();
  assert.equal(code, 0, 'exit status after SIGTERM');
  assert.match(server.stderr(), /"msg":"event log written"[^\n]*"dropped":0/, 'the writer dropped nothing');

  const where = `FROM events WHERE type = 'seccft' AND client_id = ${sqlText(client.client_id)}`;
  const rows = countWhere(server.dbPath, `SELECT count(*) ${where}`);
  // A request answered while its connection was being closed by the stop is logged
  // "aborted": its event is stored, but its 200 never arrived.
  const aborted = server.stderr().split('\n').filter((l) =>
    l.includes('"msg":"request"') && l.includes('"status":200') && l.includes('"aborted":true') && l.includes(`"client_id":"${client.client_id}"`)).length;
  assert.equal(rows, oks + aborted, `seccft rows (${rows}) = 200 answers received (${oks}) + answered but aborted (${aborted}); ${failures} requests failed after the SIGTERM`);
  assert.equal(countWhere(server.dbPath, `SELECT count(DISTINCT id) ${where}`), rows, 'no row twice');

  server = await startTessera({ dataDir: server.dataDir, port: server.port });
  mgmt = await Mgmt.forBootstrap(server);
  const listed = await mgmt.get(`/logs?include_totals=true&per_page=1&q=${q(`type:seccft AND client_id:${client.client_id}`)}`);
  assert.equal(listed.status, 200, listed.text);
  assert.equal(listed.body.total, rows, 'the Management API counts the same after the restart');
}));
