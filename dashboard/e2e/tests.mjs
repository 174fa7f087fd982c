//! The browser tests, in order (each may use what the previous ones left: the user, the bot).
import { readFileSync, copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { ADMIN, waitFor } from './servers.mjs';
import { apiAs, assert, fieldError, fireTick, minuteWindow, newPage, scriptTurn, shot, waitText } from './helpers.mjs';

const BOT = 'Browser RSI';

async function registers_and_sees_the_overview(state) {
  const page = await newPage(state);
  await page.goto(`${state.servers.base}/`);
  await page.waitForURL('**/signin');
  await page.getByRole('link', { name: 'Create account' }).click();
  await page.waitForURL('**/register');
  // The client's checks first, then the server's message next to the field it names.
  await page.fill('input[name=email]', 'not-an-email');
  await page.fill('input[name=password]', 'short');
  await page.getByRole('button', { name: 'Create account' }).click();
  await waitText(fieldError(page, 'email'), 'Enter a valid email address.');
  await waitText(fieldError(page, 'password'), 'The password must be 8 to 128 characters.');
  await page.fill('input[name=email]', 'two..dots@example.com');
  await page.fill('input[name=password]', 'browser-pass-1');
  await page.getByRole('button', { name: 'Create account' }).click();
  await waitText(fieldError(page, 'email'), 'email address is invalid');
  await shot(state, page, 'register-server-error');

  const email = `browser-${Date.now()}@example.com`;
  await page.fill('input[name=email]', email);
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.getByRole('heading', { name: 'Overview' }).waitFor();
  const summary = (await apiAs(state, page, '/api/dashboard/summary')).body;
  const usd = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' }).format(summary.total_balance);
  await waitText(page.getByTestId('card-total-balance'), usd);
  state.user = { email, password: 'browser-pass-1' };
  state.userPage = page;
  await shot(state, page, 'overview');
}

async function creates_a_bot_with_the_form(state) {
  const page = state.userPage;
  await page.getByRole('link', { name: 'Bots' }).click();
  await page.getByRole('button', { name: 'New bot' }).click();
  await page.waitForURL('**/bots/new');
  await page.fill('input[name=name]', 'ab');
  await page.fill('input[name=capital]', '1');
  await page.getByRole('button', { name: 'Create bot' }).click();
  await waitText(fieldError(page, 'name'), 'Name must be 3 to 50 characters.');
  await waitText(fieldError(page, 'symbol-filter'), 'A bot trades 1 to 5 symbols.');
  await waitText(fieldError(page, 'capital'), 'Capital must be from 2 to 10000.');

  // The symbol list follows the exchange.
  await page.fill('input[name=symbol-filter]', 'TPUP');
  await page.getByRole('button', { name: 'TPUP/USDT', exact: true }).waitFor();
  await page.selectOption('select[name=exchange]', 'bybit');
  await page.getByRole('button', { name: 'TPUP/USDT', exact: true }).waitFor({ state: 'detached' });
  await page.selectOption('select[name=exchange]', 'binance');
  await page.fill('input[name=symbol-filter]', 'TPUP');
  await page.getByRole('button', { name: 'TPUP/USDT', exact: true }).click();

  await page.fill('input[name=name]', BOT);
  await page.fill('input[name=capital]', '1500');
  await page.getByRole('button', { name: 'Create bot' }).click();
  await waitText(fieldError(page, 'capital'), 'Capital is above the available balance');
  await page.fill('input[name=capital]', '200');
  await page.selectOption('select[name=analysis_interval]', '5');
  await page.fill('input[name="params.period"]', '2');
  await page.fill('input[name="params.take_profit_pct"]', '5');
  await page.fill('input[name="params.stop_loss_pct"]', '5');
  await page.getByRole('button', { name: 'Create bot' }).click();
  await page.waitForURL((url) => /^\/bots\/[^/]+$/.test(url.pathname) && url.pathname !== '/bots/new');
  state.botId = decodeURIComponent(new URL(page.url()).pathname.split('/').pop());
  await page.getByRole('heading', { name: BOT }).waitFor();
  await page.locator('[data-testid=candle-chart] canvas').first().waitFor();
  const stored = await apiAs(state, page, `/api/bots/${encodeURIComponent(state.botId)}`);
  assert(stored.status === 200 && stored.body.capital === 200, `bot as stored: ${JSON.stringify(stored.body)}`);
  const { period, take_profit_pct, stop_loss_pct } = stored.body.params;
  assert(period === 2 && take_profit_pct === 5 && stop_loss_pct === 5, `params: ${JSON.stringify(stored.body.params)}`);
}

async function a_trade_appears_after_a_tick_without_reloading(state) {
  const page = state.userPage;
  await page.getByRole('button', { name: 'Start' }).click();
  await waitText(page.getByTestId('bot-state'), 'Running');
  await page.evaluate(() => (window.__sameDocument = true));
  const openTrades = async () =>
    (await apiAs(state, page, `/api/trades?bot_id=${encodeURIComponent(state.botId)}&status=open`)).body.items;
  // The scripted turn must be ticked within its minute; try again in the next one if the
  // machine was too slow for this one.
  let opened = [];
  for (let attempt = 0; attempt < 4 && opened.length === 0; attempt++) {
    const { now, minute } = await minuteWindow();
    await scriptTurn(state, 'TPUPUSDT', now, minute);
    while (opened.length === 0 && Date.now() < minute + 58_000) {
      await fireTick(state);
      opened = await openTrades();
      if (!opened.length) await new Promise((r) => setTimeout(r, 1_000));
    }
  }
  assert(opened.length === 1, `the bot opened no trade: ${JSON.stringify(opened)}`);
  const row = page.locator('[data-testid=trades-table] tr[data-status=open]');
  await waitText(row, 'TPUP/USDT', 60_000);
  assert(await page.evaluate(() => window.__sameDocument === true), 'the page was reloaded');
  await shot(state, page, 'bot-with-trade');
  await page.getByRole('link', { name: 'Overview' }).click();
  await waitText(page.getByTestId('card-trades-today'), '1');
  await waitText(page.getByTestId('activity'), BOT);
  assert(await page.evaluate(() => window.__sameDocument === true), 'the page was reloaded');
}

async function exports_the_month_as_csv(state) {
  const page = state.userPage;
  await page.getByRole('link', { name: 'Trades' }).click();
  await waitText(page.getByTestId('trades-table'), 'TPUP/USDT');
  await shot(state, page, 'trades');
  await page.getByRole('button', { name: 'Monthly view' }).click();
  await waitText(page.getByTestId('trades-table'), 'TPUP/USDT');
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'Export CSV' }).click(),
  ]);
  const month = new Date().toISOString().slice(0, 7);
  assert(download.suggestedFilename() === `auronex-trades-${month}.csv`, download.suggestedFilename());
  const path = await download.path();
  const csv = readFileSync(path, 'utf8');
  const lines = csv.trim().split('\n');
  assert(lines[0].startsWith('id,bot_id,exchange,symbol,'), `header: ${lines[0]}`);
  assert(lines.some((l) => l.startsWith(`${state.botId}:`) && l.includes(',TPUP/USDT,buy,')), csv);
  copyFileSync(path, join(state.artifacts, 'trades-month.csv'));
  await shot(state, page, 'trades-month');
}

