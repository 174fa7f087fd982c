//! What the charts draw: trade marks on the candles they happened in, the equity curve, P&L per bot.
import { describe, expect, it } from 'vitest';
import type { Trade } from '../src/api/types';
import { tradeMarks } from '../src/components/CandleChart';
import { equityPoints } from '../src/components/EquityChart';
import { pnlByBot } from '../src/pages/BotsPage';

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

describe('equityPoints', () => {
  it('adds closed trades in exit order to the starting balance', () => {
    const points = equityPoints(1000, [
      trade({ exit_time: '2026-11-23T12:00:00Z', profit_loss: -5 }),
      trade({ exit_time: '2026-11-23T11:00:00Z', profit_loss: 10 }),
      trade({ status: 'open', exit_time: null, profit_loss: null }),
    ]);
    expect(points.map((p) => p.value)).toEqual([1000, 1010, 1005]);
    expect(equityPoints(1000, [])).toEqual([]);
  });
});

describe('pnlByBot', () => {
  it('sums realised P&L per bot and ignores open trades', () => {
    expect(pnlByBot([trade({}), trade({ bot_id: 'c', profit_loss: -1 }), trade({ status: 'open', profit_loss: null })])).toEqual({
      b: 9.8,
      c: -1,
    });
  });
});
