// `tessera backup` and `tessera restore`: a backup taken while users are
// being created restores to a database that passes integrity_check, holds
// every user acknowledged before the backup started and none asked for
// after it ended, and that a server serves; restore refuses a live data
// directory and touches nothing; every refusal is one line and a non-zero
// status.  Every wait is bounded in count and time.
import assert from 'node:assert/strict';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';

import { assertCliError, runCli } from './lib/cli.mjs';
import { countRows, queryRows } from './lib/db.mjs';
import { Mgmt, uid } from './lib/mgmt.mjs';
import { makeDataDir, startTessera, withLogs } from './lib/server.mjs';

const LOAD_MAX_USERS = 150; // the write load's bounds: count ...
const LOAD_MAX_MS = 60_000; // ... and time
const LOAD_CONCURRENCY = 2;
const WARM_USERS = 5; // acknowledged by the load before the backup starts

let server; // the server on dataDir, then the one on the restored directory
let dataDir;
let work; // scratch directory for backup files
let backupFile;
const t_ = (fn) => withLogs(() => server, fn);

const mode = (p) => statSync(p).mode & 0o777;

/**
 * Creates users through the Management API, LOAD_CONCURRENCY at a time,
 * until stop() or its bounds.  Each record says whether it was sent after
 * the caller's mark (markSent) and when it was acknowledged.
 */
function startLoad(mgmt) {
  const acked = []; // {user_id, email, sentAfterMark}
  const failures = [];
  let stopped = false;
  let mark = false;
  let started = 0;
  const deadline = Date.now() + LOAD_MAX_MS;
  const worker = async () => {
    while (!stopped && started < LOAD_MAX_USERS && Date.now() < deadline) {
      started++;
      const email = `${uid('load')}@example.com`;
      const sentAfterMark = mark;
      const res = await mgmt.post('/users', {
        connection: 'Username-Password-Authentication',
        email,
        password: 'Str0ng!Passw0rd',
      });
      if (res.status === 201) acked.push({ user_id: res.body.user_id, email, sentAfterMark });
      else failures.push(`${res.status} ${res.text}`);
    }
  };
  const done = Promise.all(Array.from({ length: LOAD_CONCURRENCY }, worker));
  return {
    acked,
    failures,
    done,
    markSent: () => {
      mark = true;
    },
    stop: () => {
      stopped = true;
      return done;
    },
  };
}

