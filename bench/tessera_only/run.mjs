// Tessera-only measurements of `make bench`: the figures with no peer to set
// them beside.  See README.md here.
//
//   node bench/tessera_only/run.mjs --tessera BIN --bin-dir BUILD_DIR [--seconds N] [--cores N] [--work-dir DIR]
//
// prints the JSON that run(ctx) returns.  BENCH_USERS (default 1000000) is
// the large user count, BENCH_LOGIN_SAMPLES (default 100, at least 50) the
// sequential logins per size.  Every loop is bounded in count and time,
// every server is stopped at the end, and traffic goes to 127.0.0.1 only.
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { createApps, formLogin, realmLogin, seededEmail } from './flows.mjs';
import { cpuSeconds, freePort, memory, onCleanup, rssSampler, track } from '../lib/procs.mjs';
import { memoryMap, startServer } from './proc.mjs';

const SMALL_USERS = 1000;
const STARTS = 5;
const MAX_ERRORS = 20;
const MAX_LOGINS_PER_LOOP = 100_000;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const round = (x, d = 2) => (Number.isFinite(x) ? Math.round(x * 10 ** d) / 10 ** d : null);

function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}
const median = (xs) => percentile([...xs].sort((a, b) => a - b), 50);

function program(binDir, name) {
  for (const p of [path.join(binDir, 'bench', name), path.join(binDir, name)]) if (existsSync(p)) return p;
  throw new Error(`${name} not found in ${binDir}/bench (build it: cmake --build ${binDir} --target ${name})`);
}

