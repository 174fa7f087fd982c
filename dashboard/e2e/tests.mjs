//! The browser tests, in order (each may use what the previous ones left: the user, the bot).
import { readFileSync, copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { ADMIN, waitFor } from './servers.mjs';
import { LAB_TESTS } from './lab.mjs';
import {
  apiAs,
  apiAsAdmin,
  assert,
  assertShown,
  fieldError,
  fireTick,
  newPage,
  openOnDip,
  script,
  shot,
  shownNumber,
  waitText,
} from './helpers.mjs';

const BOT = 'Browser RSI';
const BRL_BOT = 'Browser Real';

async function registers_and_sees_the_overview(state) {
  const page = await newPage(state);
  const served = await page.goto(`${state.servers.base}/`);
  const headers = served.headers();
  assert(/frame-ancestors 'none'/.test(headers['content-security-policy'] ?? ''), `CSP: ${headers['content-security-policy']}`);
  assert(/script-src 'self'/.test(headers['content-security-policy']), `CSP: ${headers['content-security-policy']}`);
  assert(headers['x-content-type-options'] === 'nosniff', `nosniff: ${headers['x-content-type-options']}`);
  assert(headers['referrer-policy'] === 'no-referrer', `referrer policy: ${headers['referrer-policy']}`);
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
  // A new user has paper USDT and BRL: the total is in dollars at a named USD/BRL rate.
  const summary = (await apiAs(state, page, '/api/dashboard/summary?currency=USD')).body;
  const usd = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' }).format(summary.total_balance);
  await waitText(page.getByTestId('total-value'), usd);
  await waitText(page.getByTestId('rates'), /1 USD = [\d.]+ BRL · AwesomeAPI · \d\d:\d\d/);
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
  const opened = await openOnDip(state, page, state.botId, 'TPUPUSDT');
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
  const total = page.getByTestId('total-value');
  await waitText(total, /^\$[\d,]+\.\d{2}$/);
  await page.getByText(/^USD\/BRL \d/).waitFor();
  await page.getByRole('button', { name: 'BRL', exact: true }).click();
  // The server converts into reais and names the rate; each currency's figures stay in their own money.
  await waitText(page.getByTestId('total-balance'), 'Total balance (BRL)');
  await waitText(total, /^R\$[\d,]+\.\d{2}$/);
  await waitText(page.getByTestId('rates'), /^1 USD = [\d.]+ BRL · AwesomeAPI · \d\d:\d\dUSDT = USD \(1:1 peg\)$/);
  const summary = (await apiAs(state, page, '/api/dashboard/summary?currency=BRL')).body;
  const shown = shownNumber(await total.textContent());
  assert(Math.abs(shown - summary.total_balance) < 0.01 * summary.total_balance, `${shown} vs ${summary.total_balance} BRL`);
  await waitText(page.getByTestId('figures-USDT').locator('[data-figure=balance] dd'), /^[\d,]+\.\d{2} USDT$/);
  await shot(state, page, 'overview-brl');
}

async function switches_language(state) {
  const page = state.userPage;
  await page.selectOption('select[aria-label=Language]', 'pt-BR');
  await page.getByRole('heading', { name: 'Visão geral' }).waitFor();
  await page.getByRole('link', { name: 'Robôs' }).waitFor();
  await waitText(page.getByTestId('total-balance'), 'Saldo total (BRL)');
  await waitText(page.getByTestId('total-value'), /^R\$\s[\d.]+,\d{2}$/);
  await waitText(page.getByTestId('rates'), /^1 USD = [\d,]+ BRL · AwesomeAPI · \d\d:\d\dUSDT = USD \(paridade 1:1\)$/);
  await waitText(page.getByTestId('figures-USDT').locator('[data-figure=balance] dd'), /^[\d.]+,\d{2} USDT$/);
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
  await page.getByTestId('figures-BRL').waitFor();
  await shot(state, page, 'overview-phone');
  await page.getByRole('button', { name: 'Menu' }).click();
  await nav.waitFor();
  await shot(state, page, 'overview-phone-menu');
  await page.getByRole('link', { name: 'Bots' }).click();
  await page.getByRole('heading', { name: 'Bots' }).waitFor();
  await page.getByTestId(`bot-${BOT}`).getByTestId('bot-pnl').waitFor();
  await shot(state, page, 'bots-phone');
  await page.getByTestId(`bot-${BOT}`).getByRole('link', { name: BOT }).click();
  await page.getByTestId('figures-USDT').waitFor();
  await shot(state, page, 'bot-phone');
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
  await page.getByRole('link', { name: 'Plans & billing' }).click();
  await page.getByText('Your plan: free').waitFor();
  await shot(state, page, 'billing');
  await page.getByRole('link', { name: 'Copier' }).click();
  await page.fill('input[name=channel_name]', 'Browser signals');
  await page.getByRole('button', { name: 'New channel' }).click();
  await waitText(page.getByTestId('invite-code'), /\S{4,}/);
  const firstCode = await page.getByTestId('invite-code').textContent();
  await page.getByRole('button', { name: 'New invite code' }).click();
  await waitFor('a new invite code', async () => (await page.getByTestId('invite-code').textContent()) !== firstCode, 10_000);
  const channels = (await apiAs(state, page, '/api/copier/channels')).body;
  assert(channels[0].invite_code === (await page.getByTestId('invite-code').textContent()), 'the shown code is the stored one');
  await shot(state, page, 'copier');
  await page.getByRole('button', { name: 'Delete channel' }).click();
  await page.getByRole('button', { name: 'Yes' }).click();
  await page.getByTestId('invite-code').waitFor({ state: 'detached' });
  assert((await apiAs(state, page, '/api/copier/channels')).body.length === 0, 'the channel is gone');
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

/** The user's trades, newest first (every bot). */
const tradesOf = async (state, page, query = '') => (await apiAs(state, page, `/api/trades?limit=500${query}`)).body.items;

/**
 * After the admin's stop closed the USDT bot's position (a small loss at the bid), a BRL bot
 * trades to its take-profit: the overview shows each currency's figures in its own money and
 * the total converted at the rate it names, in both languages, on a desktop and a phone; the
 * bots, bot and month pages show per-currency results.
 */
async function trades_in_usdt_and_brl(state) {
  const page = state.userPage;
  // A second bot, on a BRL market, needs the pro plan (free owns one bot).
  const me = (await apiAs(state, page, '/api/auth/me')).body;
  const upgrade = await apiAsAdmin(state, `/api/admin/users/${me.id}`, { method: 'PATCH', body: JSON.stringify({ plan: 'pro' }) });
  assert(upgrade.status === 200, `upgrade: ${JSON.stringify(upgrade.body)}`);
  const created = await apiAs(state, page, '/api/bots', {
    method: 'POST',
    body: JSON.stringify({
      name: BRL_BOT,
      exchange: 'binance',
      symbols: ['TPBR/BRL'],
      capital: 500,
      strategy: 'rsi',
      analysis_interval: 5,
      params: { period: 2, take_profit_pct: 5, stop_loss_pct: 5 },
    }),
  });
  assert(created.status === 201, `BRL bot: ${JSON.stringify(created.body)}`);
  const brlBotId = created.body.id;
  const started = await apiAs(state, page, `/api/bots/${encodeURIComponent(brlBotId)}/toggle`, { method: 'PATCH' });
  assert(started.status === 200 && started.body.is_active, `start: ${JSON.stringify(started.body)}`);
  const opened = await openOnDip(state, page, brlBotId, 'TPBRBRL');
  assert(opened.length === 1 && opened[0].quote_currency === 'BRL', `the BRL bot opened: ${JSON.stringify(opened)}`);
  await script(state, 'TPBRBRL', [[0, 80]]);
  const closedIn = (trades, currency) => trades.filter((t) => t.status === 'closed' && t.quote_currency === currency);
  const trades = await waitFor(
    'a closed trade in USDT and in BRL',
    async () => {
      const all = await tradesOf(state, page);
      if (closedIn(all, 'USDT').length && closedIn(all, 'BRL').length) return all;
      await fireTick(state);
      return null;
    },
    60_000,
  );
  const pnl = (currency) => closedIn(trades, currency).reduce((sum, t) => sum + t.profit_loss, 0);
  assert(pnl('BRL') > 0, `the BRL take-profit: ${JSON.stringify(trades)}`);

  // The overview: each currency's figures in its own money, the total in dollars at the rate shown.
  await page.getByRole('link', { name: 'Overview' }).click();
  const usdtBlock = page.getByTestId('figures-USDT');
  const brlBlock = page.getByTestId('figures-BRL');
  const figure = (block, key) => block.locator(`[data-figure=${key}] dd`);
  await waitText(figure(brlBlock, 'net_profit'), /^\+R\$[\d,]+\.\d{2,4}$/);
  await waitText(figure(usdtBlock, 'net_profit'), /^[-+]?[\d,]+\.\d{2,4} USDT$/);
  const summary = (await apiAs(state, page, '/api/dashboard/summary?currency=USD')).body;
  const books = Object.fromEntries(summary.by_currency.map((c) => [c.currency, c]));
  for (const [currency, block] of [['USDT', usdtBlock], ['BRL', brlBlock]]) {
    const fields = { balance: 'total_balance', available: 'available', in_positions: 'in_positions', net_profit: 'net_profit' };
    Object.assign(fields, { today: 'profit_today', win_rate: 'win_rate', expectancy: 'expectancy', max_drawdown: 'max_drawdown' });
    for (const [key, field] of Object.entries(fields)) {
      assertShown(await figure(block, key).textContent(), books[currency][field], `${currency} ${key}`);
    }
    assert(Math.abs(books[currency].net_profit - pnl(currency)) < 1e-6, `${currency} net ${books[currency].net_profit} vs ${pnl(currency)}`);
  }
  await waitText(figure(brlBlock, 'profit_factor'), '—'); // no loss in BRL: no ratio
  const rates = page.getByTestId('rates');
  await waitText(rates, 'USDT = USD (1:1 peg)');
  const rateLine = (await rates.locator('li').first().textContent()) ?? '';
  const rate = rateLine.match(/^1 USD = ([\d.]+) BRL · AwesomeAPI · \d\d:\d\d$/);
  assert(rate, `the rate line: ${rateLine}`);
  const total = shownNumber(await page.getByTestId('total-value').textContent());
  const byHand = books.USDT.total_balance + books.BRL.total_balance / Number(rate[1]);
  assert(Math.abs(total - byHand) < 0.01 + byHand * 1e-4, `total ${total} vs USDT + BRL / ${rate[1]} = ${byHand}`);
  await page.getByTestId('equity-USDT').waitFor();
  await page.getByTestId('equity-BRL').waitFor();
  await shot(state, page, 'books-overview');

  // The bots page: each bot's P&L from its stats over its whole history, in its own currency.
  await page.getByRole('link', { name: 'Bots' }).click();
  const botStats = (await apiAs(state, page, `/api/bots/${encodeURIComponent(brlBotId)}/stats`)).body;
  const brlPnl = page.getByTestId(`bot-${BRL_BOT}`).getByTestId('bot-pnl');
  await waitText(brlPnl, /^\+R\$/);
  assertShown(await brlPnl.textContent(), botStats.by_currency[0].net_profit, 'BRL bot P&L');
  await waitText(page.getByTestId(`bot-${BOT}`).getByTestId('bot-pnl'), /^[-+]?[\d,.]+ USDT$/);
  await shot(state, page, 'books-bots');
  await page.getByTestId(`bot-${BRL_BOT}`).getByRole('link', { name: BRL_BOT }).click();
  await waitText(page.getByTestId('figures-BRL').locator('[data-figure=net_profit] dd'), /^\+R\$/);
  await shot(state, page, 'books-bot');

  // The month: totals per currency, each trade's P&L in its own currency.
  await page.getByRole('link', { name: 'Trades' }).click();
  await page.getByRole('button', { name: 'Monthly view' }).click();
  const month = new Date();
  const listed = (await apiAs(state, page, `/api/trades/month?year=${month.getUTCFullYear()}&month=${month.getUTCMonth() + 1}`)).body;
  assert(listed.totals.map((t) => t.currency).sort().join() === 'BRL,USDT', `month totals: ${JSON.stringify(listed.totals)}`);
  for (const total of listed.totals) {
    const line = page.getByTestId(`month-total-${total.currency}`);
    await waitText(line, `trades: ${total.trades} · closed: ${total.closed_trades}`);
    assertShown(await line.getByTestId('month-net').textContent(), total.profit_loss, `month ${total.currency} net`);
  }
  const pnlCells = page.locator('[data-testid=trades-table] [data-testid=trade-pnl]');
  await waitText(pnlCells.filter({ hasText: 'USDT' }), /^[-+]?[\d,.]+ USDT/);
  await waitText(pnlCells.filter({ hasText: 'R$' }), /^\+R\$[\d,.]+/);
  await shot(state, page, 'books-trades-month');

  // Reais as the display currency, Portuguese, then a phone in both languages.
  await page.getByRole('link', { name: 'Overview' }).click();
  await page.getByRole('button', { name: 'BRL', exact: true }).click();
  await waitText(page.getByTestId('total-balance'), 'Total balance (BRL)');
  await waitText(figure(usdtBlock, 'balance'), / USDT$/);
  await shot(state, page, 'books-overview-brl');
  await page.selectOption('select[aria-label=Language]', 'pt-BR');
  await waitText(page.getByTestId('total-balance'), 'Saldo total (BRL)');
  await waitText(rates, 'USDT = USD (paridade 1:1)');
  await waitText(figure(brlBlock, 'net_profit'), /^\+R\$\s[\d.]+,\d{2}/);
  await shot(state, page, 'books-overview-pt-BR');
  await page.setViewportSize({ width: 390, height: 844 });
  await shot(state, page, 'books-overview-pt-BR-phone');
  for (const [link, name, ready] of [
    ['Robôs', 'books-bots-pt-BR-phone', page.getByTestId(`bot-${BRL_BOT}`).getByTestId('bot-pnl')],
    ['Operações', 'books-trades-pt-BR-phone', page.getByTestId('trades-table')],
  ]) {
    await page.getByRole('button', { name: 'Menu' }).click();
    await page.getByRole('link', { name: link }).click();
    await ready.waitFor();
    await shot(state, page, name);
  }
  await page.getByRole('button', { name: 'Visão mensal' }).click();
  await page.getByTestId('month-total-BRL').waitFor();
  await shot(state, page, 'books-trades-month-pt-BR-phone');
  await page.selectOption('select[aria-label=Idioma]', 'en');
  await page.getByRole('button', { name: 'USD', exact: true }).click();
  await page.getByRole('button', { name: 'Menu' }).click();
  await page.getByRole('link', { name: 'Overview' }).click();
  await waitText(page.getByTestId('total-balance'), 'Total balance (USD)');
  await page.getByTestId('equity-BRL').waitFor();
  await shot(state, page, 'books-overview-phone');
  await page.getByRole('button', { name: 'Menu' }).click();
  await page.getByRole('link', { name: 'Bots' }).click();
  await page.getByTestId(`bot-${BRL_BOT}`).getByRole('link', { name: BRL_BOT }).click();
  await page.getByTestId('figures-BRL').waitFor();
  await shot(state, page, 'books-bot-phone');
  await page.setViewportSize({ width: 1280, height: 900 });
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

/**
 * The whole run kept to the dashboard's Content-Security-Policy (nothing refused on any page),
 * and another site cannot frame the dashboard (frame-ancestors 'none': the frame stays empty).
 */
async function runs_under_its_content_security_policy(state) {
  assert(state.cspViolations.length === 0, `refused by the CSP:\n${state.cspViolations.join('\n')}`);
  const page = await newPage(state);
  const framed = [];
  page.on('console', (message) => framed.push(message.text()));
  await page.setContent(`<iframe id="app" src="${state.servers.base}/signin" width="600" height="400"></iframe>`);
  await page.waitForTimeout(2_000);
  const frame = page.frames().find((f) => f.url().startsWith(state.servers.base));
  const rendered = frame ? await frame.locator('input[name=email]').count().catch(() => 0) : 0;
  assert(rendered === 0, 'the dashboard rendered inside another page\'s frame');
  assert(framed.some((text) => /frame-ancestors/.test(text)), `no frame-ancestors refusal: ${JSON.stringify(framed)}`);
  state.cspViolations.length = 0;
  await page.context().close();
  state.page = state.userPage;
}

/** A chat is linked through the bot: the page shows a code, the user sends it to the bot (the
 * stand-in queues the update), the page sees the link without a reload; the test message reaches
 * the chat; in Portuguese at phone width the code and the bot's button fit the screen. */
async function links_telegram_through_the_bot(state) {
  const page = state.userPage;
  const telegram = state.servers.telegram;
  await page.getByRole('link', { name: 'Telegram' }).click();
  await page.getByRole('heading', { name: 'Telegram notifications' }).waitFor();
  await waitText(page.getByTestId('telegram-status'), 'No chat linked yet.');
  await page.getByRole('button', { name: 'Link a Telegram chat' }).click();
  const command = (await page.locator('code.command').textContent()) ?? '';
  if (!/^\/start [A-HJ-NP-Z2-9]{10}$/.test(command)) throw new Error(`the page shows ${command}`);
  const open = page.getByRole('link', { name: /^Open @auronex_browser_bot in Telegram$/ });
  const href = await open.getAttribute('href');
  if (href !== `https://t.me/auronex_browser_bot?start=${command.slice(7)}`) throw new Error(`the bot link is ${href}`);
  await shot(state, page, 'telegram-code');
  const chat = 555_000_111;
  telegram.userSends(chat, command);
  await waitText(page.getByTestId('telegram-status'), `Linked to chat ${chat}`);
  await page.getByText('Chat linked.').waitFor();
  await page.getByRole('button', { name: 'Send a test message' }).click();
  await page.getByText('Test message sent.').waitFor();
  const texts = telegram.sent.filter((m) => String(m.chat_id) === String(chat)).map((m) => m.text);
  if (!texts.some((t) => t.includes('this chat is linked')) || !texts.some((t) => t.includes('test message'))) {
    throw new Error(`the chat got ${JSON.stringify(texts)}`);
  }
  await shot(state, page, 'telegram-linked');

  await page.selectOption('select[aria-label=Language]', 'pt-BR');
  await page.getByRole('heading', { name: 'Notificações no Telegram' }).waitFor();
  await page.setViewportSize({ width: 390, height: 844 });
  await page.getByRole('button', { name: 'Vincular outro chat' }).click();
  await page.getByRole('link', { name: 'Abrir @auronex_browser_bot no Telegram' }).waitFor();
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);
  if (overflow) throw new Error('the Telegram page scrolls sideways at phone width');
  await shot(state, page, 'telegram-code-pt-BR-phone');
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.selectOption('select[aria-label=Idioma]', 'en');
  await page.getByRole('heading', { name: 'Telegram notifications' }).waitFor();
  await page.getByRole('link', { name: 'Bots' }).click();
  await page.getByRole('heading', { name: 'Bots' }).waitFor();
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
  ['links_telegram_through_the_bot', links_telegram_through_the_bot],
  ['admin_stops_another_users_bot', admin_stops_another_users_bot],
  ['trades_in_usdt_and_brl', trades_in_usdt_and_brl],
  ['an_expired_session_goes_back_to_sign_in', an_expired_session_goes_back_to_sign_in],
  ...LAB_TESTS,
  ['runs_under_its_content_security_policy', runs_under_its_content_security_policy],
];
