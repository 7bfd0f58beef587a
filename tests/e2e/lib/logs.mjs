// Reading Tessera's JSON log lines and checking them for leaked secrets.
import assert from 'node:assert/strict';

/** Non-empty lines of a stream. */
export function lines(text) {
  return text.split('\n').filter((l) => l.trim() !== '');
}

/** Parses every line as JSON; asserts each one is a JSON object. */
export function parseJsonLines(text, what = 'stderr') {
  return lines(text).map((l, i) => {
    let v;
    try {
      v = JSON.parse(l);
    } catch (e) {
      assert.fail(`${what} line ${i + 1} is not JSON (${e.message}): ${l.slice(0, 300)}`);
    }
    assert.ok(v && typeof v === 'object' && !Array.isArray(v), `${what} line ${i + 1} is not a JSON object: ${l.slice(0, 300)}`);
    return v;
  });
}

// Field names are not fixed by the spec; these are the accepted spellings.
export const FIELD_ALIASES = {
  requestId: ['request_id', 'req_id', 'requestId', 'rid', 'id'],
  method: ['method', 'http_method'],
  route: ['route', 'path', 'uri', 'url'],
  status: ['status', 'status_code', 'statusCode', 'code'],
  latency: ['latency_ms', 'latency_us', 'latency', 'duration_ms', 'duration_us', 'duration', 'elapsed_ms', 'ms', 'time_ms'],
};

export function pick(obj, aliases) {
  for (const k of aliases) if (obj[k] !== undefined) return { key: k, value: obj[k] };
  return undefined;
}

/** The log lines that describe HTTP requests (they carry a method). */
export function requestLines(entries) {
  return entries.filter((e) => pick(e, FIELD_ALIASES.method) !== undefined);
}

/** A value's fragments that must never appear: the whole value and, for a JWT, its signature. */
function fragments(value) {
  const parts = [value];
  const segs = value.split('.');
  if (segs.length === 3 && segs[2].length >= 20) parts.push(segs[2]);
  return parts;
}

/** Asserts none of the values (secrets, tokens) appears in text. */
export function assertAbsent(text, values, where) {
  for (const v of values) {
    for (const f of fragments(v)) {
      const at = text.indexOf(f);
      assert.equal(at, -1, `${where} contains a secret or token (${f.slice(0, 6)}..., ${f.length} chars) at offset ${at}`);
    }
  }
}
