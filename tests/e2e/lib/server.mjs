// Harness: starts and stops a real `tessera serve` on 127.0.0.1 for the
// end-to-end suites.  Every wait here is bounded in count and time.
import { spawn } from 'node:child_process';
import https from 'node:https';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { makeTestCa } from './tls.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const REPO_ROOT = path.resolve(HERE, '..', '..', '..');

const HEALTH_TRIES = 100;
const HEALTH_INTERVAL_MS = 100;
const STOP_TIMEOUT_MS = 10_000;
const KILL_TIMEOUT_MS = 5_000;

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** The binary under test: $TESSERA_BIN, else the tests' build-check/tessera, else make run's build/tessera. */
export function tesseraBin() {
  const fromEnv = process.env.TESSERA_BIN;
  const checkBin = path.join(REPO_ROOT, 'build-check', 'tessera');
  const bin = fromEnv
    ? path.resolve(fromEnv)
    : existsSync(checkBin) ? checkBin : path.join(REPO_ROOT, 'build', 'tessera');
  if (!existsSync(bin)) {
    throw new Error(
      `tessera binary not found at ${bin}; build it and set TESSERA_BIN=/abs/path/to/tessera`,
    );
  }
  return bin;
}

/** A port that was free a moment ago on 127.0.0.1. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

// Every process and temp dir this file created, so that a crashed test
// never leaves a server behind.
const live = new Set();
const tempDirs = new Set();
process.on('exit', () => {
  for (const proc of live) {
    try {
      proc.kill('SIGKILL');
    } catch {
      /* already gone */
    }
  }
  if (process.env.TESSERA_E2E_KEEP !== '1') {
    for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
  }
});

/** A fresh temp data dir (removed when the test process exits). */
export function makeDataDir() {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tessera-e2e-'));
  tempDirs.add(dir);
  return dir;
}

/**
 * Rate limits for suites whose subject they are not: high enough that no
 * suite reaches them however slow the machine.  A suite about limits sets
 * its own through env (these are environment settings, so a binary that
 * does not know them still starts).
 */
export const GENEROUS_LIMITS = {
  TESSERA_RATE_LIMIT_LOGIN_PER_IP: '1000000/1',
  TESSERA_RATE_LIMIT_LOGIN_PER_TENANT: '1000000/1',
  TESSERA_RATE_LIMIT_SIGNUP_PER_IP: '1000000/1',
  TESSERA_RATE_LIMIT_SIGNUP_PER_TENANT: '1000000/1',
  TESSERA_RATE_LIMIT_RESET_PER_IP: '1000000/1',
  TESSERA_RATE_LIMIT_RESET_PER_TENANT: '1000000/1',
  TESSERA_RATE_LIMIT_RESET_PER_ACCOUNT: '1000000/1',
  TESSERA_RATE_LIMIT_MGMT_PER_CLIENT: '1000000/1',
  TESSERA_ACCOUNT_THROTTLE_FAILURES: '1000000',
};

/** The environment for the child: ours minus any TESSERA_* setting, plus the generous limits and env. */
function childEnv(extra) {
  const env = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (k.startsWith('TESSERA_') && k !== 'TESSERA_BIN') continue;
    env[k] = v;
  }
  return { ...env, ...GENEROUS_LIMITS, ...(extra ?? {}) };
}

function tail(text, lines = 40) {
  const all = text.split('\n');
  return all.slice(Math.max(0, all.length - lines)).join('\n');
}

/**
 * Spawns `tessera serve` without waiting for it to become healthy.
 * Returns {proc, port, url, dataDir, exited, stdout(), stderr(), logs()}.
 * `exited` resolves with {code, signal} when the process ends.
 * tls: true (a fresh test CA) or {certPath, keyPath, ca} from lib/tls.mjs serves
 * HTTPS with an https public URL; the handle's tls has the CA.
 * bin: another binary than tesseraBin() (an installed copy).
 */
