// Runs the `tessera` command line as an operator would, against a server
// started by startTessera (credentials from its data directory by default).
import { execFile, spawn } from 'node:child_process';
import http from 'node:http';

import { freePort, makeDataDir, tesseraBin } from './server.mjs';

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

/**
 * Asserts that `tessera ...words --help` exits 0 and lists every option of
 * opts (names without "--"), the connection options of remote commands
 * included when remote is set.
 */
export async function assertHelp(assert, words, opts, { remote = true } = {}) {
  const r = await runCli([...words, '--help']);
  assert.equal(r.code, 0, `${words.join(' ')} --help: exit status (stderr: ${r.stderr})`);
  assert.match(r.stdout, new RegExp(`^usage: tessera ${words.join(' ')} `), `${words.join(' ')} --help: the synopsis`);
  const all = remote ? [...opts, 'url', 'client-id', 'client-secret-file', 'data-dir', 'json'] : opts;
  for (const o of all) {
    assert.match(r.stdout, new RegExp(`^  --${o}( |$)`, 'm'), `${words.join(' ')} --help lists --${o}`);
  }
  return r.stdout;
}

/** A base URL where nothing listens (a port that was free a moment ago). */
export async function closedUrl() {
  return `http://127.0.0.1:${await freePort()}/`;
}

/**
 * Asserts the connection failures every remote command shares, for
 * `tessera ...args`: the server down (exit 3), no credentials (exit 3),
 * credentials the server refuses (exit 3); one line each, no secret in it.
 */
export async function assertConnectionErrors(assert, server, args) {
  const what = args.join(' ');
  const down = await runCli([...args, '--data-dir', server.dataDir, '--url', await closedUrl()]);
  assertCliError(assert, down, 3, /cannot reach http:\/\/127\.0\.0\.1:\d+\/: /, `${what}: server down`);
  const none = await runCli([...args, '--data-dir', makeDataDir()]);
  assertCliError(assert, none, 3, /no credentials: cannot read .*bootstrap-client\.json/, `${what}: no credentials`);
  const wrong = await runCli([...args, '--url', server.url, '--client-id', server.bootstrap.client_id], {
    env: { TESSERA_CLIENT_SECRET: 'not-the-secret-of-this-client' },
  });
  assertCliError(assert, wrong, 3, /cannot get a Management API token/, `${what}: refused credentials`);
  assert.ok(!wrong.stderr.includes('not-the-secret'), `${what}: the secret is not printed`);
}

/**
 * A stand-in Management API on 127.0.0.1 for what a real server never
 * sends (names with terminal escapes): /oauth/token answers a token, and
 * routes maps "METHOD /api/v2/path" to [status, body].  Resolves with
 * { url, args (the connection options for runCli), env, close() }.
 */
export async function startFakeMgmt(routes) {
  const srv = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const key = `${req.method} ${decodeURIComponent(req.url.split('?')[0])}`;
      const [status, body] = req.url === '/oauth/token'
        ? [200, { access_token: 'fake-token', token_type: 'Bearer', expires_in: 60 }]
        : routes[key] ?? [404, { statusCode: 404, message: `no route ${key}`, errorCode: 'inexistent' }];
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    });
  });
  await new Promise((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${srv.address().port}/`;
  return {
    url,
    args: ['--url', url, '--client-id', 'fake-client'],
    env: { TESSERA_CLIENT_SECRET: 'fake-secret' },
    close: () => new Promise((resolve) => srv.close(resolve)),
  };
}

/** Asserts that text holds no control character (C0, DEL, C1) but newlines. */
export function assertNoControls(assert, text, what = '') {
  assert.ok(!/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/.test(text), `${what}: no control character in ${JSON.stringify(text)}`);
}
