//! Small helpers for the browser tests: pages, waits on conditions, screenshots, the API as
//! the signed-in user, ticks and the simulator's scripted prices.
import { join } from 'node:path';
import { ADMIN, waitFor } from './servers.mjs';

export const TIMEOUT = 45_000;

export async function newPage(state, options = {}) {
  const context = await state.browser.newContext({
    locale: 'en-US',
    viewport: { width: 1280, height: 900 },
    acceptDownloads: true,
    ...options,
  });
  const page = await context.newPage();
  // Every page is watched for what the Content-Security-Policy refused (see the last test).
  state.cspViolations ??= [];
  page.on('console', (message) => {
    if (/Content Security Policy/i.test(message.text())) state.cspViolations.push(`${page.url()}: ${message.text()}`);
  });
  page.setDefaultTimeout(TIMEOUT);
  page.setDefaultNavigationTimeout(TIMEOUT);
  state.page = page;
  return page;
}

export const shot = (state, page, name) => page.screenshot({ path: join(state.artifacts, `${name}.png`), fullPage: true });

/** Waits until the locator's text contains `text` (a string or a RegExp). */
export function waitText(locator, text, ms = TIMEOUT) {
  const ok = (value) => (text instanceof RegExp ? text.test(value) : value.includes(text));
  return waitFor(`text ${text}`, async () => ok((await locator.first().textContent({ timeout: 2_000 })) ?? ''), ms).catch(
    async (error) => {
      const now = await locator.first().textContent({ timeout: 1_000 }).catch(() => '(missing)');
      throw new Error(`${error.message}; the text is: ${now}`);
    },
  );
}

/** The error shown under the form field holding `input[name=…]`. */
export const fieldError = (page, name) => page.locator(`label.field:has([name="${name}"]) .error`);

export function assert(condition, message) {
  if (!condition) throw new Error(message);
}

/** Calls the API as the user signed in on `page` (its stored access token). */
export async function apiAs(state, page, path, init = {}) {
  const token = await page.evaluate(() => JSON.parse(localStorage.getItem('auronex.session') ?? '{}').access_token);
  const response = await fetch(`${state.servers.base}${path}`, {
    ...init,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...(init.headers ?? {}) },
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : null };
}

export async function fireTick(state) {
  const response = await fetch(`${state.servers.base}/__scheduled?cron=*+*+*+*+*`);
  assert(response.ok, `scheduled run answered ${response.status}`);
}

/** Waits for a moment 2 to 30 s into a minute; returns (now, that minute's start) in ms. */
export async function minuteWindow() {
  for (;;) {
    const now = Date.now();
    const into = now % 60_000;
    if (into >= 2_000 && into < 30_000) return { now, minute: now - into };
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** The close of `symbol`'s newest closed 1m candle, as the simulator serves it. */
async function lastClose(state, symbol) {
  const response = await fetch(`${state.servers.simUrl}/api/v3/klines?symbol=${symbol}&interval=1m&limit=2`);
  assert(response.ok, `simulator klines: ${response.status}`);
  const [closed] = await response.json();
  return Number(closed[4]);
}

/**
 * Scripts a fall to half of the last close inside the candle that is still forming (from
 * `minute`, the start of the current minute), then flat. The candles a bot has already seen
 * keep their closes, so when this one closes an `rsi` bot's default entry ("below": RSI under
 * oversold on the newest closed candle) sees a sharp drop whenever its own alarm ticked.
 */
export async function scriptDip(state, symbol, minute) {
  const now = Date.now();
  const at = (ms) => (ms - now) / 1000;
  const close = await lastClose(state, symbol);
  await script(state, symbol, [
    [at(minute - 60_000), close],
    [at(minute), close],
    [at(minute + 45_000), close / 2],
  ]);
}

/**
 * Scripts the dip on `simSymbol` and fires ticks until the bot `botId` holds an open trade;
 * the dip's candle closes at the end of the minute and the next tick trades on it. Tried again
 * in the next minute if the machine was too slow for this one. Returns the bot's open trades.
 */
export async function openOnDip(state, page, botId, simSymbol) {
  const path = `/api/trades?bot_id=${encodeURIComponent(botId)}&status=open`;
  let opened = [];
  for (let attempt = 0; attempt < 3 && opened.length === 0; attempt++) {
    const { minute } = await minuteWindow();
    await scriptDip(state, simSymbol, minute);
    while (opened.length === 0 && Date.now() < minute + 80_000) {
      if (Date.now() > minute + 60_500) await fireTick(state);
      opened = (await apiAs(state, page, path)).body.items;
      if (!opened.length) await new Promise((r) => setTimeout(r, 1_000));
    }
  }
  return opened;
}

/** Replaces the simulator's path for `symbol` with `[seconds from now, price]` points. */
export async function script(state, symbol, points) {
  const response = await fetch(`${state.servers.simUrl}/__sim/script`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ symbol, points }),
  });
  assert(response.ok, `simulator script refused: ${response.status} ${await response.text()}`);
}

/** Calls the API as the bootstrap admin. */
export async function apiAsAdmin(state, path, init = {}) {
  const login = await fetch(`${state.servers.base}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(ADMIN),
  });
  assert(login.ok, `admin login answered ${login.status}`);
  const { access_token } = await login.json();
  const response = await fetch(`${state.servers.base}${path}`, {
    ...init,
    headers: { authorization: `Bearer ${access_token}`, 'content-type': 'application/json', ...(init.headers ?? {}) },
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : null };
}

/** The number in a figure as shown ("+1,234.50 USDT", "-R$ 1.234,50"), read the way `locale` writes it. */
export function shownNumber(text, locale = 'en') {
  const [group, decimal] = locale === 'en' ? [',', '.'] : ['.', ','];
  const bare = text.split(group).join('').replace(decimal, '.');
  const match = bare.match(/\d+(\.\d+)?/);
  assert(match, `no number in ${JSON.stringify(text)}`);
  return (/[-\u2212]/.test(bare.slice(0, match.index)) ? -1 : 1) * Number(match[0]);
}

/** Asserts a shown amount is the API's `expected` to the digits shown (2, or 4 below 1). */
export function assertShown(text, expected, what, locale = 'en') {
  const shown = shownNumber(text, locale);
  const step = Math.abs(expected) < 1 && expected !== 0 ? 0.0001 : 0.01;
  assert(Math.abs(shown - expected) <= step / 2 + 1e-9, `${what}: shows ${JSON.stringify(text)}, the API says ${expected}`);
}
