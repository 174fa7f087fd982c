//! The bot form's checks mirror the server's (worker/src/bots/validate.rs) field by field.
import { describe, expect, it } from 'vitest';
import { botInput, emptyBot, validateBot, type BotFormValues } from '../src/forms/botForm';

const context = {
  listed: ['BTC/USDT', 'ETH/USDT', 'SOL/USDT', 'XRP/USDT', 'ADA/USDT', 'DOGE/USDT', 'BTC/BRL'],
  available: { USDT: 1000, BRL: 5000 },
  format: (amount: number, currency: string) => `${amount} ${currency}`,
};
const valid = (patch: Partial<BotFormValues> = {}): BotFormValues => ({
  ...emptyBot(),
  name: 'My bot',
  symbols: ['BTC/USDT'],
  ...patch,
});
const fields = (patch: Partial<BotFormValues>) => Object.keys(validateBot(valid(patch), context));

describe('validateBot', () => {
  it('accepts a valid bot and builds the request body without blank parameters', () => {
    const values = valid({ capital: '250,5', params: { period: '2', oversold: '' } });
    expect(validateBot(values, context)).toEqual({});
    expect(botInput(values)).toEqual({
      name: 'My bot',
      exchange: 'binance',
      symbols: ['BTC/USDT'],
      capital: 250.5,
      strategy: 'rsi',
      analysis_interval: 60,
      params: { period: 2 },
    });
  });

  it('checks and sends the protections as the server reads them (core/src/protections.rs)', () => {
    const params = { cooldown_candles: '3', stoploss_guard_stops: '2', max_drawdown_pct: '7,5' };
    expect(botInput(valid({ params })).params).toEqual({ cooldown_candles: 3, stoploss_guard_stops: 2, max_drawdown_pct: 7.5 });
    expect(fields({ params: { cooldown_candles: '1.5' } })).toEqual(['params.cooldown_candles']);
    expect(fields({ params: { stoploss_guard_window_candles: '0' } })).toEqual(['params.stoploss_guard_window_candles']);
    expect(fields({ params: { max_drawdown_pct: '99.5' } })).toEqual(['params.max_drawdown_pct']);
    expect(fields({ strategy: 'macd', params: { max_drawdown_pct: '0' } })).toEqual([]);
  });

  it("sends rsi's entry word, and only a word the server accepts", () => {
    expect(botInput(valid({ params: { entry: 'cross_up' } })).params).toEqual({ entry: 'cross_up' });
    expect(botInput(valid({ params: { entry: '' } })).params).toEqual({});
    expect(fields({ params: { entry: 'sideways' } })).toEqual(['params.entry']);
    expect(fields({ strategy: 'macd', params: { entry: 'cross_up' } })).toEqual([]);
    expect(botInput(valid({ strategy: 'macd', params: { entry: 'cross_up' } })).params).toEqual({});
  });

  it('names the field for each rule the server enforces', () => {
    expect(fields({ name: 'ab' })).toEqual(['name']);
    expect(fields({ name: 'x'.repeat(51) })).toEqual(['name']);
    expect(fields({ name: '  ab  ' })).toEqual(['name']);
    expect(fields({ name: 'bad\u0007name' })).toEqual(['name']);
    expect(fields({ symbols: [] })).toEqual(['symbols']);
    expect(fields({ symbols: ['BTC/USDT', 'ETH/USDT', 'SOL/USDT', 'XRP/USDT', 'ADA/USDT', 'DOGE/USDT'] })).toEqual([
      'symbols',
    ]);
    expect(fields({ symbols: ['BTC/USDT', 'BTC/BRL'] })).toEqual(['symbols']);
    expect(fields({ symbols: ['BTC/USDT', 'BTC/USDT'] })).toEqual(['symbols']);
    expect(fields({ symbols: ['BTCUSDT'] })).toEqual(['symbols']);
    expect(fields({ symbols: ['LUNA/USDT'] })).toEqual(['symbols']);
    expect(fields({ capital: '1.99' })).toEqual(['capital']);
    expect(fields({ capital: '10000.01' })).toEqual(['capital']);
    expect(fields({ capital: 'lots' })).toEqual(['capital']);
    expect(fields({ analysis_interval: 2 })).toEqual(['analysis_interval']);
    expect(fields({ params: { period: '1' } })).toEqual(['params.period']);
    expect(fields({ params: { period: '2.5' } })).toEqual(['params.period']);
    expect(fields({ params: { oversold: 'x' } })).toEqual(['params.oversold']);
    expect(fields({ params: { stop_loss_pct: '99.5' } })).toEqual(['params.stop_loss_pct']);
  });

  it('checks capital against the available balance of the quote currency', () => {
    expect(validateBot(valid({ capital: '1500' }), context).capital).toBe(
      'Capital is above the available balance (1000 USDT).',
    );
    expect(fields({ capital: '1500', symbols: ['BTC/BRL'] })).toEqual([]);
  });

  it('checks parameters that depend on each other', () => {
    expect(fields({ strategy: 'macd', params: { fast_period: '20', slow_period: '20' } })).toEqual([
      'params.slow_period',
    ]);
    expect(fields({ strategy: 'macd', params: { slow_period: '12' } })).toEqual(['params.slow_period']);
    expect(fields({ strategy: 'macd', params: { slow_period: '13' } })).toEqual([]);
    expect(fields({ params: { oversold: '40', overbought: '35' } })).toEqual(['params.overbought']);
    expect(fields({ strategy: 'bollinger', params: { std_dev: '0.05' } })).toEqual(['params.std_dev']);
  });

  it('skips the listing check while the symbols are loading', () => {
    expect(Object.keys(validateBot(valid({ symbols: ['NEW/USDT'] }), { ...context, listed: null }))).toEqual([]);
  });

  it('speaks the caller language', () => {
    const errors = validateBot(valid({ name: 'ab' }), context, (key) => `pt:${key}`);
    expect(errors.name).toBe('pt:v.name');
  });
});
