// Compares a snippet's stdout with the output block the docs show under it.
// The rules (also in tests/e2e/README.md):
//
// text output: line by line, trailing spaces and blank lines at either end ignored, any run
//   of spaces matches any run of spaces (table columns widen with their values).
//   A line that is only `...` matches any number of lines (none included); `<name>`
//   (lowercase letters, digits, - and _ in angle brackets: `<id>`, `<token>`) matches any
//   non-empty text within a line.
// json output: stdout is read as a sequence of JSON values (curl prints one body after
//   another without a newline) and compared value by value with the block's sequence:
//   - an object must have exactly the members shown, unless it shows a member "..."
//     (any value), which allows other members;
//   - an array must have exactly the elements shown, unless its last element is "...",
//     which matches any further elements (none included);
//   - the string "..." matches any value; a string ending in "..." matches any string that
//     starts with what comes before it; `<name>` inside a string matches any non-empty text,
//     and a string that is only `<name>` matches any string, number or boolean;
//   - everything else must be equal.

const PLACEHOLDER = /<[a-z][a-z0-9_-]*>/g;

function escapeRe(s) {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The regular expression source of text: literal, each <placeholder> any text. */
function placeholderSource(text) {
  let re = '';
  let last = 0;
  for (const m of text.matchAll(PLACEHOLDER)) {
    re += escapeRe(text.slice(last, m.index)) + '(?:.+?)';
    last = m.index + m[0].length;
  }
  return re + escapeRe(text.slice(last));
}

/** A regular expression for one expected text line (placeholders, flexible spaces). */
function lineRe(line) {
  return new RegExp(`^${placeholderSource(line).replace(/ +/g, ' +')}$`);
}

function trimLines(text) {
  const lines = text.split('\n').map((l) => l.replace(/\s+$/, ''));
  while (lines.length && lines[0] === '') lines.shift();
  while (lines.length && lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/** null when the text matches, else why not. */
export function matchText(expectedText, actualText) {
  const exp = trimLines(expectedText);
  const act = trimLines(actualText);
  const res = exp.map((l) => (l.trim() === '...' ? null : lineRe(l)));
  // memo[i][j]: expected lines from i match actual lines from j.
  const memo = new Map();
  let furthest = { i: 0, j: 0 };
  const go = (i, j) => {
    const key = `${i},${j}`;
    if (memo.has(key)) return memo.get(key);
    let ok;
    if (i === exp.length) ok = j === act.length;
    else if (res[i] === null) ok = go(i + 1, j) || (j < act.length && go(i, j + 1));
    else ok = j < act.length && res[i].test(act[j]) && go(i + 1, j + 1);
    if (!ok && (i > furthest.i || (i === furthest.i && j > furthest.j))) furthest = { i, j };
    memo.set(key, ok);
    return ok;
  };
  if (go(0, 0)) return null;
  const { i, j } = furthest;
  if (i >= exp.length) return `unexpected output from line ${j + 1}: ${JSON.stringify(act[j])}`;
  return `expected line ${i + 1} ${JSON.stringify(exp[i])}, got ${
    j < act.length ? `line ${j + 1} ${JSON.stringify(act[j])}` : 'the end of the output'
  }`;
}

/** Splits text into its top-level JSON values; throws when it is not a sequence of JSON values. */
export function jsonSequence(text) {
  const values = [];
  let i = 0;
  const n = text.length;
  while (i < n) {
    while (i < n && /\s/.test(text[i])) i++;
    if (i >= n) break;
    const start = i;
    if (text[i] === '{' || text[i] === '[') {
      let depth = 0;
      let inString = false;
      for (; i < n; i++) {
        const c = text[i];
        if (inString) {
          if (c === '\\') i++;
          else if (c === '"') inString = false;
        } else if (c === '"') inString = true;
        else if (c === '{' || c === '[') depth++;
        else if (c === '}' || c === ']') {
          depth--;
          if (depth === 0) {
            i++;
            break;
          }
        }
      }
    } else if (text[i] === '"') {
      for (i++; i < n && text[i] !== '"'; i++) if (text[i] === '\\') i++;
      i++;
    } else {
      while (i < n && !/[\s{["]/.test(text[i])) i++;
    }
    const piece = text.slice(start, i);
    try {
      values.push(JSON.parse(piece));
    } catch (e) {
      throw new Error(`not JSON at offset ${start}: ${piece.slice(0, 80)} (${e.message})`);
    }
  }
  return values;
}

function typeOf(v) {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v;
}

function matchString(exp, act, path) {
  if (exp === '...') return null;
  const whole = /^<[a-z][a-z0-9_-]*>$/.test(exp);
  if (whole && ['string', 'number', 'boolean'].includes(typeOf(act))) {
    return typeof act === 'string' && act === '' ? `${path}: empty string for ${exp}` : null;
  }
  if (typeof act !== 'string') {
    return `${path}: expected a string like ${JSON.stringify(exp)}, got ${JSON.stringify(act)}`;
  }
  const prefix = exp.endsWith('...');
  const body = prefix ? exp.slice(0, -3) : exp;
  if (new RegExp(`^${placeholderSource(body)}${prefix ? '' : '$'}`, 's').test(act)) return null;
  return `${path}: expected ${JSON.stringify(exp)}, got ${JSON.stringify(act)}`;
}

/** null when the actual JSON value matches the expected one, else the path and why. */
export function matchJsonValue(exp, act, path = '$') {
  if (typeof exp === 'string') return matchString(exp, act, path);
  if (typeOf(exp) !== typeOf(act)) {
    return `${path}: expected ${typeOf(exp)} ${JSON.stringify(exp)}, got ${JSON.stringify(act)}`;
  }
  if (Array.isArray(exp)) {
    const open = exp.length > 0 && exp[exp.length - 1] === '...';
    const fixed = open ? exp.slice(0, -1) : exp;
    if (act.length < fixed.length || (!open && act.length !== fixed.length)) {
      const want = `${open ? 'at least ' : ''}${fixed.length}`;
      return `${path}: expected ${want} elements, got ${act.length}: ${JSON.stringify(act)}`;
    }
    for (let k = 0; k < fixed.length; k++) {
      const why = matchJsonValue(fixed[k], act[k], `${path}[${k}]`);
      if (why) return why;
    }
    return null;
  }
  if (typeof exp === 'object' && exp !== null) {
    for (const [k, v] of Object.entries(exp)) {
      if (k === '...') continue;
      if (!(k in act)) return `${path}: member "${k}" missing (got members ${Object.keys(act).join(', ')})`;
      const why = matchJsonValue(v, act[k], `${path}.${k}`);
      if (why) return why;
    }
    if (!('...' in exp)) {
      const extra = Object.keys(act).filter((k) => !(k in exp));
      if (extra.length) return `${path}: members not shown in the docs: ${extra.join(', ')}`;
    }
    return null;
  }
  return Object.is(exp, act) ? null : `${path}: expected ${JSON.stringify(exp)}, got ${JSON.stringify(act)}`;
}

/** null when stdout matches the json output block, else why not. */
export function matchJson(expectedText, actualText) {
  let exp;
  try {
    exp = jsonSequence(expectedText);
  } catch (e) {
    return `the docs' json output block is not JSON: ${e.message}`;
  }
  let act;
  try {
    act = jsonSequence(actualText);
  } catch (e) {
    return `stdout is not JSON: ${e.message}`;
  }
  if (exp.length !== act.length) return `expected ${exp.length} JSON values, got ${act.length}`;
  for (let k = 0; k < exp.length; k++) {
    const why = matchJsonValue(exp[k], act[k], exp.length > 1 ? `#${k + 1}` : '$');
    if (why) return why;
  }
  return null;
}

/** null when stdout matches the output block ({kind, body}), else why not. */
export function matchOutput(output, actualText) {
  return output.kind === 'json' ? matchJson(output.body, actualText) : matchText(output.body, actualText);
}
