//! Prints the gzipped size of the JavaScript a first visit loads (the entry chunk and its
//! static imports, from Vite's manifest; lazy chunks excluded) and fails above the budget.
//! Usage: node dashboard/tools/bundle-size.mjs [dist dir] [budget KB]
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

const dist = process.argv[2] ?? new URL('../dist', import.meta.url).pathname;
const budgetKb = Number(process.argv[3] ?? 250);
const manifestPath = join(dist, '.vite', 'manifest.json');
const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));

const initial = new Set();
const visit = (key) => {
  const chunk = manifest[key];
  if (!chunk || initial.has(chunk.file)) return;
  initial.add(chunk.file);
  (chunk.imports ?? []).forEach(visit);
};
Object.entries(manifest).filter(([, chunk]) => chunk.isEntry).forEach(([key]) => visit(key));

let raw = 0;
let gzipped = 0;
for (const file of initial) {
  const bytes = readFileSync(join(dist, file));
  raw += bytes.length;
  gzipped += gzipSync(bytes, { level: 9 }).length;
}
// The manifest is a build artefact, not something to serve.
rmSync(join(dist, '.vite'), { recursive: true, force: true });
const kb = (n) => (n / 1024).toFixed(1);
console.log(`[dashboard] initial JS: ${[...initial].join(', ')}: ${kb(raw)} KB, ${kb(gzipped)} KB gzipped (budget ${budgetKb} KB)`);
if (gzipped > budgetKb * 1024) {
  console.error(`[dashboard] the initial JavaScript is over the ${budgetKb} KB gzipped budget`);
  process.exit(1);
}
