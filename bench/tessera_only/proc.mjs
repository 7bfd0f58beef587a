// A Tessera process for the Tessera-only measurements: spawn on 127.0.0.1,
// wait (bounded) for its first answer, read its CPU and memory from /proc,
// stop it.  Every wait is bounded in count and time.
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import net from 'node:net';

// track(): every server is killed, like the runner's other children, on exit
// and on SIGINT, SIGTERM or SIGHUP.
import { tesseraEnv, track } from '../lib/procs.mjs';

const READY_TRIES = 20_000;
const READY_MS = 10_000;
const STOP_MS = 10_000;
const KILL_MS = 5_000;
const LOG_KEEP = 64 * 1024;

/** One raw HTTP/1.0 GET: resolves the status code, or 0 on a refused or failed connection. */
function rawGet(port, path) {
  return new Promise((resolve) => {
    const sock = net.connect({ host: '127.0.0.1', port });
    let data = '';
    let done = false;
    const finish = (code) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      sock.destroy();
      resolve(code);
    };
    const timer = setTimeout(() => finish(0), 2000);
    sock.setEncoding('latin1');
    sock.on('connect', () => sock.write(`GET ${path} HTTP/1.0\r\nHost: 127.0.0.1:${port}\r\n\r\n`));
    sock.on('data', (d) => {
      data += d;
      const m = /^HTTP\/1\.[01] (\d{3})/.exec(data);
      if (m) finish(Number(m[1]));
      else if (data.length > 64) finish(0);
    });
    sock.on('error', () => finish(0));
    sock.on('close', () => finish(0));
  });
}

/**
 * Spawns `tessera serve` on dataDir and port and waits until path answers
 * 200, polling with raw connects in a tight loop (bounded: READY_TRIES and
 * READY_MS).  Returns {proc, pid, url, port, readyMs, readyCpuMs, log(),
 * stop()}; readyMs is from just before spawn to the first 200, readyCpuMs
 * the CPU time the server had used by then (threads that already ended not
 * counted).
 */
export async function startServer(bin, { dataDir, port, path = '/.well-known/jwks.json', args = [] }) {
  const url = `http://127.0.0.1:${port}/`;
  const argv = ['serve', '--listen', `127.0.0.1:${port}`, '--public-url', url, '--data-dir', dataDir, ...args];
  const t0 = process.hrtime.bigint();
  const proc = spawn(bin, argv, { env: tesseraEnv(), stdio: ['ignore', 'ignore', 'pipe'] });
  track(proc);
  let log = '';
  proc.stderr.setEncoding('utf8');
  proc.stderr.on('data', (d) => {
    log = (log + d).slice(-LOG_KEEP);
  });
  let exited = null;
  const exitP = new Promise((resolve) => {
    proc.on('error', (e) => {
      log += `\n[bench] spawn error: ${e.message}`;
    });
    proc.on('close', (code, signal) => {
      exited = { code, signal };
      resolve(exited);
    });
  });
  const waitExit = (ms) =>
    Promise.race([exitP, new Promise((r) => setTimeout(() => r(null), ms).unref())]);
  const server = {
    proc,
    pid: proc.pid,
    url,
    port,
    dataDir,
    readyMs: null,
    readyCpuMs: null,
    log: () => log,
    /** SIGTERM, bounded; SIGKILL when it does not exit.  Resolves the exit code (null: killed). */
    async stop() {
      if (exited) return exited.code;
      proc.kill('SIGTERM');
      if (await waitExit(STOP_MS)) return exited.code;
      proc.kill('SIGKILL');
      await waitExit(KILL_MS);
      return null;
    },
  };
  for (let i = 0; i < READY_TRIES && !exited; i++) {
    if ((await rawGet(port, path)) === 200) {
      server.readyMs = Number(process.hrtime.bigint() - t0) / 1e6;
      try {
        server.readyCpuMs = cpuNs(proc.pid) / 1e6;
      } catch {
        server.readyCpuMs = null;
      }
      return server;
    }
    if (Number(process.hrtime.bigint() - t0) / 1e6 > READY_MS) break;
    await new Promise((r) => setImmediate(r));
  }
  await server.stop();
  throw new Error(`tessera did not answer ${path} on ${url} (${exited ? `exit ${exited.code}` : 'timeout'})\n${log.slice(-3000)}`);
}

/**
 * Nanoseconds on a CPU so far, summed over the process's threads
 * (/proc/<pid>/task/<tid>/schedstat: finer than the ticks of stat).
 */
export function cpuNs(pid) {
  let ns = 0;
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      ns += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'latin1').split(' ')[0]);
    } catch {
      /* the thread ended meanwhile */
    }
  }
  return ns;
}

/**
 * Where the resident memory is: /proc/<pid>/smaps_rollup's totals and the
 * largest mappings of /proc/<pid>/smaps by Rss (MB), the heap and anonymous
 * ones named so.
 */
export function memoryMap(pid, top = 8) {
  const rollup = {};
  for (const line of readFileSync(`/proc/${pid}/smaps_rollup`, 'latin1').split('\n')) {
    const m = /^(\w+):\s+(\d+) kB/.exec(line);
    if (m && ['Rss', 'Pss', 'Private_Clean', 'Private_Dirty', 'Shared_Clean', 'Anonymous'].includes(m[1]))
      rollup[m[1]] = Math.round((Number(m[2]) / 1024) * 100) / 100;
  }
  const maps = [];
  let cur = null;
  for (const line of readFileSync(`/proc/${pid}/smaps`, 'latin1').split('\n')) {
    const head = /^[0-9a-f]+-[0-9a-f]+ (\S+) \S+ \S+ \S+\s*(.*)$/.exec(line);
    if (head) {
      cur = { name: head[2] || '[anonymous]', perms: head[1], rssKb: 0 };
      maps.push(cur);
      continue;
    }
    const rss = /^Rss:\s+(\d+) kB/.exec(line);
    if (rss && cur) cur.rssKb = Number(rss[1]);
  }
  // The same file or kind of mapping, summed over its segments.
  const byName = new Map();
  for (const m of maps) byName.set(m.name, (byName.get(m.name) ?? 0) + m.rssKb);
  const largest = [...byName]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([name, kb]) => ({ mapping: name, rss_mb: Math.round((kb / 1024) * 100) / 100 }));
  return { rollup_mb: rollup, largest };
}
