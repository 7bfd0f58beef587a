// Docs that cannot drift: every shell snippet in README.md and docs/*.md that talks to a
// server runs here against a fresh Tessera, and its output is compared with the docs.
//
// The marker is the fence's info string, after the language (GitHub still highlights it):
//
//   ```sh run            run this snippet
//   ```json output       (the next fenced block after a run snippet; prose may sit between)
//   ```text output       what the snippet prints on stdout; rules in lib/doc_output.mjs:
//                        `...` alone on a line = any lines; `<name>` = any text in a line;
//                        JSON: "..." member = other members allowed, "..." last element =
//                        more elements allowed, "..." value = any value, "abc..." = a
//                        string starting with abc, "<name>" = any scalar.
//   ```sh norun REASON   a snippet that talks to a server but cannot run here (a browser,
//                        `make run` itself, a production host, root); the reason is free text.
//
// A sh/bash/shell/console block that mentions curl, `tessera `, http:// or localhost:8080
// with neither marker fails the test: nothing slips through.
//
// Per Markdown file: one server with a fresh data directory `./data` in a scratch working
// directory, issuer http://localhost:PORT/ (the docs' localhost:8080 is rewritten to PORT
// in snippets and output blocks), one bash process for all the file's snippets in order
// (`set -o pipefail`, the tessera binary's directory first on PATH, stdin /dev/null), each
// with a bounded time.  A snippet passes when no command in it fails (an `@@ERR` from the
// ERR trap, including inside $(...)), its stdout matches its output block if it has one,
// and, without an output block, every curl it makes answers a status below 400.  A file's
// PRELUDE (below) provides what the file says it assumes from elsewhere ("as the README
// shows"); it is the docs' own commands, named here, never a weaker snippet.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { firstLine, markedSnippets } from './lib/doc_markdown.mjs';
import { matchJson, matchOutput, matchText } from './lib/doc_output.mjs';
import { startShell } from './lib/doc_shell.mjs';
import { freePort, GENEROUS_LIMITS, startTessera, tesseraBin } from './lib/server.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const REPO = path.resolve(HERE, '..', '..');

// Files whose snippets are not marked yet: none.
const NOT_YET = new Set([]);

// A hang catcher only: no snippet waits for anything but the server's answers.
const SNIPPET_TIMEOUT_MS = 120_000;

/** A `run` snippet of README.md, found by its first line: the preludes reuse the README's own. */
function readme(firstLineOfSnippet) {
  const found = markedSnippets(path.join(REPO, 'README.md')).runs.filter(
    (r) => r.body.split('\n')[0] === firstLineOfSnippet,
  );
  assert.equal(found.length, 1, `README.md has one run snippet starting ${firstLineOfSnippet}`);
  return found[0].body;
}

// "Using the Management API with curl": ISSUER, CREDS, field and MGMT_TOKEN.
const README_TOKEN = readme('ISSUER=http://localhost:8080/');
// The same section's machine-to-machine application: CLIENT_ID and CLIENT_SECRET.
const README_M2M_APP = readme('BILLING=$(mktemp)');
// What `make run` prints: the bootstrap client's id and secret.
const BOOTSTRAP_CLIENT =
  'CLIENT_ID=$(field client_id < $CREDS); CLIENT_SECRET=$(field client_secret < $CREDS)';

/**
 * What each file assumes from elsewhere.  prelude: bash run before the file's first
 * snippet.  example: the docs' example values (an id, a placeholder like CLIENT_ID) and how
 * to get the real one right before a snippet that shows it runs: sh('VAR') reads a variable
 * of the snippets' shell, lastJson() the JSON a previous snippet printed last.  A
 * placeholder is replaced where it stands as a word of its own (never in $CLIENT_ID,
 * ${CLIENT_ID} or CLIENT_ID=); the value may be shell text, evaluated where it stands (a
 * lookup of a record by name).  freshServerAt: first lines of run snippets that start again
 * on a fresh server (and bash), where the docs offer two ways to the same state.
 */
