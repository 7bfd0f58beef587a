// Runs a script that uses the official `auth0` npm package against a Tessera
// served over HTTPS.  The SDK speaks https only and node reads
// NODE_EXTRA_CA_CERTS only when a process starts, so each script runs as a
// child process with the test CA given there.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));

/**
 * Runs lib/<script> with DOMAIN CLIENT_ID CLIENT_SECRET (the bootstrap
 * client's) and resolves with the JSON it printed.  Rejects when the
 * process fails or prints something else.
 */
export function runSdkScript(server, script, { timeoutMs = 60_000 } = {}) {
  const args = [
    path.join(HERE, script),
    `127.0.0.1:${server.port}`,
    server.bootstrap.client_id,
    server.bootstrap.client_secret,
  ];
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      args,
      {
        env: { ...process.env, NODE_EXTRA_CA_CERTS: server.tls.caPath },
        timeout: timeoutMs,
        maxBuffer: 16 * 1024 * 1024,
        cwd: HERE,
      },
      (err, stdout, stderr) => {
        if (err) {
          reject(new Error(`${script}: ${err.message}\n${stderr}`));
          return;
        }
        try {
          resolve(JSON.parse(stdout));
        } catch {
          reject(new Error(`${script} printed no JSON:\n${stdout.slice(0, 2000)}\n${stderr}`));
        }
      },
    );
  });
}
