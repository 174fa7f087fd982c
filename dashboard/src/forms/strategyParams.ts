//! Strategy parameters as the server reads them (core/src/strategy, core/src/exits.rs): each
//! key's default and range, so the form can check them before sending.

import type { Strategy } from '../api/types';
import type { MessageKey } from '../i18n/messages';

export interface ParamSpec {
  key: string;
  whole: boolean;
  min: number;
  max: number;
  /** The minimum is another parameter's value (plus `plus`), e.g. slow_period > fast_period. */
  after?: { key: string; plus: number };
}

const MAX_PERIOD = 100_000;
const period = (key: string, min: number, after?: ParamSpec['after']): ParamSpec => ({
  key,
  whole: true,
  min,
  max: MAX_PERIOD,
  after,
});
const decimal = (key: string, min: number, max: number, after?: ParamSpec['after']): ParamSpec => ({
  key,
  whole: false,
  min,
  max,
  after,
});

export const STRATEGIES: Strategy[] = ['scalping', 'rsi', 'macd', 'bollinger'];
export const INTERVALS = [1, 3, 5, 60];

export const STRATEGY_PARAMS: Record<Strategy, ParamSpec[]> = {
  scalping: [period('fast_period', 1), period('slow_period', 1, { key: 'fast_period', plus: 1 })],
  rsi: [period('period', 2), decimal('oversold', 0, 100), decimal('overbought', 0, 100, { key: 'oversold', plus: 0 })],
  macd: [
    period('fast_period', 2),
    period('slow_period', 2, { key: 'fast_period', plus: 1 }),
    period('signal_period', 1),
  ],
  bollinger: [period('period', 2), decimal('std_dev', 0.1, 10)],
};

/** Each strategy's entry and exit rule in one sentence, for the form's help. */
export const STRATEGY_RULES: Record<Strategy, MessageKey> = {
  scalping: 'strategy.rule.scalping',
  rsi: 'strategy.rule.rsi',
  macd: 'strategy.rule.macd',
  bollinger: 'strategy.rule.bollinger',
};

/** Parameters that take a word instead of a number: the words the server accepts, default first. */
export const CHOICE_PARAMS: Partial<Record<Strategy, { key: string; choices: string[] }[]>> = {
  rsi: [{ key: 'entry', choices: ['below', 'cross_up'] }],
};

export const EXIT_PARAMS: ParamSpec[] = [
  decimal('take_profit_pct', 0, 10_000),
  decimal('stop_loss_pct', 0, 99),
  decimal('trailing_stop_pct', 0, 99),
  decimal('trailing_activation_pct', 0, 10_000),
  { key: 'max_hold_minutes', whole: true, min: 0, max: 4_294_967_295 },
  decimal('partial_take_profit_pct', 0, 10_000),
  decimal('partial_share_pct', 1, 99),
  { key: 'breakeven_after_partial', whole: true, min: 0, max: 1 },
];

/** Pauses of entries after losses (core/src/protections.rs), counted in candle closes; a
 * blank or 0 count, stop-out number or percentage switches its protection off. */
export const PROTECTION_PARAMS: ParamSpec[] = [
  { key: 'cooldown_candles', whole: true, min: 0, max: MAX_PERIOD },
  { key: 'stoploss_guard_stops', whole: true, min: 0, max: 1_000 },
  period('stoploss_guard_window_candles', 1),
  period('stoploss_guard_pause_candles', 1),
  decimal('max_drawdown_pct', 0, 99),
  period('max_drawdown_window_candles', 1),
  period('max_drawdown_pause_candles', 1),
];

const PROTECTION_DEFAULTS = {
  partial_share_pct: 50,
  breakeven_after_partial: 1,
  stoploss_guard_window_candles: 24,
  stoploss_guard_pause_candles: 12,
  max_drawdown_window_candles: 48,
  max_drawdown_pause_candles: 24,
};

export const DEFAULTS: Record<Strategy, Record<string, number>> = {
  scalping: { fast_period: 9, slow_period: 21, take_profit_pct: 1.5, stop_loss_pct: 1, ...PROTECTION_DEFAULTS },
  rsi: { period: 14, oversold: 30, overbought: 70, take_profit_pct: 3, stop_loss_pct: 2, ...PROTECTION_DEFAULTS },
  macd: {
    fast_period: 12,
    slow_period: 26,
    signal_period: 9,
    take_profit_pct: 4,
    stop_loss_pct: 2,
    ...PROTECTION_DEFAULTS,
  },
  bollinger: { period: 20, std_dev: 2, take_profit_pct: 3, stop_loss_pct: 2, ...PROTECTION_DEFAULTS },
};

/** The strategy's own parameters and the exits: the form's first group. */
export const tradingParamsOf = (strategy: Strategy) => [...STRATEGY_PARAMS[strategy], ...EXIT_PARAMS];

/** Every numeric key the server reads for `strategy`. */
export const paramsOf = (strategy: Strategy) => [...tradingParamsOf(strategy), ...PROTECTION_PARAMS];
