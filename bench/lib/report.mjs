// What a run's figures mean: the issue's targets computed from the run, the
// SVG bar chart (drawn by hand, no library), and the generated part of
// docs/performance.md.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';

const r2 = (x, d = 2) => (typeof x === 'number' && Number.isFinite(x) ? Math.round(x * 10 ** d) / 10 ** d : null);
const fmt = (x, d = 0) =>
  typeof x === 'number' && Number.isFinite(x) ? x.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d }) : 'n/a';

/**
 * A target: measured against limit with op ('>=' or '<='); met is null when
 * either side was not measured in this run (why says so).
 */
function target(id, what, measured, op, limit, unit, why) {
  const ok = typeof measured === 'number' && Number.isFinite(measured) && typeof limit === 'number' && Number.isFinite(limit);
  return {
    id,
    target: what,
    measured: ok ? r2(measured) : null,
    limit: ok ? r2(limit) : typeof limit === 'number' ? r2(limit) : null,
    unit,
    ratio: ok && limit ? r2(measured / limit, 3) : null,
    met: ok ? (op === '>=' ? measured >= limit : measured <= limit) : null,
    ...(ok ? {} : { note: why ? (why.startsWith('refused') ? 'refused by the server' : why.slice(0, 160)) : 'no figure in this run' }),
  };
}

