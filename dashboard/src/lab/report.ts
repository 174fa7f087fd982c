//! A backtest report as the page and its downloads show it: the figures (in the bot's quote
//! currency), the trades as the dashboard's Trade rows (for TradeTable and the candle chart's
//! marks), a table by month of exit, and the whole report as CSV text. Pure.

import type { Trade } from '../api/types';
import { figures, type Figure } from '../format/ledger';
import type { Locale } from '../format/money';
import type { LabReport, LabTrade } from './types';

/** What a report is of: the bot, its market and the period tested. */
export interface ReportMeta {
  name: string;
  exchange: string;
  symbol: string;
  strategy: string;
  params: Record<string, number | string>;
  capital: number;
  timeframe: string;
  fromMs: number;
  toMs: number;
}

const num = (text: string | null | undefined) => (text == null ? null : Number(text));

export function reportFigures(report: LabReport, currency: string, locale: Locale): Figure[] {
  const m = report.metrics;
  return figures(locale, currency, [
    ['net_profit', 'fig.netProfit', num(m.net_profit), 'pnl'],
    ['return_pct', 'lab.fig.return', num(m.return_pct), 'percent'],
    ['buy_and_hold_pct', 'lab.fig.buyHold', num(report.buy_and_hold_pct), 'percent'],
    ['profit_factor', 'fig.profitFactor', num(m.profit_factor), 'ratio'],
    ['expectancy', 'fig.expectancy', num(m.expectancy), 'pnl'],
    ['max_drawdown', 'fig.maxDrawdown', num(m.max_drawdown), 'amount'],
    ['max_drawdown_pct', 'lab.fig.maxDrawdownPct', num(m.max_drawdown_pct), 'percent'],
    ['sharpe', 'lab.fig.sharpe', m.sharpe, 'ratio'],
    ['sortino', 'lab.fig.sortino', m.sortino, 'ratio'],
    ['exposure_pct', 'lab.fig.exposure', num(m.exposure_pct), 'percent'],
    ['fees_paid', 'fig.fees', num(m.fees_paid), 'amount'],
    ['win_rate', 'fig.winRate', m.trades ? num(m.win_rate_pct) : null, 'percent'],
    ['trades', 'lab.fig.trades', m.trades, 'count'],
    ['final_equity', 'lab.fig.finalEquity', num(m.final_equity), 'amount'],
  ]);
}

const iso = (ms: number) => new Date(ms).toISOString();

/** A backtest trade as a closed Trade row of the bot. */
export function asTrade(trade: LabTrade, meta: Pick<ReportMeta, 'exchange'>, quote: string): Trade {
  return {
    id: `bt-${trade.trade_id}`,
    bot_id: '',
    exchange: meta.exchange,
    symbol: trade.symbol,
    side: 'buy',
    status: 'closed',
    entry_price: Number(trade.entry_price),
    exit_price: Number(trade.exit_price),
    quantity: Number(trade.quantity),
    fees: Number(trade.fees),
    profit_loss: Number(trade.profit_loss),
    profit_pct: Number(trade.profit_pct),
    entry_time: iso(trade.entry_time_ms),
    exit_time: iso(trade.exit_time_ms),
    exit_reason: trade.exit_reason,
    quote_currency: quote,
  };
}

export interface MonthRow {
  /** `YYYY-MM` (UTC) of the trades' exits. */
  month: string;
  trades: number;
  wins: number;
  netProfit: number;
  fees: number;
}

export function monthlyRows(trades: LabTrade[]): MonthRow[] {
  const byMonth = new Map<string, MonthRow>();
  for (const trade of trades) {
    const month = iso(trade.exit_time_ms).slice(0, 7);
    const row = byMonth.get(month) ?? { month, trades: 0, wins: 0, netProfit: 0, fees: 0 };
    row.trades += 1;
    row.wins += Number(trade.profit_loss) > 0 ? 1 : 0;
    row.netProfit += Number(trade.profit_loss);
    row.fees += Number(trade.fees);
    byMonth.set(month, row);
  }
  return [...byMonth.values()].sort((a, b) => a.month.localeCompare(b.month));
}

const cell = (value: string | number | null) => {
  const text = value == null ? '' : String(value);
  return /[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
};
const line = (values: (string | number | null)[]) => values.map(cell).join(',');

/** Sections separated by a blank line: settings, metrics, by month, trades (exact decimals). */
export function reportCsv(meta: ReportMeta, report: LabReport): string {
  const m = report.metrics;
  const lines = [
    line(['bot', meta.name]),
    line(['exchange', meta.exchange]),
    line(['symbol', meta.symbol]),
    line(['strategy', meta.strategy]),
    line(['params', JSON.stringify(meta.params)]),
    line(['capital', meta.capital]),
    line(['timeframe', meta.timeframe]),
    line(['from', iso(meta.fromMs)]),
    line(['to', iso(meta.toMs)]),
    ...Object.entries(report.assumptions).map(([key, value]) => line([key, value])),
    '',
    line(['metric', 'value']),
    ...Object.entries(m).map(([key, value]) => line([key, value as string | number | null])),
    line(['buy_and_hold_pct', report.buy_and_hold_pct]),
    line(['refused_entries', report.refused_entries]),
    '',
    line(['month', 'trades', 'wins', 'net_profit', 'fees']),
    ...monthlyRows(report.trades).map((r) => line([r.month, r.trades, r.wins, r.netProfit.toFixed(8), r.fees.toFixed(8)])),
    '',
    line(['trade_id', 'symbol', 'entry_time', 'exit_time', 'entry_price', 'exit_price', 'quantity', 'fees', 'profit_loss', 'profit_pct', 'exit_reason']),
    ...report.trades.map((t) =>
      line([t.trade_id, t.symbol, iso(t.entry_time_ms), iso(t.exit_time_ms), t.entry_price, t.exit_price, t.quantity, t.fees, t.profit_loss, t.profit_pct, t.exit_reason]),
    ),
  ];
  return lines.join('\n') + '\n';
}
