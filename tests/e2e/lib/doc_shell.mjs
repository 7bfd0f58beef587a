// One bash process that runs a document's snippets one after another, so that a
// variable one snippet sets (MGMT_TOKEN, ISSUER) is there for the next.  Each snippet is
// sourced from its own file with stdin from /dev/null, and followed by a sentinel line on
// stdout and on stderr, so its output is read apart from the others'.  Every failing
// command (pipefail, also inside $(...)) leaves an `@@ERR` line on stderr, and every curl
// leaves an `@@HTTP status method url` line there: the runner judges both.
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';

const SENTINEL = '@@SNIPPET-DONE';

// set -E: the ERR trap also fires in functions and command substitutions.  The curl
// wrapper adds its own --write-out first, so a snippet's own -w (if any) wins.
// Node's stdio are sockets, which /dev/stdout and /dev/stderr cannot be opened on (ENXIO):
// a `tee /dev/stderr` in a terminal must work here too, so both go through real pipes.
const SETUP = `exec > >(exec cat) 2> >(exec cat >&2)
set -o pipefail
set -E
trap 'printf "@@ERR %s: %s\\n" "$?" "$BASH_COMMAND" >&2' ERR
curl() { command curl -w '%{stderr}@@HTTP %{http_code} %{method} %{url_effective}\\n' "$@"; }
`;

/** Kills the whole process group of a detached child. */
function killGroup(proc) {
  try {
    process.kill(-proc.pid, 'SIGKILL');
  } catch {
    /* already gone */
  }
}

/**
 * Starts bash in cwd with env.  Returns {run(body, timeoutMs), close()}.
 * run resolves {stdout, stderr, status (of the last command), errors: [@@ERR lines],
 * http: [{status, method, url}], timedOut, exited}.
 */
export function startShell({ cwd, env, scratchDir }) {
  const proc = spawn('bash', ['--noprofile', '--norc', '-s'], {
    cwd,
    env,
    stdio: ['pipe', 'pipe', 'pipe'],
    detached: true, // its own process group: a timeout kills what the snippet started too
  });
  let out = '';
  let err = '';
  let exited = false;
  let wake = () => {};
  proc.stdout.setEncoding('utf8');
  proc.stderr.setEncoding('utf8');
  proc.stdout.on('data', (d) => {
    out += d;
    wake();
  });
  proc.stderr.on('data', (d) => {
    err += d;
    wake();
  });
  proc.on('close', () => {
    exited = true;
    wake();
  });
  proc.stdin.on('error', () => {
    /* bash gone: seen through 'close' */
  });
  proc.stdin.write(SETUP);
  let count = 0;

  async function run(body, timeoutMs) {
    count += 1;
    const file = path.join(scratchDir, `snippet-${count}.sh`);
    writeFileSync(file, `${body}\n`);
    const mark = `${SENTINEL} ${count}`;
    const outMark = new RegExp(`\\n${mark} (\\d+)\\n`);
    const errMark = `\n${mark}\n`;
    out = '';
    err = '';
    proc.stdin.write(
      `. '${file}' </dev/null\nprintf '\\n${mark} %s\\n' "$?"\nprintf '\\n${mark}\\n' >&2\n`,
    );
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      wake();
    }, timeoutMs);
    while (!exited && !timedOut && !(outMark.test(out) && err.includes(errMark))) {
      await new Promise((resolve) => {
        wake = resolve;
      });
    }
    clearTimeout(timer);
    const m = outMark.exec(out);
    const stdout = m ? out.slice(0, m.index) : out;
    const stderrAll = err.includes(errMark) ? err.slice(0, err.indexOf(errMark)) : err;
    const errors = [];
    const http = [];
    const stderrLines = [];
    for (const line of stderrAll.split('\n')) {
      const h = /^@@HTTP (\d{3}) (\S+) (.*)$/.exec(line);
      if (h) http.push({ status: Number(h[1]), method: h[2], url: h[3] });
      else if (line.startsWith('@@ERR ')) errors.push(line.slice(6));
      else stderrLines.push(line);
    }
    if (timedOut || exited) killGroup(proc);
    return {
      stdout,
      stderr: stderrLines.join('\n').trim(),
      status: m ? Number(m[1]) : null,
      errors,
      http,
      timedOut,
      exited: exited && !timedOut,
    };
  }

  async function close() {
    if (exited) return;
    proc.stdin.end('exit 0\n');
    const timer = setTimeout(() => killGroup(proc), 5000);
    while (!exited) {
      await new Promise((resolve) => {
        wake = resolve;
      });
    }
    clearTimeout(timer);
    killGroup(proc); // anything a snippet left in the background
  }

  return { run, close, isAlive: () => !exited };
}
