// Child processes of the benchmark: started on 127.0.0.1, every one killed
// at the end or on failure, and measured through /proc (CPU time, RSS).
import { spawn, execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * Rate limits and the account throttle high enough that no bench run reaches
 * them (the settings tests/e2e/lib/server.mjs gives suites whose subject they
 * are not): a benchmark measures the work of a request, not the limiter
 * refusing a flood from one address.
 */
export const BENCH_LIMITS = {
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

/** This process's environment without its TESSERA_* settings, plus BENCH_LIMITS. */
export function tesseraEnv() {
  const e = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('TESSERA_')) e[k] = v;
  return { ...e, ...BENCH_LIMITS };
}

// Every child of the bench (tracked here, wherever it was spawned) and every
// work directory to remove: both are dealt with on exit and on SIGINT, SIGTERM
// or SIGHUP, after which the bench exits 128 + the signal's number.
const live = new Map(); // ChildProcess -> {group}
const cleanups = new Set();

/**
 * Tracks a child spawned elsewhere (execFile, spawn) until it closes.  group:
 * it was spawned detached and leads its own process group (nginx's master
 * and workers), which is signalled as a whole.
 */
export function track(proc, { group = false } = {}) {
  live.set(proc, { group });
  proc.on('close', () => live.delete(proc));
  proc.on('error', () => {
    if (proc.pid === undefined) live.delete(proc);
  });
  return proc;
}

function signal(proc, sig) {
  const { group } = live.get(proc) ?? {};
  try {
    if (group && proc.pid) process.kill(-proc.pid, sig);
    else proc.kill(sig);
  } catch {
    /* already gone */
  }
}

/** Runs fn (synchronous: it may run from the exit handler) once, at exit or on a signal, unless dropped. */
export function onCleanup(fn) {
  cleanups.add(fn);
  return () => cleanups.delete(fn);
}

function cleanUp() {
  for (const p of live.keys()) signal(p, 'SIGKILL');
  for (const fn of cleanups) {
    cleanups.delete(fn);
    try {
      fn();
    } catch {
      /* best effort */
    }
  }
}
process.on('exit', cleanUp);
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(sig, () => {
    process.stderr.write(`[bench] ${sig}: stopping children and removing the work directory\n`);
    cleanUp();
    process.exit(128 + os.constants.signals[sig]);
  });
}

/** A port that was free a moment ago on 127.0.0.1. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/**
 * Spawns a tracked child; output is kept (the last 64 KiB) for error messages.
 * group: spawn it detached as the leader of its own process group, stopped
 * with stopSignal sent to the whole group (a master that forks workers).
 */
export function start(cmd, args, { env, cwd, stdin = 'ignore', group = false, stopSignal = 'SIGTERM' } = {}) {
  const proc = spawn(cmd, args, { env: env ?? process.env, cwd, stdio: [stdin, 'pipe', 'pipe'], detached: group });
  track(proc, { group });
  const h = { proc, pid: proc.pid, out: '', err: '', code: undefined };
  const keep = (k) => (d) => {
    h[k] = (h[k] + d).slice(-65536);
  };
  proc.stdout.setEncoding('utf8').on('data', keep('out'));
  proc.stderr.setEncoding('utf8').on('data', keep('err'));
  h.exited = new Promise((resolve) => {
    // A command that cannot start emits 'error' and may never emit 'close'.
    proc.on('error', (e) => {
      h.err += `\nspawn error: ${e.message}`;
      if (proc.pid === undefined) {
        h.code = 'spawn-error';
        resolve(h.code);
      }
    });
    proc.on('close', (code, signal) => {
      h.code = code ?? signal;
      resolve(h.code);
    });
  });
  /** stopSignal, then SIGKILL (to the group too) after 10 s; resolves with the exit code or signal. */
  h.stop = async () => {
    if (h.code !== undefined) return h.code;
    signal(proc, stopSignal);
    const t = setTimeout(() => signal(proc, 'SIGKILL'), 10_000);
    const c = await h.exited;
    clearTimeout(t);
    // A group's workers may outlive their master: none is left listening.
    if (group) {
      try {
        process.kill(-proc.pid, 'SIGKILL');
      } catch {
        /* the group is gone */
      }
    }
    return c;
  };
  return h;
}

/** Runs a command to its end (bounded); resolves {code, out, err}. */
export async function run(cmd, args, { timeoutMs = 120_000, env, cwd } = {}) {
  const h = start(cmd, args, { env, cwd });
  const t = setTimeout(() => signal(h.proc, 'SIGKILL'), timeoutMs);
  const code = await h.exited;
  clearTimeout(t);
  return { code, out: h.out, err: h.err };
}

/** Polls url until it answers `status` (100 tries, 100 ms apart). */
export async function waitHttp(url, h, status = 200) {
  for (let i = 0; i < 100; i++) {
    if (h.code !== undefined) throw new Error(`exited (${h.code}) before answering ${url}: ${h.err.slice(-2000)}`);
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(1000) });
      await res.arrayBuffer();
      if (res.status === status) return;
    } catch {
      /* not up yet */
    }
    await sleep(100);
  }
  throw new Error(`no ${status} from ${url} after 100 tries: ${h.err.slice(-2000)}`);
}

const TICKS = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/** utime + stime of the whole process (every thread), in seconds. */
export function cpuSeconds(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) / TICKS; // fields 14 and 15 of proc(5)
}

/** VmRSS and VmHWM of a process, in MB. */
export function memory(pid) {
  const s = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (k) => Number((s.match(new RegExp(`^${k}:\\s+(\\d+)`, 'm')) ?? [])[1] ?? NaN);
  return { rss_mb: kb('VmRSS') / 1024, hwm_mb: kb('VmHWM') / 1024 };
}

/** Samples VmRSS every intervalMs until stopped; stop() returns the peak in MB. */
export function rssSampler(pid, intervalMs = 100) {
  let peak = 0;
  const tick = () => {
    try {
      peak = Math.max(peak, memory(pid).rss_mb);
    } catch {
      /* the process ended */
    }
  };
  tick();
  const timer = setInterval(tick, intervalMs);
  return {
    stop() {
      clearInterval(timer);
      tick();
      return peak;
    },
  };
}
