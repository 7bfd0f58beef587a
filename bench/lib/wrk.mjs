// One wrk run with a Lua scenario: 64 connections, 2 threads, a fixed time.
// The server's CPU time (/proc) and peak RSS (sampled every 100 ms) are taken
// around it; the answer counts come from the script's done() JSON line.
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { cpuSeconds, memory, rssSampler, run } from './procs.mjs';

const LUA_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'lua');
export const CONNECTIONS = 64;
export const THREADS = 2;
const MAX_BAD_SHARE = 0.01;

/**
 * Runs wrk against url with lua/<script>.lua and args; pid is the server's
 * process (null: not measured).  Resolves a row:
 * {rps, ops, requests, p50_ms, p99_ms, bad, cpu_s_per_1000, peak_rss_mb, hwm_mb, error}.
 */
export async function wrk({ url, script, args = [], seconds, pid }) {
  const argv = ['-t', String(THREADS), '-c', String(CONNECTIONS), '-d', `${seconds}s`, '--timeout', '10s', '-s', path.join(LUA_DIR, `${script}.lua`), url];
  if (args.length) argv.push('--', ...args);
  const cpu0 = pid ? cpuSeconds(pid) : 0;
  const rss = pid ? rssSampler(pid) : null;
  const r = await run('wrk', argv, { timeoutMs: (seconds + 30) * 1000, env: { ...process.env, BENCH_LUA_DIR: LUA_DIR } });
  const peak = rss ? rss.stop() : null;
  const cpu = pid ? cpuSeconds(pid) - cpu0 : null;
  const line = r.out.split('\n').find((l) => l.startsWith('BENCH_JSON '));
  if (r.code !== 0 || !line) {
    return { error: `wrk exited ${r.code}: ${(r.err || r.out).trim().split('\n').slice(-3).join(' | ')}` };
  }
  const j = JSON.parse(line.slice('BENCH_JSON '.length));
  const seconds_ = j.duration_us / 1e6;
  const socketErrors = j.errors.connect + j.errors.read + j.errors.write + j.errors.timeout;
  const row = {
    rps: j.ops / seconds_,
    ops: j.ops,
    requests: j.requests,
    p50_ms: j.p50_us / 1000,
    p99_ms: j.p99_us / 1000,
    bad: j.bad,
    socket_errors: socketErrors,
    cpu_s_per_1000: cpu === null || j.ops === 0 ? null : (cpu / j.ops) * 1000,
    peak_rss_mb: peak,
    hwm_mb: pid ? memory(pid).hwm_mb : null,
  };
  const answered = j.good + j.bad;
  if (answered === 0) row.error = 'no answer';
  else if (j.bad / answered > MAX_BAD_SHARE) row.error = `${j.bad} of ${answered} answers were not the expected status`;
  else if (socketErrors > answered * MAX_BAD_SHARE) row.error = `socket errors: ${JSON.stringify(j.errors)}`;
  return row;
}