export function targets(res) {
  const row = (id) => res.rows.find((r) => r.scenario === id) ?? {};
  const t = (id) => row(id).tessera ?? {};
  const p = (id) => row(id).peer ?? {};
  const why = (id, side = 'tessera') => row(id)[side]?.error;
  const ssl = res.limits.openssl ?? {};
  const ng = res.limits.nginx ?? {};
  // A limit that failed in this run: its error is the reason a target has no verdict.
  const lim = (k) => (res.limit_errors?.[k] ? `${k} failed: ${res.limit_errors[k]}` : undefined);
  const sslWhy = ssl.rsa2048 ? undefined : lim('openssl');
  // A busy machine's all-core rates are unreliable: no verdict rests on them.
  const multi = (x) => (ssl.busy ? null : x);
  const multiWhy = ssl.busy ? 'machine busy: openssl speed -multi below one core' : sslWhy;
  const ngWhy = (k) => (typeof ng[k] === 'number' ? undefined : lim('nginx'));
  const out = [];

  const rsaUs = ssl.rsa2048?.sign_cpu_us;
  const ccCpuUs = typeof t('cc_rs256').cpu_s_per_1000 === 'number' ? t('cc_rs256').cpu_s_per_1000 * 1000 : null;
  out.push(target('cc_rs256_cpu', 'client_credentials RS256: server CPU per token ≤ 1.2 × one RSA-2048 signature', ccCpuUs, '<=', rsaUs && 1.2 * rsaUs, 'µs', why('cc_rs256') ?? sslWhy));
  out.push(target('cc_rs256_rps', 'client_credentials RS256: tokens/s ≥ 0.8 × openssl speed -multi rsa2048 sign/s', t('cc_rs256').rps, '>=', multi(ssl.rsa2048 && 0.8 * ssl.rsa2048.multi_sign_per_s), '/s', why('cc_rs256') ?? multiWhy));
  for (const [id, name] of [['cc_es256', 'ES256'], ['cc_eddsa', 'EdDSA']]) {
    out.push(target(`${id}_vs_peer`, `client_credentials ${name}: ≥ 5 × node-oidc-provider ES256`, t(id).rps, '>=', p('cc_es256').rps && 5 * p('cc_es256').rps, '/s', why(id) ?? why('cc_es256', 'peer')));
    out.push(target(`${id}_vs_nginx`, `client_credentials ${name}: ≥ 0.6 × nginx static form POST`, t(id).rps, '>=', ng.post_rps && 0.6 * ng.post_rps, '/s', why(id) ?? ngWhy('post_rps')));
  }
  for (const id of ['jwks', 'discovery']) {
    out.push(target(`${id}_vs_nginx`, `${id === 'jwks' ? 'JWKS' : 'discovery'}: ≥ nginx static GET`, t(id).rps, '>=', ng.get_rps, '/s', why(id) ?? ngWhy('get_rps')));
  }
  for (const [id, name] of [['refresh', 'refresh rotation'], ['code_pkce', 'code + PKCE']]) {
    out.push(target(`${id}_vs_peer`, `${name}: ≥ 5 × node-oidc-provider`, t(id).rps, '>=', p(id).rps && 5 * p(id).rps, '/s', why(id) ?? why(id, 'peer')));
    out.push(target(`${id}_p99`, `${name}: p99 < 10 ms at 64 connections`, t(id).p99_ms, '<=', 10, 'ms', why(id)));
  }
  const argon = res.limits.argon2id_per_s;
  for (const r of res.rows.filter((x) => x.scenario.startsWith('login'))) {
    out.push(target(`${r.scenario}_vs_argon2id`, `${r.title}: ≥ 0.9 × raw argon2id rate`, r.tessera?.rps, '>=', argon && 0.9 * argon, '/s', r.tessera?.error ?? (argon ? undefined : lim('tessera_only'))));
  }
  if (!res.rows.some((x) => x.scenario.startsWith('login'))) {
    out.push(target('login_vs_argon2id', 'password login: ≥ 0.9 × raw argon2id rate', null, '>=', null, '/s', 'bench/tessera_only did not run'));
  }
  for (const v of res.verify ?? []) {
    out.push(target(`verify_${v.alg.toLowerCase()}_openssl`, `libtessera-verify ${v.alg}, one thread: ≥ 0.9 × OpenSSL verify`, v.tessera_verify_per_s, '>=', v.openssl_verify_per_s && 0.9 * v.openssl_verify_per_s, '/s'));
    out.push(target(`verify_${v.alg.toLowerCase()}_jose`, `libtessera-verify ${v.alg}, one thread: ≥ 2 × jose`, v.tessera_verify_per_s, '>=', v.jose_per_s && 2 * v.jose_per_s, '/s'));
  }
  if (!res.verify) out.push(target('verify', 'libtessera-verify: ≥ 0.9 × OpenSSL and ≥ 2 × jose', null, '>=', null, '/s', lim('verify') ?? 'the verify benchmark did not run'));
  const st = res.startup ?? {};
  out.push(target('idle_rss', 'idle RSS ≤ 10 MB', st.idle_rss_mb, '<=', 10, 'MB', res.startup ? undefined : lim('tessera_only') ?? 'bench/tessera_only did not run'));
  // The password logins hold argon2id's memory per hash in flight: shown apart too.
  const peak = (rows) => {
    const m = rows.filter((r) => typeof r.tessera?.peak_rss_mb === 'number').sort((a, b) => b.tessera.peak_rss_mb - a.tessera.peak_rss_mb)[0];
    return m ? { v: m.tessera.peak_rss_mb, worst: m.scenario } : { v: null };
  };
  const all = peak(res.rows);
  out.push({ ...target('peak_rss', 'peak RSS ≤ 40 MB under every scenario', all.v, '<=', 40, 'MB'), worst: all.worst });
  const noLogin = peak(res.rows.filter((r) => !r.scenario.startsWith('login')));
  if (noLogin.v !== all.v) {
    out.push({ ...target('peak_rss_no_login', 'peak RSS ≤ 40 MB under every scenario but the password logins', noLogin.v, '<=', 40, 'MB'), worst: noLogin.worst });
  }
  out.push(target('start_time', 'start to first answered request ≤ 50 ms (existing data directory)', st.start_ms, '<=', 50, 'ms', res.startup ? undefined : lim('tessera_only') ?? 'bench/tessera_only did not run'));
  const ls = res.login_scaling ?? {};
  const users = (n, d) => (typeof n === 'number' ? n : d).toLocaleString('en-US');
  out.push(target('login_scaling', `login p50 with ${users(ls.users_large, 1e6)} users ≤ 1.10 × with ${users(ls.users_small, 1e3)}`, ls.ratio, '<=', 1.1, '×', res.login_scaling ? undefined : lim('tessera_only') ?? 'bench/tessera_only did not run'));
  return out;
}