function runJson(file, args, timeoutMs) {
  return new Promise((resolve, reject) => {
    const child = execFile(file, args, { timeout: timeoutMs, killSignal: 'SIGKILL' }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${path.basename(file)} ${args.join(' ')}: ${err.message}\n${stderr}`));
      else resolve(JSON.parse(stdout));
    });
    track(child);
  });
}

/**
 * A data directory as a first start leaves it, with the bench's applications
 * and `users` seeded users.  The port stays with it: the tenant's issuer
 * names it.
 */
async function prepareDir(ctx, seedBin, name, users) {
  const dataDir = mkdtempSync(path.join(ctx.workDir, `tessera-only-${name}-`));
  const port = await freePort();
  const server = await startServer(ctx.tesseraBin, { dataDir, port });
  let apps;
  try {
    apps = await createApps(server);
  } finally {
    const code = await server.stop();
    if (code !== 0) throw new Error(`tessera exited ${code} after setting up ${dataDir}\n${server.log().slice(-2000)}`);
  }
  ctx.log(`seeding ${users} users into ${dataDir}`);
  const seed = await runJson(seedBin, [dataDir, String(users)], 600_000);
  ctx.log(`seeded ${seed.users} users in ${seed.seconds} s; lookup plan: ${seed.find_email_plan}`);
  return { dataDir, port, apps, users, seed };
}

/** Stops a server; a non-zero exit (a crash, a sanitizer report) goes into ctx.notes and the log. */
async function stopChecked(ctx, server, what) {
  const code = await server.stop();
  if (code !== 0) {
    const note = `tessera exited ${code} after ${what}: ${server.log().slice(-500)}`;
    ctx.notes.push(note);
    ctx.log(note);
  }
  return code;
}

/** `concurrency` loops calling fn for `seconds` (and at most MAX_LOGINS_PER_LOOP each); latencies in ms. */
async function drive(concurrency, seconds, fn) {
  const lat = [];
  let errors = 0;
  let firstError = null;
  const end = performance.now() + seconds * 1000;
  const loop = async () => {
    for (let n = 0; n < MAX_LOGINS_PER_LOOP && performance.now() < end && errors < MAX_ERRORS; n++) {
      const t = performance.now();
      try {
        await fn();
        lat.push(performance.now() - t);
      } catch (e) {
        errors++;
        firstError ??= e.message;
      }
    }
  };
  const t0 = performance.now();
  await Promise.all(Array.from({ length: concurrency }, loop));
  return { lat, errors, firstError, elapsed: (performance.now() - t0) / 1000 };
}

/** argon2id's working memory per hash in MiB ("m=65536" KiB in the parameters), or null. */
function argonMib(argon2) {
  const m = /m=(\d+)/.exec(argon2.argon2id_params ?? '');
  return m ? Number(m[1]) / 1024 : null;
}

/**
 * The rows' figures against the argon2id limit: the rate as a fraction of
 * the raw rate, and the server's CPU per login as a multiple of the CPU of
 * one verification (the part of the comparison that other work on the
 * machine disturbs least).
 */
function againstArgon2(row, argon2) {
  const rps = row.tessera.rps;
  Object.assign(row.extra, {
    of_argon2id_rate: round(rps / argon2.argon2id_per_s, 3),
    target: '>= 0.90 x the raw argon2id rate',
    met: rps >= 0.9 * argon2.argon2id_per_s,
    cpu_of_argon2id: round(row.tessera.cpu_s_per_1000 / argon2.cpu_ms_per_hash, 3),
  });
}

/** The raw rate measured before and after the logins under load, and their mean (the machine may change meanwhile). */
function meanArgon2(a, b) {
  return {
    ...a,
    argon2id_per_s: round((a.argon2id_per_s + b.argon2id_per_s) / 2),
    cpu_ms_per_hash: round((a.cpu_ms_per_hash + b.cpu_ms_per_hash) / 2),
    runs: [a, b].map((x) => ({ argon2id_per_s: x.argon2id_per_s, cpu_ms_per_hash: x.cpu_ms_per_hash, seconds: x.seconds })),
  };
}

/** One login scenario under load against server: a row of the result. */
async function loadRow(ctx, server, { scenario, title, fn, argon2 }) {
  const concurrency = ctx.cores * 2;
  await drive(concurrency, 0.5, fn); // warm-up: connections, pages, statements
  const cpu0 = cpuSeconds(server.pid);
  const rss = rssSampler(server.pid);
  const r = await drive(concurrency, ctx.seconds, fn);
  const peak = rss.stop();
  const cpu = cpuSeconds(server.pid) - cpu0;
  const sorted = r.lat.sort((a, b) => a - b);
  const rps = r.lat.length / r.elapsed;
  ctx.log(`${scenario}: ${round(rps)} logins/s, ${r.errors} errors${r.firstError ? ` (${r.firstError})` : ''}`);
  return {
    scenario,
    title,
    driver: `${concurrency} Node.js loops (one login at a time each), not wrk`,
    tessera: {
      rps: round(rps),
      p50_ms: round(percentile(sorted, 50)),
      p99_ms: round(percentile(sorted, 99)),
      cpu_s_per_1000: r.lat.length ? round((cpu / r.lat.length) * 1000, 3) : null,
      peak_rss_mb: round(peak),
    },
    peer: null,
    extra: {
      logins: r.lat.length,
      errors: r.errors,
      first_error: r.firstError,
      concurrency,
      seconds: round(r.elapsed),
      argon2id_mib_per_login: argonMib(argon2),
      peak_rss_note: 'each login under way holds argon2id\'s working memory until it ends, so the peak is about the idle RSS plus the server\'s worker threads times that',
    },
  };
}

/** Times from spawn to the first answered request on an existing data directory, and the CPU used by then. */
async function startTimes(ctx, dir, count) {
  const times = [];
  const cpu = [];
  for (let i = 0; i < count; i++) {
    const s = await startServer(ctx.tesseraBin, { dataDir: dir.dataDir, port: dir.port });
    times.push(s.readyMs);
    cpu.push(s.readyCpuMs);
    const code = await s.stop();
    if (code !== 0) throw new Error(`tessera exited ${code} on SIGTERM\n${s.log().slice(-2000)}`);
  }
  return { times, cpu };
}

/** VmRSS a few seconds after start, and again after a handful of requests (one login of each kind among them). */
async function idleMemory(ctx, dir) {
  const s = await startServer(ctx.tesseraBin, { dataDir: dir.dataDir, port: dir.port });
  try {
    await sleep(3000);
    const afterStart = memory(s.pid).rss_mb;
    const mapAfterStart = memoryMap(s.pid);
    for (const p of ['.well-known/jwks.json', '.well-known/openid-configuration', 'healthz']) {
      const res = await fetch(`${s.url}${p}`, { signal: AbortSignal.timeout(60_000) });
      await res.arrayBuffer();
    }
    await formLogin(s, dir.apps.spa, seededEmail(1));
    await realmLogin(s, dir.apps.web, seededEmail(2));
    await sleep(2000);
    const afterRequests = memory(s.pid).rss_mb;
    return { afterStart, afterRequests, mapAfterStart, mapAfterRequests: memoryMap(s.pid) };
  } finally {
    await stopChecked(ctx, s, 'the idle memory measurement');
  }
}

/**
 * p50 of sequential password-realm logins of random seeded users against
 * both servers, alternating between them so that whatever else the machine
 * does falls on both alike.
 */
async function loginScaling(ctx, small, large) {
  const samples = Math.max(50, Math.min(10_000, Number(process.env.BENCH_LOGIN_SAMPLES ?? 100) || 100));
  const servers = [];
  try {
    for (const d of [small, large]) servers.push(await startServer(ctx.tesseraBin, { dataDir: d.dataDir, port: d.port }));
    const lat = [[], []];
    const pick = (d) => seededEmail(Math.floor(Math.random() * d.users));
    const dirs = [small, large];
    for (let i = 0; i < 5; i++) for (const k of [0, 1]) await realmLogin(servers[k], dirs[k].apps.web, pick(dirs[k]));
    for (let i = 0; i < samples; i++) {
      for (const k of i % 2 ? [1, 0] : [0, 1]) {
        const t = performance.now();
        await realmLogin(servers[k], dirs[k].apps.web, pick(dirs[k]));
        lat[k].push(performance.now() - t);
      }
    }
    const p50s = lat.map(median);
    return {
      users_small: small.users,
      users_large: large.users,
      p50_small_ms: round(p50s[0]),
      p50_large_ms: round(p50s[1]),
      ratio: round(p50s[1] / p50s[0], 3),
      samples,
      flow: 'password-realm grant, sequential, random seeded user, the two servers alternating',
      target: 'ratio <= 1.10',
      met: p50s[1] / p50s[0] <= 1.1,
      seed_seconds_large: large.seed.seconds,
      lookup_plan: large.seed.find_email_plan,
    };
  } finally {
    for (const s of servers) await stopChecked(ctx, s, 'the login latency comparison');
  }
}

export async function run(ctx) {
  const c = {
    seconds: 10,
    cores: os.availableParallelism(),
    log: (m) => process.stderr.write(`[tessera-only] ${m}\n`),
    ...ctx,
    notes: [],
  };
  c.workDir = c.workDir ?? os.tmpdir();
  mkdirSync(c.workDir, { recursive: true });
  const largeUsers = Number(process.env.BENCH_USERS ?? 1_000_000);
  if (!Number.isInteger(largeUsers) || largeUsers < SMALL_USERS || largeUsers > 100_000_000)
    throw new Error(`BENCH_USERS must be an integer from ${SMALL_USERS} to 100000000`);
  const argonBin = program(c.benchBinDir, 'tessera-argon2-rate');
  const seedBin = program(c.benchBinDir, 'tessera-seed-users');


  const dirs = [];
  try {
    const small = await prepareDir(c, seedBin, 'small', SMALL_USERS);
    dirs.push(small);
    const large = await prepareDir(c, seedBin, 'large', largeUsers);
    dirs.push(large);

    c.log('start time');
    const starts = await startTimes(c, small, STARTS);
    const startsLarge = await startTimes(c, large, 3);
    const mem = await idleMemory(c, small);

    // Right before and right after the logins under load, the limit they are held against.
    c.log(`argon2id raw rate: ${c.cores} threads, ${c.seconds} s`);
    let argon2 = await runJson(argonBin, [String(c.cores), String(c.seconds)], (c.seconds + 120) * 1000);
    c.log('password logins under load');
    const rows = [];
    const s = await startServer(c.tesseraBin, { dataDir: small.dataDir, port: small.port });
    try {
      const pick = () => seededEmail(Math.floor(Math.random() * small.users));
      rows.push(
        await loadRow(c, s, {
          scenario: 'login_form',
          title: 'Password login, Universal Login form (authorize, login page, form POST, code)',
          fn: () => formLogin(s, small.apps.spa, pick()),
          argon2,
        }),
      );
      rows.push(
        await loadRow(c, s, {
          scenario: 'login_password_realm',
          title: 'Password login, password-realm grant',
          fn: () => realmLogin(s, small.apps.web, pick()),
          argon2,
        }),
      );
    } finally {
      await stopChecked(c, s, 'the logins under load');
    }

    c.log('argon2id raw rate again');
    const argon2After = await runJson(argonBin, [String(c.cores), String(c.seconds)], (c.seconds + 120) * 1000);
    argon2 = meanArgon2(argon2, argon2After);
    for (const r of rows) againstArgon2(r, argon2);

    c.log('login latency, small vs large user count');
    const loginScalingResult = await loginScaling(c, small, large);

    return {
      limits: {
        argon2id_per_s: argon2.argon2id_per_s,
        argon2id_params: argon2.argon2id_params,
        argon2id_threads: argon2.threads,
        argon2id_cpu_ms_per_hash: argon2.cpu_ms_per_hash,
        argon2id_runs: argon2.runs,
      },
      rows,
      startup: {
        start_ms: round(median(starts.times)),
        start_ms_runs: starts.times.map((x) => round(x)),
        start_cpu_ms: round(median(starts.cpu)),
        start_ms_large_db: round(median(startsLarge.times)),
        start_target: '<= 50 ms, spawn to the first 200 of GET /.well-known/jwks.json',
        idle_rss_mb: round(mem.afterStart),
        idle_rss_after_requests_mb: round(mem.afterRequests),
        idle_rss_target: '<= 10 MB',
        memory_after_start: mem.mapAfterStart,
        memory_after_requests: mem.mapAfterRequests,
      },
      login_scaling: loginScalingResult,
      seeding: { users: large.seed.users, seconds: large.seed.seconds, one_hash_for_all: true },
      notes: c.notes,
      rate_limits: 'login, signup, reset and management rate limits set to 1000000 per second and the account throttle to 1000000 failures (TESSERA_ACCOUNT_THROTTLE_FAILURES), through the environment, as the e2e harness does',
    };
  } finally {
    if (process.env.BENCH_KEEP !== '1') for (const d of dirs) rmSync(d.dataDir, { recursive: true, force: true });
  }
}

function parseArgs(argv) {
  const out = {};
  for (let i = 0; i < argv.length; i += 2) {
    const v = argv[i + 1];
    if (v === undefined) throw new Error(`${argv[i]} needs a value`);
    if (argv[i] === '--tessera') out.tesseraBin = path.resolve(v);
    else if (argv[i] === '--bin-dir') out.benchBinDir = path.resolve(v);
    else if (argv[i] === '--work-dir') out.workDir = path.resolve(v);
    else if (argv[i] === '--seconds') out.seconds = Number(v);
    else if (argv[i] === '--cores') out.cores = Number(v);
    else throw new Error(`unknown option ${argv[i]}`);
  }
  if (!out.tesseraBin || !out.benchBinDir) throw new Error('usage: run.mjs --tessera BIN --bin-dir BUILD_DIR [--seconds N] [--cores N] [--work-dir DIR]');
  for (const k of ['seconds', 'cores'])
    if (k in out && !(Number.isInteger(out[k]) && out[k] >= 1 && out[k] <= 600)) throw new Error(`--${k} must be 1..600`);
  return out;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    const ctx = parseArgs(process.argv.slice(2));
    const ownDir = !ctx.workDir;
    if (ownDir) ctx.workDir = mkdtempSync(path.join(os.tmpdir(), 'tessera-only-'));
    // Removed at the end, and on SIGINT/SIGTERM/SIGHUP (it can hold the 1M-user data).
    const drop = ownDir && process.env.BENCH_KEEP !== '1' ? onCleanup(() => rmSync(ctx.workDir, { recursive: true, force: true })) : null;
    try {
      console.log(JSON.stringify(await run(ctx), null, 2));
    } finally {
      if (drop) {
        drop();
        rmSync(ctx.workDir, { recursive: true, force: true });
      }
    }
  } catch (e) {
    console.error(e.stack ?? e.message);
    process.exitCode = 1;
  }
}
