// Installing Tessera as a server: what `make install` stages (cmake --install of
// the build that made TESSERA_BIN, DESTDIR'd into a scratch root) and what the
// Debian package of `make deb` unpacks to (dpkg-deb -x into another).  From each
// root: the installed binary runs, serves discovery with the installed config
// file, the config file's defaults parse, the man pages render without a
// warning and name every setting, and the systemd unit passes
// `systemd-analyze verify`.  The package's control data and maintainer scripts
// are checked too (the scripts run against stubs, as in a container without
// systemd), and a run of the packaged server under strace stays inside the
// unit's system call filter, address families and MemoryDenyWriteExecute.
//
// TESSERA_DEB names a prebuilt package; otherwise `make deb` builds one
// (build-deb/, incremental after the first time).
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { freePort, makeDataDir, sleep, startTessera, tesseraBin } from './lib/server.mjs';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const DEB_BUILD_MS = 900_000;

const has = (cmd) => spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;

/** Runs a command to completion (bounded); returns {status, stdout, stderr}. */
function run(cmd, args, { env, cwd, timeout = 120_000 } = {}) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', env: env ?? process.env, cwd, timeout });
  if (r.error) throw new Error(`${cmd} ${args.join(' ')}: ${r.error.message}`);
  return r;
}

function ok(cmd, args, opts) {
  const r = run(cmd, args, opts);
  assert.equal(r.status, 0, `${cmd} ${args.join(' ')} exited ${r.status}\n${r.stdout}\n${r.stderr}`);
  return r;
}

const scratch = mkdtempSync(path.join(os.tmpdir(), 'tessera-install-'));
chmodSync(scratch, 0o755); // the traced server runs as nobody and reads its binary from here
after(() => {
  if (process.env.TESSERA_E2E_KEEP !== '1') rmSync(scratch, { recursive: true, force: true });
});

/** The value of a CMake cache entry of the build dir. */
function cacheValue(buildDir, name) {
  const line = readFileSync(path.join(buildDir, 'CMakeCache.txt'), 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`${name}:`));
  return line ? line.slice(line.indexOf('=') + 1) : null;
}

/** Where things landed in an installed root, read from the unit (its paths are the truth). */
function layout(root, prefix) {
  const unit = path.join(root, prefix, 'lib/systemd/system/tessera.service');
  const text = readFileSync(unit, 'utf8');
  const exec = text.match(/^ExecStart=(\S+) serve --config (\S+) --data-dir %S\/tessera$/m);
  assert.ok(exec, `ExecStart of ${unit}:\n${text}`);
  return {
    root,
    prefix,
    unit,
    unitText: text,
    binPath: exec[1],
    confPath: exec[2],
    bin: path.join(root, exec[1]),
    conf: path.join(root, exec[2]),
    man1: path.join(root, prefix, 'share/man/man1/tessera.1'),
    man5: path.join(root, prefix, 'share/man/man5/tessera.conf.5'),
    sysusers: path.join(root, prefix, 'lib/sysusers.d/tessera.conf'),
  };
}

/** `make install`'s rules, run from the build that made TESSERA_BIN, into a scratch root. */
function stageMakeInstall() {
  const buildDir = path.dirname(tesseraBin());
  assert.ok(existsSync(path.join(buildDir, 'CMakeCache.txt')), `${buildDir} is a CMake build dir`);
  ok('cmake', ['--build', buildDir, '--target', 'tessera-docs', 'tessera-verify', 'tessera-verify-static'], {
    timeout: 600_000,
  });
  const root = path.join(scratch, 'make-install');
  ok('cmake', ['--install', buildDir], { env: { ...process.env, DESTDIR: root } });
  return layout(root, cacheValue(buildDir, 'CMAKE_INSTALL_PREFIX'));
}

/** The package: TESSERA_DEB, else `make deb`'s newest. */
function buildDeb() {
  if (process.env.TESSERA_DEB) return path.resolve(process.env.TESSERA_DEB);
  const r = run('make', ['-s', 'deb'], { cwd: REPO, timeout: DEB_BUILD_MS });
  assert.equal(r.status, 0, `make deb exited ${r.status}\n${r.stdout}\n${r.stderr.slice(-3000)}`);
  const dir = path.join(REPO, 'build-deb');
  const debs = readdirSync(dir)
    .filter((f) => f.endsWith('.deb'))
    .map((f) => path.join(dir, f))
    .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs);
  assert.ok(debs.length > 0, `no .deb in ${dir}`);
  return debs[0];
}