const esc = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** Tessera and peer rates per scenario, each scenario's bars scaled to its own larger rate (rates span 10^4). */
export function renderSvg(res) {
  const rows = res.rows.filter((r) => r.tessera?.rps || r.peer?.rps);
  const W = 900;
  const left = 330;
  const barW = 420;
  const rowH = 46;
  const top = 56;
  const H = top + rows.length * rowH + 40;
  const out = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="#fff"/>`,
    `<text x="16" y="24" font-size="15" font-weight="bold">Tessera vs node-oidc-provider ${esc(res.machine.oidc_provider)}: operations per second</text>`,
    `<text x="16" y="42" fill="#555">${esc(res.machine.cpu ?? '')}, ${res.machine.cores} cores, ${esc(res.started.slice(0, 16).replace('T', ' '))} UTC; each scenario's bars scaled to its larger rate</text>`,
  ];
  rows.forEach((r, i) => {
    const y = top + i * rowH;
    const max = Math.max(r.tessera?.rps ?? 0, r.peer?.rps ?? 0);
    const label = r.label ?? r.title ?? r.scenario;
    out.push(`<text x="16" y="${y + 17}">${esc(label.length > 50 ? `${label.slice(0, 49)}…` : label)}</text>`);
    const sub = r.ratio ? `Tessera / peer ${r.ratio.toFixed(2)} ×` : r.driver ?? '';
    if (sub) out.push(`<text x="16" y="${y + 33}" fill="#555">${esc(sub.length > 52 ? `${sub.slice(0, 51)}…` : sub)}</text>`);
    for (const [k, side, color] of [[0, 'tessera', '#2b6cb0'], [1, 'peer', '#c05621']]) {
      const v = r[side];
      const by = y + 4 + k * 18;
      if (v?.rps) {
        const w = Math.max(1, (v.rps / max) * barW);
        out.push(`<rect x="${left}" y="${by}" width="${w.toFixed(1)}" height="15" fill="${color}"/>`);
        out.push(`<text x="${left + w + 6}" y="${by + 12}">${rate(v.rps)} /s${v.error ? ' (errors)' : ''}</text>`);
      } else {
        const why = v === null ? 'no peer for this one' : v?.refused ? 'refused' : v?.error ? 'failed' : 'not run';
        out.push(`<text x="${left}" y="${by + 12}" fill="#999">${side}: ${esc(why)}</text>`);
      }
    }
  });
  const ly = H - 18;
  out.push(`<rect x="16" y="${ly - 11}" width="12" height="12" fill="#2b6cb0"/><text x="34" y="${ly}">Tessera</text>`);
  out.push(`<rect x="110" y="${ly - 11}" width="12" height="12" fill="#c05621"/><text x="128" y="${ly}">node-oidc-provider</text>`);
  out.push(`<text x="300" y="${ly}" fill="#555">driven by wrk, ${res.settings.connections} connections, unless the row says otherwise</text>`);
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}

/** A rate with decimals only where it is small (password logins). */
const rate = (x) => fmt(x, typeof x === 'number' && x < 100 ? 2 : 0);
const cell = (v, key, d) => (v?.[key] === undefined || v?.[key] === null ? '' : fmt(v[key], d));
function sideCells(v) {
  if (!v) return ['n/a', '', '', '', ''];
  if (v.rps === undefined) return [v.refused ? `refused` : `failed`, '', '', '', ''];
  return [rate(v.rps) + (v.error ? ' ⚠' : ''), cell(v, 'p50_ms', 2), cell(v, 'p99_ms', 2), cell(v, 'cpu_s_per_1000', 3), cell(v, 'peak_rss_mb', 1)];
}

/**
 * Why a target is not met, from this run's numbers (the reasons that do not
 * depend on the run are in the prose of docs/performance.md).
 */
