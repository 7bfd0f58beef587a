// Slow work and mail: what an anonymous caller learns from how long the
// server takes to answer when mail is involved, whether a relay that fails
// loses the mail, and whether mail can be pushed onto the network in
// plaintext.  A fake SMTP relay on 127.0.0.1 (a node net server) stalls
// or answers as each test needs; no test measures time.
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, describe, test } from 'node:test';

import { DB_CONNECTION, testEmail } from '../lib/authflow.mjs';
import { CookieJar } from '../lib/cookies.mjs';
import { findForm, hiddenFields } from '../lib/html.mjs';
import { json } from '../lib/http.mjs';
import { Mgmt } from '../lib/mgmt.mjs';
import { sleep, startTessera, withLogs } from '../lib/server.mjs';

const APP = 'http://127.0.0.1:7';
const RESET_SENT = "We've just sent you an email to reset your password.";
const PAGE_SENT = 'If an account exists for this email, we sent a link to reset the password.';
const RESET_LINK = /https?:\/\/\S+\/u\/reset-password\?ticket=[A-Za-z0-9_-]+/;
const VERIFY_LINK = /https?:\/\/\S+\/u\/email-verification\?ticket=[A-Za-z0-9_-]+/;
const WAIT_TRIES = 300; // x 100 ms
const WAIT_MS = 100;

/**
 * A fake SMTP relay on 127.0.0.1.  mode 'stall': accepts and never says a
 * word; 'answer': speaks enough SMTP to take a message (no STARTTLS
 * offered).  sessions: [{commands, ended}]; messages: the DATA received.
 */
