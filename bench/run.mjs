// `make bench`: Tessera against node-oidc-provider on 127.0.0.1, driven by wrk
// with the Lua scenarios of lua/, beside the limits measured in the same run
// (OpenSSL's signing rates, nginx's static answers, the argon2id rate), the
// verifier benchmark (verify.mjs) and Tessera's own measurements
// (tessera_only/run.mjs, when present).  Writes results/<UTC time>.json,
// results/latest.json, results/latest.svg and the tables of
// docs/performance.md.  Asserts nothing about speed: a scenario that fails is
// recorded with its error and the run goes on.
//
//   BENCH_SECONDS=8 node bench/run.mjs --build-dir build-bench
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

import { nginx, openssl } from './lib/limits.mjs';
import { startPeer } from './lib/peer.mjs';
import { memory, onCleanup } from './lib/procs.mjs';
import { SCENARIOS as ALL_SCENARIOS, runScenario } from './lib/scenarios.mjs';
import { startTessera } from './lib/tessera.mjs';
import { request } from './lib/http.mjs';
import { renderSvg, targets, updateDoc } from './lib/report.mjs';
import { CONNECTIONS, THREADS } from './lib/wrk.mjs';
import { verifyBench, verifyTable } from './verify.mjs';

// BENCH_ONLY=cc_rs256,jwks runs those scenarios and nothing else (no limits,
// no verify, no Tessera-only part): a quick loop while working on one path.
// Such a partial run writes results/<time>-partial.json only (gitignored), and
// so does a run shorter than the default BENCH_SECONDS, or one whose limits the
// machine's other work made unreliable (limits.openssl.busy), unless BENCH_PUBLISH=1:
// only a full-length run replaces latest.json, latest.svg, docs/performance.md
// and adds a tracked results/<time>.json.
const ONLY = (process.env.BENCH_ONLY ?? '').split(',').map((x) => x.trim()).filter(Boolean);
for (const id of ONLY) if (!ALL_SCENARIOS.some((sc) => sc.id === id)) throw new Error(`BENCH_ONLY: no scenario ${id}`);
const SCENARIOS = ONLY.length ? ALL_SCENARIOS.filter((sc) => ONLY.includes(sc.id)) : ALL_SCENARIOS;
const FULL = ONLY.length === 0;

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '..');
const log = (m) => process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${m}\n`);
const round = (x, d = 2) => (typeof x === 'number' && Number.isFinite(x) ? Math.round(x * 10 ** d) / 10 ** d : x);

function args() {
  const a = process.argv.slice(2);
  const i = a.indexOf('--build-dir');
  const buildDir = path.resolve(ROOT, i >= 0 ? a[i + 1] : 'build-bench');
  const seconds = Number(process.env.BENCH_SECONDS ?? DEFAULT_SECONDS);
  if (!Number.isInteger(seconds) || seconds < 1 || seconds > 120) throw new Error('BENCH_SECONDS must be an integer from 1 to 120');
  return { buildDir, seconds };
}
const DEFAULT_SECONDS = 8;

/** What a command prints about itself, on stdout or stderr (nginx -v, wrk -v). */
function version(cmd, argv, pick = (s) => s.trim().split('\n')[0]) {
  const r = spawnSync(cmd, argv, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 10_000 });
  const text = `${r.stdout ?? ''}${r.stderr ?? ''}`.trim();
  return text ? pick(text) : null;
}

function machine(cores) {
  const cpu = (readFileSync('/proc/cpuinfo', 'utf8').match(/^model name\s*:\s*(.+)$/m) ?? [])[1] ?? os.cpus()[0]?.model;
  return {
    cpu,
    cores,
    kernel: `${os.type()} ${os.release()}`,
    memory_gb: round(os.totalmem() / 2 ** 30, 1),
    openssl: version('openssl', ['version']),
    node: process.version,
    wrk: version('wrk', ['-v'], (s) => s.split('\n')[0].split(' Copyright')[0].trim()),
    nginx: version(existsSync('/usr/sbin/nginx') ? '/usr/sbin/nginx' : 'nginx', ['-v'], (s) => s.trim()),
    oidc_provider: JSON.parse(readFileSync(path.join(HERE, 'node_modules', 'oidc-provider', 'package.json'), 'utf8')).version,
    tessera_commit: version('git', ['-C', ROOT, 'rev-parse', '--short=12', 'HEAD']),
    tessera_dirty: spawnSync('git', ['-C', ROOT, 'status', '--porcelain', '--untracked-files=no', '--', 'src', 'lib', 'include'], { encoding: 'utf8' }).stdout.trim() !== '',
  };
}

const pick = (r) =>
  r.error && r.rps === undefined
    ? { error: r.error, refused: r.refused ?? false }
    : {
        rps: round(r.rps, 1),
        p50_ms: round(r.p50_ms),
        p99_ms: round(r.p99_ms),
        cpu_s_per_1000: round(r.cpu_s_per_1000, 4),
        peak_rss_mb: round(r.peak_rss_mb, 1),
        hwm_mb: round(r.hwm_mb, 1),
        ops: r.ops,
        requests: r.requests,
        bad: r.bad,
        socket_errors: r.socket_errors,
        ...(r.error ? { error: r.error } : {}),
      };

/** Every scenario against one server (started and stopped here). */
async function measure(startFn, name, ctx, rows, extra, notes) {
  let s;
  try {
    log(`${name}: starting and setting up`);
    s = await startFn();
    await extra(s);
    for (const sc of SCENARIOS) {
      log(`${name}: ${sc.id}`);
      let r;
      try {
        r = await runScenario(s, sc, ctx);
      } catch (e) {
        r = { error: e.message.split('\n')[0] };
      }
      rows[sc.id][name] = pick(r);
      if (r.error) log(`${name}: ${sc.id}: ${r.error}`);
      else log(`${name}: ${sc.id}: ${round(r.rps, 0)} ${sc.unit}, p99 ${round(r.p99_ms)} ms`);
    }
  } catch (e) {
    log(`${name}: ${e.message}`);
    for (const sc of SCENARIOS) rows[sc.id][name] ??= { error: `setup failed: ${e.message.split('\n')[0]}` };
  } finally {
    if (s) {
      const code = await s.stop();
      if (code !== 0) {
        log(`${name} exited ${code}`);
        notes.push(`${name} exited ${code} on SIGTERM after its scenarios`);
      }
    }
  }
}

/** The parts beside the two servers: nginx's static replies, verify.mjs, tessera_only/. */
async function limitsAndParts(result, { sample, workDir, cores, seconds, tesseraBin, verifyBin, buildDir }) {
  log('limits: nginx');
  try {
    const t = sample.tessera;
    const body = t ? t.ccBody('RS256') : 'grant_type=client_credentials&audience=https%3A%2F%2Fbench.tessera.test%2Frs256';
    result.limits.nginx = await nginx({
      workDir,
      cores,
      seconds,
      getBody: sample.jwks ?? '{"keys":[]}',
      postBody: sample.tokenAnswer ?? '{"access_token":"x","token_type":"Bearer"}',
      postAuth: t?.auth ?? 'Basic eDp5',
      postForm: body,
      log,
    });
  } catch (e) {
    result.limit_errors.nginx = e.message.split('\n')[0];
    result.notes.push(`nginx failed: ${e.message.split('\n')[0]}`);
  }

  log('verify: libtessera-verify against jose');
  try {
    result.verify = (await verifyBench(verifyBin, workDir)).map((r) => ({
      alg: r.alg,
      tessera_verify_per_s: round(r.c, 0),
      jose_per_s: round(r.jose, 0),
      ratio: round(r.ratio),
      openssl_verify_per_s: round(r.openssl, 0),
      tessera_verify_wall_per_s: round(r.c_wall, 0),
      jose_wall_per_s: round(r.jose_wall, 0),
    }));
    process.stderr.write(`${verifyTable(result.verify.map((v) => ({ alg: v.alg, c: v.tessera_verify_per_s, jose: v.jose_per_s, ratio: v.ratio, openssl: v.openssl_verify_per_s })))}\n`);
  } catch (e) {
    result.limit_errors.verify = e.message.split('\n')[0];
    result.notes.push(`verify benchmark failed: ${e.message.split('\n')[0]}`);
  }

  const only = path.join(HERE, 'tessera_only', 'run.mjs');
  if (existsSync(only)) {
    log('tessera only: argon2id, logins, start time, idle RSS, login scaling');
    try {
      const mod = await import(pathToFileURL(only).href);
      const out = await mod.run({ tesseraBin, benchBinDir: path.join(buildDir, 'bench'), workDir: path.join(workDir, 'tessera-only'), seconds, cores, log: (m) => log(`tessera only: ${m}`) });
      Object.assign(result.limits, out.limits ?? {});
      for (const row of out.rows ?? []) result.rows.push({ ratio: null, unit: 'logins/s', ...row });
      result.startup = out.startup ?? null;
      result.login_scaling = out.login_scaling ?? null;
      for (const [k, v] of Object.entries(out)) if (!['limits', 'rows', 'startup', 'login_scaling'].includes(k)) result[`tessera_only_${k}`] = v;
    } catch (e) {
      result.limit_errors.tessera_only = e.message.split('\n')[0];
      result.notes.push(`tessera_only/run.mjs failed: ${e.message.split('\n')[0]}`);
    }
  } else {
    result.notes.push('bench/tessera_only/run.mjs is not there yet: no argon2id rate, password login, start time, idle RSS or login scaling in this run');
  }

}

async function main() {
  const { buildDir, seconds } = args();
  const tesseraBin = path.join(buildDir, 'tessera');
  const verifyBin = path.join(buildDir, 'bench', 'tessera-verify-bench');
  for (const b of FULL ? [tesseraBin, verifyBin] : [tesseraBin]) if (!existsSync(b)) throw new Error(`${b} missing: build it first (make bench)`);
  const cores = os.availableParallelism();
  const workDir = mkdtempSync(path.join(os.tmpdir(), 'tessera-bench-'));
  // Removed at the end, and on SIGINT/SIGTERM/SIGHUP: it can hold the 1M-user data.
  const keep = process.env.BENCH_KEEP === '1';
  const dropCleanup = keep ? () => {} : onCleanup(() => rmSync(workDir, { recursive: true, force: true }));
  const publish = FULL && (seconds >= DEFAULT_SECONDS || process.env.BENCH_PUBLISH === '1');
  const started = new Date();
  const result = {
    started: started.toISOString(),
    machine: machine(cores),
    settings: { seconds_per_run: seconds, connections: CONNECTIONS, wrk_threads: THREADS, tessera_build: 'Release', tessera_bin: path.relative(ROOT, tesseraBin) },
    notes: [],
    limits: {},
    limit_errors: {},
    rows: [],
  };
  // Every note goes to the log as it happens, not only to the JSON.
  const notes = result.notes;
  notes.push = (...n) => {
    for (const x of n) log(`note: ${x}`);
    return Array.prototype.push.apply(notes, n);
  };
  try {
    if (FULL) {
      log(`limits: openssl speed`);
      try {
        result.limits.openssl = await openssl(cores, log);
      } catch (e) {
        result.limit_errors.openssl = e.message.split('\n')[0];
        result.notes.push(`openssl speed failed: ${e.message}`);
      }
    } else {
      result.notes.push(`partial run: BENCH_ONLY=${ONLY.join(',')}`);
    }
    if (FULL && !publish) result.notes.push(`short run (BENCH_SECONDS=${seconds} < ${DEFAULT_SECONDS}): written as a partial result only (BENCH_PUBLISH=1 publishes it)`);

    const rows = Object.fromEntries(SCENARIOS.map((sc) => [sc.id, {}]));
    const sample = {};
    // nginx answers GET with Tessera's own JWKS bytes, and a form POST with one
    // of Tessera's client_credentials answers: the same sizes on the wire.
    await measure(() => startTessera(tesseraBin, workDir), 'tessera', { workDir, seconds }, rows, async (s) => {
      sample.tessera = s;
      result.tessera_after_setup_rss_mb = round(memory(s.pid).rss_mb, 1);
      sample.jwks = (await request(`${s.url}.well-known/jwks.json`)).text;
      const t = await request(`${s.url}oauth/token`, {
        method: 'POST',
        headers: { authorization: s.auth, 'content-type': 'application/x-www-form-urlencoded' },
        body: s.ccBody('RS256'),
      });
      if (t.status === 200) sample.tokenAnswer = t.text;
    }, result.notes);
    await measure(startPeer, 'peer', { workDir, seconds }, rows, () => {}, result.notes);

    for (const sc of SCENARIOS) {
      const r = rows[sc.id];
      const ratio = r.tessera?.rps && r.peer?.rps ? round(r.tessera.rps / r.peer.rps) : null;
      result.rows.push({ scenario: sc.id, label: sc.label, title: sc.title, unit: sc.unit, tessera: r.tessera, peer: r.peer, ratio });
    }

    if (FULL) await limitsAndParts(result, { sample, workDir, cores, seconds, tesseraBin, verifyBin, buildDir });

    result.targets = targets(result);
    result.finished = new Date().toISOString();
    result.minutes = round((Date.now() - started.getTime()) / 60000, 1);

    const dir = path.join(HERE, 'results');
    mkdirSync(dir, { recursive: true });
    const stamp = started.toISOString().replace(/\.\d+Z$/, 'Z').replace(/:/g, '');
    // A busy machine's limits are unreliable: such a run is kept, but not published.
    const busy = result.limits.openssl?.busy && process.env.BENCH_PUBLISH !== '1';
    if (publish && busy) result.notes.push('machine busy (openssl speed -multi below one core): written as a partial result only (BENCH_PUBLISH=1 publishes it)');
    const text = `${JSON.stringify(result, null, 2)}\n`;
    if (!publish || busy) {
      writeFileSync(path.join(dir, `${stamp}-partial.json`), text);
      log(`wrote bench/results/${stamp}-partial.json (${result.minutes} min)`);
      return;
    }
    writeFileSync(path.join(dir, `${stamp}.json`), text);
    writeFileSync(path.join(dir, 'latest.json'), text);
    writeFileSync(path.join(dir, 'latest.svg'), renderSvg(result));
    updateDoc(path.join(ROOT, 'docs', 'performance.md'), result);
    log(`wrote bench/results/${stamp}.json, latest.json, latest.svg and docs/performance.md (${result.minutes} min)`);
  } finally {
    dropCleanup();
    if (!keep) rmSync(workDir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  log(e.stack ?? String(e));
  process.exit(1);
});