function whyNot(t, res) {
  const row = (id) => res.rows.find((r) => r.scenario === id) ?? {};
  const rsa = res.limits.openssl?.rsa2048;
  const conns = res.settings.connections;
  const m = /^(refresh|code_pkce)_(p99|vs_peer)$/.exec(t.id);
  if (m && m[2] === 'p99') {
    const need = (conns * 1000) / t.limit;
    return `${conns} closed-loop connections: mean latency = ${conns} / rate, so p99 < ${fmt(t.limit)} ms needs more than ${fmt(need)} /s; measured ${rate(row(m[1]).tessera?.rps)} /s`;
  }
  if (m) {
    const signs = 'two RSA signatures (access token + ID token)';
    if (!rsa || res.limits.openssl?.busy) return `each one needs ${signs}`;
    const ceiling = rsa.multi_sign_per_s / 2;
    return ceiling < t.limit
      ? `each one needs ${signs}: the machine signs ${fmt(rsa.multi_sign_per_s)} RSA-2048 /s on every core, so at most ${fmt(ceiling)} /s, below 5 × the peer (${rate(t.limit)} /s)`
      : `each one needs ${signs}: the machine signs ${fmt(rsa.multi_sign_per_s)} RSA-2048 /s on every core, so at most ${fmt(ceiling)} /s, above 5 × the peer (${rate(t.limit)} /s), so signing does not explain the gap: the rest is HTTP, JSON, the refresh token's SQLite commit and the wrk client on the same cores`;
  }
  if (t.id === 'cc_rs256_rps' || t.id === 'cc_rs256_cpu') {
    const cpu = row('cc_rs256').tessera?.cpu_s_per_1000;
    return rsa && cpu ? `server CPU per token ${fmt(cpu * 1000, 1)} µs = ${fmt((cpu * 1e3) / rsa.sign_cpu_us, 2)} × one signature (${fmt(rsa.sign_cpu_us, 1)} µs): HTTP, JSON and the wrk client share the cores` : '';
  }
  if (t.id.startsWith('peak_rss')) {
    return t.worst?.startsWith('login') ? 'argon2id holds 64 MiB per hash being computed at once (outside the RSS targets, see below)' : `highest under ${t.worst ?? 'n/a'}`;
  }
  if (t.id.endsWith('_vs_argon2id')) {
    const r = row(t.id.replace(/_vs_argon2id$/, ''));
    const x = r.extra?.cpu_of_argon2id;
    return typeof x === 'number' ? `server CPU per login = ${fmt(x, 2)} × one argon2id hash; the Node.js driver shares the cores` : '';
  }
  if (t.id === 'start_time') return `start CPU ${fmt(res.startup?.start_cpu_ms, 1)} ms: shared-library loading and first-touch pages (see bench/tessera_only/README.md)`;
  if (t.id === 'idle_rss') return 'shared libraries\' resident pages and the heap after start (see bench/tessera_only/README.md)';
  const cc = /^(cc_es256|cc_eddsa)_vs_peer$/.exec(t.id);
  if (cc) {
    const k = cc[1] === 'cc_es256' ? res.limits.openssl?.ecdsap256 : res.limits.openssl?.ed25519;
    const cpu = row(cc[1]).tessera?.cpu_s_per_1000;
    return k && cpu ? `server CPU per token ${fmt(cpu * 1000, 1)} µs, of which one signature ${fmt(k.sign_cpu_us, 1)} µs: the rest (HTTP, JSON, SQLite) bounds the rate, and wrk shares the cores` : '';
  }
  if (t.id === 'login_scaling') return 'p50 of sequential logins, each about one argon2id hash: other work on the machine moves it more than the index search does';
  if (t.id.startsWith('verify_')) return 'one thread; see "Why targets are not met"';
  if (t.id.endsWith('_vs_nginx')) return 'nginx answers a file with no parsing, no signature and no database; see below';
  return '';
}

