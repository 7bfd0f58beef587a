// docs/spa-and-api.svg, the picture of the SPA + API guide, as a reader's
// browser shows it: Debian's Chromium must parse it as SVG, it must name the
// parts the guide names (Application and its client_id, Connection, the
// Management API, the issuer), its numbered steps must run 1..N top to bottom
// as many as the guide's list, and it must carry its own background (dark
// viewers).  The rendering is saved as docs-spa-and-api.png next to
// TESSERA_BIN (or $TESSERA_DOCS_SCREENSHOT) for a person to look at.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { after, before, test } from 'node:test';

import { launchBrowser, STEP_TIMEOUT_MS } from './lib/browser.mjs';
import { tesseraBin } from './lib/server.mjs';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const SVG = path.join(REPO, 'docs', 'spa-and-api.svg');
const GUIDE = path.join(REPO, 'docs', 'spa-and-api.md');
const SCREENSHOT = path.resolve(
  process.env.TESSERA_DOCS_SCREENSHOT ?? path.join(path.dirname(tesseraBin()), 'docs-spa-and-api.png'),
);
const ISSUER = 'http://localhost:8080/';

let browser;
let context;
let page;
let drawing; // what the page reports about the loaded document

before(async () => {
  browser = await launchBrowser();
  // A dark viewer: the drawing must not depend on the page behind it.
  context = await browser.newContext({ colorScheme: 'dark' });
  context.setDefaultTimeout(STEP_TIMEOUT_MS);
  // Nothing but the file itself: a drawing that fetches anything fails here.
  await context.route(/^(?!file:).*/, (route) => route.abort());
  page = await context.newPage();
  await page.goto(pathToFileURL(SVG).href);
  drawing = await page.evaluate(() => {
    const root = document.documentElement;
    const texts = [...document.querySelectorAll('text')].map((t) => {
      const box = t.getBBox();
      return { text: t.textContent.replace(/\s+/g, ' ').trim(), x: box.x, y: box.y };
    });
    const [, , w, h] = (root.getAttribute('viewBox') ?? '').split(/\s+/).map(Number);
    const first = root.querySelector('rect');
    return {
      name: root.localName,
      ns: root.namespaceURI,
      parseErrors: document.getElementsByTagName('parsererror').length,
      texts,
      all: root.textContent.replace(/\s+/g, ' '),
      width: w,
      height: h,
      background: first && {
        x: Number(first.getAttribute('x') ?? 0),
        y: Number(first.getAttribute('y') ?? 0),
        width: Number(first.getAttribute('width')),
        height: Number(first.getAttribute('height')),
        fill: getComputedStyle(first).fill,
      },
      embedded: document.querySelectorAll('image, foreignObject, style, script, font, font-face').length,
    };
  });
});

after(async () => {
  await browser?.close();
});

test('the diagram parses as SVG in Chromium and, if xmllint is installed, as XML', () => {
  assert.equal(drawing.parseErrors, 0, 'Chromium shows no XML parse error');
  assert.equal(drawing.name, 'svg');
  assert.equal(drawing.ns, 'http://www.w3.org/2000/svg');
  const lint = spawnSync('xmllint', ['--noout', SVG], { encoding: 'utf8', timeout: 30_000 });
  if (lint.error?.code === 'ENOENT') {
    console.log('xmllint is not installed: XML check skipped');
    return;
  }
  assert.equal(lint.status, 0, `xmllint --noout ${SVG}: ${lint.stderr}`);
});

test('it is self-contained and paints its own background', () => {
  assert.equal(drawing.embedded, 0, 'no images, fonts, styles or scripts inside');
  assert.doesNotMatch(readFileSync(SVG, 'utf8'), /url\((?!#)|href="(?!#)|data:/, 'nothing fetched or inlined');
  const bg = drawing.background;
  assert.ok(bg, 'a background rect');
  assert.deepEqual([bg.x, bg.y, bg.width, bg.height], [0, 0, drawing.width, drawing.height], 'covering the whole picture');
  assert.equal(bg.fill, 'rgb(255, 255, 255)', 'opaque white, also in a dark viewer');
});

test('it names the parts and the issuer the guide uses', () => {
  for (const label of ['Application', 'client_id', 'Connection', 'Username-Password-Authentication', 'Universal Login',
    'Management API', 'identifier = audience', 'jwks.json', 'POST /u/login', ISSUER]) {
    assert.ok(drawing.all.includes(label), `the drawing says "${label}"`);
  }
  assert.ok(!/https:\/\/id\.example\.com/.test(drawing.all), 'no other issuer than the guide\'s');
});

test('its steps are numbered 1..N, top to bottom, as many as the guide lists', () => {
  const steps = drawing.texts
    .map((t) => ({ ...t, n: Number(/^(\d{1,2}) /.exec(t.text)?.[1]) }))
    .filter((t) => Number.isInteger(t.n));
  const numbers = steps.map((s) => s.n).sort((a, b) => a - b);
  const n = numbers.length;
  assert.ok(n >= 5, `numbered steps found: ${JSON.stringify(steps)}`);
  assert.deepEqual(numbers, Array.from({ length: n }, (_, i) => i + 1), 'each of 1..N once');
  const byNumber = [...steps].sort((a, b) => a.n - b.n);
  for (let i = 1; i < n; i++) {
    const [prev, cur] = [byNumber[i - 1], byNumber[i]];
    assert.ok(cur.y > prev.y || (cur.y === prev.y && cur.x > prev.x),
      `step ${cur.n} ("${cur.text}") comes after step ${prev.n} ("${prev.text}")`);
  }
  // The guide's list right under the picture says the same steps in words.
  const guide = readFileSync(GUIDE, 'utf8');
  const words = guide.slice(guide.indexOf('](spa-and-api.svg)'));
  const list = words.slice(0, words.indexOf('\n## ')).match(/^\d+\. .*(?:\n {3}.*)*/gm) ?? [];
  assert.equal(list.length, n, `the guide lists ${list.length} steps, the drawing ${n}`);
  const redirect = byNumber.find((s) => s.text.includes('POST /u/login:'));
  assert.ok(redirect, 'the code redirect is drawn as the answer to POST /u/login');
  assert.match(list[redirect.n - 1], /POST \/u\/login/, `the guide's step ${redirect.n} names POST /u/login`);
  assert.match(list[redirect.n - 1], /code/, `the guide's step ${redirect.n} is the code redirect`);
});

test('a PNG of the rendering is saved for review', async () => {
  await page.setViewportSize({ width: drawing.width, height: drawing.height });
  await page.screenshot({ path: SCREENSHOT });
  assert.ok(statSync(SCREENSHOT).size > 10_000, `screenshot written to ${SCREENSHOT}`);
  console.log(`docs/spa-and-api.svg rendered to ${SCREENSHOT}`);
});
