//! Serves the lab's wasm (dashboard/src/lab/wasm, built by scripts/build-lab.sh), the bench
//! page and the candle files on a free local port, opens the page in headless Chromium
//! (playwright-core, Debian's chromium) and prints the page's figures as JSON.
//! Usage: node bench/lab/chromium.mjs DATA_DIR
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { chromium } from 'playwright-core';

const HERE = new URL('.', import.meta.url).pathname;
const ROOT = join(HERE, '../..');
const DATA = process.argv[2] ?? join(HERE, 'data');
const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.wasm': 'application/wasm', '.json': 'application/json', '.csv': 'text/csv' };

const files = (path) => {
  if (path === '/') return join(HERE, 'page.html');
  if (path.startsWith('/wasm/')) return join(ROOT, 'dashboard/src/lab', path);
  if (path.startsWith('/data/')) return join(DATA, path.slice('/data/'.length));
  return join(HERE, path.slice(1));
};

const server = createServer(async (request, response) => {
  const path = new URL(request.url, 'http://x').pathname;
  try {
    const file = files(path.replace(/\.\./g, ''));
    const body = await readFile(file);
    response.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' });
    response.end(body);
  } catch {
    response.writeHead(404).end();
  }
});
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: ['--no-sandbox'] });
try {
  const page = await browser.newPage();
  await page.goto(`http://127.0.0.1:${server.address().port}/`);
  await page.waitForFunction(() => window.benchDone, null, { timeout: 600_000, polling: 500 });
  const result = await page.evaluate(() => window.benchDone);
  result.chromium = browser.version();
  console.log(JSON.stringify(result));
} finally {
  await browser.close();
  server.close();
}
