//! Currency and number formatting for en and pt-BR, and USD <-> BRL conversion.
import { describe, expect, it } from 'vitest';
import { convert, displayMoney, formatIn, formatMoney, formatPercent } from '../src/format/money';
import { messages, translate } from '../src/i18n/messages';

const nbsp = (text: string) => text.replace(/[\u00a0\u202f]/g, ' ');

describe('formatMoney', () => {
  it('writes BRL and USD the way each locale does', () => {
    expect(nbsp(formatMoney(1234.5, 'BRL', 'pt-BR'))).toBe('R$ 1.234,50');
    expect(formatMoney(1234.5, 'USD', 'en')).toBe('$1,234.50');
    expect(nbsp(formatMoney(1234.5, 'USD', 'pt-BR'))).toBe('US$ 1.234,50');
    expect(formatMoney(-12, 'BRL', 'en')).toBe('-R$12.00');
  });
  it('treats dollar stablecoins as dollars and keeps small amounts readable', () => {
    expect(formatMoney(10, 'USDT', 'en')).toBe('$10.00');
    expect(formatMoney(0.01234, 'USDT', 'en')).toBe('$0.0123');
  });
  it('falls back to the code for currencies Intl does not know', () => {
    expect(formatMoney(2, 'BTC!', 'en')).toBe('2 BTC!');
  });
});

describe('formatIn', () => {
  it('keeps the currency an amount is kept in: a stablecoin is not written as dollars', () => {
    expect(formatIn(1234.5, 'USDT', 'en')).toBe('1,234.50 USDT');
    expect(nbsp(formatIn(1234.5, 'USDT', 'pt-BR'))).toBe('1.234,50 USDT');
    expect(nbsp(formatIn(1234.5, 'BRL', 'pt-BR'))).toBe('R$ 1.234,50');
    expect(formatIn(1234.5, 'USD', 'en')).toBe('$1,234.50');
    expect(formatIn(0.01234, 'USDT', 'en')).toBe('0.0123 USDT');
  });
  it('signs P&L on request, never zero', () => {
    expect(formatIn(12.3, 'USDT', 'en', true)).toBe('+12.30 USDT');
    expect(formatIn(-12.3, 'BRL', 'en', true)).toBe('-R$12.30');
    expect(formatIn(0, 'USDT', 'en', true)).toBe('0.00 USDT');
  });
});

describe('convert', () => {
  it('converts at BRL per USD both ways and refuses without a rate', () => {
    expect(convert(10, 'USDT', 'BRL', 5.4)).toBeCloseTo(54);
    expect(convert(54, 'BRL', 'USD', 5.4)).toBeCloseTo(10);
    expect(convert(10, 'USD', 'USD', null)).toBe(10);
    expect(convert(10, 'USD', 'BRL', null)).toBeNull();
    expect(convert(10, 'EUR', 'BRL', 5.4)).toBeNull();
  });
  it('shows the original currency when it cannot convert', () => {
    expect(nbsp(displayMoney(100, 'USDT', 'BRL', 5, 'pt-BR'))).toBe('R$ 500,00');
    expect(displayMoney(100, 'USDT', 'BRL', null, 'en')).toBe('$100.00');
  });
});

describe('percent and messages', () => {
  it('formats percentages per locale, signed on request', () => {
    expect(formatPercent(12.5, 'pt-BR')).toBe('12,5%');
    expect(formatPercent(1.234, 'en', true)).toBe('+1.23%');
  });
  it('has every message in both languages with the same placeholders', () => {
    for (const key of Object.keys(messages.en) as (keyof typeof messages.en)[]) {
      const names = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
      expect(names(messages['pt-BR'][key]), key).toEqual(names(messages.en[key]));
    }
    expect(translate('pt-BR', 'trades.count', { count: 2, closed: 1 })).toBe('operações: 2 · fechadas: 1');
  });
});
