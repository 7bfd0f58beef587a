// The fenced blocks of a Markdown file and their snippet markers
// (the convention is described in tests/e2e/README.md and
// doc_snippets.test.mjs): `sh run`, `sh norun [reason]`, `json output`,
// `text output`.
import { readFileSync } from 'node:fs';

/** Shell languages: a block in one of these that talks to a server must be marked. */
export const SHELL_LANGS = new Set(['sh', 'bash', 'shell', 'console']);

/** What makes a shell block "talk to a server". */
export const TALKS_TO_SERVER = /curl|tessera |http:\/\/|localhost:8080/;

const FENCE_OPEN = /^ {0,3}(`{3,}|~{3,})(.*)$/;

/**
 * Every fenced block of the file, in order:
 * {line (1-based, of the opening fence), lang, words (info string after the language),
 *  info, body (text between the fences, no trailing newline)}.
 */
export function fencedBlocks(text) {
  const lines = text.split('\n');
  const blocks = [];
  for (let i = 0; i < lines.length; i++) {
    const open = FENCE_OPEN.exec(lines[i]);
    if (!open) continue;
    const fence = open[1];
    const info = open[2].trim();
    // A closing fence: the same character, at least as long, nothing after it.
    const close = new RegExp(`^ {0,3}${fence[0] === '`' ? '`' : '~'}{${fence.length},}\\s*$`);
    let j = i + 1;
    while (j < lines.length && !close.test(lines[j])) j++;
    const [lang = '', ...words] = info.split(/\s+/).filter(Boolean);
    blocks.push({ line: i + 1, lang, words, info, body: lines.slice(i + 1, j).join('\n') });
    i = j;
  }
  return blocks;
}

/**
 * The snippets of one Markdown file:
 * {runs: [{line, lang, body, output?: {line, kind: 'json'|'text', body}}],
 *  norun: [{line, reason}], problems: [string]}.
 * An output block belongs to the nearest `run` block before it; prose may sit between,
 * another fenced block may not.  problems lists what breaks the convention: an unmarked
 * shell block that talks to a server, an output block with no run block before it, a
 * marker on a block that is not a shell block, an unknown marker.
 */
export function markedSnippets(file) {
  const text = readFileSync(file, 'utf8');
  const runs = [];
  const norun = [];
  const problems = [];
  let previous = null; // the block just before, for output blocks
  for (const b of fencedBlocks(text)) {
    const marker = b.words[0];
    const where = `${file}:${b.line}`;
    if (marker === 'output') {
      if (b.lang !== 'json' && b.lang !== 'text') {
        problems.push(`${where}: an output block is \`json output\` or \`text output\`, not \`${b.info}\``);
      } else if (previous === null || previous.marker !== 'run' || previous.run.output) {
        problems.push(`${where}: \`${b.info}\` does not follow a \`run\` snippet`);
      } else {
        previous.run.output = { line: b.line, kind: b.lang, body: b.body };
      }
      previous = { marker };
      continue;
    }
    if (SHELL_LANGS.has(b.lang)) {
      if (marker === 'run') {
        const run = { line: b.line, lang: b.lang, body: b.body };
        runs.push(run);
        previous = { marker, run };
        continue;
      }
      if (marker === 'norun') {
        norun.push({ line: b.line, reason: b.words.slice(1).join(' ') });
      } else if (marker !== undefined) {
        problems.push(`${where}: unknown snippet marker \`${marker}\` (run, norun)`);
      } else if (TALKS_TO_SERVER.test(b.body)) {
        problems.push(
          `${where}: a \`${b.lang}\` block that talks to a server has neither \`run\` nor \`norun\`: ` +
            firstLine(b.body),
        );
      }
    } else if (marker === 'run' || marker === 'norun') {
      const lang = b.lang || '(no language)';
      problems.push(`${where}: \`${marker}\` on a \`${lang}\` block; only sh, bash, shell, console run`);
    }
    previous = { marker };
  }
  return { runs, norun, problems };
}

/** The first line of a snippet that is not a comment or blank, for the list of what ran. */
export function firstLine(body) {
  const line = body.split('\n').find((l) => l.trim() !== '' && !l.trim().startsWith('#'));
  return (line ?? body.split('\n')[0] ?? '').trim();
}