export async function spawnTessera({ dataDir, env, args, port, tls: tlsOpt, bin: binOpt } = {}) {
  const tls = tlsOpt === true ? makeTestCa() : tlsOpt;
  const bin = binOpt ?? tesseraBin();
  const dir = dataDir ?? makeDataDir();
  const p = port ?? (await freePort());
  const url = `${tls ? 'https' : 'http'}://127.0.0.1:${p}/`;
  const argv = [
    'serve',
    '--listen',
    `127.0.0.1:${p}`,
    '--public-url',
    url,
    '--data-dir',
    dir,
    '--log-level',
    'info',
    ...(tls ? ['--tls-cert', tls.certPath, '--tls-key', tls.keyPath] : []),
    ...(args ?? []),
  ];
  const proc = spawn(bin, argv, { env: childEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
  live.add(proc);
  let out = '';
  let err = '';
  proc.stdout.setEncoding('utf8');
  proc.stderr.setEncoding('utf8');
  proc.stdout.on('data', (d) => {
    out += d;
  });
  proc.stderr.on('data', (d) => {
    err += d;
  });
  const exited = new Promise((resolve) => {
    proc.on('error', (e) => {
      err += `\n[harness] spawn error: ${e.message}\n`;
    });
    // 'close' fires after the stdio streams end, so the logs are complete.
    proc.on('close', (code, signal) => {
      live.delete(proc);
      resolve({ code, signal });
    });
  });
  let exitInfo = null;
  exited.then((info) => {
    exitInfo = info;
  });
  return {
    proc,
    port: p,
    url,
    tls: tls ?? null,
    dataDir: dir,
    argv: [bin, ...argv],
    exited,
    hasExited: () => exitInfo !== null,
    exitInfo: () => exitInfo,
    stdout: () => out,
    stderr: () => err,
    logs: () => ({ stdout: out, stderr: err }),
    stderrTail: (n) => tail(err, n),
  };
}

/** Waits (bounded) for the process to exit.  Resolves {code, signal} or null on timeout. */
export async function waitForExit(handle, timeoutMs) {
  let timer;
  const timeout = new Promise((resolve) => {
    timer = setTimeout(() => resolve(null), timeoutMs);
  });
  const result = await Promise.race([handle.exited, timeout]);
  clearTimeout(timer);
  return result;
}

/**
 * One HTTPS request trusting only the test CA (node's fetch cannot take a CA
 * without undici's Agent).  Resolves {status, headers, text}; rejects on a
 * TLS or network error.  opts: method, headers, body, ca, timeoutMs.
 */
export function httpsRequest(url, { method = 'GET', headers = {}, body, ca, timeoutMs = 5000 } = {}) {
  return new Promise((resolve, reject) => {
    const req = https.request(url, { method, headers, ca, timeout: timeoutMs }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d) => {
        text += d;
      });
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, text }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`timeout after ${timeoutMs} ms: ${url}`)));
    req.on('error', reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

async function fetchStatus(url, tls) {
  if (tls) {
    try {
      return (await httpsRequest(url, { ca: tls.ca, timeoutMs: 1000 })).status;
    } catch {
      return 0;
    }
  }
  const ctl = new AbortController();
  const timer = setTimeout(() => ctl.abort(), 1000);
  try {
    const res = await fetch(url, { signal: ctl.signal });
    await res.arrayBuffer();
    return res.status;
  } catch {
    return 0;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Starts Tessera and waits for GET /healthz to answer 200, then reads
 * DATA_DIR/bootstrap-client.json.
 * Options: dataDir (reuse to restart), port (reuse to restart), env, args, bin,
 * tls ({certPath, keyPath, ca} from lib/tls.mjs: HTTPS, https public URL).
 */
export async function startTessera(opts = {}) {
  const h = await spawnTessera(opts);
  const describe = () =>
    `tessera ${h.argv.join(' ')}\n--- stderr tail ---\n${h.stderrTail()}\n--- stdout tail ---\n${tail(
      h.stdout(),
      10,
    )}`;

  let healthy = false;
  for (let i = 0; i < HEALTH_TRIES && !h.hasExited(); i++) {
    if ((await fetchStatus(`${h.url}healthz`, h.tls)) === 200) {
      healthy = true;
      break;
    }
    await sleep(HEALTH_INTERVAL_MS);
  }
  if (!healthy) {
    if (!h.hasExited()) {
      h.proc.kill('SIGKILL');
      await waitForExit(h, KILL_TIMEOUT_MS);
    }
    const info = h.exitInfo();
    throw new Error(
      `tessera did not become healthy on ${h.url}healthz ` +
        `(${info ? `exited code=${info.code} signal=${info.signal}` : 'no 200 after 100 tries'})\n${describe()}`,
    );
  }

  // The bootstrap file is written before the server listens; allow a short
  // bounded grace in case it is written just after.
  const bootstrapPath = path.join(h.dataDir, 'bootstrap-client.json');
  let bootstrap = null;
  for (let i = 0; i < 20 && bootstrap === null; i++) {
    if (existsSync(bootstrapPath)) {
      try {
        bootstrap = JSON.parse(readFileSync(bootstrapPath, 'utf8'));
      } catch {
        bootstrap = null;
      }
    }
    if (bootstrap === null) await sleep(50);
  }
  if (bootstrap === null) {
    h.proc.kill('SIGKILL');
    await waitForExit(h, KILL_TIMEOUT_MS);
    throw new Error(`${bootstrapPath} missing or not JSON after healthz answered\n${describe()}`);
  }

  const server = {
    ...h,
    bootstrap,
    bootstrapPath,
    dbPath: path.join(h.dataDir, 'tessera.db'),
    describe,
    /** SIGTERM; resolves with the exit code (null when it had to be killed). */
    async stop() {
      if (h.hasExited()) return h.exitInfo().code;
      h.proc.kill('SIGTERM');
      const info = await waitForExit(h, STOP_TIMEOUT_MS);
      if (info === null) {
        h.proc.kill('SIGKILL');
        await waitForExit(h, KILL_TIMEOUT_MS);
        throw new Error(`tessera did not exit within ${STOP_TIMEOUT_MS} ms of SIGTERM\n${describe()}`);
      }
      return info.code;
    },
    /** SIGKILL; resolves when the process is gone. */
    async kill9() {
      if (h.hasExited()) return h.exitInfo();
      h.proc.kill('SIGKILL');
      return waitForExit(h, KILL_TIMEOUT_MS);
    },
  };
  return server;
}

/**
 * Wraps a test body so that a failure carries the server's stderr tail.
 * getServer is a function so that a server (re)started later is seen.
 */
export function withLogs(getServer, fn) {
  return async (t) => {
    try {
      return await fn(t);
    } catch (e) {
      const s = getServer();
      if (s && e && typeof e === 'object') {
        const extra = `\n--- tessera stderr tail (${s.url}) ---\n${s.stderrTail(30)}`;
        try {
          e.message = `${e.message}${extra}`;
        } catch {
          /* read-only message */
        }
      }
      throw e;
    }
  };
}
