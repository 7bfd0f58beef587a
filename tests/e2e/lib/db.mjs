// Row counts straight from the server's SQLite file via the sqlite3 CLI.
import { execFileSync } from 'node:child_process';

export const TABLES = ['tenants', 'signing_keys', 'clients', 'resource_servers', 'client_grants'];

/** {table: count} for every table; reads while the server runs (busy timeout 5 s). */
export function countRows(dbPath) {
  const sql = TABLES.map((t) => `SELECT '${t}', count(*) FROM ${t};`).join(' ');
  const out = execFileSync('sqlite3', ['-cmd', '.timeout 5000', '-separator', '=', dbPath, sql], {
    encoding: 'utf8',
    timeout: 15_000,
  });
  const counts = {};
  for (const line of out.trim().split('\n')) {
    const [t, n] = line.split('=');
    counts[t] = Number(n);
  }
  for (const t of TABLES) {
    if (!Number.isInteger(counts[t])) throw new Error(`sqlite3 gave no count for ${t}: ${out}`);
  }
  return counts;
}