const FILES = {
  'README.md': {
    // "This section does with curl what the CLI section above does with tessera: follow one
    // or the other": the curl section starts again on a fresh server.
    freshServerAt: ['ISSUER=http://localhost:8080/'],
    // The CLI section's "$PW": the password of the user it creates.
    prelude: "PW='Str0ng!Passw0rd'",
    // The CLI section's placeholders: the records it made, by name.
    example: {
      CLIENT_ID: () => `"$(tessera apps list --json | jq -r 'map(select(.name == "Shop"))[0].client_id')"`,
      ROLE_ID: () => `"$(tessera roles list --json | jq -r 'map(select(.name == "Reader"))[0].id')"`,
      "'auth0|...'": () =>
        `"$(tessera users list --json | jq -r 'map(select(.email == "ada@example.com"))[0].user_id')"`,
      // After `keys rotate`: the key it replaced.
      KID: () => `"$(tessera keys list --json | jq -r 'map(select(.previous))[0].kid')"`,
    },
  },
  'docs/management-api.md': {
    prelude: `${README_TOKEN}
${BOOTSTRAP_CLIENT}
# The roles and tickets examples' API and user.
curl -sf \${ISSUER}api/v2/resource-servers -H "Authorization: Bearer $MGMT_TOKEN" \\
  -H 'Content-Type: application/json' -o /dev/null \\
  -d '{"name": "Example API", "identifier": "https://api.example.com",
       "scopes": [{"value": "read:messages"}]}'
USER_ID=$(curl -sf \${ISSUER}api/v2/users -H "Authorization: Bearer $MGMT_TOKEN" \\
  -H 'Content-Type: application/json' \\
  -d '{"connection": "Username-Password-Authentication", "email": "ana@example.com",
       "password": "Str0ng!Passw0rd"}' | field user_id)`,
    example: {
      CLIENT_ID: ({ sh }) => sh('CLIENT_ID'),
      'auth0|65f0c0ffee0123456789abcd': ({ sh }) => sh('USER_ID'),
      'auth0%7C65f0c0ffee0123456789abcd': async ({ sh }) => encodeURIComponent(await sh('USER_ID')),
      job_SSY5K3tvx8YcegaY: ({ lastJson }) => lastJson().id,
    },
  },
  'docs/spa-and-api.md': {
    // The pipeline snippet's environment: the issuer, the stage deployment and its SPA (the CI
    // client's id and secret come from the snippet before it).
    prelude: `${README_TOKEN}
TESSERA_ISSUER=$ISSUER
APP_URL=https://stage.app.example.com
SPA_CLIENT_ID=$(curl -sf \${ISSUER}api/v2/clients -H "Authorization: Bearer $MGMT_TOKEN" \\
  -H 'Content-Type: application/json' -d '{"name": "Stage SPA", "app_type": "spa"}' | field client_id)`,
  },
  // "enabled_clients": ["'$CLIENT_ID'"]: an application of the tenant.
  'docs/users.md': { prelude: `${README_TOKEN}\n${BOOTSTRAP_CLIENT}` },
  // "with the README's ISSUER, MGMT_TOKEN, CLIENT_ID and CLIENT_SECRET"
  'docs/verify.md': { prelude: `${README_TOKEN}\n${README_M2M_APP}` },
  'docs/environments.md': {
    // "ISSUER is the tenant's issuer ..., MGMT_TOKEN a Management API token ..., APP_ID the
    // application's client id, PREVIEW the preview's origin"
    prelude: `${README_TOKEN}
${BOOTSTRAP_CLIENT}
APP_ID=$CLIENT_ID
PREVIEW=https://pr-42.shop.example.com`,
    example: { CLIENT_ID: ({ sh }) => sh('CLIENT_ID') },
  },
};

