//! What the charts draw: trade marks on the candles they happened in, the equity curves (one
//! per currency), and which currencies a bot's P&L is shown in.
import { describe, expect, it } from 'vitest';
import type { CurrencyStats, EquitySeries, Trade } from '../src/api/types';
import { tradeMarks } from '../src/components/CandleChart';
import { equityCurves } from '../src/components/EquityChart';
import { botResults } from '../src/pages/BotsPage';

const trade = (patch: Partial<Trade>): Trade => ({
  id: 'b:1',
  bot_id: 'b',
  exchange: 'binance',
  symbol: 'BTC/USDT',
  side: 'buy',
  status: 'closed',
  entry_price: 100,
  exit_price: 110,
  quantity: 1,
  fees: 0.2,
  profit_loss: 9.8,
  profit_pct: 9.8,
  entry_time: '2026-11-23T10:01:30Z',
  exit_time: '2026-11-23T10:03:05Z',
  exit_reason: 'take_profit',
  quote_currency: 'USDT',
  ...patch,
});
const candles = [0, 1, 2, 3].map((i) => ({
  time: `2026-11-23T10:0${i}:00Z`,
  open: 1,
  high: 1,
  low: 1,
  close: 1,
  volume: 1,
}));
const at = (iso: string) => Date.parse(iso) / 1000;

describe('tradeMarks', () => {
  it('puts entries below and exits above the candle each happened in, for the shown symbol only', () => {
    const marks = tradeMarks(candles, [trade({}), trade({ symbol: 'ETH/USDT' }), trade({ id: 'b:2', status: 'open', exit_time: null, entry_time: '2026-11-23T10:02:59Z' })], 'BTC/USDT');
    expect(marks.map((m) => [m.time, m.position, m.text])).toEqual([
      [at('2026-11-23T10:01:00Z'), 'belowBar', 'buy'],
      [at('2026-11-23T10:02:00Z'), 'belowBar', 'buy'],
      [at('2026-11-23T10:03:00Z'), 'aboveBar', 'take_profit'],
    ]);
  });
});

const series = (currency: string, start: number, equity: number[]): EquitySeries => ({
  currency,
  start_balance: start,
  points: equity.map((value, i) => ({ time: `2026-11-23T1${i}:00:00Z`, equity: value })),
});

describe('equityCurves', () => {
  it('draws each currency on its own line from its start balance and skips currencies without closed trades', () => {
    const curves = equityCurves([series('BRL', 5000, [5010, 4990]), series('EUR', 1000, []), series('USDT', 1000, [1002])]);
    expect(curves.map((c) => c.currency)).toEqual(['BRL', 'USDT']);
    expect(curves[0].points.map((p) => p.value)).toEqual([5000, 5010, 4990]);
    expect(curves[0].points[1].at).toBe('2026-11-23T10:00:00Z');
    expect([curves[0].last, curves[1].last]).toEqual([4990, 1002]);
    expect(curves[1].points.map((p) => p.value)).toEqual([1000, 1002]);
  });
  it("puts the display currency's curve first, dollar stablecoins counting as USD, others in the server's order", () => {
    const all = [series('BRL', 5000, [1]), series('EUR', 1000, [1]), series('USDT', 1000, [1])];
    expect(equityCurves(all, 'USD').map((c) => c.currency)).toEqual(['USDT', 'BRL', 'EUR']);
    expect(equityCurves(all, 'BRL').map((c) => c.currency)).toEqual(['BRL', 'EUR', 'USDT']);
    expect(equityCurves([], 'USD')).toEqual([]);
  });
});

const stats = (currency: string, patch: Partial<CurrencyStats> = {}): CurrencyStats => ({
  currency,
  total_trades: 3,
  open_trades: 1,
  closed_trades: 2,
  wins: 1,
  losses: 1,
  win_rate: 50,
  gross_profit: 10,
  gross_loss: 4,
  net_profit: 6,
  profit_factor: 2.5,
  expectancy: 3,
  max_drawdown: 4,
  fees: 0.2,
  open_cost: 100,
  ...patch,
});

describe('botResults', () => {
  it("shows every currency the bot traded in, from its stats, and its quote currency at zero before a trade", () => {
    expect(botResults({ quote_currency: 'BRL' }, [stats('BRL'), stats('USDT', { net_profit: -1 })])).toEqual([
      { currency: 'BRL', net: 6, closed: 2, winRate: 50 },
      { currency: 'USDT', net: -1, closed: 2, winRate: 50 },
    ]);
    expect(botResults({ quote_currency: 'BRL' }, [])).toEqual([{ currency: 'BRL', net: 0, closed: 0, winRate: 0 }]);
    expect(botResults({ quote_currency: 'USDT' }, [stats('USDT', { total_trades: 0 })])[0].net).toBe(0);
  });
});
