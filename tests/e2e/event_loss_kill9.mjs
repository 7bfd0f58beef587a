// Measures what a kill -9 under load costs the event log (docs/architecture.md,
// "Event log writes"): 16 clients issue client_credentials tokens, the server
// is killed with SIGKILL after a number of 200 answers, restarted, and the
// seccft rows stored are compared with the 200 answers received.  Not a test
// (no pass or fail): run it by hand, a few times, on an idle machine.
//
//   TESSERA_BIN=$PWD/../../build/tessera node event_loss_kill9.mjs [runs] [answers before the kill]
import { startTessera } from './lib/server.mjs';
import { Mgmt } from './lib/mgmt.mjs';
import { tokenPost } from './lib/http.mjs';
import { countWhere, sqlText } from './lib/db.mjs';

const RUNS = Number(process.argv[2] ?? 5);
const KILL_AFTER = Number(process.argv[3] ?? 2000);
const CLIENTS = 16;
const PER_CLIENT = Math.ceil((KILL_AFTER * 2) / CLIENTS); // bounded: every client stops by then

async function run(i) {
  let server = await startTessera();
  const mgmt = await Mgmt.forBootstrap(server);
  const { api, client } = await mgmt.m2m();
  let oks = 0;
  let killed = false;
  let startedAt = 0;
  let rate = 0;
  const worker = async () => {
    for (let n = 0; n < PER_CLIENT && !killed; n++) {
      try {
        const res = await tokenPost(server, { clientId: client.client_id, clientSecret: client.client_secret, audience: api.identifier });
        if (res.status === 200) oks++;
      } catch {
        return; // the server is gone
      }
      if (oks === 1 && startedAt === 0) startedAt = performance.now();
      if (oks >= KILL_AFTER && !killed) {
        killed = true;
        rate = (oks * 1000) / (performance.now() - startedAt);
        server.proc.kill('SIGKILL');
      }
    }
  };
  await Promise.all(Array.from({ length: CLIENTS }, worker));
  await server.kill9();
  const answered = oks;
  // The restart recovers the WAL; the rows are read after a clean stop.
  server = await startTessera({ dataDir: server.dataDir, port: server.port });
  await server.stop();
  const rows = countWhere(server.dbPath, `SELECT count(*) FROM events WHERE type = 'seccft' AND client_id = ${sqlText(client.client_id)}`);
  const lost = answered - rows;
  console.log(JSON.stringify({ run: i, answered, rows, lost, tokens_per_s: Math.round(rate), lost_ms: Math.round((lost * 1000) / rate) }));
}

for (let i = 1; i <= RUNS; i++) await run(i);
