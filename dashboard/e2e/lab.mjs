//! Browser tests of the strategy lab: a backtest and a sweep run from a bot's page, their
//! trades and figures checked against the CLI's `auronex backtest --json` over the very candles
//! the page fetched (written as the CLI's CSV); the CSV and PDF reports read back (the PDF's
//! text through pdfjs-dist); "use these parameters" lands on the bot; phone and pt-BR shots.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from './servers.mjs';
import { apiAs, assert, assertShown, newPage, shot, waitText } from './helpers.mjs';

const LAB_BOT = 'Lab RSI';
const PARAMS = { period: 7, oversold: 35, overbought: 60, take_profit_pct: 2, stop_loss_pct: 1.5 };
const CAPITAL = 500;
const HELD_OUT = 0.3;
const DAY_MS = 86_400_000;
const CLI = join(process.env.CARGO_TARGET_DIR ?? join(ROOT, 'target'), 'debug/auronex');
const work = mkdtempSync(join(tmpdir(), 'auronex-lab-e2e-'));

async function signUp(state, options = {}) {
  const page = await newPage(state, options);
  await page.goto(`${state.servers.base}/register`);
  const email = `lab-${Date.now()}@example.com`;
  await page.fill('input[name=email]', email);
  await page.fill('input[name=password]', 'lab-browser-pass-1');
  await page.locator('form button[type=submit]').click();
  await page.locator('[data-testid=total-value]').waitFor();
  return page;
}

/** The candles a page's Run fetched from the history endpoint, with their open times in ms. */
async function fetchedCandles(response) {
  const ms = (c) => c.timestamp_ms ?? (typeof c.time === 'number' ? c.time : Date.parse(c.time));
  return (await response.json()).map((c) => ({ ...c, ms: ms(c) }));
}

function writeCsv(name, candles) {
  const path = join(work, `${name}.csv`);
  const rows = candles.map((c) => [c.ms, c.open, c.high, c.low, c.close, c.volume].map(String).join(','));
  writeFileSync(path, ['open_time_ms,open,high,low,close,volume', ...rows].join('\n') + '\n');
  return path;
}

/** `auronex backtest --json` with the bot's settings and the fills the page's report states. */
function cliBacktest(csvPath, params, assumptions) {
  const args = ['backtest', '--input', csvPath, '--strategy', 'rsi', '--capital', String(CAPITAL), '--symbol', 'BTC/USDT', '--json'];
  for (const [key, value] of Object.entries(params)) args.push('--param', `${key}=${value}`);
  args.push('--fee-pct', assumptions.fee_pct, '--spread-pct', assumptions.spread_pct, '--slippage-pct', assumptions.slippage_pct);
  args.push('--lot-step', assumptions.lot_step, '--min-notional', assumptions.min_notional);
  const run = spawnSync(CLI, args, { encoding: 'utf8' });
  assert(run.status === 0, `auronex backtest failed: ${run.stderr}`);
  return JSON.parse(run.stdout);
}

/** The downloaded report CSV: its settings/assumptions lines and its trade rows. */
function readReportCsv(text) {
  const sections = text.trim().split('\n\n').map((s) => s.split('\n'));
  const settings = Object.fromEntries(sections[0].map((line) => [line.slice(0, line.indexOf(',')), line.slice(line.indexOf(',') + 1)]));
  const metrics = Object.fromEntries(sections[1].slice(1).map((line) => line.split(',')));
  const [header, ...rows] = sections[3];
  const keys = header.split(',');
  const trades = rows.map((row) => Object.fromEntries(row.split(',').map((value, i) => [keys[i], value])));
  return { settings, metrics, trades };
}

/**
 * The same decimal written with or without trailing zeros ("1.0090" and "1.009"): the live
 * engine's venue fee is 0.0010 where the CLI's --fee-pct 0.1 makes 0.001, which carries on into
 * the scale of the amounts, not their value. Words compare as they are.
 */
const sameDecimal = (a, b) => {
  const bare = (x) => (/^-?\d+\.\d+$/.test(String(x)) ? String(x).replace(/0+$/, '').replace(/\.$/, '') : String(x));
  return bare(a) === bare(b);
};

async function download(page, testId) {
  const [file] = await Promise.all([page.waitForEvent('download'), page.getByTestId(testId).click()]);
  const path = join(work, file.suggestedFilename());
  await file.saveAs(path);
  return path;
}

async function pdfText(path) {
  const { getDocument } = await import('pdfjs-dist/legacy/build/pdf.mjs');
  const doc = await getDocument({ data: new Uint8Array(readFileSync(path)), useSystemFonts: false, disableFontFace: true }).promise;
  const pages = [];
  for (let n = 1; n <= doc.numPages; n++) {
    const content = await (await doc.getPage(n)).getTextContent();
    pages.push(content.items.map((item) => item.str).join(' '));
  }
  return pages.join('\n');
}

/** A screenshot of one part of the page (a full-page one of a phone is too tall to look at). */
const partShot = (state, locator, name) => locator.screenshot({ path: join(state.artifacts, `${name}.png`) });

