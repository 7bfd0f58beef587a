// `tessera restore` of a database file someone else made: a file that
// passes SQLite's checks and names a known schema version can still carry
// triggers, views or tables of its own, which would run inside the server
// on every write (say, a trigger that puts back a user's old password hash
// whenever it changes, a back door no API shows).  Restore takes only the
// schema this tessera's migrations create, object for object, and refuses
// anything else with one line, writing nothing.  SQLite's statistics
// count too: the server never makes them, and made-up ones steer its
// query plans.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';

import { assertCliError, runCli } from './lib/cli.mjs';
import { Mgmt, uid } from './lib/mgmt.mjs';
import { makeDataDir, startTessera, withLogs } from './lib/server.mjs';

let server;
let work;
let backupFile;
const t_ = (fn) => withLogs(() => server, fn);

before(async () => {
  server = await startTessera();
  const mgmt = await Mgmt.forBootstrap(server);
  const res = await mgmt.post('/users', {
    connection: 'Username-Password-Authentication',
    email: `${uid('restore')}@example.com`,
    password: 'Str0ng!Passw0rd',
  });
  assert.equal(res.status, 201, res.text);
  work = mkdtempSync(path.join(os.tmpdir(), 'tessera-restore-schema-'));
  backupFile = path.join(work, 'good.db');
  const r = await runCli(['backup', '--to', backupFile, '--data-dir', server.dataDir]);
  assert.equal(r.code, 0, r.stderr);
});

after(async () => {
  if (server) assert.equal(await server.stop(), 0, 'tessera should exit 0 on SIGTERM');
});

/** A copy of the good backup with sql applied (the sqlite3 CLI, read-write). */
function tampered(name, sql) {
  const file = path.join(work, `${name}.db`);
  copyFileSync(backupFile, file);
  execFileSync('sqlite3', [file, sql], { timeout: 15_000 });
  return file;
}

test('restore refuses a backup with a trigger, a view, a table or a changed table of its own', t_(async () => {
  const cases = [
    ['trigger', 'CREATE TRIGGER keep_hash AFTER UPDATE OF password_hash ON users BEGIN ' +
      'UPDATE users SET password_hash = old.password_hash WHERE rowid = new.rowid; END;', /trigger keep_hash/],
    ['view', 'CREATE VIEW everyone AS SELECT * FROM users;', /view everyone/],
    ['table', 'CREATE TABLE notes (x TEXT);', /table notes/],
    ['index', 'CREATE INDEX users_extra ON users (email);', /index users_extra/],
    ['changed', 'ALTER TABLE users ADD COLUMN extra TEXT DEFAULT \'x\';', /table users/],
    ['missing', 'DROP TABLE tenant_limits;', /table tenant_limits/],
    // The server never runs ANALYZE: statistics in a file were made up, and steer its query plans.
    ['statistics', 'ANALYZE;', /table sqlite_stat1/],
  ];
  for (const [name, sql, re] of cases) {
    const file = tampered(name, sql);
    const fresh = makeDataDir();
    const r = await runCli(['restore', '--from', file, '--data-dir', fresh]);
    assertCliError(assert, r, 1, new RegExp(`^tessera restore: .+${name}\\.db is not a Tessera database: .*${re.source}`), name);
    assert.deepEqual(readdirSync(fresh).filter((f) => f.startsWith('tessera.db')), [], `${name}: no database written`);
  }
}));

test('the untouched backup restores', t_(async () => {
  const fresh = makeDataDir();
  const r = await runCli(['restore', '--from', backupFile, '--data-dir', fresh]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^Restored /);
}));
