// Tokens verified per second: libtessera-verify (C) against jose (Node) on the
// same 10,000 RS256 and 10,000 ES256 tokens, in one run, with OpenSSL's own
// verify rate on this machine beside them as the limit.  Prints a table and
// the ratios (with --json: the rows as JSON); asserts nothing about speed.
// Every rate is per CPU second, the time base of `openssl speed` (CPU user
// time unless -elapsed): the C verifier's thread, jose's whole process (its
// WebCrypto calls may run on libuv's worker threads).  A wall-clock rate
// falls when other work shares the cores while OpenSSL's does not; the
// wall-clock rates are in the rows too (c_wall, jose_wall).
// bench/run.mjs calls verifyBench() as one part of `make bench`.
//
//   node bench/verify.mjs [--json] [path/to/tessera-verify-bench]
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as jose from 'jose';

import { onCleanup, track } from './lib/procs.mjs';

const COUNT = 10_000;
const AUDIENCE = 'https://bench.tessera.test/api';

async function keysAndTokens(alg, issuer, kid) {
  const { publicKey, privateKey } = await jose.generateKeyPair(alg, { extractable: true });
  const jwk = { ...(await jose.exportJWK(publicKey)), kid, alg, use: 'sig' };
  const now = Math.floor(Date.now() / 1000);
  const tokens = [];
  for (let i = 0; i < COUNT; i++) {
    tokens.push(
      await new jose.SignJWT({ scope: 'read:messages', n: i })
        .setProtectedHeader({ alg, kid, typ: 'JWT' })
        .setIssuer(issuer).setAudience(AUDIENCE).setSubject(`auth0|bench${i}`)
        .setIssuedAt(now).setExpirationTime(now + 3600)
        .sign(privateKey),
    );
  }
  return { jwk, tokens };
}

/* Discovery and JWKS for the C verifier; the keys are set once the tokens exist. */
function serve(state) {
  const server = http.createServer((req, res) => {
    const issuer = `http://127.0.0.1:${server.address().port}/`;
    const body = req.url === '/.well-known/openid-configuration'
      ? { issuer, jwks_uri: `${issuer}.well-known/jwks.json` }
      : req.url === '/.well-known/jwks.json' ? state.jwks : null;
    res.writeHead(body ? 200 : 404, { 'content-type': 'application/json', 'cache-control': 'max-age=3600' });
    res.end(JSON.stringify(body ?? {}));
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

function runC(bin, issuer, alg, file) {
  return new Promise((resolve, reject) => {
    const child = track(spawn(bin, [issuer, AUDIENCE, alg, file], { stdio: ['ignore', 'pipe', 'inherit'] }));
    let out = '';
    child.stdout.on('data', (d) => { out += d; });
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(new Error(`${bin}: ${e.message}`));
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code !== 0) reject(new Error(`${bin} exited ${code}`));
      else resolve(JSON.parse(out));
    });
  });
}

async function runJose(jwks, issuer, tokens) {
  const keySet = jose.createLocalJWKSet(jwks);
  const check = (t) => jose.jwtVerify(t, keySet, { issuer, audience: AUDIENCE });
  for (const t of tokens) await check(t); // warm up, same as the C side
  const t0 = process.hrtime.bigint();
  const cpu0 = process.cpuUsage();
  for (const t of tokens) await check(t);
  const cpu = process.cpuUsage(cpu0);
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  return { seconds, cpu_seconds: cpuSeconds, per_second: tokens.length / cpuSeconds, per_wall_second: tokens.length / seconds };
}

function opensslVerifyRate(what) {
  try {
    // `-seconds 2` per operation: sign then verify, 4 s and start-up; 60 s bounds a stuck one.
    const out = execFileSync('openssl', ['speed', '-seconds', '2', what], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 60_000, killSignal: 'SIGKILL' });
    const line = out.split('\n').reverse().find((l) => /^\s*(rsa|\d+ bits ecdsa)/.test(l));
    const nums = line.trim().split(/\s+/).filter((x) => /^[\d.]+$/.test(x)).map(Number);
    return nums[nums.length - 1]; // the last column is verify/s
  } catch {
    return NaN;
  }
}

/**
 * Both verifiers on the same tokens; resolves [{alg, c, jose, ratio, openssl}]
 * (tokens per second; openssl is its one-thread verify rate for the key type).
 */
export async function verifyBench(bin, workDir = tmpdir()) {
  const state = { jwks: { keys: [] } };
  const server = await serve(state);
  let dir = null;
  let dropCleanup = () => {};
  try {
    const issuer = `http://127.0.0.1:${server.address().port}/`;
    const rs = await keysAndTokens('RS256', issuer, 'bench-rs');
    const es = await keysAndTokens('ES256', issuer, 'bench-es');
    const jwks = { keys: [rs.jwk, es.jwk] };
    state.jwks = jwks;

    // The token files (~10 MB), removed at the end and on SIGINT/SIGTERM/SIGHUP.
    dir = mkdtempSync(path.join(workDir, 'tessera-verify-'));
    const d = dir;
    dropCleanup = onCleanup(() => rmSync(d, { recursive: true, force: true }));
    const rows = [];
    for (const [alg, set, limit] of [['RS256', rs, 'rsa2048'], ['ES256', es, 'ecdsap256']]) {
      const file = path.join(dir, `${alg}.tokens`);
      writeFileSync(file, set.tokens.join('\n'));
      const c = await runC(bin, issuer, alg, file);
      const j = await runJose(jwks, issuer, set.tokens);
      rows.push({
        alg, c: c.per_second, jose: j.per_second, ratio: c.per_second / j.per_second, openssl: opensslVerifyRate(limit),
        c_wall: c.per_wall_second, jose_wall: j.per_wall_second,
      });
    }
    return rows;
  } finally {
    server.close();
    dropCleanup();
    if (dir) rmSync(dir, { recursive: true, force: true });
  }
}

export function verifyTable(rows) {
  const fmt = (n) => (Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : 'n/a');
  const lines = [
    `${COUNT.toLocaleString('en-US')} tokens per algorithm, one thread each, same tokens for both, per CPU second`,
    'alg     libtessera-verify/s   jose/s      ratio   openssl verify/s (limit)',
  ];
  for (const r of rows) {
    lines.push(`${r.alg.padEnd(7)} ${fmt(r.c).padStart(19)} ${fmt(r.jose).padStart(9)} ${r.ratio.toFixed(2).padStart(8)}x ${fmt(r.openssl).padStart(12)}`);
  }
  return lines.join('\n');
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const asJson = args[0] === '--json';
  if (asJson) args.shift();
  const rows = await verifyBench(args[0] ?? path.resolve('build-bench/bench/tessera-verify-bench'));
  console.log(asJson ? JSON.stringify(rows) : verifyTable(rows));
}