async function backtests_a_bot_on_its_page(state) {
  const page = await signUp(state);
  const created = await apiAs(state, page, '/api/bots', {
    method: 'POST',
    body: JSON.stringify({ name: LAB_BOT, exchange: 'binance', symbols: ['BTC/USDT'], capital: CAPITAL, strategy: 'rsi', analysis_interval: 60, params: PARAMS }),
  });
  assert(created.status === 201 || created.status === 200, `bot create: ${created.status} ${JSON.stringify(created.body)}`);
  state.labBotId = created.body.id;
  await page.goto(`${state.servers.base}/bots/${encodeURIComponent(state.labBotId)}`);
  const panel = page.getByTestId('backtest-panel');
  await panel.waitFor();
  const [response] = await Promise.all([
    page.waitForResponse((r) => r.ok() && /\/api\/market\/history\?/.test(r.url())),
    page.getByTestId('lab-run').click(),
  ]);
  const report = page.getByTestId('lab-report');
  await report.waitFor();
  const candles = await fetchedCandles(response);
  assert(candles.length > 100, `only ${candles.length} candles`);
  await waitText(page.getByTestId('lab-status'), `${candles.length} candles`);
  state.labCandles = candles;

  const csvPath = await download(page, 'lab-csv');
  const browser = readReportCsv(readFileSync(csvPath, 'utf8'));
  const cli = cliBacktest(writeCsv('period', candles), PARAMS, browser.settings);
  state.labAssumptions = browser.settings;
  assert(cli.trades.length >= 3, `the CLI made only ${cli.trades.length} trades: pick livelier parameters`);
  assert(browser.trades.length === cli.trades.length, `browser ${browser.trades.length} trades, CLI ${cli.trades.length}`);
  cli.trades.forEach((expected, i) => {
    const got = browser.trades[i];
    for (const key of ['entry_price', 'exit_price', 'quantity', 'fees', 'profit_loss', 'profit_pct', 'exit_reason']) {
      assert(sameDecimal(got[key], expected[key]), `trade ${i + 1} ${key}: browser ${got[key]}, CLI ${expected[key]}`);
    }
    assert(Date.parse(got.entry_time) === expected.entry_time_ms, `trade ${i + 1} entry time`);
    assert(Date.parse(got.exit_time) === expected.exit_time_ms, `trade ${i + 1} exit time`);
  });
  for (const key of ['net_profit', 'fees_paid', 'max_drawdown_pct', 'exposure_pct', 'profit_factor', 'final_equity']) {
    assert(sameDecimal(browser.metrics[key], cli.metrics[key] ?? ''), `${key}: browser ${browser.metrics[key]}, CLI ${cli.metrics[key]}`);
  }
  // What the page shows: the figures and one table row per trade, every trade marked on the chart.
  assertShown(await report.locator('[data-figure=net_profit] dd').textContent(), Number(cli.metrics.net_profit), 'net profit');
  assertShown(await report.locator('[data-figure=fees_paid] dd').textContent(), Number(cli.metrics.fees_paid), 'fees');
  const rows = await report.locator('[data-testid=trades-table] tbody tr').count();
  assert(rows === cli.trades.length, `${rows} rows in the trade list, ${cli.trades.length} trades`);
  await report.locator('[data-testid=lab-curves] canvas').first().waitFor();
  await report.locator('[data-testid=candle-chart] canvas').first().waitFor();

  const pdf = await pdfText(await download(page, 'lab-pdf'));
  assert(pdf.includes(`Backtest report: ${LAB_BOT}`), `PDF title missing: ${pdf.slice(0, 200)}`);
  const shownNet = (await report.locator('[data-figure=net_profit] dd').textContent()).trim();
  assert(pdf.includes(shownNet), `PDF lacks the net profit ${shownNet}`);
  const usd = (v) => new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD', signDisplay: 'exceptZero', minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(v);
  for (const trade of cli.trades) {
    const pnl = Number(trade.profit_loss);
    const text = Math.abs(pnl) >= 1 ? usd(pnl).replace('$', '') : null;
    if (text) assert(pdf.includes(text.replace(/^[+-]/, '')), `PDF lacks trade ${trade.trade_id}'s P&L ${text}`);
  }
  const reasons = cli.trades.filter((t) => t.exit_reason === 'take_profit').length;
  assert((pdf.match(/take_profit(?!_)/g) ?? []).length === reasons, `PDF: take_profit ${(pdf.match(/take_profit(?!_)/g) ?? []).length} times, ${reasons} trades`);
  await shot(state, page, 'lab-backtest');
  state.labPage = page;
}