/** The generated part of docs/performance.md. */
export function markdown(res) {
  const m = res.machine;
  const L = [];
  L.push(`Run of ${res.started.slice(0, 16).replace('T', ' ')} UTC (${res.minutes} min), Tessera ${m.tessera_commit}${m.tessera_dirty ? ' (with uncommitted changes to src/, lib/ or include/)' : ''}, ` +
    `${res.settings.seconds_per_run} s per wrk run, ${res.settings.connections} connections, ${res.settings.wrk_threads} wrk threads.`);
  L.push('');
  L.push(`Machine: ${m.cpu}, ${m.cores} cores, ${m.memory_gb} GB, ${m.kernel}; ${m.openssl}; Node.js ${m.node}; ${m.wrk}; ${m.nginx}; oidc-provider ${m.oidc_provider}.`);
  L.push('');
  L.push('| scenario | Tessera /s | p50 ms | p99 ms | CPU s / 1000 | peak RSS MB | peer /s | p50 ms | p99 ms | CPU s / 1000 | peak RSS MB | Tessera / peer |');
  L.push('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const r of res.rows) {
    L.push(`| ${r.title} (${r.unit}) | ${sideCells(r.tessera).join(' | ')} | ${r.peer === null ? 'no peer | | | |' : sideCells(r.peer).join(' | ')} | ${r.ratio ? `${r.ratio.toFixed(2)} ×` : ''} |`);
  }
  const problems = [];
  for (const r of res.rows) {
    for (const side of ['tessera', 'peer']) if (r[side]?.error) problems.push(`- ${r.scenario}, ${side}: ${r[side].error}`);
  }
  if (problems.length) {
    L.push('');
    L.push('Refused or failed (⚠: measured, but with errors):');
    L.push('');
    L.push(...problems);
  }
  const ssl = res.limits.openssl;
  const ng = res.limits.nginx;
  L.push('');
  L.push('Limits measured in the same run:');
  L.push('');
  L.push('| limit | value |');
  L.push('| --- | ---: |');
  if (ssl) {
    for (const [k, name] of [['rsa2048', 'RSA 2048 (RS256, PS256)'], ['ecdsap256', 'ECDSA P-256 (ES256)'], ['ed25519', 'Ed25519 (EdDSA)']]) {
      const s = ssl[k];
      if (!s) continue;
      const busy = s.busy ? ` (below one core's ${fmt(s.one_core_sign_per_s)} /s: machine busy, limits unreliable)` : '';
      L.push(`| openssl speed -multi ${m.cores}, ${name}, sign, per wall-clock second | ${fmt(s.multi_sign_per_s)} /s${busy} |`);
      L.push(`| one ${name} signature, one core, CPU time | ${fmt(s.sign_cpu_us, 1)} µs |`);
    }
  }
  if (ng) {
    L.push(`| nginx, static 200 JSON, GET (Tessera's JWKS bytes) | ${fmt(ng.get_rps)} /s |`);
    L.push(`| nginx, static 200 JSON, form POST (a client_credentials request and answer) | ${fmt(ng.post_rps)} /s |`);
  }
  if (res.limits.argon2id_per_s) L.push(`| argon2id at Tessera's parameters, ${m.cores} threads | ${fmt(res.limits.argon2id_per_s, 1)} /s |`);
  for (const r of res.rows) {
    if (typeof r.extra?.cpu_of_argon2id === 'number') L.push(`| ${r.title}: server CPU per login / one argon2id hash's CPU (steadier than the rate) | ${fmt(r.extra.cpu_of_argon2id, 2)} × |`);
  }
  for (const v of res.verify ?? []) {
    L.push(`| verify ${v.alg}, one thread: libtessera-verify / jose / OpenSSL | ${fmt(v.tessera_verify_per_s)} / ${fmt(v.jose_per_s)} / ${fmt(v.openssl_verify_per_s)} per CPU second |`);
  }
  if (res.startup) {
    L.push(`| Tessera start to first answer (existing data directory) | ${fmt(res.startup.start_ms, 1)} ms |`);
    L.push(`| Tessera CPU from start to first answer (steadier than the wall clock) | ${fmt(res.startup.start_cpu_ms, 1)} ms |`);
    L.push(`| Tessera idle RSS | ${fmt(res.startup.idle_rss_mb, 1)} MB |`);
  }
  L.push('');
  L.push('Targets of issue 12:');
  L.push('');
  L.push('| target | measured | limit | measured / limit | met | why not met (this run) |');
  L.push('| --- | ---: | ---: | ---: | --- | --- |');
  for (const t of res.targets) {
    const met = t.met === null ? `not measured (${t.note})` : t.met ? 'met' : '**not met**';
    const show = (x) => (x === null ? 'n/a' : `${t.unit === '/s' ? rate(x) : fmt(x, 2)} ${t.unit}`);
    const worst = t.worst ? ` (${t.worst})` : '';
    L.push(`| ${t.target} | ${show(t.measured)}${worst} | ${show(t.limit)} | ${t.ratio ?? ''} | ${met} | ${t.met === false ? whyNot(t, res) : ''} |`);
  }
  if (res.limits.openssl?.busy) {
    L.push('');
    L.push('**Machine busy: limits unreliable.** An `openssl speed -multi` rate (all cores, wall clock) fell below the one-core rate (CPU time) in this run: other work shared the cores.');
  }
  for (const n of res.notes) {
    L.push('');
    L.push(`Note: ${n}`);
  }
  return L.join('\n');
}

const BEGIN = '<!-- bench:begin -->';
const END = '<!-- bench:end -->';

/** Replaces the text between the markers of docs/performance.md (the file must have them). */
export function updateDoc(file, res) {
  if (!existsSync(file)) throw new Error(`${file} missing`);
  const doc = readFileSync(file, 'utf8');
  // The markers count only on lines of their own (the prose may name them).
  const a = doc.search(new RegExp(`^${BEGIN}$`, 'm'));
  const b = doc.search(new RegExp(`^${END}$`, 'm'));
  if (a < 0 || b < a) throw new Error(`${file}: no ${BEGIN} … ${END} lines`);
  writeFileSync(file, `${doc.slice(0, a + BEGIN.length)}\n${markdown(res)}\n${doc.slice(b)}`);
}
