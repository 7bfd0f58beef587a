// Slow clients: an attacker who opens connections and sends requests a byte
// at a time (slowloris) must not hold the connection table, and a request
// that trickles in must be cut by a deadline its bytes cannot extend.
//
// The attack of the measured report (clients on 10 loopback addresses, each
// holding as many half-open requests as Tessera allows and adding a header
// line now and then) runs against a server with a small table, so that it
// stays cheap; the mechanism is the one the defaults use.  A build without
// these settings has its built-in table of 4,096 connections, 512 per
// address, and is attacked at that size.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import net from 'node:net';
import { performance } from 'node:perf_hooks';
import { after, before, describe, test } from 'node:test';

import { rawRequest } from '../lib/http.mjs';
import { sleep, startTessera, tesseraBin, withLogs } from '../lib/server.mjs';

const CONFIGURABLE = execFileSync(tesseraBin(), ['--help'], { encoding: 'utf8' }).includes(
  '--max-connections',
);
const TABLE = CONFIGURABLE ? 64 : 4096;
const PER_ADDRESS = CONFIGURABLE ? 16 : 512;
const HEADER_TIMEOUT_S = 4;
const BODY_MIN_RATE = 256;
const ENV = {
  TESSERA_THREADS: '2',
  TESSERA_MAX_CONNECTIONS: String(TABLE),
  TESSERA_MAX_CONNECTIONS_PER_IP: String(PER_ADDRESS),
  TESSERA_HEADER_TIMEOUT: String(HEADER_TIMEOUT_S),
  TESSERA_BODY_MIN_RATE: String(BODY_MIN_RATE),
};

const ATTACK_ADDRESSES = Array.from({ length: 10 }, (_, i) => `127.0.0.${2 + i}`);
const TRICKLE_MS = 2000; // one more header line per connection this often
const RECONNECT_MS = 1000; // an attacker whose connection was closed opens another after this
const WARMUP_MS = 20_000; // bound on waiting for the attack to fill the table
const PROBES = 6;
const PROBE_EVERY_MS = 1500;
const ANSWER_MS = 1000; // the acceptance: a fresh client is answered within one second
const TRICKLE_BOUND = 40; // writes; at 500 ms apart, 20 s: five times the header deadline

const bad = (e) => (e && e.code) || String(e);

/**
 * Holds PER_ADDRESS trickling half-open requests from each attack address,
 * opening a new one (after RECONNECT_MS) whenever Tessera closes one.
 * Bounded: stop() ends it; each slot opens at most maxOpens connections.
 */
function startSlowloris(port, { maxOpens }) {
  const state = { stopped: false, connected: 0, opened: 0, got408: 0, sockets: new Set() };
  let wake;
  const stopped = new Promise((resolve) => {
    wake = resolve;
  });
  const holdSlot = async (localAddress, slot) => {
    for (let n = 0; n < maxOpens && !state.stopped; n++) {
      state.opened++;
      const sock = net.connect({ host: '127.0.0.1', port, localAddress });
      state.sockets.add(sock);
      let timer = null;
      let line = 0;
      let seen = '';
      const closed = new Promise((resolve) => sock.on('close', resolve));
      sock.on('error', () => {}); // writes after Tessera closed it; 'close' follows
      sock.setEncoding('latin1');
      sock.on('data', (d) => {
        if (seen.length < 64) {
          seen += d;
          if (seen.startsWith('HTTP/1.1 408')) state.got408++;
        }
      });
      sock.on('connect', () => {
        state.connected++;
        sock.write(`GET /healthz HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n`);
        timer = setInterval(() => {
          sock.write(`X-Slot-${slot}-${line++}: a\r\n`);
        }, TRICKLE_MS);
      });
      await Promise.race([closed, stopped]);
      clearInterval(timer);
      sock.destroy();
      state.sockets.delete(sock);
      if (!state.stopped) await Promise.race([sleep(RECONNECT_MS + Math.random() * 200), stopped]);
    }
  };
  const slots = [];
  for (const addr of ATTACK_ADDRESSES) {
    for (let i = 0; i < PER_ADDRESS; i++) slots.push(holdSlot(addr, i));
  }
  return {
    state,
    async stop() {
      state.stopped = true;
      wake();
      for (const s of state.sockets) s.destroy();
      let timer;
      await Promise.race([
        Promise.all(slots),
        new Promise((resolve) => {
          timer = setTimeout(resolve, 10_000);
        }),
      ]);
      clearTimeout(timer);
      for (const s of state.sockets) s.destroy();
      return state.sockets.size;
    },
  };
}

