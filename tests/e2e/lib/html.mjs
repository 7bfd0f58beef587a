// Just enough HTML reading to drive Universal Login pages over HTTP: forms,
// their inputs and the alert text.  Not a general HTML parser.

const NAMED = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0' };

/** Decodes character references (&amp; &#39; &#x2F; ...). */
export function decodeEntities(s) {
  return s.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-zA-Z]+);/g, (m, ref) => {
    if (ref[0] === '#') {
      const cp = ref[1] === 'x' || ref[1] === 'X' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
      return Number.isFinite(cp) ? String.fromCodePoint(cp) : m;
    }
    return NAMED[ref.toLowerCase()] ?? m;
  });
}

/** The attributes of one start tag ("<input a=b c>") as {name: value}, decoded. */
export function attributes(tag) {
  const attrs = {};
  const body = tag.replace(/^<\s*[a-zA-Z0-9]+/, '').replace(/\/?>$/, '');
  const re = /([^\s"'=<>/]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?/g;
  let m;
  while ((m = re.exec(body)) !== null) {
    const v = m[2] ?? m[3] ?? m[4];
    attrs[m[1].toLowerCase()] = v === undefined ? '' : decodeEntities(v);
  }
  return attrs;
}

/**
 * Every <form> of a page: {action (absolute URL), method, attrs, inputs: [{name, type, value, attrs}], buttons: [...]}.
 * baseUrl resolves relative actions (a missing action means the page itself).
 */
export function parseForms(html, baseUrl) {
  const forms = [];
  const re = /<form\b[^>]*>([\s\S]*?)<\/form>/gi;
  let m;
  while ((m = re.exec(html)) !== null) {
    const openTag = m[0].match(/^<form\b[^>]*>/i)[0];
    const attrs = attributes(openTag);
    const inner = m[1];
    const inputs = [];
    for (const t of inner.match(/<input\b[^>]*>/gi) ?? []) {
      const a = attributes(t);
      inputs.push({ name: a.name, type: (a.type ?? 'text').toLowerCase(), value: a.value ?? '', attrs: a });
    }
    const buttons = [];
    for (const b of inner.match(/<button\b[^>]*>/gi) ?? []) {
      const a = attributes(b);
      buttons.push({ name: a.name, type: (a.type ?? 'submit').toLowerCase(), value: a.value ?? '', attrs: a });
    }
    forms.push({
      action: new URL(attrs.action ?? '', baseUrl).href,
      method: (attrs.method ?? 'get').toLowerCase(),
      attrs,
      inputs,
      buttons,
      html: m[0],
    });
  }
  return forms;
}

/** The first POST form with an input of the given name; throws with the page when there is none. */
export function findForm(html, baseUrl, inputName) {
  const forms = parseForms(html, baseUrl).filter((f) => f.method === 'post');
  const f = inputName ? forms.find((x) => x.inputs.some((i) => i.name === inputName)) : forms[0];
  if (!f) {
    throw new Error(
      `no <form method="post"> ${inputName ? `with input name="${inputName}" ` : ''}on ${baseUrl}:\n${html.slice(0, 1500)}`,
    );
  }
  return f;
}

/** {name: value} of a form's hidden inputs. */
export function hiddenFields(form) {
  const out = {};
  for (const i of form.inputs) if (i.type === 'hidden' && i.name) out[i.name] = i.value;
  return out;
}

/** Plain text of an HTML fragment (tags dropped, entities decoded, spaces collapsed). */
export function textOf(fragment) {
  return decodeEntities(fragment.replace(/<[^>]*>/g, ' ')).replace(/\s+/g, ' ').trim();
}

/** Text of every element with role="alert", in page order. */
export function alertTexts(html) {
  const out = [];
  const re = /<([a-zA-Z0-9]+)\b[^>]*\brole\s*=\s*["']?alert["']?[^>]*>([\s\S]*?)<\/\1>/gi;
  let m;
  while ((m = re.exec(html)) !== null) out.push(textOf(m[2]));
  return out;
}