function escapeRe(s) {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The snippet's body with each example value it shows replaced by the real one. */
async function withExamples(body, example, ctx) {
  let out = body;
  for (const [shown, real] of Object.entries(example ?? {})) {
    const re = new RegExp(`(?<![\\w$\\{])${escapeRe(shown)}(?![\\w=])`, 'g');
    if (re.test(out)) {
      const value = await real(ctx);
      out = out.replace(re, () => value);
    }
  }
  return out;
}

function docFiles() {
  const docs = readdirSync(path.join(REPO, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`)
    .sort();
  return ['README.md', ...docs].filter((f) => !NOT_YET.has(f));
}

/**
 * The docs describe a server at its defaults, but startTessera sets GENEROUS_LIMITS: each
 * goes back to the default that `tessera --help` prints for it.
 */
function defaultLimits() {
  const help = execFileSync(tesseraBin(), ['--help'], { encoding: 'utf8' }).split('\n');
  const env = {};
  for (const name of Object.keys(GENEROUS_LIMITS)) {
    const at = help.findIndex((l) => l.trim().endsWith(` ${name}`));
    const def = at < 0 ? null : /default: (\S+)/.exec(help.slice(at + 1, at + 4).join(' '));
    assert.ok(def, `tessera --help names no default for ${name}`);
    env[name] = def[1];
  }
  return env;
}

/** The docs' localhost:8080 becomes the test server's port. */
function rewrite(text, port) {
  return text
    .replaceAll('localhost:8080', `localhost:${port}`)
    .replaceAll('127.0.0.1:8080', `127.0.0.1:${port}`);
}

/** The environment of the snippets' shell: no TESSERA_* of ours, the binary first on PATH. */
function shellEnv() {
  const env = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!k.startsWith('TESSERA_') && !k.startsWith('NODE_')) env[k] = v;
  }
  return {
    ...env,
    PATH: `${path.dirname(tesseraBin())}:${process.env.PATH}`,
    // Snippets reach 127.0.0.1 only: any other host meets a closed local port.
    http_proxy: 'http://127.0.0.1:9',
    https_proxy: 'http://127.0.0.1:9',
    HTTP_PROXY: 'http://127.0.0.1:9',
    HTTPS_PROXY: 'http://127.0.0.1:9',
    ALL_PROXY: 'http://127.0.0.1:9',
    no_proxy: 'localhost,127.0.0.1',
    NO_PROXY: 'localhost,127.0.0.1',
    LC_ALL: 'C.UTF-8',
  };
}

/** Why a snippet's result fails, or null.  tesseraPort: the port whose curls are judged. */
function judge(snippet, result, tesseraPort) {
  if (result.timedOut) return `no end after ${SNIPPET_TIMEOUT_MS / 1000} s`;
  if (result.exited) return 'the shell exited (an `exit` in the snippet?)';
  if (result.errors.length) return `a command failed: ${result.errors.join(' | ')}`;
  if (result.status !== 0) return `exit status ${result.status}`;
  if (snippet.output) return matchOutput(snippet.output, result.stdout);
  const ours = new RegExp(`^https?://(localhost|127\\.0\\.0\\.1):${tesseraPort}/`);
  const refused = result.http.filter((h) => ours.test(h.url) && (h.status >= 400 || h.status === 0));
  if (refused.length) {
    const answers = refused.map((h) => `${h.status} to ${h.method} ${h.url}`).join(', ');
    return `Tessera answered ${answers} (no output block shows an error)`;
  }
  return null;
}

function describeFailure(file, snippet, result, why) {
  return [
    `${file}:${snippet.line}: ${why}`,
    '--- snippet ---',
    snippet.body,
    ...(snippet.output
      ? [`--- expected (${snippet.output.kind} output, line ${snippet.output.line}) ---`, snippet.output.body]
      : []),
    '--- stdout ---',
    result.stdout,
    '--- stderr ---',
    result.stderr,
    ...(result.http.length
      ? ['--- curl ---', ...result.http.map((h) => `${h.status} ${h.method} ${h.url}`)]
      : []),
  ].join('\n');
}

const scratch = [];
after(() => {
  if (process.env.TESSERA_E2E_KEEP === '1') return;
  for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
});

/**
 * Runs snippets in order against one fresh server and one bash: the prelude first.
 * Returns the failures' descriptions; t.diagnostic lists each snippet run.
 */
async function runSession(t, file, setup, snippets) {
  const work = mkdtempSync(path.join(os.tmpdir(), 'tessera-doc-'));
  scratch.push(work);
  const scratchDir = path.join(work, '.snippets');
  mkdirSync(scratchDir);
  // `./build/tessera` in the docs is the binary under test.
  symlinkSync(path.dirname(tesseraBin()), path.join(work, 'build'));
  const port = await freePort();
  const server = await startTessera({
    port,
    dataDir: path.join(work, 'data'),
    env: defaultLimits(),
    args: ['--public-url', `http://localhost:${port}/`],
  });
  const shell = startShell({ cwd: work, env: shellEnv(), scratchDir });
  const failures = [];
  try {
    let lastStdout = '';
    const ctx = {
      sh: async (name) => (await shell.run(`printf '%s' "$${name}"`, SNIPPET_TIMEOUT_MS)).stdout,
      lastJson: () => JSON.parse(lastStdout),
    };
    if (setup.prelude) {
      const prelude = { line: 0, body: rewrite(setup.prelude, port) };
      const result = await shell.run(prelude.body, SNIPPET_TIMEOUT_MS);
      const why = judge(prelude, result, port);
      t.diagnostic(`${why ? 'FAIL' : 'ok  '} ${file}: prelude`);
      if (why) failures.push(describeFailure(file, prelude, result, `prelude: ${why}`));
    }
    for (const s of snippets) {
      const snippet = {
        ...s,
        body: await withExamples(rewrite(s.body, port), setup.example, ctx),
        output: s.output && { ...s.output, body: rewrite(s.output.body, port) },
      };
      const result = shell.isAlive()
        ? await shell.run(snippet.body, SNIPPET_TIMEOUT_MS)
        : { stdout: '', stderr: '', errors: [], http: [], exited: true };
      lastStdout = result.stdout;
      const why = judge(snippet, result, port);
      t.diagnostic(`${why ? 'FAIL' : 'ok  '} ${file}:${s.line}: ${firstLine(s.body)}`);
      // For writing an output block: DOC_SNIPPETS_SHOW=1 prints what each snippet printed.
      if (process.env.DOC_SNIPPETS_SHOW === '1') {
        for (const line of result.stdout.split('\n')) t.diagnostic(`  | ${line}`);
      }
      if (why) failures.push(describeFailure(file, snippet, result, why));
    }
  } finally {
    await shell.close();
    const code = await server.stop();
    if (code !== 0) failures.push(`${file}: tessera exited ${code}\n${server.stderrTail(20)}`);
  }
  return failures;
}

// The rules themselves, so that a loosened matcher or parser cannot pass every doc unnoticed.
describe('doc snippet rules', () => {
  test('an unmarked server-talking block, an orphan output block and a bad marker are refused', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'tessera-doc-rules-'));
    scratch.push(dir);
    const md = path.join(dir, 'x.md');
    writeFileSync(
      md,
      [
        '```sh', 'curl -s http://localhost:8080/healthz', '```',
        '```json output', '{}', '```',
        '```bash', 'tessera keys list', '```',
        '```sh maybe', 'echo', '```',
        '```js run', 'x()', '```',
        '```sh', 'make fuzz', '```',
        '```sh run', 'echo hi', '```', 'prose between', '```text output', 'hi', '```',
        '```console norun a reason', 'curl http://example.com/', '```',
      ].join('\n'),
    );
    const { runs, norun, problems } = markedSnippets(md);
    assert.equal(problems.length, 5, problems.join('\n'));
    assert.match(problems[0], /x\.md:1: a `sh` block that talks to a server has neither/);
    assert.match(problems[1], /x\.md:4: `json output` does not follow a `run` snippet/);
    assert.match(problems[2], /x\.md:7: a `bash` block/);
    assert.match(problems[3], /x\.md:10: unknown snippet marker `maybe`/);
    assert.match(problems[4], /x\.md:13: `run` on a `js` block/);
    assert.deepEqual(
      runs.map((r) => [r.line, r.body, r.output?.kind, r.output?.body]),
      [[19, 'echo hi', 'text', 'hi']],
    );
    assert.deepEqual(norun, [{ line: 26, reason: 'a reason' }]);
  });

  test('outputs match only as documented', () => {
    assert.equal(matchJson('{"a": 1}', '{"a":1}'), null);
    assert.match(matchJson('{"a": 1}', '{"a":1,"b":2}'), /members not shown in the docs: b/);
    assert.equal(matchJson('{"a": 1, "...": "..."}', '{"a":1,"b":2}'), null);
    assert.match(matchJson('{"a": 1}', '{"a":2}'), /\$\.a: expected 1, got 2/);
    assert.equal(matchJson('[1, "..."]', '[1,2,3]'), null);
    assert.match(matchJson('[1]', '[1,2]'), /expected 1 elements, got 2/);
    assert.equal(matchJson('{"t": "eyJhb..."}', '{"t":"eyJhbGci"}'), null);
    assert.match(matchJson('{"t": "eyJhb..."}', '{"t":"xeyJhb"}'), /\$\.t/);
    assert.equal(matchJson('{"n": "<n>", "s": "job_<id>"}', '{"n":5,"s":"job_x1"}'), null);
    assert.match(matchJson('{"s": "job_<id>"}', '{"s":"job_"}'), /\$\.s/);
    assert.match(matchJson('{"o": "<n>"}', '{"o":{}}'), /\$\.o/);
    assert.equal(matchJson('{"a":1}\n{"b":2}', '{"a":1}{"b":2}'), null);
    assert.match(matchJson('{"a":1}', '{"a":1}{"b":2}'), /expected 1 JSON values, got 2/);
    assert.match(matchJson('{"a":1}', 'not json'), /stdout is not JSON/);
    assert.equal(matchText('A  <id>  true\n...\nend', 'A x1 true\nmore\nlines\nend\n'), null);
    assert.equal(matchText('a\n...\nb', 'a\nb'), null);
    assert.match(matchText('A <id> true', 'A x1 false'), /expected line 1/);
    assert.match(matchText('a', 'a\nb'), /unexpected output from line 2/);
    assert.match(matchText('a\nb', 'a'), /the end of the output/);
    assert.match(matchOutput({ kind: 'text', body: '<id>' }, ''), /the end of the output/);
  });
});

describe('doc snippets', () => {
  for (const file of docFiles()) {
    test(file, async (t) => {
      const { runs, norun, problems } = markedSnippets(path.join(REPO, file));
      for (const n of norun) t.diagnostic(`norun ${file}:${n.line}${n.reason ? ` (${n.reason})` : ''}`);
      const setup = FILES[file] ?? {};
      // A fresh server where the docs offer another way to the same state.
      const sessions = [];
      for (const s of runs) {
        const starts = sessions.length === 0 || (setup.freshServerAt ?? []).includes(s.body.split('\n')[0]);
        if (starts) sessions.push([]);
        sessions[sessions.length - 1].push(s);
      }
      assert.equal(
        sessions.length,
        runs.length === 0 ? 0 : 1 + (setup.freshServerAt ?? []).length,
        `${file}: every freshServerAt line starts a run snippet`,
      );
      const failures = [];
      for (const snippets of sessions) failures.push(...(await runSession(t, file, setup, snippets)));
      assert.deepEqual(problems, [], `${file}: snippets that break the marker convention`);
      assert.equal(failures.length, 0, `\n${failures.join('\n\n')}`);
    });
  }
});