/** Waits (bounded) until cond() holds; false on timeout. */
async function waitFor(cond, { tries = 600, intervalMs = 100 } = {}) {
  for (let i = 0; i < tries; i++) {
    if (cond()) return true;
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  return cond();
}

let ackedBefore = []; // users acknowledged before the backup started
let sentAfter = []; // users whose creation was asked for after the backup ended
let backupLine;

before(async () => {
  server = await startTessera();
  dataDir = server.dataDir;
  work = makeDataDir();
  backupFile = path.join(work, 'tessera-backup.db');
});

after(async () => {
  if (server && !server.hasExited()) await server.kill9();
});

test('tessera backup under write load writes a checked, private copy in one line', t_(async (t) => {
  const mgmt = await Mgmt.forBootstrap(server);
  const load = startLoad(mgmt);
  try {
    assert.ok(
      await waitFor(() => load.acked.length >= WARM_USERS || load.failures.length > 0),
      `the load acknowledged ${load.acked.length} users before its bound`,
    );
    assert.deepEqual(load.failures, [], 'every user creation succeeded');
    ackedBefore = load.acked.slice();
    const res = await runCli(['backup', '--to', backupFile, '--data-dir', dataDir]);
    load.markSent();
    assert.equal(res.code, 0, `tessera backup: ${res.stderr}`);
    assert.equal(res.stderr, '', 'nothing on stderr');
    backupLine = res.stdout;
    const m = /^Wrote (.+): (\d+) bytes, 1 tenant, (\d+) users?, schema version (\d+)\.\n$/.exec(res.stdout);
    assert.ok(m, `one line saying what was written: ${JSON.stringify(res.stdout)}`);
    assert.equal(m[1], backupFile, 'the path written');
    assert.equal(Number(m[2]), statSync(backupFile).size, 'the size printed is the file size');
    assert.ok(Number(m[3]) >= ackedBefore.length, `users in the backup (${m[3]}) >= acknowledged before it (${ackedBefore.length})`);
    assert.ok(Number(m[4]) >= 1, 'a schema version');
    // A few more creations after the backup ended, which it must not hold.
    const enough = load.acked.filter((u) => u.sentAfterMark).length + 3;
    await waitFor(() => load.acked.filter((u) => u.sentAfterMark).length >= enough || load.failures.length > 0, { tries: 300 });
  } finally {
    await load.stop();
  }
  assert.deepEqual(load.failures, [], 'every user creation succeeded');
  sentAfter = load.acked.filter((u) => u.sentAfterMark);
  t.diagnostic(
    `users acknowledged before the backup: ${ackedBefore.length}, in it: ${/(\d+) users?,/.exec(backupLine)[1]}, ` +
      `acknowledged in all: ${load.acked.length}, asked for after it: ${sentAfter.length}`,
  );
  assert.equal(mode(backupFile), 0o600, 'the backup is mode 0600');
  assert.deepEqual(readdirSync(work), ['tessera-backup.db'], 'no temporary file is left beside it');
  assert.ok(!readFileSync(backupFile).includes(Buffer.from(server.bootstrap.client_secret)), 'the backup holds no plaintext bootstrap secret');
}));

test('restore onto the data directory of a running server is refused and touches nothing', t_(async () => {
  assert.ok(backupLine, 'depends on the backup test');
  const before = countRows(server.dbPath, ['users', 'tenants', 'clients']);
  const filesBefore = readdirSync(dataDir).sort();
  const res = await runCli(['restore', '--from', backupFile, '--data-dir', dataDir, '--force']);
  assertCliError(
    assert,
    res,
    1,
    new RegExp(`^tessera restore: .+ is in use by a running tessera \\(pid ${server.proc.pid}\\); stop it first$`),
    'restore onto a live data directory',
  );
  assert.deepEqual(countRows(server.dbPath, ['users', 'tenants', 'clients']), before, 'row counts unchanged');
  assert.deepEqual(readdirSync(dataDir).sort(), filesBefore, 'no file added or removed in the data directory');
  const mgmt = await Mgmt.forBootstrap(server);
  const one = await mgmt.get(`/users/${encodeURIComponent(ackedBefore[0].user_id)}`);
  assert.equal(one.status, 200, `the server still serves: ${one.text}`);
}));

test('backup and restore --help list every option and say what a backup does not hold', async () => {
  for (const [cmd, opts] of [
    ['backup', ['to', 'data-dir', 'force', 'json']],
    ['restore', ['from', 'data-dir', 'force', 'json']],
  ]) {
    const r = await runCli([cmd, '--help']);
    assert.equal(r.code, 0, `${cmd} --help: ${r.stderr}`);
    for (const o of opts) assert.ok(r.stdout.includes(`--${o}`), `${cmd} --help lists --${o}:\n${r.stdout}`);
    assert.match(r.stdout, /master key/, `${cmd} --help speaks of the master key`);
    assert.match(r.stdout, /bootstrap-client\.json/, `${cmd} --help speaks of bootstrap-client.json`);
  }
  const all = await runCli(['--help']);
  assert.match(all.stdout, /^ {2}backup +/m, 'tessera --help lists backup');
  assert.match(all.stdout, /^ {2}restore +/m, 'tessera --help lists restore');
});

test('backup and restore refuse bad input with one line and a non-zero status', t_(async () => {
  assert.ok(backupLine, 'depends on the backup test');
  const content = readFileSync(backupFile);
  assertCliError(
    assert,
    await runCli(['backup', '--to', backupFile, '--data-dir', dataDir]),
    1,
    /^tessera backup: .+ exists; pass --force to replace it$/,
    'backup to an existing file',
  );
  assert.ok(readFileSync(backupFile).equals(content), 'the existing file is unchanged');

  const notDb = path.join(work, 'notes.txt');
  writeFileSync(notDb, 'these are not the pages you are looking for\n');
  const fresh = makeDataDir();
  assertCliError(
    assert,
    await runCli(['restore', '--from', notDb, '--data-dir', fresh]),
    1,
    /^tessera restore: .+notes\.txt is not an SQLite database$/,
    'restore from a file that is not a database',
  );
  assert.deepEqual(readdirSync(fresh).filter((f) => f.startsWith('tessera.db')), [], 'no database written');
  assertCliError(
    assert,
    await runCli(['restore', '--from', path.join(work, 'missing.db'), '--data-dir', fresh]),
    1,
    /^tessera restore: .+missing\.db: No such file or directory$/,
    'restore from a missing file',
  );
  assertCliError(
    assert,
    await runCli(['backup', '--to', path.join(work, 'x.db'), '--data-dir', dataDir, '--bogus']),
    2,
    /^tessera backup: unknown option --bogus$/,
    'backup with a bad flag',
  );
  assertCliError(assert, await runCli(['backup', '--data-dir', dataDir]), 2, /^tessera backup: --to is required$/, 'backup without --to');
  assertCliError(assert, await runCli(['restore', '--data-dir', fresh]), 2, /^tessera restore: --from is required$/, 'restore without --from');
  assertCliError(
    assert,
    await runCli(['backup', '--to', path.join(work, 'y.db'), '--data-dir', path.join(work, 'nowhere')]),
    1,
    /^tessera backup: .+nowhere holds no database/,
    'backup of a directory without a database',
  );
  assert.ok(!existsSync(path.join(work, 'x.db')) && !existsSync(path.join(work, 'y.db')), 'no file written by a refused backup');

  // A directory others can write (no sticky bit): they could divert the copy.
  const shared = path.join(work, 'shared');
  mkdirSync(shared);
  chmodSync(shared, 0o777);
  assertCliError(
    assert,
    await runCli(['backup', '--to', path.join(shared, 'z.db'), '--data-dir', dataDir]),
    1,
    /^tessera backup: other users can write .+shared \(owner uid \d+, mode 0777\), so they could divert the copy; /,
    'backup into a directory others can write',
  );
  assert.deepEqual(readdirSync(shared), [], 'nothing written there');

  // TESSERA_DATA_DIR names the directory too; --json prints what was written.
  const second = path.join(work, 'second.db');
  const r = await runCli(['backup', '--to', second, '--json'], { env: { TESSERA_DATA_DIR: dataDir } });
  assert.equal(r.code, 0, `backup --json: ${r.stderr}`);
  const j = JSON.parse(r.stdout);
  assert.equal(j.path, second, 'path');
  assert.equal(j.bytes, statSync(second).size, 'bytes');
  assert.equal(j.tenants, 1, 'tenants');
  assert.ok(Number.isInteger(j.users) && j.users >= ackedBefore.length, 'users');
  assert.ok(Number.isInteger(j.schema_version) && j.schema_version >= 1, 'schema_version');
}));

test('the backup restores into a new data directory that a server serves, with every acknowledged user', t_(async () => {
  assert.ok(backupLine && ackedBefore.length >= WARM_USERS, 'depends on the backup test');
  const port = server.port;
  assert.equal(await server.stop(), 0, 'SIGTERM exit code of the server that was backed up');

  // As an operator would: the master key and the bootstrap file come from elsewhere.
  const restored = makeDataDir();
  const res = await runCli(['restore', '--from', backupFile, '--data-dir', restored]);
  assert.equal(res.code, 0, `tessera restore: ${res.stderr}`);
  assert.match(res.stdout, /^Restored .+ into .+: \d+ bytes, 1 tenant, \d+ users?, schema version \d+\.\n/, 'what was restored');
  assert.match(res.stdout, /master key/, 'a note that the master key is missing');
  const db = path.join(restored, 'tessera.db');
  assert.equal(mode(db), 0o600, 'the restored database is mode 0600');
  for (const f of ['tessera.db-wal', 'tessera.db-shm']) assert.ok(!existsSync(path.join(restored, f)), `no ${f}`);
  copyFileSync(path.join(dataDir, 'master.key'), path.join(restored, 'master.key'));
  copyFileSync(server.bootstrapPath, path.join(restored, 'bootstrap-client.json'));

  assert.deepEqual(queryRows(db, 'PRAGMA integrity_check;'), [['ok']], 'integrity_check');
  const emails = new Set(queryRows(db, 'SELECT email FROM users;').map((r) => r[0]));
  const missing = ackedBefore.filter((u) => !emails.has(u.email));
  assert.deepEqual(missing, [], 'every user acknowledged before the backup started is in it');
  const late = sentAfter.filter((u) => emails.has(u.email));
  assert.deepEqual(late, [], 'no user asked for after the backup ended is in it');
  const printed = Number(/(\d+) users?, schema/.exec(backupLine)[1]);
  assert.equal(emails.size, printed, 'the users counted in the backup line are the users restored');

  server = await startTessera({ dataDir: restored, port });
  const mgmt = await Mgmt.forBootstrap(server);
  for (const u of ackedBefore) {
    const got = await mgmt.get(`/users/${encodeURIComponent(u.user_id)}`);
    assert.equal(got.status, 200, `GET /users/${u.user_id} on the restored server: ${got.text}`);
    assert.equal(got.body.email, u.email, 'the same user');
  }
  assert.equal(await server.stop(), 0, 'SIGTERM exit code of the restored server');

  // Restoring over a database needs --force and keeps the old one.
  const again = await runCli(['restore', '--from', backupFile, '--data-dir', restored]);
  assertCliError(assert, again, 1, /^tessera restore: .+tessera\.db exists; pass --force to replace it/, 'restore over a database without --force');
  const forced = await runCli(['restore', '--from', backupFile, '--data-dir', restored, '--force']);
  assert.equal(forced.code, 0, `tessera restore --force: ${forced.stderr}`);
  const kept = readdirSync(restored).filter((f) => /^tessera\.db\.before-restore-\d{8}T\d{6}Z(-\d+)?$/.test(f));
  assert.equal(kept.length, 1, `the replaced database is kept: ${readdirSync(restored).join(' ')}`);
  assert.match(forced.stdout, new RegExp(`kept as .+${kept[0]}`), 'the output names the kept file');
  assert.doesNotMatch(forced.stdout, /master key/, 'no master key note once the key is there');
}));