async function sweeps_parameters_on_the_bot_page(state) {
  const page = state.labPage;
  const sweep = page.getByTestId('sweep-panel');
  const axis = (n, part, value) => sweep.locator(`input[name=sweep-${n}-${part}]`).fill(String(value));
  await sweep.getByTestId('sweep-axis-0').locator('select').selectOption('period');
  await axis(0, 'from', 5);
  await axis(0, 'to', 9);
  await axis(0, 'step', 1);
  await sweep.getByTestId('sweep-axis-1').locator('select').selectOption('oversold');
  await axis(1, 'from', 25);
  await axis(1, 'to', 40);
  await axis(1, 'step', 5);
  await sweep.getByTestId('sweep-run').click();
  await waitText(page.getByTestId('sweep-status'), /20 sets in [\d.]+ s on \d+ workers/);
  const cells = await sweep.getByTestId('sweep-cell').count();
  assert(cells === 20, `${cells} heatmap cells`);
  const best = sweep.getByTestId('sweep-best-row');
  assert((await best.count()) >= 1, 'no best cell listed');
  const [period, oversold, inSample, heldOut] = await best.first().locator('td').allTextContents();
  const params = { ...PARAMS, period: Number(period), oversold: Number(oversold) };
  const candles = state.labCandles;
  const split = candles.length - Math.round(candles.length * HELD_OUT);
  const cliIn = cliBacktest(writeCsv('in-sample', candles.slice(0, split)), params, state.labAssumptions);
  const cliOut = cliBacktest(writeCsv('held-out', candles.slice(split)), params, state.labAssumptions);
  assertShown(inSample, Number(cliIn.metrics.net_profit), `in-sample net profit of ${JSON.stringify(params)}`);
  assertShown(heldOut, Number(cliOut.metrics.net_profit), `held-out net profit of ${JSON.stringify(params)}`);
  await shot(state, page, 'lab-sweep');
  await partShot(state, sweep, 'lab-sweep-panel');

  await best.first().getByRole('button', { name: 'Use these parameters' }).click();
  await waitText(sweep.locator('.ok-note'), 'Parameters saved to the bot.');
  const bot = (await apiAs(state, page, `/api/bots/${encodeURIComponent(state.labBotId)}`)).body;
  assert(bot.params.period === params.period && bot.params.oversold === params.oversold, `bot params ${JSON.stringify(bot.params)}`);
  assert(bot.params.take_profit_pct === PARAMS.take_profit_pct, `other params kept: ${JSON.stringify(bot.params)}`);
}

async function lab_on_a_phone_in_portuguese(state) {
  const page = state.labPage;
  await page.evaluate(() => localStorage.setItem('auronex.locale', 'pt-BR'));
  await page.setViewportSize({ width: 390, height: 844 });
  await page.reload();
  await page.getByTestId('lab-run').click();
  await waitText(page.getByTestId('lab-status'), 'candles, de');
  await page.getByTestId('lab-report').locator('[data-testid=lab-curves] canvas').first().waitFor();
  await shot(state, page, 'lab-backtest-phone-pt');
  const panel = page.getByTestId('backtest-panel');
  await partShot(state, panel.locator('.lab-controls').first(), 'lab-phone-pt-controls');
  await partShot(state, page.getByTestId('lab-figures'), 'lab-phone-pt-figures');
  await partShot(state, page.getByTestId('lab-curves'), 'lab-phone-pt-curves');
  await partShot(state, page.getByTestId('lab-report').locator('.lab-downloads'), 'lab-phone-pt-downloads');
  await page.getByTestId('sweep-run').click();
  await waitText(page.getByTestId('sweep-status'), /conjuntos em [\d.,]+ s/);
  await page.getByTestId('sweep-cell').first().click();
  await page.getByTestId('sweep-pick').waitFor();
  await shot(state, page, 'lab-sweep-phone-pt');
  await partShot(state, page.getByTestId('sweep-panel'), 'lab-phone-pt-sweep');
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert(overflow <= 1, `the page scrolls sideways by ${overflow} px on a phone`);
  await page.evaluate(() => localStorage.setItem('auronex.locale', 'en'));
  await page.setViewportSize({ width: 1280, height: 900 });
}

async function lab_on_the_bot_form(state) {
  const page = state.labPage;
  await page.goto(`${state.servers.base}/bots/${encodeURIComponent(state.labBotId)}/edit`);
  const period = page.locator('input[name="params.period"]');
  await period.fill('11');
  await page.getByTestId('lab-run').click();
  const report = page.getByTestId('lab-report');
  await waitText(report.locator('.lab-params'), '"period":11');
  // The form changes afterwards; "use these parameters" puts back the ones the report ran.
  await period.fill('3');
  await report.getByTestId('lab-use').click();
  await waitText(report.locator('.ok-note'), 'Parameters copied into the form; save to keep them.');
  assert((await period.inputValue()) === '11', `period field: ${await period.inputValue()}`);
  await partShot(state, page.getByTestId('backtest-panel').locator('.lab-report > .page-head, .lab-report > .lab-params, .lab-report > .ok-note').first(), 'lab-form-use');
  await shot(state, page, 'lab-bot-form');
}

export const LAB_TESTS = [
  ['lab_backtests_a_bot_on_its_page', backtests_a_bot_on_its_page],
  ['lab_sweeps_parameters_on_the_bot_page', sweeps_parameters_on_the_bot_page],
  ['lab_on_a_phone_in_portuguese', lab_on_a_phone_in_portuguese],
  ['lab_on_the_bot_form', lab_on_the_bot_form],
];
