//! The candles a backtest runs on: a period of a market from `GET /api/market/history`
//! (complete candles only, oldest first; the server refuses a range past its maximum with a
//! 422 whose message the panel shows).

import type { Endpoints } from '../api/endpoints';
import type { Candle } from '../api/types';

export const TIMEFRAMES = ['1m', '5m', '15m', '1h', '4h', '1d'] as const;
export type Timeframe = (typeof TIMEFRAMES)[number];

export const TIMEFRAME_MS: Record<Timeframe, number> = {
  '1m': 60_000,
  '5m': 300_000,
  '15m': 900_000,
  '1h': 3_600_000,
  '4h': 14_400_000,
  '1d': 86_400_000,
};

export function periodCandles(
  api: Endpoints,
  market: { exchange: string; symbol: string; timeframe: Timeframe; fromMs: number; toMs: number },
): Promise<Candle[]> {
  const { exchange, symbol, timeframe, fromMs, toMs } = market;
  return api.market.history(exchange, symbol, timeframe, fromMs, Math.min(toMs, Date.now()));
}