/** One GET /healthz from localAddress; resolves {outcome, head} after at most ANSWER_MS. */
function probe(port, localAddress) {
  return new Promise((resolve) => {
    const t0 = performance.now();
    const sock = net.connect({ host: '127.0.0.1', port, localAddress });
    let got = '';
    let done = false;
    const finish = (outcome) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      sock.destroy();
      resolve({ outcome, head: got.split('\r\n')[0], ms: Math.round(performance.now() - t0) });
    };
    const timer = setTimeout(() => finish(`no answer within ${ANSWER_MS} ms`), ANSWER_MS);
    sock.setEncoding('latin1');
    sock.on('connect', () => {
      sock.write(`GET /healthz HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: close\r\n\r\n`);
    });
    sock.on('data', (d) => {
      got += d;
      if (got.includes('\r\n')) finish('answered');
    });
    sock.on('error', (e) => finish(`connection error ${bad(e)}`));
    sock.on('close', () => finish('closed without an answer'));
  });
}

/**
 * Sends `first`, then next(i) every everyMs, up to maxWrites times, and reports
 * whether Tessera closed the connection meanwhile: {outcome, received, writes}.
 */
function trickle(port, { localAddress, first, next, everyMs, maxWrites }) {
  return new Promise((resolve) => {
    const sock = net.connect({ host: '127.0.0.1', port, localAddress });
    let received = '';
    let writes = 0;
    let interval = null;
    let done = false;
    const finish = (outcome) => {
      if (done) return;
      done = true;
      clearInterval(interval);
      clearTimeout(bound);
      sock.destroy();
      resolve({ outcome, received, writes });
    };
    const bound = setTimeout(() => finish('no outcome (bound)'), everyMs * maxWrites + 15_000);
    sock.setEncoding('latin1');
    sock.on('data', (d) => {
      received += d;
    });
    sock.on('error', () => {}); // a write after Tessera closed it; 'close' follows
    sock.on('close', () => finish('closed'));
    sock.on('connect', () => {
      sock.write(first);
      interval = setInterval(() => {
        if (writes >= maxWrites) {
          finish('still open');
          return;
        }
        sock.write(next(writes));
        writes++;
      }, everyMs);
    });
  });
}

/** Reads one whole response (Content-Length framed) from a kept-alive socket. */
function readResponse(sock, timeoutMs) {
  return new Promise((resolve, reject) => {
    let buf = '';
    const onData = (d) => {
      buf += d;
      const end = buf.indexOf('\r\n\r\n');
      if (end < 0) return;
      const len = Number(/\r\ncontent-length: *(\d+)/i.exec(buf.slice(0, end))?.[1] ?? 0);
      if (buf.length >= end + 4 + len) {
        cleanup();
        resolve(buf.split('\r\n')[0]);
      }
    };
    const onClose = () => {
      cleanup();
      reject(new Error(`connection closed before a whole response (${JSON.stringify(buf.slice(0, 80))})`));
    };
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`no whole response within ${timeoutMs} ms`));
    }, timeoutMs);
    const cleanup = () => {
      clearTimeout(timer);
      sock.off('data', onData);
      sock.off('close', onClose);
    };
    sock.on('data', onData);
    sock.on('close', onClose);
  });
}

function assertCut(res, what) {
  assert.equal(
    res.outcome,
    'closed',
    `${what}: Tessera still read it after ${res.writes} writes (${res.outcome}); received ${JSON.stringify(res.received.slice(0, 80))}`,
  );
  assert.ok(res.writes >= 2, `${what}: cut after only ${res.writes} writes, before it trickled`);
  if (res.received !== '') {
    assert.match(res.received, /^HTTP\/1\.1 408 /, `${what}: answered ${res.received.split('\r\n')[0]}`);
    assert.match(res.received, /\r\nConnection: close\r\n/i);
    assert.match(res.received, /"error":"request_timeout"/);
  }
}

