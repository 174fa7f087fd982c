//! The dashboard's browser tests: Playwright (playwright-core) driving Debian's Chromium
//! against `wrangler dev` and the exchange simulator. Tests run in order and share one server
//! (later ones use what earlier ones created); screenshots of the main pages land in
//! dashboard/test-artifacts/. Prints `test result: N passed; M failed` like libtest.
//! Usage: node dashboard/e2e/run.mjs [name filter]
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { ROOT, serverLogTail, startServers, stopServers } from './servers.mjs';
import { TESTS } from './tests.mjs';

const ARTIFACTS = join(ROOT, 'dashboard/test-artifacts');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const filter = process.argv[2] ?? '';

mkdirSync(ARTIFACTS, { recursive: true });
for (const stale of readdirSync(ARTIFACTS).filter((file) => file.startsWith('failed-'))) rmSync(join(ARTIFACTS, stale));
let servers = null;
let browser = null;
const stop = async (failed) => {
  await browser?.close().catch(() => undefined);
  if (servers) await stopServers(servers, failed);
  servers = null;
};
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => stop(true).then(() => process.exit(130)));

let passed = 0;
let failed = 0;
try {
  servers = await startServers();
  console.log(`browser tests against ${servers.base} (simulator ${servers.simUrl})`);
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
  const state = { servers, browser, artifacts: ARTIFACTS };
  for (const [name, test] of TESTS) {
    if (!name.includes(filter)) continue;
    const started = Date.now();
    try {
      await test(state);
      passed++;
      console.log(`browser ${name} ... ok (${((Date.now() - started) / 1000).toFixed(1)} s)`);
    } catch (error) {
      failed++;
      console.log(`browser ${name} ... FAILED\n  ${String(error?.stack ?? error).split('\n').slice(0, 8).join('\n  ')}`);
      await state.page?.screenshot({ path: join(ARTIFACTS, `failed-${name}.png`), fullPage: true }).catch(() => undefined);
    }
  }
  if (failed) console.log(`--- wrangler log tail ---\n${serverLogTail(servers)}`);
} catch (error) {
  failed++;
  console.log(`browser setup ... FAILED\n  ${error?.stack ?? error}`);
}
await stop(false);
console.log(`screenshots in ${ARTIFACTS}`);
console.log(`test result: ${passed} passed; ${failed} failed`);
process.exit(failed ? 1 : 0);