async function switches_to_brl(state) {
  const page = state.userPage;
  await page.getByRole('link', { name: 'Overview' }).click();
  const card = page.getByTestId('card-total-balance');
  await waitText(card, /^Total balance\$[\d,]+\.\d{2}$/);
  await page.getByText(/^USD\/BRL \d/).waitFor();
  await page.getByRole('button', { name: 'BRL', exact: true }).click();
  await waitText(card, /^Total balanceR\$[\d,]+\.\d{2}$/);
  const rate = Number((await page.getByText(/^USD\/BRL \d/).textContent()).replace(/[^\d.]/g, ''));
  const summary = (await apiAs(state, page, '/api/dashboard/summary')).body;
  const shown = Number((await card.textContent()).replace(/[^\d.]/g, ''));
  assert(Math.abs(shown - summary.total_balance * rate) < 0.05 * summary.total_balance * rate, `${shown} vs ${summary.total_balance} x ${rate}`);
  await shot(state, page, 'overview-brl');
}

async function switches_language(state) {
  const page = state.userPage;
  await page.selectOption('select[aria-label=Language]', 'pt-BR');
  await page.getByRole('heading', { name: 'Visão geral' }).waitFor();
  await page.getByRole('link', { name: 'Robôs' }).waitFor();
  await waitText(page.getByTestId('card-total-balance'), /^Saldo totalR\$\s[\d.]+,\d{2}$/);
  await shot(state, page, 'overview-pt-BR');
  await page.reload();
  await page.getByRole('heading', { name: 'Visão geral' }).waitFor();
  await page.selectOption('select[aria-label=Idioma]', 'en');
  await page.getByRole('heading', { name: 'Overview' }).waitFor();
  await page.getByRole('button', { name: 'USD', exact: true }).click();
}

async function works_on_a_phone(state) {
  const page = state.userPage;
  await page.setViewportSize({ width: 390, height: 844 });
  const nav = page.getByRole('link', { name: 'Trades' });
  await waitFor('the menu to collapse', async () => !(await nav.isVisible()), 10_000);
  await page.getByRole('button', { name: 'Menu' }).click();
  await nav.waitFor();
  await shot(state, page, 'overview-phone-menu');
  await page.getByRole('link', { name: 'Bots' }).click();
  await page.getByRole('heading', { name: 'Bots' }).waitFor();
  await page.getByTestId(`bot-${BOT}`).waitFor();
  await shot(state, page, 'bots-phone');
  await page.setViewportSize({ width: 1280, height: 900 });
}

