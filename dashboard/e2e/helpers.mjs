//! Small helpers for the browser tests: pages, waits on conditions, screenshots, the API as
//! the signed-in user, ticks and the simulator's scripted prices.
import { join } from 'node:path';
import { waitFor } from './servers.mjs';

export const TIMEOUT = 45_000;

export async function newPage(state, options = {}) {
  const context = await state.browser.newContext({
    locale: 'en-US',
    viewport: { width: 1280, height: 900 },
    acceptDownloads: true,
    ...options,
  });
  const page = await context.newPage();
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

/**
 * The simulator's price for `symbol`: a 24-minute fall to 60, then a turn to 66 inside the
 * candle that just closed (RSI leaves oversold there), then flat (see tests/e2e/paper.rs).
 */
export async function scriptTurn(state, symbol, now, minute) {
  const at = (ms) => (ms - now) / 1000;
  const points = [
    [at(minute - 1_500_000), 100],
    [at(minute - 60_000), 60],
    [at(minute - 10_000), 66],
  ];
  const response = await fetch(`${state.servers.simUrl}/__sim/script`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ symbol, points }),
  });
  assert(response.ok, `simulator script refused: ${response.status} ${await response.text()}`);
}
