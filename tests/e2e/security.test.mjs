// The security suite: what a hostile user, app, page or network tries, one
// file per class of attack under security/ (each a describe() block with its
// own server), loaded here so that the suite runs as one.
import { readdirSync } from 'node:fs';

const dir = new URL('./security/', import.meta.url);
for (const name of readdirSync(dir).filter((f) => f.endsWith('.mjs')).sort()) {
  await import(new URL(name, dir));
}