async function startRelay(mode) {
  const relay = { mode, sessions: [], messages: [], sockets: new Set() };
  const server = net.createServer((sock) => {
    const session = { commands: [], ended: false, stalled: relay.mode === 'stall' };
    relay.sessions.push(session);
    relay.sockets.add(sock);
    sock.on('close', () => {
      session.ended = true;
      relay.sockets.delete(sock);
    });
    sock.on('error', () => {});
    if (session.stalled) return; // the greeting never comes
    let buf = '';
    let data = null;
    sock.write('220 relay.test ESMTP\r\n');
    sock.on('data', (d) => {
      buf += d.toString('utf8');
      for (;;) {
        if (data !== null) {
          const end = buf.indexOf('\r\n.\r\n');
          if (end < 0) return;
          relay.messages.push(data + buf.slice(0, end));
          buf = buf.slice(end + 5);
          data = null;
          sock.write('250 queued\r\n');
          continue;
        }
        const nl = buf.indexOf('\r\n');
        if (nl < 0) return;
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 2);
        const verb = line.slice(0, 4).toUpperCase();
        session.commands.push(verb);
        if (verb === 'EHLO') sock.write('250-relay.test\r\n250 8BITMIME\r\n');
        else if (verb === 'DATA') {
          data = '';
          sock.write('354 go ahead\r\n');
        } else if (verb === 'QUIT') {
          sock.end('221 bye\r\n');
          return;
        } else sock.write('250 ok\r\n');
      }
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  relay.port = server.address().port;
  /** Starts answering; the stalled sessions are cut, so their senders see a failure. */
  relay.release = () => {
    relay.mode = 'answer';
    for (const s of relay.sockets) s.destroy();
  };
  relay.endedCount = () => relay.sessions.filter((s) => s.ended).length;
  relay.close = () => {
    for (const s of relay.sockets) s.destroy();
    return new Promise((resolve) => server.close(resolve));
  };
  return relay;
}

/** Waits (bounded) until cond() is truthy; returns its value or throws with what. */
async function until(cond, what) {
  for (let i = 0; i < WAIT_TRIES; i++) {
    const v = cond();
    if (v) return v;
    await sleep(WAIT_MS);
  }
  throw new Error(`gave up waiting: ${what}`);
}

/** The message among relay.messages sent to `to` whose text matches re. */
function mailTo(relay, to, re) {
  return relay.messages.find((m) => m.includes(`To: ${to}`) && re.test(m));
}

/** A server sending mail to smtpUrl. */
async function mailingServer(smtpUrl, { env = {}, dataDir, port } = {}) {
  // Rate limits are not the subject here: generous ones.
  const limits = {
    TESSERA_RATE_LIMIT_RESET_PER_IP: '1000/60',
    TESSERA_RATE_LIMIT_SIGNUP_PER_IP: '1000/60',
  };
  return startTessera({ env: { TESSERA_SMTP_URL: smtpUrl, ...limits, ...env }, dataDir, port });
}

/** An SPA on the database connection and one user with a verified email. */
async function setUp(server) {
  const mgmt = await Mgmt.forBootstrap(server);
  const spa = await mgmt.createSpa(APP);
  const user = await mgmt.createUser({ email: testEmail('victim'), email_verified: true });
  return { mgmt, spa, user };
}

function changePassword(server, spa, email) {
  return json(`${server.url}dbconnections/change_password`, 'POST', {
    client_id: spa.client_id,
    email,
    connection: DB_CONNECTION,
  });
}

/** The reset request page, standalone: GET it, then POST the form with email. */
async function resetPage(server, email) {
  const jar = new CookieJar();
  const url = `${server.url}u/reset-password/request`;
  const page = await jar.fetch(url);
  assert.equal(page.status, 200, page.text);
  const f = findForm(page.text, url, 'email');
  return jar.postForm(f.action, { ...hiddenFields(f), email });
}

describe('mail and slow work: timing, lost mail, plaintext relays', () => {
  let relay;
  let server;
  let mgmt;
  let spa;
  let user;
  const extra = []; // servers and relays started by single tests
  const t_ = (fn) => withLogs(() => server, fn);

  before(async () => {
    relay = await startRelay('stall');
    server = await mailingServer(`smtp://127.0.0.1:${relay.port}`);
    ({ mgmt, spa, user } = await setUp(server));
  });

  after(async () => {
    for (const x of extra) {
      if (x.stop) await x.stop();
      else await x.close();
    }
    if (server) assert.equal(await server.stop(), 0, 'tessera should exit 0 on SIGTERM');
    if (relay) await relay.close();
  });

  test('an attacker timing change_password, signup and the reset page against a stalled mail relay gets answers that never wait for it, the same for an existing and an unknown account', t_(async () => {
    const known = await changePassword(server, spa, user.email);
    const endedAtKnown = relay.endedCount();
    const unknown = await changePassword(server, spa, testEmail('ghost'));
    const endedAtUnknown = relay.endedCount();
    assert.equal(known.status, 200, known.text);
    assert.equal(known.body, RESET_SENT);
    assert.equal(unknown.status, known.status, 'same status for an unknown account');
    assert.deepEqual(unknown.body, known.body, 'same answer for an unknown account');
    const waited = 'change_password waited for the relay: an SMTP session had ended before its answer';
    assert.equal(endedAtKnown, 0, waited);
    assert.equal(endedAtUnknown, 0, waited);

    const signup = await json(`${server.url}dbconnections/signup`, 'POST', {
      client_id: spa.client_id,
      connection: DB_CONNECTION,
      email: testEmail('newcomer'),
      password: 'Str0ng!Passw0rd',
    });
    assert.equal(signup.status, 200, signup.text);
    assert.equal(relay.endedCount(), 0, 'signup waited for its verification mail to be sent');

    const page = await resetPage(server, user.email);
    const pageGhost = await resetPage(server, testEmail('ghost'));
    assert.equal(page.status, 200, page.text);
    assert.equal(pageGhost.status, page.status, 'the reset page: same status for an unknown account');
    assert.ok(page.text.includes(PAGE_SENT) && pageGhost.text.includes(PAGE_SENT), 'the reset page says the same');
    assert.equal(relay.endedCount(), 0, 'the reset page waited for an SMTP session to end');

    // Management calls that mail (a new unverified user, the verification job) do not wait either.
    const fresh = await mgmt.createUser({ email: testEmail('unverified'), email_verified: false });
    const job = await mgmt.post('/jobs/verification-email', { user_id: fresh.user_id });
    assert.equal(job.status, 201, job.text);
    assert.equal(relay.endedCount(), 0, 'the Management API waited for an SMTP session to end');
    // The mail is on its way all the same: the relay holds a session open.
    await until(() => relay.sessions.some((s) => !s.ended), 'a session to the relay');
  }));

  test('a reset mail the relay failed to take is retried and arrives once the relay answers', t_(async () => {
    relay.release();
    const reset = await until(() => mailTo(relay, user.email, RESET_LINK), `the reset mail to ${user.email}`);
    assert.match(reset, /^Subject: Reset your password/m);
    await until(() => relay.messages.some((m) => VERIFY_LINK.test(m)), 'the signup verification mail');
  }));

  test('mail queued when the server stops (SIGTERM while the relay stalls) is delivered after the restart', t_(async () => {
    const relay2 = await startRelay('stall');
    extra.push(relay2);
    let b = await mailingServer(`smtp://127.0.0.1:${relay2.port}`);
    extra.push(b);
    const port = b.port;
    const { spa: spa2, user: user2 } = await setUp(b);
    const res = await changePassword(b, spa2, user2.email);
    assert.equal(res.status, 200, res.text);
    await until(() => relay2.sessions.length > 0, 'the worker reaching the relay');
    assert.equal(await b.stop(), 0, 'a stop while a mail hangs exits 0');
    assert.equal(relay2.messages.length, 0);
    relay2.release();
    b = await mailingServer(`smtp://127.0.0.1:${relay2.port}`, { dataDir: b.dataDir, port });
    extra.push(b);
    const mail = await until(() => mailTo(relay2, user2.email, RESET_LINK), 'the queued reset mail after the restart');
    assert.match(mail, /^Subject: Reset your password/m);
  }));

  test('a relay named by host name that offers no STARTTLS gets neither the sender nor the mail; plaintext needs --smtp-allow-plaintext', t_(async () => {
    const relay3 = await startRelay('answer');
    extra.push(relay3);
    const url = `smtp://localhost:${relay3.port}`;
    let c = await mailingServer(url);
    extra.push(c);
    const port = c.port;
    const { spa: spa3, user: user3 } = await setUp(c);
    const res = await changePassword(c, spa3, user3.email);
    assert.equal(res.status, 200, res.text);
    await until(() => relay3.sessions.some((s) => s.ended && s.commands.includes('EHLO')), 'a session that ended');
    assert.deepEqual(relay3.messages, [], 'no mail crossed in plaintext');
    const leaked = relay3.sessions.filter((s) => s.commands.some((v) => v === 'MAIL' || v === 'RCPT' || v === 'DATA' || v === 'AUTH'));
    assert.equal(leaked.length, 0, 'no MAIL/RCPT/AUTH/DATA without TLS');
    assert.equal(await c.stop(), 0);

    // With the explicit opt-out the same relay gets it: the mail waited in the queue.
    c = await mailingServer(url, { env: { TESSERA_SMTP_ALLOW_PLAINTEXT: 'true' }, dataDir: c.dataDir, port });
    extra.push(c);
    await until(() => mailTo(relay3, user3.email, RESET_LINK), 'the mail once plaintext is allowed');
    assert.match(c.stderr(), /smtp-allow-plaintext/, 'the opt-out is logged as a warning');
  }));
});
