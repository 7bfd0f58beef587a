// Row counts straight from the server's SQLite file via the sqlite3 CLI.
import { execFileSync } from 'node:child_process';
import { json, mgmtToken } from './http.mjs';

export const TABLES = ['tenants', 'signing_keys', 'clients', 'resource_servers', 'client_grants'];

/** The tables of schema v2 (people log in). */
export const PEOPLE_TABLES = [
  'connections',
  'users',
  'sessions',
  'login_transactions',
  'authorization_codes',
  'refresh_tokens',
  'access_tokens',
  'user_grants',
  'password_tickets',
  'events',
];

// Read-only and without the checkpoint on close: a read-write sqlite3 that
// believes it is the last connection checkpoints and deletes the WAL, after
// which it (and every later reader) sees stale data while the server keeps
// writing to the unlinked WAL.  (That happens when the server process has
// lost its POSIX locks on the file, e.g. by closing another fd of it.)
function sqlite(dbPath, sql) {
  const args = [
    '-readonly',
    '-cmd', '.timeout 5000',
    '-cmd', '.output /dev/null',
    '-cmd', '.dbconfig no_ckpt_on_close on',
    '-cmd', '.output stdout',
    '-separator', '\t',
    dbPath,
    sql,
  ];
  return execFileSync('sqlite3', args, { encoding: 'utf8', timeout: 15_000 });
}

/** {table: count} for the given tables (default: TABLES); reads while the server runs (busy timeout 5 s). */
export function countRows(dbPath, tables = TABLES) {
  const sql = tables.map((t) => `SELECT '${t}', count(*) FROM ${t};`).join(' ');
  const out = sqlite(dbPath, sql);
  const counts = {};
  for (const line of out.trim().split('\n')) {
    const [t, n] = line.split('\t');
    counts[t] = Number(n);
  }
  for (const t of tables) {
    if (!Number.isInteger(counts[t])) throw new Error(`sqlite3 gave no count for ${t}: ${out}`);
  }
  return counts;
}

/**
 * Rows of a read-only query as arrays of strings (tab-separated output;
 * values must not contain tabs or newlines).  Use only test-made literals in sql.
 */
export function queryRows(dbPath, sql) {
  const out = sqlite(dbPath, sql).replace(/\n$/, '');
  if (out === '') return [];
  return out.split('\n').map((l) => l.split('\t'));
}

/** One number from a `SELECT count(*) ...` query. */
export function countWhere(dbPath, sql) {
  const rows = queryRows(dbPath, sql);
  const n = Number(rows[0]?.[0]);
  if (!Number.isInteger(n)) throw new Error(`sqlite3: no count from ${sql}: ${JSON.stringify(rows)}`);
  return n;
}

/** SQL string literal. */
export function sqlText(s) {
  return `'${String(s).replace(/'/g, "''")}'`;
}

/** Event types (Auth0 log codes) recorded so far, oldest first, optionally for one user or client. */
/**
 * eventTypes once every row the server has queued is committed: the server
 * writes event rows in batches, and /api/v2/logs waits for them first.
 */
export async function committedEventTypes(server, filter = {}) {
  const res = await json(`${server.url}api/v2/logs?per_page=1`, 'GET', undefined, await mgmtToken(server));
  if (res.status !== 200) throw new Error(`GET /api/v2/logs: ${res.status} ${res.text}`);
  return eventTypes(server.dbPath, filter);
}

export function eventTypes(dbPath, { userId, clientId } = {}) {
  const where = [];
  if (userId) where.push(`user_id = ${sqlText(userId)}`);
  if (clientId) where.push(`client_id = ${sqlText(clientId)}`);
  const sql = `SELECT type FROM events${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY date, id;`;
  return queryRows(dbPath, sql).map((r) => r[0]);
}