let installed; // layout of make install's root
let deb; // path of the package
let unpacked; // layout of its root
let control; // directory of its control files

before(
  () => {
    installed = stageMakeInstall();
    deb = buildDeb();
    const root = path.join(scratch, 'deb-root');
    control = path.join(scratch, 'deb-control');
    ok('dpkg-deb', ['-x', deb, root]);
    ok('dpkg-deb', ['-e', deb, control]);
    unpacked = layout(root, '/usr');
  },
  { timeout: DEB_BUILD_MS + 300_000 },
);

// The same checks of each installed root.
for (const [name, get] of [
  ['make install', () => installed],
  ['the Debian package', () => unpacked],
]) {
  describe(`installed by ${name}`, () => {
    test('the binary runs from the installed root', () => {
      const { stdout } = ok(get().bin, ['version']);
      assert.match(stdout, /^tessera \d+\.\d+\.\d+\n$/);
    });

    test('the installed config file is accepted and the server answers discovery', async () => {
      const l = get();
      assert.ok(existsSync(l.conf), `${l.conf} installed`);
      const server = await startTessera({ bin: l.bin, args: ['--config', l.conf] });
      try {
        const res = await fetch(`${server.url}.well-known/openid-configuration`);
        assert.equal(res.status, 200);
        const doc = await res.json();
        assert.equal(doc.issuer, server.url);
        assert.equal(doc.jwks_uri, `${server.url}.well-known/jwks.json`);
      } finally {
        assert.equal(await server.stop(), 0, 'clean exit on SIGTERM');
      }
    });

    test("the config file's defaults, uncommented, parse and serve", async () => {
      const l = get();
      const text = readFileSync(l.conf, 'utf8');
      // Keys shown with a placeholder (FILE, URL) have no default to set.
      const lines = text.split('\n').filter((x) => /^#[a-z-]+ = /.test(x) && !/ = [A-Z]+$/.test(x));
      assert.ok(lines.length >= 25, `defaults in ${l.conf}: ${lines.length}`);
      const conf = path.join(scratch, `${name.replace(/\W+/g, '-')}-defaults.conf`);
      writeFileSync(conf, lines.map((x) => x.slice(1)).join('\n') + '\n');
      // data-dir, listen and public-url come from the harness's flags, which win over the file.
      const server = await startTessera({ bin: l.bin, args: ['--config', conf], env: {} });
      try {
        assert.equal((await fetch(`${server.url}healthz`)).status, 200);
      } finally {
        assert.equal(await server.stop(), 0);
      }
    });

    test('the man pages render without a warning and name every setting', (t) => {
      const l = get();
      const flags = [...ok(l.bin, ['--help']).stdout.matchAll(/^ {2}(--[a-z-]+)/gm)].map((m) => m[1]);
      assert.ok(flags.length >= 30, `flags in --help: ${flags.length}`);
      const keys = [...readFileSync(l.conf, 'utf8').matchAll(/^#([a-z-]+) = /gm)].map((m) => m[1]);
      for (const [page, names] of [
        [l.man1, flags],
        [l.man5, keys],
      ]) {
        const g = ok('groff', ['-man', '-Tutf8', '-ww', '-z', page]);
        assert.equal(g.stderr, '', `groff warnings for ${page}`);
        const text = ok('groff', ['-man', '-Tascii', '-P-cbou', page]).stdout.replace(/-\n\s*/g, '-');
        for (const n of names) assert.ok(text.includes(n), `${path.basename(page)} names ${n}`);
      }
      if (!has('man')) {
        t.diagnostic('man (man-db) is not installed: checked with groff only');
        return;
      }
      for (const page of [l.man1, l.man5]) {
        const m = ok('man', ['--warnings', '-l', page], {
          env: { ...process.env, MANWIDTH: '80', LC_ALL: 'C.UTF-8', MANPAGER: 'cat', PAGER: 'cat' },
        });
        assert.equal(m.stderr, '', `man --warnings for ${page}`);
      }
    });

    test('the systemd unit is hardened and passes systemd-analyze verify', (t) => {
      const l = get();
      assert.equal(l.binPath, path.join(l.prefix, 'bin/tessera'));
      for (const line of [
        'DynamicUser=yes',
        'User=tessera',
        'StateDirectory=tessera',
        'ConfigurationDirectory=tessera',
        'UMask=0077',
        'NoNewPrivileges=yes',
        'CapabilityBoundingSet=',
        'ProtectSystem=strict',
        'ProtectHome=yes',
        'PrivateTmp=yes',
        'PrivateDevices=yes',
        'ProtectKernelTunables=yes',
        'ProtectKernelModules=yes',
        'ProtectKernelLogs=yes',
        'ProtectControlGroups=yes',
        'RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX',
        'RestrictNamespaces=yes',
        'LockPersonality=yes',
        'MemoryDenyWriteExecute=yes',
        'SystemCallFilter=@system-service',
        'SystemCallArchitectures=native',
        'StandardOutput=null',
      ]) {
        assert.ok(l.unitText.split('\n').includes(line), `unit has ${line}`);
      }
      assert.match(readFileSync(l.sysusers, 'utf8'), /^u tessera - .* \/var\/lib\/tessera /m);
      if (!has('systemd-analyze')) {
        t.skip('systemd-analyze is not installed (Debian package systemd): the unit is not verified');
        return;
      }
      // The unit as installed names the binary by its final path; here it is under the root.
      const dir = mkdtempSync(path.join(scratch, 'unit-'));
      const unit = path.join(dir, 'tessera.service');
      writeFileSync(unit, l.unitText.replace(`ExecStart=${l.binPath} `, `ExecStart=${l.bin} `));
      const env = { ...process.env, MANPATH: path.join(l.root, l.prefix, 'share/man') };
      // Documentation= is checked with man(1) when it is there (man-db).
      const v = run('systemd-analyze', ['verify', ...(has('man') ? [] : ['--man=no']), unit], { env });
      assert.equal(v.status, 0, `systemd-analyze verify: ${v.stdout}${v.stderr}`);
      assert.equal(v.stderr.trim(), '', 'no complaint from systemd-analyze verify');
      const s = run('systemd-analyze', ['security', '--offline=true', unit], { env });
      const level = s.stdout.match(/Overall exposure level for tessera\.service: ([\d.]+)/);
      if (s.status !== 0 || !level) {
        t.diagnostic(`systemd-analyze security --offline is not available here: ${s.stderr.trim()}`);
        return;
      }
      assert.ok(Number(level[1]) <= 2.0, `exposure ${level[1]} (at most 2.0)`);
    });
  });
}

test("README's settings table names every setting of --help", () => {
  const readme = readFileSync(path.join(REPO, 'README.md'), 'utf8');
  const flags = [...ok(tesseraBin(), ['--help']).stdout.matchAll(/^ {2}(--[a-z-]+)/gm)].map((m) => m[1]);
  assert.ok(flags.length >= 30);
  for (const f of flags) assert.ok(readme.includes(`\`${f}`), `README names ${f}`);
});

describe('the Debian package', () => {
  test('its control data: name, version, dependencies, conffile, scripts', () => {
    const field = (f) => ok('dpkg-deb', ['-f', deb, f]).stdout.trim();
    assert.equal(field('Package'), 'tessera');
    assert.match(field('Version'), /^\d+\.\d+\.\d+-1$/);
    const depends = field('Depends');
    for (const lib of ['libmicrohttpd', 'libssl3', 'libjansson', 'libsqlite3', 'libsodium', 'libcurl', 'libyaml', 'passwd']) {
      assert.ok(depends.includes(lib), `Depends names ${lib}: ${depends}`);
    }
    assert.equal(readFileSync(path.join(control, 'conffiles'), 'utf8').trim(), '/etc/tessera/tessera.conf');
    assert.equal(unpacked.confPath, '/etc/tessera/tessera.conf');
    for (const s of ['postinst', 'prerm', 'postrm']) {
      const p = path.join(control, s);
      assert.equal(statSync(p).mode & 0o777, 0o755, `${s} is 0755`);
      ok('sh', ['-n', p]);
    }
    for (const f of [
      'usr/bin/tessera',
      'usr/lib/systemd/system/tessera.service',
      'usr/lib/sysusers.d/tessera.conf',
      'usr/share/man/man1/tessera.1',
      'usr/share/man/man5/tessera.conf.5',
      'etc/tessera/tessera.conf',
      'usr/include/tessera/verify.h',
    ]) {
      assert.ok(existsSync(path.join(unpacked.root, f)), `the package holds /${f}`);
    }
    const libdir = ok('dpkg-deb', ['-c', deb]).stdout;
    assert.match(libdir, /\/usr\/lib\/(?:[a-z0-9_-]+\/)?libtessera-verify\.so\.0\.\d+\.\d+\n/);
    assert.match(libdir, /\/usr\/lib\/(?:[a-z0-9_-]+\/)?pkgconfig\/tessera-verify\.pc\n/);
    assert.match(readFileSync(path.join(control, 'triggers'), 'utf8'), /activate-noawait ldconfig/);
  });

  test('its maintainer scripts succeed without systemd, creating the user once', (t) => {
    if (existsSync('/run/systemd/system')) t.diagnostic('systemd runs here: systemctl calls go to a stub');
    // Every command the scripts change the system with is a stub that logs its arguments.
    const stubs = mkdtempSync(path.join(scratch, 'stubs-'));
    const log = path.join(stubs, 'calls.log');
    const users = path.join(stubs, 'users');
    for (const cmd of ['groupadd', 'useradd', 'chown', 'chmod', 'dpkg-statoverride', 'systemctl']) {
      writeFileSync(path.join(stubs, cmd), `#!/bin/sh\necho "${cmd} $*" >> "${log}"\n`);
      chmodSync(path.join(stubs, cmd), 0o755);
    }
    // getent knows the tessera user and group once useradd "ran".
    writeFileSync(
      path.join(stubs, 'getent'),
      `#!/bin/sh\n[ -f "${users}" ] && exit 0\nexit 2\n`,
    );
    chmodSync(path.join(stubs, 'getent'), 0o755);
    const env = { ...process.env, PATH: `${stubs}:${process.env.PATH}` };
    const script = (s, ...args) => ok('sh', [path.join(control, s), ...args], { env });
    const calls = () => (existsSync(log) ? readFileSync(log, 'utf8') : '');

    const first = script('postinst', 'configure', '');
    assert.match(first.stdout, /systemctl enable --now tessera/, 'a first install says how to start');
    assert.match(calls(), /^groupadd --system tessera$/m);
    assert.match(calls(), /^useradd --system --gid tessera --home-dir \/var\/lib\/tessera .* tessera$/m);
    if (!existsSync('/run/systemd/system')) assert.doesNotMatch(calls(), /systemctl/);

    writeFileSync(users, 'tessera\n');
    writeFileSync(log, '');
    script('postinst', 'configure', '0.0.9-1');
    assert.doesNotMatch(calls(), /groupadd|useradd/, 'an existing user is kept');
    script('prerm', 'remove');
    script('postrm', 'remove');
    script('postrm', 'purge');
  });

  test("a run of the packaged server stays inside the unit's sandbox", async (t) => {
    if (!has('strace') || !has('systemd-analyze')) {
      t.skip('strace or systemd-analyze is not installed: the system calls are not checked');
      return;
    }
    const allowed = syscallFilter(unpacked.unitText);
    const dataDir = makeDataDir();
    const trace = path.join(scratch, 'strace.out');
    const port = await freePort();
    const url = `http://127.0.0.1:${port}/`;
    // As the service does, not as root (SQLite changes the owner of its files only for root).
    const asUser = process.getuid() === 0 ? ['setpriv', '--reuid=nobody', '--regid=nogroup', '--clear-groups'] : [];
    if (asUser.length > 0) chownSync(dataDir, uidOf('nobody'), gidOf('nogroup'));
    const argv = [
      ...asUser,
      unpacked.bin,
      'serve',
      '--listen',
      `127.0.0.1:${port}`,
      '--public-url',
      url,
      '--data-dir',
      dataDir,
      '--config',
      unpacked.conf,
    ];
    const proc = spawn('strace', ['-f', '-qq', '-o', trace, ...argv], { stdio: 'ignore' });
    const exited = new Promise((resolve) => proc.on('close', (code) => resolve(code)));
    try {
      let healthy = false;
      for (let i = 0; i < 150 && !healthy; i++) {
        healthy = await fetch(`${url}healthz`).then((r) => r.status === 200, () => false);
        if (!healthy) await sleep(100);
      }
      assert.ok(healthy, 'the traced server answers /healthz');
      await exercise(url, dataDir);
    } finally {
      // SIGTERM to the traced server itself: the first pid of the trace.
      const pid = Number(readFileSync(trace, 'utf8').split(' ', 1)[0]);
      if (pid > 0) {
        try {
          process.kill(pid, 'SIGTERM');
        } catch {
          /* gone */
        }
      }
      const code = await Promise.race([exited, sleep(20_000).then(() => 'timeout')]);
      if (code === 'timeout') proc.kill('SIGKILL');
      assert.equal(code, 0, 'the traced server stops cleanly');
    }
    // From the server's own start: what setpriv did before it is not the server's.
    const all = readFileSync(trace, 'utf8').split('\n');
    const start = all.findIndex((l) => l.includes(`execve("${unpacked.bin}"`) && / = 0$/.test(l));
    assert.ok(start >= 0, 'the trace holds the execve of the server');
    const lines = all.slice(start);
    const text = lines.join('\n');
    const used = new Set();
    for (const line of lines) {
      const m = line.match(/^\d+\s+(?:<\.\.\. )?([a-z0-9_]+)[ (]/);
      if (m) used.add(m[1]);
    }
    assert.ok(used.has('accept4') || used.has('accept'), 'the trace saw the connections');
    const outside = [...used].filter((s) => !allowed.has(s));
    assert.deepEqual(outside, [], 'system calls outside SystemCallFilter');
    const families = new Set([...text.matchAll(/socket\((AF_[A-Z0-9]+)/g)].map((m) => m[1]));
    for (const f of families) assert.ok(['AF_INET', 'AF_INET6', 'AF_UNIX'].includes(f), `socket family ${f}`);
    assert.doesNotMatch(text, /PROT_WRITE\|PROT_EXEC|PROT_EXEC\|PROT_WRITE/, 'no writable and executable memory');
  });
});

/** uid and gid of a name from /etc/passwd and /etc/group. */
function uidOf(name) {
  const l = readFileSync('/etc/passwd', 'utf8').split('\n').find((x) => x.startsWith(`${name}:`));
  return Number(l.split(':')[2]);
}
function gidOf(name) {
  const l = readFileSync('/etc/group', 'utf8').split('\n').find((x) => x.startsWith(`${name}:`));
  return Number(l.split(':')[2]);
}

/**
 * The system calls a unit's SystemCallFilter= lines allow: the first list
 * (an allow list), minus every later list that starts with '~'.
 */
function syscallFilter(unitText) {
  const groups = {};
  let cur = null;
  for (const line of ok('systemd-analyze', ['syscall-filter']).stdout.split('\n')) {
    const l = line.trim();
    if (l === '' || l.startsWith('#')) continue;
    if (line.startsWith('@')) groups[(cur = l)] = [];
    else if (cur) groups[cur].push(l);
  }
  const expand = (name) =>
    name.startsWith('@') ? (groups[name] ?? []).flatMap(expand) : [name];
  let allowed = null;
  for (const m of unitText.matchAll(/^SystemCallFilter=(~?)(.*)$/gm)) {
    const names = new Set(m[2].split(/\s+/).filter(Boolean).flatMap(expand));
    if (m[1] === '~') allowed = new Set([...(allowed ?? [])].filter((s) => !names.has(s)));
    else allowed = new Set([...(allowed ?? []), ...names]);
  }
  assert.ok(allowed && allowed.size > 100, 'the unit has an allow list');
  return allowed;
}

/** What a server does in a day, briefly: discovery, tokens, the Management API, a login page, mail. */
async function exercise(url, dataDir) {
  const boot = JSON.parse(readFileSync(path.join(dataDir, 'bootstrap-client.json'), 'utf8'));
  assert.equal((await fetch(`${url}.well-known/openid-configuration`)).status, 200);
  assert.equal((await fetch(`${url}.well-known/jwks.json`)).status, 200);
  const tok = await fetch(`${url}oauth/token`, {
    method: 'POST',
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: boot.client_id,
      client_secret: boot.client_secret,
      audience: boot.audience,
    }),
  }).then((r) => r.json());
  assert.ok(tok.access_token, JSON.stringify(tok));
  const auth = { authorization: `Bearer ${tok.access_token}`, 'content-type': 'application/json' };
  assert.equal((await fetch(`${url}api/v2/clients`, { headers: auth })).status, 200);
  const user = await fetch(`${url}api/v2/users`, {
    method: 'POST',
    headers: auth,
    body: JSON.stringify({
      connection: 'Username-Password-Authentication',
      email: 'strace@example.com',
      password: 'A-long-enough-passw0rd!',
    }),
  });
  assert.equal(user.status, 201, await user.text());
  const reset = await fetch(`${url}dbconnections/change_password`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      client_id: boot.client_id,
      email: 'strace@example.com',
      connection: 'Username-Password-Authentication',
    }),
  });
  assert.equal(reset.status, 200);
  assert.ok((await fetch(`${url}authorize?client_id=nope&response_type=code`)).status < 500);
  // The reset mail is queued and written by the mail worker: wait (bounded) for it.
  const outbox = path.join(dataDir, 'outbox');
  for (let i = 0; i < 50 && !(existsSync(outbox) && readdirSync(outbox).length > 0); i++) await sleep(100);
  assert.ok(existsSync(outbox) && readdirSync(outbox).length > 0, 'the reset mail was written');
}

