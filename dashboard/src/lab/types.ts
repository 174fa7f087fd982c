//! What the strategy lab's wasm (crate auronex-lab) takes and returns: a bot's settings, and
//! core's backtest report and sweep rows as JSON (decimals arrive as strings, exactly).

import type { Params } from '../api/types';

/** A bot's own settings for a backtest (the venue's taker fee is looked up in the wasm). */
export interface LabSettings {
  exchange: string;
  symbol: string;
  strategy: string;
  params: Params;
  capital: number;
  /** How many markets the bot trades (each entry stakes capital / markets, as live). */
  markets: number;
}

export interface LabTrade {
  trade_id: number;
  symbol: string;
  entry_price: string;
  exit_price: string;
  quantity: string;
  fees: string;
  profit_loss: string;
  profit_pct: string;
  entry_time_ms: number;
  exit_time_ms: number;
  exit_reason: string;
}

export interface LabMetrics {
  trades: number;
  wins: number;
  losses: number;
  win_rate_pct: string;
  net_profit: string;
  gross_profit: string;
  gross_loss: string;
  fees_paid: string;
  profit_factor: string | null;
  expectancy: string;
  max_drawdown: string;
  max_drawdown_pct: string;
  sharpe: number | null;
  sortino: number | null;
  exposure_pct: string;
  start_capital: string;
  final_equity: string;
  return_pct: string;
}

/** `[time ms, value]`: equity in the quote currency, or percent below the running peak. */
export type CurvePoint = [number, number];

/** The fill model and venue rules a run assumed (percentages and amounts as decimal text). */
export interface Assumptions {
  fee_pct: string;
  spread_pct: string;
  slippage_pct: string;
  lot_step: string;
  min_notional: string;
  stake: string;
}

export interface LabReport {
  assumptions: Assumptions;
  trades: LabTrade[];
  metrics: LabMetrics;
  refused_entries: number;
  buy_and_hold_pct: string;
  equity: CurvePoint[];
  drawdown_pct: CurvePoint[];
}

export type SweepRow = { in_sample: LabMetrics; held_out: LabMetrics | null } | { error: string };
