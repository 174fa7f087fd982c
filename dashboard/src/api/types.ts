//! The API's shapes as the dashboard reads them (see /api/openapi.json and docs/api.md).

export type Role = 'admin' | 'staff' | 'client';
export type Plan = 'free' | 'pro' | 'premium';

export interface User {
  id: string;
  email: string;
  first_name: string;
  last_name: string;
  role: Role;
  is_staff: boolean;
  is_superuser: boolean;
  is_active?: boolean;
  plan: Plan;
  created_at: string;
}

export interface Session {
  user: User;
  access_token: string;
  refresh_token: string;
  token_type: 'bearer';
  expires_in: number;
}

export interface Wallet {
  currency: string;
  start_balance: number;
  realised_pnl: number;
  total: number;
  allocated: number;
  in_positions: number;
  available: number;
}

/** The currencies the server converts combined totals into (`?currency=`). */
export type TotalsCurrency = 'USD' | 'BRL';

/** A rate a converted total used: 1 `base` = `rate` `quote` (pair "BASE/QUOTE"). */
export interface Rate {
  pair: string;
  rate: number;
  /** "awesomeapi" (USD/BRL) or "peg" (dollar stablecoins 1:1). */
  source: string;
  /** When the rate was quoted (RFC 3339); null for a peg. */
  as_of: string | null;
}

/** How a combined total was converted; `missing` names currencies that could not be (the total is then null). */
export interface Conversion {
  currency: string;
  rates: Rate[];
  missing: string[];
}

/** One currency's books in the summary, every amount in that currency. */
export interface CurrencySummary {
  currency: string;
  total_balance: number;
  capital_invested: number;
  in_positions: number;
  available: number;
  net_profit: number;
  profit_today: number;
  trades_today: number;
  closed_trades: number;
  win_rate: number;
  profit_factor: number | null;
  expectancy: number | null;
  max_drawdown: number;
  fees: number;
}

export interface Summary {
  /** The currency of the converted totals (USD or BRL, as asked). */
  currency: string;
  total_balance: number | null;
  capital_invested: number | null;
  in_positions: number | null;
  net_profit: number | null;
  trades_today: number;
  profit_today: number | null;
  win_rate: number;
  bots_total: number;
  bots_active: number;
  usd_brl: number | null;
  wallets: Wallet[];
  by_currency: CurrencySummary[];
  conversion: Conversion;
}

export interface Balance {
  currency: string;
  total: number;
  available: number;
  in_positions: number;
  wallets: Wallet[];
  total_brl?: number | null;
  conversion?: Conversion;
}

export type Strategy = 'scalping' | 'rsi' | 'macd' | 'bollinger';
/** Numbers, and words for the choice parameters (`entry` of rsi: `below` | `cross_up`). */
export type Params = Record<string, number | string>;

export interface BotInput {
  name: string;
  exchange: string;
  symbols: string[];
  capital: number;
  strategy: Strategy;
  analysis_interval: number;
  params: Params;
  is_testnet?: boolean;
}

export interface Bot extends BotInput {
  id: string;
  quote_currency: string;
  is_active: boolean;
  created_at: string;
  updated_at: string;
  user_id?: string;
}

export interface Trade {
  id: string;
  bot_id: string;
  exchange: string;
  symbol: string;
  side: string;
  status: 'open' | 'closed';
  entry_price: number;
  exit_price: number | null;
  quantity: number;
  cost?: number;
  fees: number;
  profit_loss: number | null;
  profit_pct: number | null;
  entry_time: string;
  exit_time: string | null;
  exit_reason: string | null;
  /** The currency of `cost`, `fees` and `profit_loss`. */
  quote_currency: string;
}

export interface Page<T> {
  items: T[];
  next_cursor?: string | null;
  total?: number;
}

/** How many trades a set holds and how many of the closed ones won (`win_rate` in percent). */
export interface TradeCounts {
  total_trades: number;
  open_trades: number;
  closed_trades: number;
  wins: number;
  losses: number;
  win_rate: number;
}

