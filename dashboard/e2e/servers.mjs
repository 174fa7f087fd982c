//! Starts what the browser tests run against: the exchange simulator (`auronex exchange-sim`
//! with tests/data/sim_script.json) and `wrangler dev` on free ports with a temporary
//! --persist-to and migrated D1, its Telegram bot pointed at the stand-in in telegram.mjs;
//! waits on /health; stops them by pid.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { startTelegram, TOKEN as TELEGRAM_TOKEN } from './telegram.mjs';

export const ROOT = new URL('../../', import.meta.url).pathname.replace(/\/$/, '');
export const ADMIN = { email: 'admin-browser@auronex.test', password: 'admin-browser-pass-1' };
/**
 * Markets the tests add to the simulator before the Worker first lists Binance's markets (it
 * keeps the list for an hour): a BRL-quoted one, so a user can trade in USDT and BRL.
 */
export const EXTRA_MARKETS = [{ symbol: 'TPBRBRL', base: 'TPBR', quote: 'BRL', points: [[0, 50]] }];

const UNSIMULATED = ['BYBIT', 'OKX', 'KRAKEN', 'COINBASE', 'GATEIO', 'HTX', 'KUCOIN', 'MERCADOBITCOIN', 'FOXBIT'];
const BIN = join(ROOT, 'node_modules/.bin');
const ENV = { ...process.env, PATH: `${BIN}:${process.env.PATH}`, WRANGLER_SEND_METRICS: 'false', NO_UPDATE_NOTIFIER: '1', CI: 'true' };

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Polls `check` every 300 ms until it returns something truthy or `ms` pass. */
export async function waitFor(what, check, ms) {
  const deadline = Date.now() + ms;
  let last;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value) return value;
    } catch (error) {
      last = error;
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new Error(`timed out after ${ms / 1000} s waiting for ${what}${last ? `: ${last.message}` : ''}`);
}

function simulatorBinary() {
  const build = spawnSync('cargo', ['build', '-q', '-p', 'auronex-cli', '--bin', 'auronex'], { cwd: ROOT, stdio: 'inherit' });
  if (build.status !== 0) throw new Error('cargo build of the simulator failed');
  return join(process.env.CARGO_TARGET_DIR ?? join(ROOT, 'target'), 'debug/auronex');
}

function startSimulator() {
  const child = spawn(simulatorBinary(), ['exchange-sim', '--port', '0', '--script', join(ROOT, 'tests/data/sim_script.json')], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    let text = '';
    child.once('exit', (code) => reject(new Error(`exchange-sim exited (${code}) before listening`)));
    child.stdout.on('data', (chunk) => {
      text += chunk;
      const url = text.match(/http:\/\/[\d.:]+/);
      if (url) {
        child.stdout.removeAllListeners('data');
        child.stdout.resume();
        resolve({ child, url: url[0] });
      }
    });
  });
}

export async function startServers() {
  if (!readFileSyncSafe(join(ROOT, 'worker/build/index.js'))) throw new Error('the worker is not built: run scripts/build.sh');
  if (!readFileSyncSafe(join(ROOT, 'dashboard/dist/index.html'))) throw new Error('the dashboard is not built: run scripts/build.sh');
  const dir = mkdtempSync(join(tmpdir(), 'auronex-browser-'));
  const persist = join(dir, 'state');
  const servers = { dir, sim: null, wrangler: null, base: '', simUrl: '', log: join(dir, 'wrangler.log'), telegram: null };
  try {
    servers.telegram = await startTelegram();
    const sim = await startSimulator();
    servers.sim = sim.child;
    servers.simUrl = sim.url;
    for (const market of EXTRA_MARKETS) {
      const added = await fetch(`${sim.url}/__sim/script`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(market),
      });
      if (!added.ok) throw new Error(`simulator refused ${market.symbol}: ${added.status} ${await added.text()}`);
    }
    const migrate = spawnSync('wrangler', ['d1', 'migrations', 'apply', 'DB', '--local', '--persist-to', persist], {
      cwd: ROOT,
      env: ENV,
      encoding: 'utf8',
    });
    if (migrate.status !== 0) throw new Error(`migrations failed:\n${migrate.stdout}\n${migrate.stderr}`);
    const vars = {
      JWT_SECRET: randomBytes(32).toString('hex'),
      ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      ADMIN_EMAIL: ADMIN.email,
      ADMIN_PASSWORD: ADMIN.password,
      BINANCE_API_URL: sim.url,
      AWESOMEAPI_URL: sim.url,
      TELEGRAM_API_URL: servers.telegram.url,
      TELEGRAM_BOT_TOKEN: TELEGRAM_TOKEN,
      ...Object.fromEntries(UNSIMULATED.map((v) => [`${v}_API_URL`, `${sim.url}/__unsimulated/${v.toLowerCase()}`])),
    };
    const port = await freePort();
    const args = ['dev', '--local', '--ip', '127.0.0.1', '--port', String(port), '--inspector-port', String(await freePort())];
    args.push('--test-scheduled', '--show-interactive-dev-session=false', '--persist-to', persist);
    for (const [key, value] of Object.entries(vars)) args.push('--var', `${key}:${value}`);
    const log = openSync(servers.log, 'w');
    servers.wrangler = spawn(join(BIN, 'wrangler'), args, { cwd: ROOT, env: ENV, stdio: ['ignore', log, log], detached: true });
    servers.base = `http://127.0.0.1:${port}`;
    await waitFor('wrangler dev /health', async () => (await fetch(`${servers.base}/health`)).ok, 240_000);
    return servers;
  } catch (error) {
    await stopServers(servers, true);
    throw error;
  }
}

function readFileSyncSafe(path) {
  try {
    return readFileSync(path);
  } catch {
    return null;
  }
}

/** The tail of wrangler's log, for a failure report. */
export function serverLogTail(servers, lines = 40) {
  const text = readFileSyncSafe(servers.log)?.toString() ?? '';
  return text.split('\n').slice(-lines).join('\n');
}

/** Stops wrangler's process group (workerd included) and the simulator, then removes the state. */
export async function stopServers(servers, failed = false) {
  if (failed && servers.log) console.error(`--- wrangler log tail ---\n${serverLogTail(servers)}`);
  const group = servers.wrangler?.pid;
  const signal = (name) => {
    try {
      process.kill(-group, name);
      return true;
    } catch {
      return false;
    }
  };
  if (group && signal('SIGTERM')) {
    const exited = new Promise((resolve) => servers.wrangler.once('exit', resolve));
    const timeout = new Promise((resolve) => setTimeout(resolve, 10_000));
    await Promise.race([exited, timeout]);
    signal('SIGKILL');
  }
  servers.sim?.kill('SIGTERM');
  await servers.telegram?.close();
  if (servers.dir) rmSync(servers.dir, { recursive: true, force: true });
}
