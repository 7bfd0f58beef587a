// Reading the mail Tessera writes to {dataDir}/outbox/*.eml when no SMTP
// server is configured.  Bodies may be quoted-printable or base64.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

import { decodeEntities } from './html.mjs';
import { sleep } from './server.mjs';

/** Decodes quoted-printable text (soft line breaks and =XX octets, UTF-8). */
export function decodeQuotedPrintable(s) {
  const noSoft = s.replace(/=\r?\n/g, '');
  const bytes = [];
  for (let i = 0; i < noSoft.length; i++) {
    const c = noSoft[i];
    if (c === '=' && /^[0-9A-Fa-f]{2}$/.test(noSoft.slice(i + 1, i + 3))) {
      bytes.push(parseInt(noSoft.slice(i + 1, i + 3), 16));
      i += 2;
    } else {
      bytes.push(...Buffer.from(c, 'utf8'));
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

/** Decodes one MIME entity (headers, blank line, body) by its Content-Transfer-Encoding. */
function decodeEntity(entity) {
  const m = entity.match(/\r?\n\r?\n/);
  if (!m) return entity;
  const head = entity.slice(0, m.index);
  const body = entity.slice(m.index + m[0].length);
  const cte = (head.match(/^content-transfer-encoding:\s*([^\s;]+)/im)?.[1] ?? '').toLowerCase();
  if (cte === 'quoted-printable') return decodeQuotedPrintable(body);
  if (cte === 'base64') return Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
  return body;
}

/**
 * The texts of a message worth searching, entities decoded: each MIME part
 * (and the whole message) decoded by its own Content-Transfer-Encoding.
 */
export function readings(raw) {
  const parts = raw.split(/^--[^\r\n]+\r?$/m).map((p) => p.replace(/^\r?\n/, ''));
  const out = [decodeEntity(raw), ...parts.slice(1).map(decodeEntity)];
  return out.map(decodeEntities);
}

/** The outbox's messages, oldest first: [{file, raw, mtimeMs}]. */
export function outbox(dataDir) {
  const dir = path.join(dataDir, 'outbox');
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.eml'))
    .map((f) => {
      const file = path.join(dir, f);
      return { file, raw: readFileSync(file, 'utf8'), mtimeMs: statSync(file).mtimeMs };
    })
    .sort((a, b) => a.mtimeMs - b.mtimeMs || a.file.localeCompare(b.file));
}

/**
 * Waits (bounded) for a message addressed to `to` whose text matches
 * linkRe, among the messages not in `seen` (a Set of file names).
 * Returns {file, raw, link}.
 */
export async function waitForMailLink(dataDir, { to, linkRe, seen = new Set(), timeoutMs = 5_000 }) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    for (const m of outbox(dataDir)) {
      if (seen.has(m.file)) continue;
      if (to && !m.raw.toLowerCase().includes(to.toLowerCase())) continue;
      for (const text of readings(m.raw)) {
        const hit = text.match(linkRe);
        if (hit) return { ...m, link: hit[0] };
      }
    }
    if (Date.now() > deadline) {
      const files = outbox(dataDir).map((m) => `${path.basename(m.file)}:\n${m.raw.slice(0, 600)}`);
      throw new Error(`no mail to ${to} matching ${linkRe} in ${dataDir}/outbox within ${timeoutMs} ms; outbox:\n${files.join('\n---\n') || '(empty)'}`);
    }
    await sleep(100);
  }
}