describe('slow clients (slowloris)', () => {
  let server;
  const t_ = (fn) => withLogs(() => server, fn);

  before(async () => {
    server = await startTessera({ env: ENV });
  });

  after(async () => {
    if (server) assert.equal(await server.stop(), 0, 'tessera should exit 0 on SIGTERM');
  });

  test(
    'clients on 10 addresses trickling half-open requests into every slot: a fresh address is still answered within 1 s',
    t_(async () => {
      const slots = ATTACK_ADDRESSES.length * PER_ADDRESS;
      const attackMs = WARMUP_MS + PROBES * (PROBE_EVERY_MS + ANSWER_MS) + 5000;
      const attack = startSlowloris(server.port, { maxOpens: Math.ceil(attackMs / RECONNECT_MS) + 2 });
      const results = [];
      let left;
      try {
        const want = Math.min(slots, TABLE);
        for (let waited = 0; attack.state.connected < want && waited < WARMUP_MS; waited += 100) {
          await sleep(100);
        }
        assert.ok(
          attack.state.connected >= want,
          `the attack opened only ${attack.state.connected} of ${want} connections`,
        );
        await sleep(1000);
        for (let i = 0; i < PROBES; i++) {
          results.push({ addr: `127.0.0.${100 + i}`, ...(await probe(server.port, `127.0.0.${100 + i}`)) });
          await sleep(PROBE_EVERY_MS);
        }
      } finally {
        left = await attack.stop();
      }
      assert.equal(left, 0, 'every attack connection is closed');
      const summary = `attack: ${attack.state.opened} opened, ${attack.state.connected} connected, ${attack.state.got408} got 408`;
      for (const [i, r] of results.entries()) {
        assert.equal(
          r.outcome,
          'answered',
          `probe ${i + 1} of ${PROBES} from fresh address ${r.addr}: ${r.outcome} (${summary})`,
        );
        assert.equal(r.head, 'HTTP/1.1 200 OK', `probe ${i + 1} from ${r.addr}: ${r.head}`);
      }
      // Tessera serves everyone again once the attack ends.
      const after = await probe(server.port, '127.0.0.120');
      assert.equal(after.outcome, 'answered', `after the attack: ${after.outcome}`);
    }),
  );

  test(
    'a request header trickled one line at a time past the header deadline: 408 and closed, though bytes kept arriving',
    t_(async () => {
      const res = await trickle(server.port, {
        localAddress: '127.0.0.30',
        first: `GET /healthz HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\n`,
        next: (i) => `X-Trickle-${i}: a\r\n`,
        everyMs: 500,
        maxWrites: TRICKLE_BOUND,
      });
      assertCut(res, 'a trickled header');

      // A kept-alive connection whose requests arrive in time is not harmed: three requests,
      // a second apart (well inside the header deadline), on one connection.
      const sock = net.connect({ host: '127.0.0.1', port: server.port, localAddress: '127.0.0.31' });
      sock.setEncoding('latin1');
      sock.on('error', () => {});
      try {
        await new Promise((resolve, reject) => {
          sock.once('connect', resolve);
          sock.once('error', reject);
        });
        for (let i = 0; i < 3; i++) {
          if (i > 0) await sleep(1000);
          const answer = readResponse(sock, 10_000);
          sock.write(`GET /healthz HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\n\r\n`);
          assert.equal(await answer, 'HTTP/1.1 200 OK', `kept-alive request ${i + 1}`);
        }
      } finally {
        sock.destroy();
      }
    }),
  );

  test(
    'a request body sent below the minimum rate: cut with 408, while a large body sent at once gets its answer',
    t_(async () => {
      const res = await trickle(server.port, {
        localAddress: '127.0.0.32',
        first:
          `POST /oauth/token HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\n` +
          'Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 100000\r\n\r\ngrant_type=',
        next: () => 'aaaaaaaa', // 16 bytes/s, far below the minimum rate
        everyMs: 500,
        maxWrites: TRICKLE_BOUND,
      });
      assertCut(res, 'a trickled body');

      const big = await rawRequest(`${server.url}oauth/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: `grant_type=client_credentials&padding=${'x'.repeat(900_000)}`,
      });
      assert.notEqual(big.status, 408, `a large body sent at once: ${big.status} ${big.text.slice(0, 120)}`);
      assert.ok(big.status >= 400 && big.status < 500, `a large body sent at once: ${big.status}`);
      assert.equal(typeof big.body?.error, 'string', `an OAuth error body: ${big.text.slice(0, 120)}`);
    }),
  );
});