/** Stats of the trades in one quote currency, amounts in that currency. */
export interface CurrencyStats extends TradeCounts {
  currency: string;
  gross_profit: number;
  gross_loss: number;
  net_profit: number;
  profit_factor: number | null;
  expectancy: number | null;
  max_drawdown: number;
  fees: number;
  open_cost: number;
}

/** `/api/trades/stats` and `/api/bots/{id}/stats`: counts over every currency, amounts converted. */
export interface TradeStats extends TradeCounts {
  currency: string;
  net_profit: number | null;
  profit_factor: number | null;
  expectancy: number | null;
  /** Only when the trades are in one currency. */
  max_drawdown: number | null;
  by_currency: CurrencyStats[];
  conversion: Conversion;
}

export interface TradesToday {
  count: number;
  profit_loss: number | null;
  currency: string;
  by_currency: { currency: string; count: number; profit_loss: number }[];
  conversion: Conversion;
}

/** One currency's equity: start balance plus cumulative realised P&L in exit order. */
export interface EquitySeries {
  currency: string;
  start_balance: number;
  points: { time: string; equity: number }[];
}

export interface MonthTotal {
  currency: string;
  trades: number;
  closed_trades: number;
  profit_loss: number;
  fees: number;
}

export interface MonthTrades {
  items: Trade[];
  totals: MonthTotal[];
}

export interface Activity {
  at: string;
  bot_id: string;
  bot_name: string;
  action: string;
  message: string;
}

export interface Exchange {
  id: string;
  name: string;
  quote_currencies: string[];
}

export interface Candle {
  time: number | string;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
}

export interface Gainer {
  symbol: string;
  price: number;
  change_pct: number;
}

export interface UsdBrl {
  rate: number;
  bid: number;
  ask: number;
  source: string;
  updated_at: string;
}

export interface ApiKey {
  id: string;
  exchange: string;
  label: string;
  key_hint: string;
  is_testnet: boolean;
  is_active: boolean;
  last_tested_at?: string | null;
  last_test_ok?: boolean | null;
  created_at: string;
}

export interface NewApiKey {
  exchange: string;
  api_key: string;
  secret_key: string;
  passphrase?: string;
  label?: string;
  is_testnet: boolean;
}

export interface KeyTest {
  ok: boolean;
  message: string;
  balances?: { asset: string; free: number; locked: number }[];
}

/** The caller's Telegram chat; only a verified one (linked through the bot) gets messages. */
export interface TelegramSettings {
  chat_id: string | null;
  verified: boolean;
  verified_at: string | null;
  updated_at: string | null;
  link_expires_at: string | null;
  available: boolean;
}

/** A one-time code to send to the bot as `/start CODE` (or open `url`). */
export interface TelegramLink {
  code: string;
  command: string;
  bot_username: string | null;
  url: string | null;
  expires_at: string;
}

export interface Checkout {
  url: string;
  session_id: string;
}

export interface Pix {
  payment_id: string;
  qr_code: string;
  qr_code_base64: string;
  expires_at: string | null;
}

export interface TradeCopy {
  mode?: 'fix' | 'multiplier';
  fixed_lot?: number;
  multiplier?: number;
  max_slippage_points?: number;
  max_spread_points?: number;
  max_exposure_trades?: number;
  max_exposure_lots?: number;
  max_drawdown_pct?: number;
}

export interface Channel {
  id: string;
  name: string;
  role: 'publisher' | 'follower';
  invite_code?: string;
  followers?: number;
  trade_copy?: TradeCopy;
  created_at: string;
}

export interface Signal {
  seq: number;
  signal_id: string;
  type: string;
  ticket: string;
  data: Record<string, unknown> | null;
  at: string;
}

export interface Delivery {
  user_id: string;
  sent_at: string | null;
  acked_at: string | null;
  client_ticket: string | null;
  ack_delay_ms: number | null;
}

export interface Payment {
  id: string;
  user_id: string;
  user_email: string;
  provider: string;
  provider_ref: string;
  kind: string;
  plan: string;
  amount: number;
  currency: string;
  status: string;
  created_at: string;
}

export interface Settings {
  plan_prices: Record<string, { usd: number; brl: number }>;
  paper_starting_balances: Record<string, number>;
  default_fees: { maker_fee_rate: number; taker_fee_rate: number };
}
