//! The candles a backtest runs on: a period of a market from `GET /api/market/history`; on a
//! server without that endpoint (404), the venue's latest candles from `/api/market/candles`
//! within the period, flagged as clipped so the page says so.

import { ApiError } from '../api/client';
import type { Endpoints } from '../api/endpoints';
import type { Candle } from '../api/types';
import { openTimeMs } from './columns';

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

/** Most candles the latest-candles endpoint gives at once. */
const LATEST_LIMIT = 1000;

export interface PeriodCandles {
  candles: Candle[];
  /** True when only the latest candles of the period could be had. */
  clipped: boolean;
}

export async function periodCandles(
  api: Endpoints,
  market: { exchange: string; symbol: string; timeframe: Timeframe; fromMs: number; toMs: number },
): Promise<PeriodCandles> {
  const { exchange, symbol, timeframe, fromMs, toMs } = market;
  try {
    return { candles: await api.market.history(exchange, symbol, timeframe, fromMs, toMs), clipped: false };
  } catch (error) {
    if (!(error instanceof ApiError && error.status === 404 && error.code === 'not_found')) throw error;
  }
  const latest = await api.market.candles(exchange, symbol, timeframe, LATEST_LIMIT);
  const candles = latest.filter((c) => openTimeMs(c.time) >= fromMs && openTimeMs(c.time) < toMs);
  const wanted = Math.ceil((toMs - fromMs) / TIMEFRAME_MS[timeframe]);
  return { candles, clipped: candles.length < wanted };
}