async function other_pages_render(state) {
  const page = state.userPage;
  await page.getByRole('link', { name: 'API keys' }).click();
  await page.getByRole('heading', { name: 'Exchange API keys' }).waitFor();
  await page.fill('input[name=api_key]', 'short');
  await page.getByRole('button', { name: 'Add key' }).click();
  await waitText(fieldError(page, 'api_key'), 'Must be 8 to 256 characters.');
  await shot(state, page, 'api-keys');
  await page.getByRole('link', { name: 'Telegram' }).click();
  await page.getByRole('heading', { name: 'Telegram notifications' }).waitFor();
  await shot(state, page, 'telegram');
  await page.getByRole('link', { name: 'Plans & billing' }).click();
  await page.getByText('Your plan: free').waitFor();
  await shot(state, page, 'billing');
  await page.getByRole('link', { name: 'Copier' }).click();
  await page.fill('input[name=channel_name]', 'Browser signals');
  await page.getByRole('button', { name: 'New channel' }).click();
  await waitText(page.getByTestId('invite-code'), /\S{4,}/);
  await shot(state, page, 'copier');
  assert((await page.getByRole('link', { name: 'Admin' }).count()) === 0, 'a client sees the admin link');
  await page.goto(`${state.servers.base}/admin/bots`);
  await page.getByText('Page not found.').waitFor();
  await page.getByRole('link', { name: 'Bots' }).click();
  await page.getByRole('heading', { name: 'Bots' }).waitFor();
}

async function admin_stops_another_users_bot(state) {
  const page = await newPage(state);
  await page.goto(`${state.servers.base}/signin`);
  await page.fill('input[name=email]', ADMIN.email);
  await page.fill('input[name=password]', ADMIN.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Overview' }).waitFor();
  await page.getByRole('link', { name: 'Admin' }).click();
  await waitText(page.locator('table'), state.user.email);
  await shot(state, page, 'admin-users');
  await page.getByRole('link', { name: 'All bots' }).click();
  const row = page.getByTestId(`admin-bot-${BOT}`);
  await waitText(row.getByTestId('bot-state'), 'Running');
  await waitText(row, state.user.email);
  await row.getByRole('button', { name: 'Stop' }).click();
  await waitText(row.getByTestId('bot-state'), 'Stopped');
  await shot(state, page, 'admin-bots');
  const stored = await apiAs(state, state.userPage, `/api/bots/${encodeURIComponent(state.botId)}`);
  assert(stored.body.is_active === false, `the owner still sees it running: ${JSON.stringify(stored.body)}`);
  await waitText(state.userPage.getByTestId(`bot-${BOT}`).getByTestId('bot-state'), 'Stopped');
  for (const section of ['Payments', 'Settings']) {
    await page.getByRole('link', { name: section }).click();
    await shot(state, page, `admin-${section.toLowerCase()}`);
  }
  await page.locator('input[name="default_fees.taker_fee_rate"]').waitFor();
  await page.context().close();
  state.page = state.userPage;
}

async function an_expired_session_goes_back_to_sign_in(state) {
  const page = state.userPage;
  await page.evaluate(() =>
    localStorage.setItem('auronex.session', JSON.stringify({ access_token: 'expired', refresh_token: 'revoked' })),
  );
  await page.getByRole('link', { name: 'Overview' }).click();
  await page.waitForURL('**/signin');
  await page.getByText('Your session ended. Please sign in again.').waitFor();
  await shot(state, page, 'signin-expired');
  await page.fill('input[name=email]', state.user.email);
  await page.fill('input[name=password]', 'wrong-password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.locator('.error-note, .field .error').first().waitFor();
  await page.fill('input[name=password]', state.user.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Overview' }).waitFor();
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.waitForURL('**/signin');
  assert((await page.evaluate(() => localStorage.getItem('auronex.session'))) === null, 'tokens kept after sign-out');
}

export const TESTS = [
  ['registers_and_sees_the_overview', registers_and_sees_the_overview],
  ['creates_a_bot_with_the_form', creates_a_bot_with_the_form],
  ['a_trade_appears_after_a_tick_without_reloading', a_trade_appears_after_a_tick_without_reloading],
  ['exports_the_month_as_csv', exports_the_month_as_csv],
  ['switches_to_brl', switches_to_brl],
  ['switches_language', switches_language],
  ['works_on_a_phone', works_on_a_phone],
  ['other_pages_render', other_pages_render],
  ['admin_stops_another_users_bot', admin_stops_another_users_bot],
  ['an_expired_session_goes_back_to_sign_in', an_expired_session_goes_back_to_sign_in],
];
