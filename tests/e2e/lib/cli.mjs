// Runs the `tessera` command line as an operator would, against a server
// started by startTessera (credentials from its data directory by default).
import { execFile, spawn } from 'node:child_process';

import { tesseraBin } from './server.mjs';

const CLI_TIMEOUT_MS = 60_000;

/**
 * Runs `tessera ...args`; resolves with { code, stdout, stderr } (never
 * rejects on a non-zero exit).  env is added to a minimal environment, so
 * no TESSERA_* variable of the test runner leaks in.
 */
export function runCli(args, { env = {}, input, timeoutMs = CLI_TIMEOUT_MS } = {}) {
  return new Promise((resolve, reject) => {
    const child = execFile(
      tesseraBin(),
      args,
      {
        timeout: timeoutMs,
        maxBuffer: 16 << 20,
        env: { PATH: process.env.PATH, LANG: 'C.UTF-8', ...env },
      },
      (err, stdout, stderr) => {
        if (err && typeof err.code !== 'number') {
          reject(new Error(`tessera ${args.join(' ')}: ${err.message}\n${stderr}`));
          return;
        }
        resolve({ code: err ? err.code : 0, stdout, stderr });
      },
    );
    if (input !== undefined) child.stdin.end(input);
    else child.stdin.end();
  });
}

/** runCli with --data-dir of server added (the bootstrap credentials). */
export function cli(server, args, opts = {}) {
  return runCli([...args, '--data-dir', server.dataDir], opts);
}

/** cli(...) with --json; asserts exit 0 and resolves with the parsed output. */
export async function cliJson(server, args, opts = {}) {
  const r = await cli(server, [...args, '--json'], opts);
  if (r.code !== 0) {
    throw new Error(`tessera ${args.join(' ')} --json exited ${r.code}: ${r.stderr}`);
  }
  try {
    return JSON.parse(r.stdout);
  } catch (e) {
    throw new Error(`tessera ${args.join(' ')} --json printed no JSON: ${e.message}\n${r.stdout}`);
  }
}

/**
 * Asserts a failed run: exit status code, nothing on stdout, and exactly
 * one line on stderr (plus the "(see: tessera ... --help)" pointer for
 * usage errors) matching re.
 */
export function assertCliError(assert, r, code, re, what = '') {
  assert.equal(r.code, code, `${what}: exit status (stderr: ${r.stderr})`);
  assert.equal(r.stdout, '', `${what}: nothing on stdout`);
  const lines = r.stderr.split('\n').filter((l) => l !== '' && !l.startsWith('(see: tessera '));
  assert.equal(lines.length, 1, `${what}: one line on stderr: ${JSON.stringify(r.stderr)}`);
  assert.match(lines[0], re, `${what}: the message`);
}

/**
 * Starts `tessera ...args` in the background (for `logs tail`); returns
 * { proc, output(), stop() } where stop() sends SIGINT and resolves with the
 * exit code (bounded: SIGKILL after 5 s).
 */
export function spawnCli(args, { env = {} } = {}) {
  const proc = spawn(tesseraBin(), args, {
    env: { PATH: process.env.PATH, LANG: 'C.UTF-8', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  proc.stdout.on('data', (d) => (out += d));
  proc.stderr.on('data', (d) => (err += d));
  const exited = new Promise((resolve) => proc.on('exit', (code, signal) => resolve({ code, signal })));
  return {
    proc,
    output: () => out,
    errors: () => err,
    async stop() {
      proc.kill('SIGINT');
      const timer = setTimeout(() => proc.kill('SIGKILL'), 5000);
      const r = await exited;
      clearTimeout(timer);
      return r;
    },
  };
}
